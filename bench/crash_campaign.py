"""Crash campaign: SIGKILL `stafett` at random moments of a write, then check the log.

A write is promised to leave a log at its old state or its new one, never between,
and never unwritable. Tests kill at a few chosen moments; a campaign kills at
hundreds of random ones, of the process alone (its git children run on, as after
a crash of Python) or of its whole process group (as `kill -9` of a job, or the
OOM killer of a session, does), during note add, member add, member remove, consent
withdraw and import. After each kill it checks what a user would depend on next:

- not corrupt: `git fsck` is clean, and `stafett verify` passes once the next
  command has run (right after a kill verify may rightly report uncommitted
  changes: the next write rolls them back; those are counted apart);
- nothing committed lost: HEAD is the old commit or one new commit on top of it,
  and every document path HEAD ever held is still there;
- writable: a `note add` right after succeeds; an import run again either imports
  or says the bundle was already imported, and leaves no staging folder
  (logs/.new-*) of the killed one behind.

    .venv/bin/python bench/crash_campaign.py [--kills 300] [--seed 1] [--keep]

POSIX only. Exits 1 when any log was corrupt, lost a document or was unwritable,
or a staging folder outlived the next import; the state each such kill left is
copied under the work folder, which is then kept.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import compile_package, stafett_cmd
from stafett.keys import load_identity

# A fixed "today" (STAFETT_NOW): consents, measures and ages come out the same on
# any day the campaign runs.
TODAY = "2026-03-02"
UNTIL = "2030-12-31"
OPERATIONS = ("note add", "member add", "member remove", "consent withdraw", "import")
LOG_COUNT = 6  # the log operations rotate over these, so no log grows large
CALIBRATION_RUNS = 3
# Half the kills fall anywhere in a command's run; half late in it, where it writes
# and commits (the start is mostly Python starting and the log being read).
LATE_WINDOW = (0.5, 1.0)
COMMAND_TIMEOUT = 120.0
DRAIN_TIMEOUT = 30.0
HEALTH = "Bjørkly helsestasjon"  # kari's service: covered by every log's lasting consent
PPT = "PPT Bjørkly"  # ahmed's service: covered by the consent each withdraw round takes back
SCHOOL = "Sentrum ungdomsskole"  # jonas: the receiving school of the bundle
PEOPLE = {
    "nora": ("Nora Bø", "kontaktlærer", "Bjørkly skole"),
    "kari": ("Kari Lø", "helsesykepleier", HEALTH),
    "ahmed": ("Ahmed Ali", "rådgiver", PPT),
    "jonas": ("Jonas Dahl", "sosiallærer", SCHOOL),
    "recovery": ("Kommunens gjenoppretting", "nøkkel", ""),
}
STAFETT_LOCK = "stafett.lock"  # filelock's file: it stays, unlocked, by design


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


@dataclass
class LogState:
    """What the campaign knows of one log, so each round can set up its operation:
    whether kari and ahmed are members, the consent a withdraw round takes back, and
    every document path HEAD has held (none of these operations removes a path)."""

    id: str
    kari: bool = True
    ahmed: bool = False
    pending: str | None = None
    committed: set[str] = field(default_factory=set)
    broken: bool = False  # found unwritable: counted once, then left out of the rotation


@dataclass
class Lab:
    root: Path
    logs: list[LogState] = field(default_factory=list)
    imported_docs: int = 0

    @property
    def store(self) -> Path:
        return self.root / "store"

    @property
    def receiver(self) -> Path:
        return self.root / "receiver"

    @property
    def bundle(self) -> Path:
        return self.root / "emma.stafett"

    def key(self, who: str) -> Path:
        return self.root / "keys" / f"{who}.key"

    def env(self, who: str, store: Path | None = None) -> dict[str, str]:
        """A plain key and no agent, so a command is one process tree we can kill;
        bytecode may be cached, as on a user's machine."""
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(
            STAFETT_STORE=str(store or self.store),
            STAFETT_IDENTITY=str(self.key(who)),
            STAFETT_AGENT="0",
            STAFETT_NOW=TODAY,
            STAFETT_LANG="en",
        )
        return env

    def run(self, who: str, *args: str, store: Path | None = None, check: bool = True) -> Result:
        proc = subprocess.run(
            stafett_cmd(*args),
            env=self.env(who, store),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=COMMAND_TIMEOUT,
            start_new_session=True,
            check=False,
        )
        result = Result(proc.returncode, proc.stdout, proc.stderr)
        if check and result.code != 0:
            raise RuntimeError(f"stafett {' '.join(args)} exited {result.code}: {result.err}")
        return result


