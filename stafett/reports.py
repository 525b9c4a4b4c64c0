"""Batch reports over every log the caller can read.

A report decrypts only the kinds of documents it needs, found by folder (`due`
reads the log, its members and its measures, never the notes). The work is spread
over processes, not threads: pyrage holds the GIL while it decrypts, so threads
measured no faster. Each worker opens the store itself and sends back only the
values a row needs, so memory stays flat however many logs there are.

Rows are plain mappings of English keys to values (str, int, bool, date, None);
the CLI renders them as a table, CSV or JSON lines.
"""

from __future__ import annotations

import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, TypedDict, Unpack

from stafett.consent import birthday
from stafett.crypto import identity_from_secret
from stafett.documents import Handover, LogProfile, Measure
from stafett.errors import NoAccess, StafettError, UsageError
from stafett.log import Log
from stafett.schoolyear import coming_school_year, school_year
from stafett.values import parse_list
from stafett.views import consent_overview

if TYPE_CHECKING:
    from stafett.store import Store

Value = str | int | bool | date | None
Row = dict[str, Value]
Progress = Callable[[int, int], None]

REPORTS = ("due", "transitions", "consent", "retention", "stats")
COLUMNS: dict[str, tuple[str, ...]] = {
    "due": ("log", "child", "measure_id", "measure", "responsible", "evaluate_by", "days"),
    "transitions": (
        "log",
        "child",
        "born",
        "school",
        "grade",
        "next_grade",
        "transition",
        "handover",
        "coordinator",
    ),
    "consent": ("log", "child", "born", "problem", "date", "coordinator"),
    "retention": ("log", "child", "closed", "delete_after", "coordinator"),
}
STATS_DIMENSIONS = ("level", "service", "status", "grade", "opened")
DEFAULT_WITHIN = {"due": 14, "consent": 30}
SUPPRESS_BELOW = 5
PARALLEL_FROM = 16
TRANSITIONS = {1: "school_start", 8: "lower_secondary", 11: "upper_secondary"}
NOTICE_PROBLEMS = {
    "notice_own": "own_consent",
    "notice_adult": "adult",
    "notice_weight": "child_views",
    "notice_heard": "child_heard",
}
OPEN_MEASURES = ("planned", "active")
# fork starts a worker in milliseconds; macOS and Windows need spawn, which imports anew
START_METHOD = "fork" if sys.platform.startswith("linux") else "spawn"


@dataclass(frozen=True, kw_only=True)
class ReportOptions:
    """What narrows a report; `today` is the date the report is made as of."""

    today: date
    within_days: int | None = None
    responsible: str | None = None
    year: int | None = None
    by: tuple[str, ...] = ("level",)


