"""Handing the baton to the next school: what travels, under which consent.

Only what the coordinator names and a consent for the receiving service covers
goes into a handover. The child's own words travel verbatim. A handover goes to
someone outside the log, so a document only some members may read travels only
when named by its id: a kind ("tiltak") takes those all members may read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, TypedDict, Unpack

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


@dataclass(frozen=True)
class Written:
    """A handover just written, and the ids of documents a kind in `include` would
    have carried but left out because their audience is restricted."""

    handover: Handover
    left_out: tuple[str, ...]


class _Required(TypedDict):
    to: str
    to_service: str
    transition: str
    starts: date | str
    include: Sequence[str] | str


class HandoverFields(_Required, total=False):
    """What `write` takes besides the log."""

    exclude: Sequence[str] | str | None
    continue_with: str | None
    child_wants: str | None
    child_reviewed: bool


def create(log: Log, **fields: Unpack[HandoverFields]) -> Handover:
    """Write a handover; `write` also tells which restricted documents were left out."""
    return write(log, **fields).handover


def write(
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
) -> Written:
    """Write a handover of what `include` names, less what `exclude` names."""
    with transaction.begin(log, "handover") as change:
        change.require_coordinator()
        service = check_text(to_service, "to_service")
        if service.casefold() not in covered_services(log.consents(), log.store.clock.today()):
            raise Conflict("handover_needs_consent", service=service)
        chosen, left_out = _chosen(log, include, exclude)
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
    return Written(doc, tuple(left_out))


def _chosen(
    log: Log, include: Sequence[str] | str, exclude: Sequence[str] | str | None
) -> tuple[set[str], list[str]]:
    """(what travels, the restricted ids a kind left out), neither of them excluded."""
    chosen, restricted = _select(log, parse_list(include))
    excluded = set.union(*_select(log, parse_list(exclude)))
    chosen, left_out = chosen - excluded, sorted(restricted - excluded)
    if not chosen and left_out:
        shorts = ", ".join(ids.short(i) for i in left_out)
        raise UsageError("handover_only_restricted", count=len(left_out), ids=shorts)
    if not chosen:
        raise UsageError("empty_field", field="include")
    return chosen, left_out


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


def _select(log: Log, items: tuple[str, ...]) -> tuple[set[str], set[str]]:
    """(chosen, restricted). A short id is chosen whatever its audience: naming it is
    the choice. Kinds by name ("voice", "møte") choose every readable document of
    that kind all members may read; those with an audience are restricted, left out.
    A measure brings its evaluations along: all of a named measure's, and of one a
    kind chose, those all members may read (the others are restricted)."""
    named: set[str] = set()
    kinds: list[str] = []
    for item in items:
        kind = _kind(item)
        if kind:
            kinds.append(kind)
        else:
            named.add(_resolve(log, item))
    chosen, restricted = set(named), set[str]()
    for doc in (d for kind in kinds for d in log.documents(kind)):
        (chosen if doc.audience is None else restricted).add(doc.id)
    measures = chosen & set(log.doc_ids("measure"))
    if measures:
        for evaluation in log.evaluations():
            if evaluation.measure in named or (
                evaluation.measure in measures and evaluation.audience is None
            ):
                chosen.add(evaluation.id)
            elif evaluation.measure in measures:
                restricted.add(evaluation.id)
    return chosen, restricted - chosen


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
