"""`stafett sync --all` over N logs against local bare remotes, against a plain git loop.

The logs are the first N of the synthetic municipality (bench/municipality.py, 50
documents each, built once in bench/.data), copied whole into a temporary folder
so the cached municipality is never changed. Each log gets a remote of its own,
`REMOTES/<log-id>.git` (stafett.sync.remote_for), and a first sync creates the bare
repositories and pushes every log into them; that is timed too, but as set-up.

Two situations are timed, each for stafett first and then for the plain git loop:

1. nothing to do: every log and its remote already hold the same head;
2. one new document in each log: a note is written to every log beforehand (not
   counted), and the sync sends it.

The plain git loop is, for each log, `git fetch <bare> main`, `git merge --ff-only
FETCH_HEAD` and `git push <bare> HEAD:main`, with the same isolated git config.
It runs on the same repositories and the same bare remotes as stafett, right after
stafett's run in each situation, not on copies: in situation 1 nothing changes, so
both find exactly the same state; in situation 2 a second note is written to every
log after stafett's sync, so plain git too pushes one new commit holding one new
encrypted document per log to a remote that is otherwise in step. That is the same
amount of work on the same files and the same (warm) page cache, without copying
the municipality twice. The loop runs with as many logs at once as
`stafett.sync.sync_many` uses by default (the ratios are against this one), and
also one log at a time, as a shell `for` loop would.

stafett is timed through the Python API (`sync_many`, default workers), and once
through the command line (`python -m stafett --store ... sync --all`) when there
is nothing to do; the command's time includes starting Python and loading stafett.
Per-log cost is wall time / N. Figures only: nothing here asserts a time.

    python bench/bench_sync.py [--logs N] [--runs R]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import compile_package
from bench.municipality import DATA, DOCUMENTS, VERSION, build
from stafett import Store, ids
from stafett.log import Log
from stafett.sync import WORKERS, Synced, remote_for, set_remote, sync_many

LOGS = 1000
RUNS = 3  # runs of the nothing-to-do case (the median is shown); the others run once
NOTE = "Eleven fortalte at friminuttene har vært roligere denne uka. ({})"

# --- counting the git processes a run starts ------------------------------------

_lock = threading.Lock()
_started = [0]
_RealPopen = subprocess.Popen


class _CountingPopen(_RealPopen):  # type: ignore[type-arg]
    def __init__(self, args: Any, *rest: Any, **kwargs: Any) -> None:
        first = args if isinstance(args, (str, bytes, os.PathLike)) else args[0]
        if Path(os.fsdecode(first)).stem == "git":
            with _lock:
                _started[0] += 1
        super().__init__(args, *rest, **kwargs)


def started() -> int:
    """How many git processes this process has started so far."""
    with _lock:
        return _started[0]


subprocess.Popen = _CountingPopen  # type: ignore[misc]


# --- timing --------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    wall: float
    cpu_self: float  # this process, all threads
    cpu_children: float  # the git processes (and anything else it waited for)
    processes: int


@contextmanager
def measured(out: list[Run]) -> Iterator[None]:
    before, count, start = os.times(), started(), time.perf_counter()
    yield
    wall = time.perf_counter() - start
    after, count_after = os.times(), started()
    out.append(
        Run(
            wall,
            (after.user + after.system) - (before.user + before.system),
            (after.children_user + after.children_system)
            - (before.children_user + before.children_system),
            count_after - count,
        )
    )


def median_run(runs: Sequence[Run]) -> Run:
    wall = statistics.median(r.wall for r in runs)
    return min(runs, key=lambda r: abs(r.wall - wall))


# --- the store -----------------------------------------------------------------


def isolate_git(root: Path) -> dict[str, str]:
    """git with an empty global config and no system config, for stafett (which runs
    git with this process's environment) and for the plain loop alike."""
    config = root / "gitconfig"
    config.write_text("", encoding="utf-8")
    os.environ.update(
        GIT_CONFIG_GLOBAL=str(config), GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0"
    )
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # as bench/common.stafett_env says
    return dict(os.environ)


def source(logs: int) -> tuple[Path, str]:
    """A municipality in bench/.data with at least `logs` logs, built if there is none."""
    found = []
    for root in DATA.glob(f"municipality-v{VERSION}-*"):
        folder = root / "store" / "logs"
        if (root / "done").exists() and folder.is_dir():
            count = sum(1 for p in folder.iterdir() if ids.is_id(p.name))
            if count >= logs:
                found.append((count, root.name, root))
    if found:
        return min(found)[2], "built earlier, in bench/.data"
    start = time.perf_counter()
    root = build(logs)
    return root, f"built in {time.perf_counter() - start:.0f} s"


def copy_store(src: Path, dst: Path, logs: int) -> None:
    """The first `logs` logs of `src`, with its keys, people and verified state."""
    shutil.copytree(src / "keys", dst / "keys")
    if (src / "state").is_dir():
        shutil.copytree(src / "state", dst / "state")
    (dst / "store" / "logs").mkdir(parents=True)
    for name in ("store.yaml", "people.yaml"):
        shutil.copy(src / "store" / name, dst / "store" / name)
    folders = sorted(p for p in (src / "store" / "logs").iterdir() if ids.is_id(p.name))[:logs]
    target = dst / "store" / "logs"
    if sys.platform == "linux" and shutil.which("cp"):
        for i in range(0, len(folders), 200):
            chunk = [str(p) for p in folders[i : i + 200]]
            subprocess.run(["cp", "-a", "--reflink=auto", *chunk, str(target)], check=True)
    else:
        for folder in folders:
            shutil.copytree(folder, target / folder.name, symlinks=True)


def for_each_log(store: Store, log_ids: Sequence[str], work: Callable[[Log], object]) -> None:
    """`work` on every log, WORKERS at once, each thread with its own store object."""
    local = threading.local()

    def one(log_id: str) -> object:
        if not hasattr(local, "store"):
            local.store = store.sibling()
        return work(Log(local.store, log_id))

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(one, log_ids))