@dataclass(frozen=True)
class Kill:
    landed: bool  # the process was still running when SIGKILL came
    group: bool
    seconds: float
    orphans: bool  # a process-only kill left children (git) that ran on


@dataclass
class Tally:
    landed: Counter[tuple[str, str]] = field(default_factory=Counter)
    missed: Counter[str] = field(default_factory=Counter)
    after_commit: Counter[str] = field(default_factory=Counter)
    before_commit: Counter[str] = field(default_factory=Counter)
    dirty: Counter[str] = field(default_factory=Counter)
    locks: Counter[str] = field(default_factory=Counter)
    orphans: int = 0
    verify_right_after: Counter[str] = field(default_factory=Counter)
    staging_after_kill: int = 0
    corrupt: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    unwritable: list[str] = field(default_factory=list)
    staging: list[str] = field(default_factory=list)

    @property
    def kills(self) -> int:
        return sum(self.landed.values())

    @property
    def failures(self) -> int:
        return len(self.corrupt) + len(self.lost) + len(self.unwritable)

    def note_after_kill(self, locks: tuple[str, ...], problems: tuple[str, ...]) -> None:
        """Git lock files and verify's complaints as the kill left them: failures only
        if the next write cannot get past them, but they show where kills fell."""
        for name in locks:
            self.locks[name] += 1
        for problem in problems:
            self.verify_right_after[re.sub(r"\b[0-9a-z]{20}\b", "<id>", problem)] += 1


Killer = Callable[[list[str], dict[str, str]], Kill]


# ---- git, read directly: the checks must not trust stafett's own reading


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
    )


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "-q", "--verify", "HEAD").stdout.strip()


def documents(repo: Path, rev: str) -> dict[str, str]:
    """Every document at `rev`, path to blob."""
    out = git(repo, "ls-tree", "-r", "--full-tree", rev).stdout
    pairs = (line.split("\t", 1) for line in out.splitlines() if "\t" in line)
    return {path: meta.split()[2] for meta, path in pairs if path.endswith(".age")}


def fsck_clean(repo: Path) -> bool:
    done = git(repo, "fsck", "--full", "--strict", "--no-dangling")
    return done.returncode == 0 and not done.stdout.strip()


def is_dirty(repo: Path) -> bool:
    return bool(git(repo, "status", "--porcelain", "--untracked-files=all").stdout.strip())


def stale_locks(repo: Path) -> list[str]:
    """Git's lock files (index.lock, HEAD.lock, refs/heads/main.lock, ...) still there."""
    found = (repo / ".git").rglob("*.lock")
    return sorted(p.relative_to(repo).as_posix() for p in found if p.name != STAFETT_LOCK)


# ---- killing


def drain(group: int) -> bool:
    """Wait until no process of the group is left, so the checks see a settled log;
    True when some were still running (git children of a process-only kill)."""
    deadline, alive = time.monotonic() + DRAIN_TIMEOUT, False
    while True:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return alive
        alive = True
        if time.monotonic() > deadline:
            os.killpg(group, signal.SIGKILL)
        time.sleep(0.005)


