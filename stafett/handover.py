"""Handing the baton to the next school: what travels, under which consent.

Only what the coordinator names and a consent for the receiving service covers
goes into a handover. The child's own words travel verbatim.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from stafett import ids, transaction
from stafett.consent import covered_services
from stafett.documents import (
    DOCUMENT_CLASSES,
    ROOT_KINDS,
    Handover,
    LogProfile,
    Measure,
    Meeting,
    Member,
    Voice,
)
from stafett.errors import Conflict, UsageError
from stafett.i18n import LANGUAGES, text
from stafett.values import check_text, optional_text, parse_date, parse_list
from stafett.views import MeasureView, measure_views

if TYPE_CHECKING:
    from stafett.log import Log


@dataclass(frozen=True)
class Package:
    """What a handover holds, read and sorted for a report or an export."""

    handover: Handover
    profile: LogProfile
    measures: tuple[MeasureView, ...]
    voices: tuple[Voice, ...]
    meetings: tuple[Meeting, ...]
    contacts: tuple[Member, ...]
    from_name: str
    made: date


def create(
    log: Log,
    *,
    to: str,
    to_service: str,
    transition: str,
    starts: date | str,
    include: Sequence[str] | str,
    exclude: Sequence[str] | str | None = None,
    continue_with: str | None = None,
    child_wants: str | None = None,
    child_reviewed: bool = False,
) -> Handover:
    with transaction.begin(log, "handover") as change:
        change.require_coordinator()
        service = check_text(to_service, "to_service")
        if service.casefold() not in covered_services(log.consents(), log.store.clock.today()):
            raise Conflict("handover_needs_consent", service=service)
        chosen = _select(log, parse_list(include)) - _select(log, parse_list(exclude))
        if not chosen:
            raise UsageError("empty_field", field="include")
        receiver = next(
            (p.name for p in log.store.people() if p.handle == to.strip().lower()),
            check_text(to, "to"),
        )
        doc = Handover(
            **change.header(None),
            from_service=log.me().service or log.store.settings.municipality,
            to=receiver,
            to_service=service,
            transition=check_text(transition, "transition"),
            starts=parse_date(starts, "starts"),
            includes=tuple(sorted(chosen)),
            continue_=optional_text(continue_with),
            child_wants=child_wants if child_wants and child_wants.strip() else None,
            child_reviewed=child_reviewed,
        )
        change.add(doc)
    return doc


def package(log: Log, ref: str) -> Package:
    handover = log.document("handover", ref)
    assert isinstance(handover, Handover)
    return package_of(log, handover)


def package_of(log: Log, handover: Handover) -> Package:
    """What travels with a handover already read (an export has checked it first)."""
    docs = [d for d, _ in log.read_ids(set(handover.includes))]
    chosen = sorted((d for d in docs if isinstance(d, Measure)), key=lambda m: m.start)
    measures = measure_views(log, chosen, docs, log.store.clock.today())
    return Package(
        handover=handover,
        profile=log.profile(),
        measures=measures,
        voices=tuple(sorted((d for d in docs if isinstance(d, Voice)), key=lambda v: v.date)),
        meetings=tuple(sorted((d for d in docs if isinstance(d, Meeting)), key=lambda m: m.date)),
        contacts=tuple(m for m in log.members().current if m.role != "child"),
        from_name=log.member_name(handover.created_by),
        made=log.store.clock.today(),
    )


def _select(log: Log, items: tuple[str, ...]) -> set[str]:
    """Kinds by name ("voice", "møte") take every readable document of that kind;
    anything else is a short id. A measure brings its evaluations along."""
    chosen: set[str] = set()
    for item in items:
        kind = _kind(item)
        if kind:
            chosen |= {d.id for d in log.documents(kind)}
        else:
            chosen.add(_resolve(log, item))
    measures = chosen & set(log.doc_ids("measure"))
    if measures:
        chosen |= {e.id for e in log.evaluations() if e.measure in measures}
    return chosen


def _kind(word: str) -> str | None:
    wanted = word.strip().casefold()
    for kind in ("measure", "evaluation", "meeting", "voice", "note", "concern", "level"):
        labels = [text(f"ui.kind.{kind}", lang).casefold() for lang in LANGUAGES]
        names = {kind, *labels, *(label.split()[-1] for label in labels)}
        if wanted in names:
            return kind
    return None


def _resolve(log: Log, ref: str) -> str:
    every = [i for kind in _document_kinds() for i in log.doc_ids(kind)]
    return ids.resolve(ref, every, "document")


def _document_kinds() -> list[str]:
    return [k for k in DOCUMENT_CLASSES if k not in ROOT_KINDS]