@dataclass(frozen=True)
class Report:
    """The rows, and what was left out: logs not meant for the caller (`skipped`),
    logs that could not be read (`damaged`), restricted documents (`hidden`) and
    damaged documents skipped in logs that were read (`damaged_documents`)."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    logs: int
    skipped: int
    damaged: int
    hidden: int
    damaged_documents: int = 0


@dataclass
class _Part:
    rows: list[Row] = field(default_factory=list)
    logs: int = 0
    skipped: int = 0
    damaged: int = 0
    hidden: int = 0
    damaged_documents: int = 0

    def add(self, other: _Part) -> None:
        self.rows += other.rows
        self.logs += other.logs
        self.skipped += other.skipped
        self.damaged += other.damaged
        self.hidden += other.hidden
        self.damaged_documents += other.damaged_documents


class ReportArgs(TypedDict, total=False):
    """What a report takes; `today` makes it as of another date, `workers` None
    picks one process per core (none for a small store) and 1 runs in this process,
    `progress` is called with the logs done and the total."""

    today: date | None
    within: str | int | None
    responsible: str | None
    year: int | None
    by: str | Sequence[str] | None
    workers: int | None
    progress: Progress | None


def run_report(store: Store, name: str, **args: Unpack[ReportArgs]) -> Report:
    """Run one report over every log the caller can read."""
    if name not in REPORTS:
        raise UsageError("unknown_report", allowed=", ".join(REPORTS))
    store.unlock()
    within, responsible = args.get("within"), args.get("responsible")
    options = ReportOptions(
        today=args.get("today") or store.clock.today(),
        within_days=parse_days(within) if within is not None else DEFAULT_WITHIN.get(name),
        responsible=responsible.strip().casefold() if responsible else None,
        year=_check_year(args.get("year")),
        by=parse_dimensions(args.get("by")),
    )
    part = _gather(store, name, options, args.get("workers"), args.get("progress"))
    rows = _finish(name, part.rows, options)
    columns = (*options.by, "count") if name == "stats" else COLUMNS[name]
    counts = (part.logs, part.skipped, part.damaged, part.hidden, part.damaged_documents)
    return Report(name, columns, rows, *counts)


def parse_days(value: str | int) -> int:
    """`14`, `14d`, `2w` or `2u` (uker): a number of days, not negative."""
    if isinstance(value, int):
        days = value
    else:
        match = re.fullmatch(r"\s*(\d{1,4})\s*([dwu]?)\s*", value.lower())
        if match is None:
            raise UsageError("bad_within")
        days = int(match.group(1)) * (7 if match.group(2) in ("w", "u") else 1)
    if days < 0:
        raise UsageError("bad_within")
    return days


def parse_dimensions(value: str | Sequence[str] | None) -> tuple[str, ...]:
    chosen = parse_list(value) if value else ("level",)
    wanted = tuple(dict.fromkeys(d.strip().lower() for d in chosen))
    if not wanted or any(d not in STATS_DIMENSIONS for d in wanted):
        raise UsageError("bad_stats_by", allowed=", ".join(STATS_DIMENSIONS))
    return wanted


def grade_in(profile: LogProfile, year: int) -> int:
    """The child's grade in the school year starting in August of `year`.

    A kindergarten child starts school the year they turn six (opplæringslova
    § 2-1); after that the grade recorded when the log was opened moves up one a
    year, which keeps a deferred start or a repeated year as recorded."""
    child = profile.child
    if child.grade <= 0:
        return max(0, year - (child.born.year + 6) + 1)
    return min(13, child.grade + year - child.grade_year)


# --- one log's rows, per report ------------------------------------------------


def _due(log: Log, options: ReportOptions) -> list[Row]:
    profile = log.profile()
    if profile.status != "open":
        return []
    limit = options.today.toordinal() + (options.within_days or 0)
    rows: list[Row] = []
    for doc in log.documents("measure"):
        if not isinstance(doc, Measure) or doc.status not in OPEN_MEASURES:
            continue
        if doc.evaluate_by.toordinal() > limit:
            continue
        person = log.member_by_id(doc.responsible)
        if options.responsible and options.responsible not in (
            person.handle.casefold(),
            person.id,
            person.name.casefold(),
        ):
            continue
        rows.append(
            {
                "log": log.id,
                "child": profile.child.name,
                "measure_id": doc.id,
                "measure": doc.title,
                "responsible": person.name,
                "evaluate_by": doc.evaluate_by,
                "days": (doc.evaluate_by - options.today).days,
            }
        )
    return rows


def _transitions(log: Log, options: ReportOptions) -> list[Row]:
    profile = log.profile()
    year = options.year or coming_school_year(options.today)
    before, after = grade_in(profile, year - 1), grade_in(profile, year)
    if profile.status != "open" or before == after or after not in TRANSITIONS:
        return []
    handovers = [d for d in log.documents("handover") if isinstance(d, Handover)]
    return [
        {
            "log": log.id,
            "child": profile.child.name,
            "born": profile.child.born,
            "school": profile.child.school,
            "grade": before,
            "next_grade": after,
            "transition": TRANSITIONS[after],
            "handover": any(h.starts.year == year for h in handovers),
            "coordinator": log.member_name(profile.coordinator),
        }
    ]


def _consent(log: Log, options: ReportOptions) -> list[Row]:
    profile = log.profile()
    if profile.status != "open":
        return []
    today = options.today
    overview = consent_overview(log, today)
    active = [v.consent for v in overview.consents if v.status in ("active", "partly_withdrawn")]
    base: Row = {"log": log.id, "child": profile.child.name, "born": profile.child.born}
    coordinator = log.member_name(profile.coordinator)
    found: list[tuple[str, date | None]] = []
    if not active:
        ended = (v.consent.valid_until for v in overview.consents)
        found.append(("missing", max(ended, default=None)))
    else:
        last = max(c.valid_until for c in active)
        if (last - today).days <= (options.within_days or 0):
            found.append(("expiring", last))
    for notice in overview.notices:
        found.append((NOTICE_PROBLEMS[notice.key], birthday(profile.child.born, notice.age)))
    return [
        {**base, "problem": problem, "date": when, "coordinator": coordinator}
        for problem, when in found
    ]


def _retention(log: Log, options: ReportOptions) -> list[Row]:
    profile = log.profile()
    if profile.status != "closed" or profile.closed is None:
        return []
    delete_after = birthday(profile.closed, log.store.settings.retention_years)
    if delete_after > options.today:
        return []
    return [
        {
            "log": log.id,
            "child": profile.child.name,
            "closed": profile.closed,
            "delete_after": delete_after,
            "coordinator": log.member_name(profile.coordinator),
        }
    ]


def _stats(log: Log, options: ReportOptions) -> list[Row]:
    """One row per cell this log counts in; a log with two services counts in both."""
    profile = log.profile()
    if profile.status != "open" and "status" not in options.by:
        return []
    values: dict[str, list[Value]] = {
        "level": [profile.level],
        "status": [profile.status],
        "grade": [grade_in(profile, school_year(options.today))],
        "opened": [profile.opened.year],
    }
    if "service" in options.by:
        services = {
            m.service for m in log.members().current if m.role == "professional" and m.service
        }
        values["service"] = [*sorted(services)] or [None]
    rows: list[Row] = [{}]
    for dimension in options.by:
        rows = [{**row, dimension: v} for row in rows for v in values[dimension]]
    return rows


_EXTRACT: dict[str, Callable[[Log, ReportOptions], list[Row]]] = {
    "due": _due,
    "transitions": _transitions,
    "consent": _consent,
    "retention": _retention,
    "stats": _stats,
}


def _finish(name: str, rows: list[Row], options: ReportOptions) -> tuple[Row, ...]:
    if name == "stats":
        return _suppressed(rows, options.by)
    keys: dict[str, Callable[[Row], tuple[str, ...]]] = {
        "due": lambda r: (str(r["evaluate_by"]), str(r["child"]), str(r["measure"])),
        "transitions": lambda r: (f"{r['next_grade']:02}", str(r["school"]), str(r["child"])),
        "consent": lambda r: (str(r["problem"]), str(r["child"]), str(r["date"])),
        "retention": lambda r: (str(r["delete_after"]), str(r["child"])),
    }
    return tuple(sorted(rows, key=keys[name]))


def _suppressed(rows: list[Row], by: tuple[str, ...]) -> tuple[Row, ...]:
    """Counts per cell; a count under five is shown as "<5", and no total is given,
    since a total would let anyone work a suppressed cell out."""
    counts = Counter(tuple(row[d] for d in by) for row in rows)
    out: list[Row] = []
    for cell in sorted(counts, key=lambda c: tuple(_order(v) for v in c)):
        n = counts[cell]
        shown: Value = n if n >= SUPPRESS_BELOW else f"<{SUPPRESS_BELOW}"
        out.append({**dict(zip(by, cell, strict=True)), "count": shown})
    return tuple(out)


def _order(value: Value) -> tuple[int, int, str]:
    """Numbers by size, then text, then none (grade 10 after grade 9)."""
    if isinstance(value, int):
        return (0, value, "")
    return (1 if value is not None else 2, 0, str(value).casefold())


# --- spreading the work ----------------------------------------------------------


def _read_batch(store: Store, name: str, options: ReportOptions, batch: list[str]) -> _Part:
    part = _Part()
    extract = _EXTRACT[name]
    for log_id in batch:
        log = Log(store, log_id)
        try:
            rows = extract(log, options)
        except NoAccess:
            part.skipped += 1
            continue
        except StafettError:
            part.damaged += 1
            continue
        part.logs += 1
        part.rows += rows
        part.hidden += log.unreadable
        part.damaged_documents += len(log.damaged)
    # Counted in the report, so not told again document by document.
    store.damaged.clear()
    return part


def _gather(
    store: Store,
    name: str,
    options: ReportOptions,
    workers: int | None,
    progress: Progress | None,
) -> _Part:
    log_ids = store.log_ids()
    count = workers or (cpu_count() if len(log_ids) >= PARALLEL_FROM else 1)
    size = max(1, min(32, len(log_ids) // (count * 8) or 1))
    batches = [log_ids[i : i + size] for i in range(0, len(log_ids), size)]
    total, done = _Part(), 0
    for part in _parts(store, name, options, batches, count):
        total.add(part)
        done += part.logs + part.skipped + part.damaged
        if progress is not None:
            progress(done, len(log_ids))
    return total


def _parts(
    store: Store, name: str, options: ReportOptions, batches: list[list[str]], workers: int
) -> Iterator[_Part]:
    """Batch results as they finish, from this process or from a pool of processes."""
    if workers <= 1 or len(batches) <= 1:
        return (_read_batch(store, name, options, b) for b in batches)
    return _pooled(store, name, options, batches, workers)


def _pooled(
    store: Store, name: str, options: ReportOptions, batches: list[list[str]], workers: int
) -> Iterator[_Part]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    with ProcessPoolExecutor(
        max_workers=min(workers, len(batches)),
        mp_context=multiprocessing.get_context(START_METHOD),
        initializer=_start_worker,
        initargs=(type(store).open, str(store.root), store.identity.secret),
    ) as pool:
        futures = [pool.submit(_worker_batch, name, options, b) for b in batches]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            for future in futures:
                future.cancel()


def cpu_count() -> int:
    """Cores this process may use (a container may allow fewer than the machine has)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _check_year(year: int | None) -> int | None:
    if year is not None and not 1900 <= year <= 2200:
        raise UsageError("bad_year")
    return year


_WORKER_STORE: list[Store] = []


def _start_worker(open_store: Callable[..., Store], root: str, secret: str) -> None:
    """Each worker process opens the store once, with the caller's key. The opener
    is passed in (pickled by name) so that this module needs no import of the store."""
    _WORKER_STORE[:] = [open_store(root, identity=identity_from_secret(secret))]


def _worker_batch(name: str, options: ReportOptions, batch: list[str]) -> _Part:
    return _read_batch(_WORKER_STORE[0], name, options, batch)