def write_notes(store: Store, log_ids: Sequence[str], tag: str) -> float:
    start = time.perf_counter()
    for_each_log(store, log_ids, lambda log: log.add_note(NOTE.format(tag)))
    return time.perf_counter() - start


# --- what is timed -------------------------------------------------------------


def stafett_sync(store: Store, log_ids: Sequence[str], out: list[Run]) -> list[Synced]:
    with measured(out):
        results = sync_many(store, log_ids)
    return results


def outcomes(results: Sequence[Synced]) -> str:
    counts = Counter(r.outcome for r in results)
    sent = sum(r.sent for r in results)
    text = ", ".join(f"{o}: {n}" for o, n in sorted(counts.items())) + f"; sent: {sent}"
    errors = Counter(r.error.message("en") for r in results if r.error is not None)
    for message, n in errors.most_common(3):
        text += f"\n      ! {n} x {message}"
    return text


def plain_git_one(repo: Path, bare: Path, env: dict[str, str]) -> None:
    for args in (
        ("fetch", "-q", str(bare), "main"),
        ("merge", "-q", "--ff-only", "FETCH_HEAD"),
        ("push", "-q", str(bare), "HEAD:main"),
    ):
        subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, check=True)


def plain_git(
    logs: Path, remotes: Path, log_ids: Sequence[str], env: dict[str, str], workers: int
) -> Run:
    out: list[Run] = []
    pairs = [(logs / i, Path(remote_for(str(remotes), i))) for i in log_ids]
    with measured(out):
        if workers == 1:
            for repo, bare in pairs:
                plain_git_one(repo, bare, env)
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(lambda pair: plain_git_one(pair[0], pair[1], env), pairs))
    return out[0]


def cli_sync(store_root: Path, root: Path, env: dict[str, str]) -> tuple[Run, str]:
    cmd = [sys.executable, "-m", "stafett", "--store", str(store_root), "sync", "--all"]
    cli_env = {
        **env,
        "STAFETT_IDENTITY": str(root / "keys" / "koordinator.key"),
        "XDG_STATE_HOME": str(root / "state"),
        "STAFETT_AGENT": "0",
    }
    out: list[Run] = []
    with measured(out):
        done = subprocess.run(cmd, env=cli_env, capture_output=True, text=True, check=False)
    lines = done.stdout.strip().splitlines()
    said = lines[-1] if lines else done.stderr.strip()[-300:]
    if done.returncode != 0:
        said += f" (exit code {done.returncode})"
    return out[0], said


def heads_match(logs: Path, remotes: Path, log_ids: Sequence[str], env: dict[str, str]) -> int:
    """How many logs have the same head as their remote's main (a check, not timed)."""

    def same(log_id: str) -> bool:
        def head(repo: Path, ref: str) -> str:
            cmd = ["git", "rev-parse", ref]
            return subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True).stdout

        return head(logs / log_id, "HEAD") == head(Path(remote_for(str(remotes), log_id)), "main")

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return sum(pool.map(same, log_ids))


# --- printing ------------------------------------------------------------------


