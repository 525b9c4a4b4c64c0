"""Write latency: `stafett note add` against `pass insert -m` of the same text.

Both run as fresh processes, alternating, in one run; pass uses its own gpg key
(no passphrase) and git, as a coordinator's pass store would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import make_store, median, ms, stafett_cmd, stafett_env, timed

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
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        key, log = make_store(root)
        env = stafett_env(root, key)
        penv = pass_env(root)
        ours, theirs = [], []
        for i in range(ROUNDS):
            ours.append(timed(stafett_cmd("note", "add", log.short_id, TEXT), env))
            if penv is not None:
                theirs.append(
                    timed(["pass", "insert", "-m", f"logg/notat-{i}"], penv, stdin=TEXT.encode())
                )
        print(
            f"stafett note add: median {ms(median(ours))} over {ROUNDS} runs"
            f" (min {ms(min(ours))}, max {ms(max(ours))})"
        )
        if theirs:
            print(
                f"pass insert -m:   median {ms(median(theirs))} over {ROUNDS} runs"
                f" (min {ms(min(theirs))}, max {ms(max(theirs))})"
            )
            print(
                f"ratio stafett/pass: {median(ours) / median(theirs):.2f}x"
                " (goal now <= 3x; project goal <= 1.0x with a warm agent)"
            )
        else:
            print("pass or gpg not installed: no comparison (apt-get install pass)")


if __name__ == "__main__":
    main()
