"""What members write into a log: concerns, measures and their evaluations,
meetings, the child's own words, level changes, notes, and closing the log.

Each function is one transaction: it checks what was typed, builds the document
and lets the transaction validate, encrypt and commit it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from stafett import transaction
from stafett.documents import (
    Concern,
    Evaluation,
    LevelChange,
    LogProfile,
    Measure,
    Meeting,
    Note,
    Voice,
)
from stafett.errors import NoAccess, UsageError
from stafett.values import check_text, optional_text, parse_choice, parse_date, parse_list

if TYPE_CHECKING:
    from stafett.log import Log

Audience = Sequence[str] | str | None


def add_concern(log: Log, text: str, *, audience: Audience = None) -> Concern:
    with transaction.begin(log, "add") as change:
        doc = Concern(
            **change.header(audience),
            text=check_text(text, "text"),
            level_at_time=log.profile().level,
        )
        change.add(doc)
    return doc


def add_measure(
    log: Log,
    *,
    title: str,
    goal: str,
    responsible: str,
    evaluate_by: date | str,
    start: date | str | None = None,
    description: str | None = None,
    audience: Audience = None,
) -> Measure:
    with transaction.begin(log, "add") as change:
        today = log.store.clock.today()
        begins = parse_date(start, "start") if start is not None else today
        due = parse_date(evaluate_by, "evaluate_by")
        if due < begins:
            raise UsageError("evaluate_before_start")
        doc = Measure(
            **change.header(audience),
            title=check_text(title, "title"),
            goal=check_text(goal, "goal"),
            description=optional_text(description),
            responsible=log.member(responsible).id,
            start=begins,
            evaluate_by=due,
            status="planned" if begins > today else "active",
        )
        change.add(doc)
    return doc


def update_measure(
    log: Log,
    measure: str,
    *,
    title: str | None = None,
    goal: str | None = None,
    responsible: str | None = None,
    evaluate_by: date | str | None = None,
    status: str | None = None,
) -> Measure:
    """Change fields of a measure: its author's or the coordinator's to do. Only the
    fields given change, so two people changing different fields on two laptops
    both keep their change when they sync."""
    with transaction.begin(log, "update") as change:
        target = log.document("measure", measure)
        assert isinstance(target, Measure)
        if log.me().id not in (target.created_by, log.profile().coordinator):
            raise NoAccess("not_author_or_coordinator")
        fields: dict[str, object] = {}
        if title is not None:
            fields["title"] = check_text(title, "title")
        if goal is not None:
            fields["goal"] = check_text(goal, "goal")
        if responsible is not None:
            fields["responsible"] = log.member(responsible).id
        if evaluate_by is not None:
            fields["evaluate_by"] = parse_date(evaluate_by, "evaluate_by")
        if status is not None:
            fields["status"] = parse_choice("status", status)
        if not fields:
            raise UsageError("nothing_to_change")
        updated = change.replace(replace(target, **fields))  # type: ignore[arg-type]
    assert isinstance(updated, Measure)
    return updated


def evaluate_measure(
    log: Log,
    measure: str,
    *,
    result: str,
    next: str,
    when: date | str | None = None,
    text: str | None = None,
    child_said: str | None = None,
    evaluate_by: date | str | None = None,
) -> Evaluation:
    """Record an evaluation and bring the measure's status and due date along."""
    with transaction.begin(log, "evaluate") as change:
        target = log.document("measure", measure)
        assert isinstance(target, Measure)
        outcome, step = parse_choice("result", result), parse_choice("next", next)
        due = parse_date(evaluate_by, "evaluate_by") if evaluate_by is not None else None
        evaluation = Evaluation(
            **change.header(target.audience),
            measure=target.id,
            date=_day(log, when),
            result=outcome,
            text=optional_text(text),
            child_said=optional_text(child_said),
            next=step,
            evaluate_by=due,
        )
        change.add(evaluation)
        status = status_after(outcome, step)
        change.replace(replace(target, status=status, evaluate_by=due or target.evaluate_by))
    return evaluation


def add_meeting(
    log: Log,
    *,
    when: date | str,
    participants: Sequence[str] | str,
    child_present: str,
    minutes: str,
    agenda: Sequence[str] | str | None = None,
    decisions: Sequence[str] | None = None,
    child_minutes: int | None = None,
    audience: Audience = None,
) -> Meeting:
    with transaction.begin(log, "add") as change:
        present = parse_choice("child_present", child_present)
        if present == "part" and not child_minutes:
            raise UsageError("child_minutes_needed")
        people = parse_list(participants)
        if not people:
            raise UsageError("empty_field", field="participants")
        doc = Meeting(
            **change.header(audience),
            date=parse_date(when, "date"),
            participants=tuple(dict.fromkeys(log.member(p).id for p in people)),
            child_present=present,
            child_minutes=child_minutes if present == "part" else None,
            agenda=parse_list(agenda) if isinstance(agenda, str) else tuple(agenda or ()),
            minutes=check_text(minutes, "minutes"),
            decisions=tuple(d.strip() for d in decisions or () if d.strip()),
        )
        change.add(doc)
    return doc


def add_voice(
    log: Log,
    words: str,
    *,
    how: str,
    when: date | str | None = None,
    child_reviewed: bool | None = None,
    audience: Audience = None,
) -> Voice:
    """The child's words are kept verbatim: no trimming inside, no rewording."""
    with transaction.begin(log, "add") as change:
        if not words or not words.strip():
            raise UsageError("empty_field", field="words")
        doc = Voice(
            **change.header(audience),
            date=_day(log, when),
            words=words,
            how=check_text(how, "how"),
            child_reviewed=child_reviewed,
        )
        change.add(doc)
    return doc


def set_level(log: Log, level: int, *, why: str, when: date | str | None = None) -> LevelChange:
    with transaction.begin(log, "level") as change:
        doc = LevelChange(
            **change.header(None),
            level=log.store.settings.check_level(level),
            why=check_text(why, "why"),
            date=_day(log, when),
        )
        change.add(doc)
        change.replace(replace(log.profile(), level=level))
    return doc


def add_note(log: Log, text: str, *, audience: Audience = None) -> Note:
    with transaction.begin(log, "add") as change:
        doc = Note(**change.header(audience), text=check_text(text, "text"))
        change.add(doc)
    return doc


def close(log: Log, *, reason: str, when: date | str | None = None) -> LogProfile:
    with transaction.begin(log, "close") as change:
        change.require_coordinator()
        profile = replace(
            log.profile(),
            status="closed",
            closed=_day(log, when),
            close_reason=check_text(reason, "reason"),
        )
        change.replace(profile)
    return profile


def status_after(result: str, step: str) -> str:
    if step in ("stop", "new"):
        return "completed" if result == "achieved" else "stopped"
    return "active"


def _day(log: Log, when: date | str | None) -> date:
    return parse_date(when, "date") if when is not None else log.store.clock.today()