def line(name: str, run: Run, logs: int, note: str = "", own_process: bool = False) -> str:
    """`own_process`: the run is one child process (the CLI), whose git processes
    this process cannot count and whose CPU time is all in cpu_children."""
    per = run.wall / logs * 1000
    if own_process:
        cpu = f"cpu {run.cpu_children:5.1f} s (the command and its git)"
        return f"  {name:<38} {run.wall:7.2f} s  {per:6.1f} ms/log  {'':>11}  {cpu}{note}"
    return (
        f"  {name:<38} {run.wall:7.2f} s  {per:6.1f} ms/log  "
        f"{run.processes / logs:4.1f} git/log  cpu {run.cpu_self:5.1f} s python"
        f" + {run.cpu_children:5.1f} s git{note}"
    )


def ratio(a: Run, b: Run) -> str:
    return f"{a.wall / b.wall:.2f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--logs", type=int, default=LOGS, help=f"how many logs (default {LOGS})")
    parser.add_argument("--runs", type=int, default=RUNS, help="runs of the nothing-to-do case")
    args = parser.parse_args()
    n, runs = args.logs, max(1, args.runs)
    compile_package()
    with tempfile.TemporaryDirectory(prefix="stafett-bench-sync-") as tmp:
        root = Path(tmp)
        env = isolate_git(root)
        src, ready = source(n)
        start = time.perf_counter()
        copy_store(src, root, n)
        copied = time.perf_counter() - start
        key = root / "keys" / "koordinator.key"
        store = Store.open(root / "store", identity=key, state=root / "state" / "stafett")
        log_ids = store.log_ids()
        n = len(log_ids)
        logs, remotes = root / "store" / "logs", root / "remotes"
        print(
            f"sync over {n} logs x {DOCUMENTS} documents, {os.cpu_count()} cores, one bare"
            f" repository per log in a local folder; sync_many with {WORKERS} workers"
            f" (municipality {ready}; copied in {copied:.0f} s)",
            flush=True,
        )

        # set-up: remotes set, bare repositories created by a first sync
        for_each_log(store, log_ids, lambda log: set_remote(log, remote_for(str(remotes), log.id)))
        first: list[Run] = []
        results = stafett_sync(store, log_ids, first)
        print(line("first sync (creates, pushes all)", first[0], n))
        print(f"    outcomes: {outcomes(results)}", flush=True)

        # (1) nothing to do
        print("(1) nothing to do")
        api: list[Run] = []
        for _ in range(runs):
            results = stafett_sync(store, log_ids, api)
        api_run = median_run(api)
        shown = f"  (median of {runs})" if runs > 1 else ""
        print(line("stafett sync_many (API)", api_run, n, shown))
        print(f"    outcomes: {outcomes(results)}", flush=True)
        cli_run, said = cli_sync(root / "store", root, env)
        print(line("python -m stafett sync --all (CLI)", cli_run, n, "  (once)", own_process=True))
        print(f"    says: {said}", flush=True)
        plain = [plain_git(logs, remotes, log_ids, env, WORKERS) for _ in range(runs)]
        plain_run = median_run(plain)
        print(line(f"plain git loop, {WORKERS} at once", plain_run, n, shown), flush=True)
        serial_run = plain_git(logs, remotes, log_ids, env, 1)
        print(line("plain git loop, one at a time", serial_run, n, "  (once)"))
        print(
            f"  ratio stafett/plain git: API {ratio(api_run, plain_run)}"
            f" (against the one-at-a-time loop {ratio(api_run, serial_run)}),"
            f" CLI {ratio(cli_run, plain_run)}",
            flush=True,
        )

        # (2) one new document in each log
        wrote = write_notes(store, log_ids, "stafett")
        print(f"(2) one new document in each log (notes written first: {wrote:.1f} s, not counted)")
        new: list[Run] = []
        results = stafett_sync(store, log_ids, new)
        print(line("stafett sync_many (API)", new[0], n, "  (once)"))
        print(f"    outcomes: {outcomes(results)}", flush=True)
        wrote = write_notes(store, log_ids, "git")
        plain_new = plain_git(logs, remotes, log_ids, env, WORKERS)
        print(line(f"plain git loop, {WORKERS} at once", plain_new, n, "  (once)"))
        print(f"    (its notes written first: {wrote:.1f} s, not counted)")
        print(f"  ratio stafett/plain git: API {ratio(new[0], plain_new)}")

        # checks, not timed: plain git's pushes landed, and stafett accepts the result
        matched = heads_match(logs, remotes, log_ids, env)
        after: list[Run] = []
        results = stafett_sync(store, log_ids, after)
        print(f"check: {matched}/{n} logs have their remote's head after the plain git push;")
        print(f"    stafett sync after it: {outcomes(results)}")
        print(f"figures are for {n} logs")


if __name__ == "__main__":
    main()
