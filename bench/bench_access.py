"""`stafett member remove` on a log with 500 documents: every document is
re-encrypted without the member, in one commit (goal <= 1 s)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_show import DOCUMENTS, fill
from bench.common import compile_package, make_store, ms, stafett_cmd, stafett_env, timed
from stafett.keys import new_key


def main() -> None:
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        key, log = make_store(root)
        kari = new_key(
            root / "kari.key",
            name="Kari Bench",
            title="helsesykepleier",
            service="Benchvik helsestasjon",
            passphrase=None,
        )
        log.store.add_person(kari, "kari")
        log.add_member(handle="lise", name="Lise Bench", role="guardian")
        log.add_consent(
            given_by="lise",
            services="Benchvik helsestasjon",
            valid_until="2099-12-31",
            child_heard=True,
        )
        log.add_member("kari")
        fill(log, DOCUMENTS)
        env = {**stafett_env(root, key), "STAFETT_AGENT": "0"}
        files = len(list((root / "store" / "logs" / log.id).rglob("*.age")))
        took = timed(stafett_cmd("member", "remove", log.short_id, "kari"), env)
        out = subprocess.run(
            stafett_cmd("verify", log.short_id), env=env, capture_output=True, text=True, check=True
        ).stdout.strip()
        print(f"stafett member remove, {files} encrypted files, cold: {ms(took)} (goal <= 1 s)")
        print(f"verify afterwards: {out}")


if __name__ == "__main__":
    main()
