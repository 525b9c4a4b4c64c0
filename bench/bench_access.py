"""`stafett member remove` on a log with 500 documents: every document is
re-encrypted without the member, in one commit (goal <= 1 s)."""

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
    median,
    ms,
    stafett_cmd,
    stafett_env,
    timed,
)

ROUNDS = 3


def main() -> None:
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        key, log = make_store(root)
        consented_person(root, log, "kari", "helsesykepleier", "Benchvik helsestasjon")
        log.add_member("kari", handle="kari0")
        fill(log, DOCUMENTS)
        cold = {**stafett_env(root, key), "STAFETT_AGENT": "0"}
        warm = {**stafett_env(root, key), "STAFETT_AGENT_DIR": str(root / "agent")}
        files = len(list((root / "store" / "logs" / log.id).rglob("*.age")))
        runs: dict[str, list[float]] = {"cold": [], "agent": []}
        subprocess.run(stafett_cmd("agent", "start"), env=warm, capture_output=True, check=True)
        try:
            for i in range(2 * ROUNDS):
                name, env = ("cold", cold) if i % 2 == 0 else ("agent", warm)
                remove = stafett_cmd("member", "remove", log.short_id, f"kari{i}")
                runs[name].append(timed(remove, env))
                subprocess.run(
                    stafett_cmd("member", "add", log.short_id, "kari", "--handle", f"kari{i + 1}"),
                    env=cold,
                    capture_output=True,
                    check=True,
                )
        finally:
            subprocess.run(stafett_cmd("agent", "stop"), env=warm, capture_output=True)
        out = subprocess.run(
            stafett_cmd("verify", log.short_id),
            env=cold,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for name, times in runs.items():
            print(
                f"stafett member remove, {files} encrypted files, {name}: median"
                f" {ms(median(times))} over {ROUNDS} runs (goal <= 1 s)"
            )
        print(f"verify afterwards: {out}")


if __name__ == "__main__":
    main()
