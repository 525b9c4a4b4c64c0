"""Read-only views of a log for `show` and `history`: plain values, no rendering."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from stafett import history
from stafett.documents import (
    Evaluation,
    LogProfile,
    Measure,
    Meeting,
    Member,
    Voice,
)

if TYPE_CHECKING:
    from stafett.log import Log

LATEST = 3


@dataclass(frozen=True)
class MeasureView:
    measure: Measure
    responsible: str
    evaluations: tuple[Evaluation, ...]
    overdue: bool


@dataclass(frozen=True)
class LogSummary:
    id: str
    profile: LogProfile
    level_name: str
    coordinator: Member | None
    members: tuple[Member, ...]
    measures: tuple[MeasureView, ...]
    meetings: tuple[Meeting, ...]
    voices: tuple[Voice, ...]
    documents: int
    unreadable: int


@dataclass(frozen=True)
class HistoryEntry:
    commit: str
    when: datetime
    author_id: str
    author: str
    action: str
    kind: str
    doc_id: str
    files: int


def summarize(log: Log, today: date | None = None) -> LogSummary:
    """Decrypt each document once and sort it into what `show` needs."""
    today = today or date.today()
    profile, members = log.profile(), log.members()
    docs = list(log.documents())
    evaluations = [d for d in docs if isinstance(d, Evaluation)]
    measures = tuple(
        MeasureView(
            measure=m,
            responsible=log.member_name(m.responsible),
            evaluations=tuple(e for e in evaluations if e.measure == m.id),
            overdue=m.evaluate_by < today,
        )
        for m in sorted((d for d in docs if isinstance(d, Measure)), key=lambda m: m.evaluate_by)
        if m.status in ("planned", "active")
    )
    meetings = sorted((d for d in docs if isinstance(d, Meeting)), key=lambda d: d.date)
    voices = sorted((d for d in docs if isinstance(d, Voice)), key=lambda d: d.date)
    coordinator = next((m for m in members.members if m.id == profile.coordinator), None)
    return LogSummary(
        id=log.id,
        profile=profile,
        level_name=log.store.settings.level_name(profile.level),
        coordinator=coordinator,
        members=members.current,
        measures=measures,
        meetings=tuple(meetings[-LATEST:]),
        voices=tuple(voices[-LATEST:]),
        documents=len(docs),
        unreadable=log.unreadable,
    )


def log_history(log: Log) -> list[HistoryEntry]:
    """Every commit, newest first, its pseudonymous author shown by name."""
    entries = []
    for c in history.log(log.path):
        action, _, rest = c.message.partition(" ")
        kind, _, doc_id = rest.partition(" ")
        entries.append(
            HistoryEntry(
                commit=c.hash,
                when=c.when,
                author_id=c.author,
                author=log.member_name(c.author),
                action=action,
                kind=kind,
                doc_id=doc_id,
                files=len(c.files),
            )
        )
    return entries