def run_killed(
    cmd: list[str], env: dict[str, str], delay: float | None, group: bool = False
) -> Kill:
    """Start `cmd` in a session of its own and SIGKILL it (or its group) after
    `delay` seconds; no delay runs it to its end, to learn how long it takes. The
    child is not reaped before the kill, so its pid cannot have been reused."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    if delay is not None:
        time.sleep(delay)
        if group:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            os.kill(proc.pid, signal.SIGKILL)
    code = proc.wait()
    seconds = time.perf_counter() - start
    orphans = drain(proc.pid)
    return Kill(code == -signal.SIGKILL, group, seconds, orphans and not group)


# ---- setting up the store


def make_people(lab: Lab) -> None:
    for who, (name, title, service) in PEOPLE.items():
        args = ["--identity", str(lab.key(who)), "key", "new", "--name", name, "--role", title]
        lab.run(who, *args, *(["--service", service] if service else []), "--no-passphrase")


def make_stores(lab: Lab) -> None:
    recovery = load_identity(lab.key("recovery")).recipient
    lab.run("nora", "init", str(lab.store), "--municipality", "Testvik", "--recovery", recovery)
    for who in ("kari", "ahmed", "jonas"):
        card = lab.key(who).with_name(f"{who}.card.yaml")
        lab.run("nora", "people", "add", str(card), "--handle", who)
    receiver = ["init", str(lab.receiver), "--municipality", "Sentrum", "--recovery", recovery]
    lab.run("jonas", *receiver, store=lab.receiver)


def open_log(lab: Lab, child: str, services: str) -> str:
    """A log with a lasting consent, a measure, kari and a guardian."""
    opened = lab.run(
        "nora", "--json", "open", "--child-name", child, "--born", "2016-04-12",
        "--school", "Bjørkly skole", "--grade", "4", "--concern", "Sover dårlig.",
        "--child-handle", "åse",
    )  # fmt: skip
    log = str(json.loads(opened.out)["id"])
    lab.run(
        "nora", "consent", "add", log, "--given-by", "åse", "--services", services,
        "--until", UNTIL, "--child-heard",
    )  # fmt: skip
    lab.run(
        "nora", "measure", "add", log, "--title", "Lesegruppe", "--goal", "Lese mer.",
        "--responsible", "nora", "--start", "2026-01-05", "--evaluate-by", "2026-04-01",
    )  # fmt: skip
    lab.run("nora", "member", "add", log, "kari")
    lab.run(
        "nora", "member", "add", log, "--handle", "lise", "--name", "Lise Ødegård",
        "--role", "guardian", "--title", "mor",
    )  # fmt: skip
    return log


def make_bundle(lab: Lab) -> None:
    """The bundle each import round takes in: a handover to jonas, as the tests make one."""
    log = open_log(lab, "Emma Hansen", f"{HEALTH},{SCHOOL}")
    lab.run(
        "nora", "handover", "create", log, "--to", "jonas", "--to-service", SCHOOL,
        "--transition", "barneskole til ungdomsskole", "--starts", "2026-08-17",
        "--include", "tiltak",
    )  # fmt: skip
    lab.run("nora", "export", log, "--to", "jonas", "-o", str(lab.bundle))


def set_up(lab: Lab) -> None:
    (lab.root / "keys").mkdir(parents=True)
    make_people(lab)
    make_stores(lab)
    make_bundle(lab)
    for number in range(LOG_COUNT):
        log = open_log(lab, f"Åse Ødegård {number}", f"{HEALTH},{SCHOOL}")
        lab.logs.append(LogState(log))
    for state in lab.logs:
        state.committed = set(documents(log_dir(lab, state), "HEAD"))


def log_dir(lab: Lab, state: LogState) -> Path:
    return lab.store / "logs" / state.id


# ---- the operations: set up (not killed), the command to kill, what it changed


def prepare(lab: Lab, op: str, state: LogState) -> None:
    """Bring the log to where `op` has something to do: kari out before she is
    added, in before she is removed; a consent for ahmed's service, and ahmed a
    member, before it is withdrawn (which then removes him and re-encrypts)."""
    if op == "member add" and state.kari:
        lab.run("nora", "member", "remove", state.id, "kari")
        state.kari = False
    elif op == "member remove" and not state.kari:
        lab.run("nora", "member", "add", state.id, "kari")
        state.kari = True
    elif op == "consent withdraw":
        if state.pending is None:
            added = lab.run(
                "nora", "--json", "consent", "add", state.id, "--given-by", "åse",
                "--services", PPT, "--until", UNTIL, "--child-heard",
            )  # fmt: skip
            state.pending = str(json.loads(added.out)["id"])
        if not state.ahmed:
            lab.run("nora", "member", "add", state.id, "ahmed")
            state.ahmed = True


def command(op: str, state: LogState, number: int) -> list[str]:
    if op == "note add":
        return stafett_cmd("note", "add", state.id, f"Notat {number} skrevet før et krasj.")
    if op == "member add":
        return stafett_cmd("member", "add", state.id, "kari")
    if op == "member remove":
        return stafett_cmd("member", "remove", state.id, "kari")
    assert state.pending is not None
    return stafett_cmd("consent", "withdraw", state.id, state.pending, "--by", "åse")


def settle(op: str, state: LogState, moved: bool) -> None:
    """What the log holds now that the killed command did, or did not, commit."""
    if not moved:
        return
    if op in ("member add", "member remove"):
        state.kari = op == "member add"
    elif op == "consent withdraw":
        state.pending, state.ahmed = None, False


# ---- one round on a log


@dataclass(frozen=True)
class Aftermath:
    """The log as the kill left it, before any other command touched it."""

    moved: bool
    lineage: bool  # HEAD is the old commit or one new commit on top of it
    missing: tuple[str, ...]
    fsck: bool
    dirty: bool
    locks: tuple[str, ...]
    verify: tuple[str, ...]


def observe(lab: Lab, state: LogState, before: str, landed: bool) -> Aftermath:
    """The checks that need no other command; verify (informative only, at this
    point) runs only when a kill landed, since a finished command left nothing."""
    repo = log_dir(lab, state)
    after = head(repo)
    moved = after != before
    parent = git(repo, "rev-parse", "-q", "--verify", f"{after}^").stdout.strip()
    verify = lab.run("nora", "verify", state.id, check=False) if landed else Result(0, "", "")
    problems = tuple(line.strip("- ") for line in verify.out.splitlines() if "  - " in line)
    return Aftermath(
        moved=moved,
        lineage=not moved or parent == before,
        missing=tuple(sorted(state.committed - set(documents(repo, after)))),
        fsck=fsck_clean(repo),
        dirty=is_dirty(repo),
        locks=tuple(stale_locks(repo)),
        verify=problems if verify.code else (),
    )


def log_round(lab: Lab, tally: Tally, op: str, number: int, kill: Killer) -> Kill | None:
    healthy = [s for s in lab.logs if not s.broken]
    if not healthy:
        return None
    state = healthy[number % len(healthy)]
    try:
        prepare(lab, op, state)
    except RuntimeError as exc:
        tally.unwritable.append(f"round {number} log {state.id[:7]}: setting up {op}: {exc}")
        state.broken = True
        return None
    repo = log_dir(lab, state)
    before, failures = head(repo), tally.failures
    done = kill(command(op, state, number), lab.env("nora"))
    seen = observe(lab, state, before, done.landed)
    settle(op, state, seen.moved)
    snapshot = keep_state(lab, repo, number)
    where = f"round {number} {op} ({describe(done)}) log {state.id[:7]}, left {left(seen)}"
    if done.landed:
        count_kill(tally, op, done, seen.moved, seen.dirty)
        tally.note_after_kill(seen.locks, seen.verify)
    if not seen.fsck:
        tally.corrupt.append(f"{where}: git fsck failed right after the kill ({snapshot})")
    if not seen.lineage or seen.missing:
        tally.lost.append(f"{where}: history rewritten or missing {seen.missing} ({snapshot})")
    next_write(lab, tally, state, where, snapshot)
    if tally.failures == failures:
        shutil.rmtree(snapshot)
    return done


def left(seen: Aftermath) -> str:
    moved = "HEAD moved" if seen.moved else "HEAD unchanged"
    tree = "work tree dirty" if seen.dirty else "work tree clean"
    return f"{moved}, {tree}, git locks {list(seen.locks) or 'none'}"


def count_kill(tally: Tally, op: str, done: Kill, moved: bool, dirty: bool) -> None:
    tally.landed[op, "group" if done.group else "process"] += 1
    (tally.after_commit if moved else tally.before_commit)[op] += 1
    tally.dirty[op] += dirty
    tally.orphans += done.orphans


def next_write(lab: Lab, tally: Tally, state: LogState, where: str, snapshot: Path) -> None:
    """The next command a user would run: a note, then verify; nothing committed
    before may be gone afterwards."""
    repo = log_dir(lab, state)
    wrote = lab.run("nora", "note", "add", state.id, "Skrevet etter krasjet.", check=False)
    if wrote.code:
        tally.unwritable.append(f"{where}: note add exited {wrote.code}: {wrote.err.strip()}")
        tally.unwritable[-1] += f" (state left by the kill: {snapshot})"
        state.broken = True
    verify = lab.run("nora", "verify", state.id, check=False)
    if verify.code or not fsck_clean(repo):
        tally.corrupt.append(f"{where}: verify after the next write: {verify.out.strip()}")
    held = set(documents(repo, "HEAD"))
    if state.committed - held:
        tally.lost.append(f"{where}: the next write lost {sorted(state.committed - held)}")
    state.committed |= held


def keep_state(lab: Lab, repo: Path, number: int) -> Path:
    """A copy of what the kill left, for reproducing a failure by hand."""
    target = lab.root / "after-kill" / f"{number:04d}-{repo.name[:7]}"
    shutil.copytree(repo, target, symlinks=True)
    return target


def describe(done: Kill) -> str:
    kind = "group" if done.group else "process"
    return f"SIGKILL of the {kind} after {done.seconds:.3f} s"


# ---- one round of import


def imported_logs(lab: Lab) -> list[Path]:
    return sorted(p for p in (lab.receiver / "logs").iterdir() if not p.name.startswith("."))


def staging_folders(lab: Lab) -> list[Path]:
    return sorted((lab.receiver / "logs").glob(".new-*"))


def clear_receiver(lab: Lab) -> None:
    """Forget the last round's import, so this round's bundle is new to the store."""
    for folder in (lab.receiver / "logs").iterdir():
        shutil.rmtree(folder)


def import_round(lab: Lab, tally: Tally, op: str, number: int, kill: Killer) -> Kill:
    clear_receiver(lab)
    failures = tally.failures
    done = kill(stafett_cmd("import", str(lab.bundle)), lab.env("jonas", lab.receiver))
    landed, staged = imported_logs(lab), staging_folders(lab)
    snapshot = lab.root / "after-kill" / f"{number:04d}-import"
    shutil.copytree(lab.receiver / "logs", snapshot, symlinks=True)
    where = f"round {number} import ({describe(done)}), left {len(landed)} imported logs"
    where += f" and staging folders {[p.name for p in staged] or 'none'}"
    if done.landed:
        count_kill(tally, op, done, bool(landed), bool(staged))
        tally.staging_after_kill += bool(staged)
    tally.corrupt += [f"{where}: git fsck failed on {p.name}" for p in landed if not fsck_clean(p)]
    again = lab.run("jonas", "import", str(lab.bundle), store=lab.receiver, check=False)
    if again.code and "already imported" not in again.err:
        tally.unwritable.append(f"{where}: import again exited {again.code}: {again.err.strip()}")
    check_imported(lab, tally, where)
    remaining = staging_folders(lab)
    if remaining:
        tally.staging.append(f"{where}: {', '.join(p.name for p in remaining)} ({snapshot})")
    if tally.failures == failures and not remaining:
        shutil.rmtree(snapshot)
    return done


def check_imported(lab: Lab, tally: Tally, where: str) -> None:
    """Exactly one imported log, whole, verified and writable by its new coordinator."""
    logs = imported_logs(lab)
    if len(logs) != 1:
        tally.lost.append(f"{where}: {len(logs)} imported logs after importing again")
        return
    held = len(documents(logs[0], "HEAD"))
    lab.imported_docs = lab.imported_docs or held
    if held < lab.imported_docs:
        tally.lost.append(f"{where}: the imported log holds {held} of {lab.imported_docs}")
    log = logs[0].name
    wrote = lab.run("jonas", "note", "add", log, "Mottatt.", store=lab.receiver, check=False)
    if wrote.code:
        tally.unwritable.append(f"{where}: note add exited {wrote.code}: {wrote.err.strip()}")
    verify = lab.run("jonas", "verify", log, store=lab.receiver, check=False)
    if verify.code or not fsck_clean(logs[0]):
        tally.corrupt.append(f"{where}: verify of the imported log: {verify.out.strip()}")


# ---- the campaign


def one_round(lab: Lab, tally: Tally, op: str, number: int, kill: Killer) -> Kill | None:
    play = import_round if op == "import" else log_round
    return play(lab, tally, op, number, kill)


def calibrate(lab: Lab, tally: Tally) -> dict[str, list[float]]:
    """How long each operation takes when left alone: the window kills fall in.
    Runs a kill missed add to it later, as the logs grow and the load changes."""
    durations: dict[str, list[float]] = {op: [] for op in OPERATIONS}
    number = 0
    for op in OPERATIONS:
        for _ in range(CALIBRATION_RUNS):
            done = one_round(lab, tally, op, number, partial(run_killed, delay=None))
            durations[op] += [done.seconds] if done else []
            number += 1
    return durations


def draw_delay(rng: random.Random, runs: list[float]) -> float:
    duration = statistics.median(runs or [1.0])
    if rng.random() < 0.5:
        return rng.uniform(0.0, duration)
    return rng.uniform(LATE_WINDOW[0] * duration, LATE_WINDOW[1] * duration)


def campaign(lab: Lab, tally: Tally, kills: int, rng: random.Random) -> dict[str, list[float]]:
    durations = calibrate(lab, tally)
    number = first = len(OPERATIONS) * CALIBRATION_RUNS
    while tally.kills < kills and number - first < kills * 3:
        op = OPERATIONS[(number - first) % len(OPERATIONS)]
        delay, group = draw_delay(rng, durations[op]), rng.random() < 0.5
        kill = partial(run_killed, delay=delay, group=group)
        done = one_round(lab, tally, op, number, kill)
        if done and not done.landed:
            tally.missed[op] += 1
            durations[op].append(done.seconds)
        number += 1
        if number % 25 == 0:
            print(f"  {number - first} rounds, {tally.kills} kills", file=sys.stderr, flush=True)
    final = lab.run("nora", "verify", check=False)
    if final.code:
        tally.corrupt.append(f"the whole store fails verify at the end: {final.out.strip()}")
    return durations


# ---- the figures


def table(tally: Tally) -> list[str]:
    heads = ("process", "group", "missed", "before", "after", "dirty")
    lines = [f"{'operation':<18}" + "".join(f"{h:>9}" for h in heads)]
    for op in [*OPERATIONS, "total"]:
        ops = OPERATIONS if op == "total" else (op,)
        row = (
            sum(tally.landed[o, "process"] for o in ops),
            sum(tally.landed[o, "group"] for o in ops),
            sum(tally.missed[o] for o in ops),
            sum(tally.before_commit[o] for o in ops),
            sum(tally.after_commit[o] for o in ops),
            sum(tally.dirty[o] for o in ops),
        )
        lines.append(f"{op:<18}" + "".join(f"{n:>9}" for n in row))
    return lines


def legend() -> list[str]:
    return [
        "  process/group: kills that landed (the command was still running), of the",
        "    process alone or of its process group; missed: it had already exited",
        "  before/after: the kill landed before the commit (HEAD unchanged; import: no",
        "    log in place) or after it; dirty: the kill left a work tree not clean",
        "    (import: a logs/.new-* staging folder)",
    ]


def report(tally: Tally, durations: dict[str, list[float]], seconds: float, seed: int) -> None:
    print(f"crash campaign: {tally.kills} kills, seed {seed}, {seconds:.0f} s in all")
    timing = ", ".join(f"{op} {statistics.median(s):.2f} s" for op, s in durations.items())
    low, high = LATE_WINDOW
    print(f"un-killed durations d (median of the runs no kill stopped): {timing}")
    print(f"kill delays: half uniform in [0, d], half in [{low} d, {high} d]")
    print("\n".join([*table(tally), *legend()]))
    locks = ", ".join(f"{n} {c}" for n, c in tally.locks.items()) or "none"
    print(f"git lock files left by a kill: {locks}")
    print(f"process kills whose git children ran on: {tally.orphans}")
    print("verify right after a kill, before the next write:")
    for problem, count in tally.verify_right_after.most_common():
        print(f"  {count:>4} x {problem}")
    if not tally.verify_right_after:
        print("  no problems")
    print(f"imports killed leaving a staging folder: {tally.staging_after_kill}")
    for name, found in (
        ("corrupt logs", tally.corrupt),
        ("lost documents", tally.lost),
        ("unwritable logs", tally.unwritable),
        ("staging folders left after the next command", tally.staging),
    ):
        print(f"{name}: {len(found)}")
        for line in found:
            print(f"  - {line}")


def package_under_test(lab: Lab) -> str:
    """Where the commands find stafett, as they start (PYTHONPATH may point at a
    frozen copy while others edit the checkout)."""
    where = "import os, stafett; print(os.path.dirname(stafett.__file__))"
    found = subprocess.run(
        [sys.executable, "-c", where],
        env=lab.env("nora"),
        cwd=lab.root,
        capture_output=True,
        text=True,
        check=True,
    )
    return found.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--kills", type=int, default=300, help="kills that must land")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args(argv)
    if sys.platform == "win32" or not hasattr(os, "killpg"):
        print("crash_campaign needs POSIX signals (SIGKILL, killpg): nothing to do here.")
        return 0
    compile_package()
    root = Path(tempfile.mkdtemp(prefix="stafett-crash-"))
    lab, tally, start = Lab(root), Tally(), time.perf_counter()
    set_up(lab)
    print(f"stafett under test: {package_under_test(lab)}, run as {stafett_cmd()[0]}")
    durations = campaign(lab, tally, args.kills, random.Random(args.seed))
    report(tally, durations, time.perf_counter() - start, args.seed)
    if args.keep or tally.failures or tally.staging:
        print(f"work folder kept: {root}")
    else:
        shutil.rmtree(root)
    return 1 if tally.failures or tally.staging else 0


if __name__ == "__main__":
    sys.exit(main())
