"""Export and import of a log with 500 documents (goal <= 1 s each)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_show import DOCUMENTS, fill
from bench.common import (
    compile_package,
    consented_person,
    make_store,
    ms,
    stafett_cmd,
    stafett_env,
    timed,
)
from stafett import Store
from stafett.keys import new_key


def main() -> None:
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        key, log = make_store(root)
        jonas = consented_person(root, log, "jonas", "sosiallærer", "Benchvik ungdomsskole")
        fill(log, DOCUMENTS)
        log.add_voice("Jeg vil at de skal vite at jeg liker å lese høyt for én.", how="samtale")
        from stafett.handover import create

        create(
            log,
            to="jonas",
            to_service="Benchvik ungdomsskole",
            transition="7. til 8.",
            starts="2027-08-17",
            include="tiltak,evaluering,stemme,notat",
        )
        env = {**stafett_env(root, key), "STAFETT_AGENT": "0"}
        bundle = root / "pakke.stafett"
        took_export = timed(
            stafett_cmd("export", log.short_id, "--to", "jonas", "-o", str(bundle)), env
        )
        recovery = new_key(root / "rec2.key", name="Mottaker", title="nøkkel", passphrase=None)
        Store.init(
            root / "receiver", municipality="Mottakervik", recovery=recovery.recipient, card=jonas
        )
        their = {
            **env,
            "STAFETT_STORE": str(root / "receiver"),
            "STAFETT_IDENTITY": str(root / "jonas.key"),
        }
        took_import = timed(stafett_cmd("import", str(bundle)), their)
        shown = subprocess.run(
            stafett_cmd("--json", "list"), env=their, capture_output=True, text=True, check=True
        ).stdout.count('"id"')
        docs = sum(1 for _ in (root / "receiver" / "logs").rglob("*.age"))
        print(
            f"stafett export, {DOCUMENTS}-document log, cold: {ms(took_export)}"
            f" ({bundle.stat().st_size // 1024} KiB bundle; goal <= 1 s)"
        )
        print(
            f"stafett import of it, cold: {ms(took_import)} ({docs} files in"
            f" {shown} new log; goal <= 1 s)"
        )


if __name__ == "__main__":
    main()
