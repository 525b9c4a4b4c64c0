"""Read-only views of a log for `show` and `history`: plain values, no rendering."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from stafett import commits
from stafett.consent import ConsentView, Notice, notices, view
from stafett.documents import (
    Consent,
    Document,
    Evaluation,
    LogProfile,
    Measure,
    Meeting,
    Member,
    Provenance,
    Voice,
)

if TYPE_CHECKING:
    from stafett.log import Log

LATEST = 3


@dataclass(frozen=True)
class MeasureView:
    """A measure as a reader sees it: who is responsible, by name, and how it went.

    The stored document names the responsible member by id; scripts want the person.
    """

    measure: Measure
    responsible: Member
    evaluations: tuple[Evaluation, ...]
    overdue: bool

    @property
    def id(self) -> str:
        return self.measure.id

    @property
    def title(self) -> str:
        return self.measure.title

    @property
    def goal(self) -> str:
        return self.measure.goal

    @property
    def description(self) -> str | None:
        return self.measure.description

    @property
    def start(self) -> date:
        return self.measure.start

    @property
    def evaluate_by(self) -> date:
        return self.measure.evaluate_by

    @property
    def status(self) -> str:
        return self.measure.status


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
    notices: tuple[Notice, ...] = ()
    provenance: Provenance | None = None
    conflicts: int = 0  # documents a merge left with two values in a field


@dataclass(frozen=True)
class ConsentOverview:
    consents: tuple[ConsentView, ...]
    notices: tuple[Notice, ...]


@dataclass(frozen=True)
class DocumentAccess:
    """Who can read one document: members by name, and the municipality's recovery key."""

    kind: str
    id: str
    created: datetime
    readers: tuple[Member, ...]


@dataclass(frozen=True)
class AccessView:
    documents: tuple[DocumentAccess, ...]
    hidden: int


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
    today = today or log.store.clock.today()
    profile, members = log.profile(), log.members()
    docs = list(log.documents())
    current = sorted(
        (d for d in docs if isinstance(d, Measure) and d.status in ("planned", "active")),
        key=lambda m: m.evaluate_by,
    )
    measures = measure_views(log, current, docs, today)
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
        notices=consent_overview(log, today, [d for d in docs if isinstance(d, Consent)]).notices,
        provenance=next((d for d in docs if isinstance(d, Provenance)), None),
        conflicts=sum(1 for d in (profile, members, *docs) if d.conflicts),
    )


def measure_views(
    log: Log, measures: list[Measure], docs: list[Document], today: date
) -> tuple[MeasureView, ...]:
    """Each measure with its responsible member and its evaluations by date."""
    evaluations = sorted((d for d in docs if isinstance(d, Evaluation)), key=lambda e: e.date)
    return tuple(
        MeasureView(
            measure=m,
            responsible=log.member_by_id(m.responsible),
            evaluations=tuple(e for e in evaluations if e.measure == m.id),
            overdue=m.status in ("planned", "active") and m.evaluate_by < today,
        )
        for m in measures
    )


def consent_overview(
    log: Log, today: date | None = None, consents: list[Consent] | None = None
) -> ConsentOverview:
    """Each consent with its status, and what the child's age now asks for."""
    today = today or log.store.clock.today()
    found = log.consents() if consents is None else consents
    child = next((m.id for m in log.members().members if m.role == "child"), "")
    rules = log.store.settings.age_rules
    return ConsentOverview(
        consents=tuple(view(c, today) for c in sorted(found, key=lambda c: c.valid_from)),
        notices=tuple(notices(log.profile().child, found, child, rules, today)),
    )


def access_view(log: Log, person: str | None = None) -> AccessView:
    """For each document the caller can read, who else can: in plain names."""
    members = log.members()
    current = {m.id: m for m in members.current}
    wanted = log.member(person).id if person else None
    out = []
    for doc in [log.profile(), members, *log.documents()]:
        ids = current.keys() if doc.audience is None else doc.audience
        readers = tuple(current[i] for i in ids if i in current and current[i].recipient)
        if wanted is None or any(r.id == wanted for r in readers):
            out.append(DocumentAccess(doc.kind, doc.id, doc.created, readers))
    return AccessView(tuple(out), log.unreadable)


def log_history(log: Log) -> list[HistoryEntry]:
    """Every commit, newest first, its pseudonymous author shown by name."""
    entries = []
    for c in commits.log(log.path):
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
