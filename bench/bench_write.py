"""Write latency: `stafett note add` against `pass insert -m` of the same text.

All run as fresh processes, alternating, in one run: stafett cold (no agent),
stafett with a running agent (the warm process that holds the key, as gpg-agent
does for pass), and pass with its own gpg key (no passphrase) and git.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import compile_package, make_store, median, ms, stafett_cmd, stafett_env, timed

ROUNDS = 25
TEXT = "Mor ringte i dag. Åse har sovet bedre denne uka, og hun gleder seg til turen på fredag."


def pass_env(root: Path) -> dict[str, str] | None:
    if not (shutil.which("pass") and shutil.which("gpg")):
        return None
    env = dict(os.environ)
    env.update(GNUPGHOME=str(root / "gnupg"), PASSWORD_STORE_DIR=str(root / "pass"))
    (root / "gnupg").mkdir(mode=0o700)
    subprocess.run(
        [
            "gpg",
            "--batch",
            "--passphrase",
            "",
            "--quick-gen-key",
            "bench <bench@example.invalid>",
            "default",
            "default",
            "never",
        ],
        env=env,
        capture_output=True,
        check=True,
    )
    subprocess.run(
        ["pass", "init", "bench@example.invalid"], env=env, capture_output=True, check=True
    )
    subprocess.run(["pass", "git", "init"], env=env, capture_output=True, check=True)
    return env


def main() -> None:
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        key, log = make_store(root)
        cold = {**stafett_env(root, key), "STAFETT_AGENT": "0"}
        warm = {**stafett_env(root, key), "STAFETT_AGENT_DIR": str(root / "agent")}
        subprocess.run(stafett_cmd("agent", "start"), env=warm, capture_output=True, check=True)
        penv = pass_env(root)
        add = stafett_cmd("note", "add", log.short_id, TEXT)
        runs: dict[str, list[float]] = {"stafett, cold": [], "stafett, agent": [], "pass": []}
        try:
            for i in range(ROUNDS):
                runs["stafett, cold"].append(timed(add, cold))
                runs["stafett, agent"].append(timed(add, warm))
                if penv is not None:
                    insert = ["pass", "insert", "-m", f"logg/notat-{i}"]
                    runs["pass"].append(timed(insert, penv, stdin=TEXT.encode()))
        finally:
            subprocess.run(stafett_cmd("agent", "stop"), env=warm, capture_output=True)
        for name, times in runs.items():
            if times:
                print(
                    f"{name + ':':16} median {ms(median(times))} over {ROUNDS} runs"
                    f" (min {ms(min(times))}, max {ms(max(times))})"
                )
        if runs["pass"]:
            base = median(runs["pass"])
            for name in ("stafett, cold", "stafett, agent"):
                print(f"ratio {name} / pass: {median(runs[name]) / base:.2f}x")
            print("goal for now <= 3x; project goal <= 1.0x")
        else:
            print("pass or gpg not installed: no comparison (apt-get install pass)")


if __name__ == "__main__":
    main()
