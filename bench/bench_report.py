"""`stafett report due` over a synthetic municipality, against the raw floor.

The floor (bench/floor.py) reads, decrypts and YAML-parses every document of every
log on all cores, and nothing else. `report due` reads only what it needs (each
log's profile, member list and measures), so it is also compared with the floor
over those same files: that ratio is the cost of validation, typed documents and
rows per file read. Peak RSS is the largest single process of a run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import compile_package, median, stafett_cmd
from bench.municipality import build, subset

LOGS = int(os.environ.get("BENCH_LOGS", "1000"))
SMALL = 200
RUNS = 3
DUE_KINDS = "log,members,measure"
RSS = (
    "import resource, subprocess, sys\n"
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def env_for(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        STAFETT_STORE=str(root / "store"),
        STAFETT_IDENTITY=str(root / "keys" / "koordinator.key"),
        STAFETT_AGENT="0",
        XDG_STATE_HOME=str(
            root / "state"
        ),  # what the user verified: each run after the first reads it
    )
    return env


def timed(cmd: list[str], env: dict[str, str]) -> float:
    runs = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True)
        runs.append(time.perf_counter() - start)
    return median(runs)


def peak_rss_mb(cmd: list[str], env: dict[str, str]) -> str:
    if sys.platform == "win32":
        return "n/a"
    out = subprocess.run([sys.executable, "-c", RSS, *cmd], env=env, capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    kb = int(out.split()[-1])
    return f"{kb / 1024:.0f} MB"


def main() -> None:
    compile_package()
    start = time.perf_counter()
    root = build(LOGS)
    built = time.perf_counter() - start
    ready = f"built in {built:.0f} s" if built > 1 else "built earlier, in bench/.data"
    env = env_for(root)
    store, key = str(root / "store"), str(root / "keys" / "koordinator.key")
    floor_script = str(Path(__file__).with_name("floor.py"))
    files = sum(1 for _ in (root / "store" / "logs").rglob("*.yaml.age"))
    due_cmd = stafett_cmd("report", "due", "--format", "json")
    rows = subprocess.run(due_cmd, env=env, capture_output=True, check=True).stdout.count(b"\n")

    floor_all = timed([sys.executable, floor_script, store, key], env)
    floor_due = timed([sys.executable, floor_script, store, key, DUE_KINDS], env)
    due = timed(due_cmd, env)
    print(f"municipality: {LOGS} logs, {files} documents, {os.cpu_count()} cores ({ready})")
    print(f"floor, every file:        {floor_all:6.2f} s  ({files / floor_all:,.0f} files/s)")
    print(f"floor, report's files:    {floor_due:6.2f} s")
    print(f"report due ({rows} rows):  {due:6.2f} s  = {due / floor_all:.2f}x the floor"
          f" (goal <= 1.5x), {due / floor_due:.2f}x the floor over the same files")  # fmt: skip
    for name in ("transitions", "consent", "retention", "stats"):
        seconds = timed(stafett_cmd("report", name, "--format", "json"), env)
        print(f"report {name:<12}      {seconds:6.2f} s  = {seconds / floor_all:.2f}x the floor")
    small = subset(root, SMALL)
    print(f"peak RSS, report due, {SMALL} logs:  {peak_rss_mb(due_cmd, env_for(small))}")
    print(f"peak RSS, report due, {LOGS} logs: {peak_rss_mb(due_cmd, env)}")


if __name__ == "__main__":
    main()
