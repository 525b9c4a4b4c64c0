"""Who takes part in a log, under which consent, and who holds the baton.

Every change here is one commit. When the set of readers changes, every document
the actor can read whose recipients change is re-encrypted in that commit; the
others stay byte-identical (age output is random, so a needless rewrite would be
noise in history). What a person could read before stays in old history: removal
protects only what is written from now on, and the user is told so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from stafett import crypto, ids, transaction, yamlio
from stafett.consent import covered_services
from stafett.documents import (
    Consent,
    LogProfile,
    Member,
    MemberList,
    Override,
    Withdrawal,
)
from stafett.errors import LOG_DAMAGE, Conflict, InvalidDocument, NoAccess, NotFound, UsageError
from stafett.people import Card, check_signing_key, find_person, person_by_recipient
from stafett.values import (
    NAME_LIMIT,
    check_handle,
    check_text,
    handle_from_name,
    optional_text,
    parse_choice,
    parse_date,
    parse_list,
)

if TYPE_CHECKING:
    from stafett.log import Log
    from stafett.transaction import Transaction

SERVICE_ROLES = ("professional", "youth-helper", "observer")


@dataclass(frozen=True)
class MembershipChange:
    """What a membership change did, so the CLI can say it plainly."""

    members: tuple[Member, ...]
    reencrypted: int
    not_reencrypted: int


@dataclass(frozen=True)
class WithdrawalResult:
    consent: Consent
    removed: tuple[Member, ...]
    reencrypted: int
    not_reencrypted: int


def new_member(
    log: Log,
    person: str | None,
    *,
    role: str | None,
    handle: str | None,
    name: str | None,
    title: str | None,
    service: str | None,
    recipient: str | None,
    signing_key: str | None,
    card: Card | None,
) -> Member:
    """A member from people.yaml (`person`), from a card file, or from plain fields."""
    if person and card is None:
        card = find_person(log.store.people(), person)
    if card is not None:
        chosen = handle or card.handle or person or handle_from_name(card.name)
        return member_from_card(card, chosen, role or "professional", log.store.clock.today())
    if not name or not role:
        raise UsageError("member_needs_name_role")
    return Member(
        id=ids.new_id(),
        since=log.store.clock.today(),
        name=check_text(name, "name", NAME_LIMIT),
        handle=check_handle(handle or handle_from_name(name)),
        role=parse_choice("role", role),
        title=optional_text(title),
        service=optional_text(service),
        recipient=crypto.check_recipient(recipient) if recipient else None,
        signing_key=signing_key.strip() if signing_key and signing_key.strip() else None,
    )


def member_from_card(card: Card, handle: str, role: str, today: date) -> Member:
    return Member(
        id=ids.new_id(),
        since=today,
        handle=check_handle(handle),
        name=card.name,
        role=parse_choice("role", role),
        title=card.title,
        service=card.service,
        recipient=card.recipient,
        signing_key=card.signing_key,
    )


def add_member(
    log: Log,
    person: str | None = None,
    *,
    role: str | None = None,
    handle: str | None = None,
    name: str | None = None,
    title: str | None = None,
    service: str | None = None,
    recipient: str | None = None,
    signing_key: str | None = None,
    card: Card | None = None,
    override_why: str | None = None,
) -> MembershipChange:
    """Add a professional from people.yaml (`person`), a card, or anyone by name.

    A professional needs an active consent covering their service, unless
    `override_why` records a visible exception."""
    member = new_member(
        log,
        person,
        role=role,
        handle=handle,
        name=name,
        title=title,
        service=service,
        recipient=recipient,
        signing_key=signing_key,
        card=card,
    )
    return join(log, member, override_why=override_why)


def join(log: Log, member: Member, *, override_why: str | None) -> MembershipChange:
    """One commit: the member joins, and what they may read is re-encrypted to them."""
    with transaction.begin(log, "add-member", subject=("member", member.id)) as change:
        change.require_coordinator()
        members = log.members()
        if any(member.handle == m.handle for m in members.current):
            raise Conflict("already_member", handle=member.handle)
        if member.recipient and any(member.recipient == m.recipient for m in members.current):
            raise Conflict("already_member", handle=member.handle)
        if member.role in SERVICE_ROLES and member.service:
            today = log.store.clock.today()
            if member.service.casefold() not in covered_services(log.consents(), today):
                if not override_why:
                    raise Conflict("no_consent_for_service", service=member.service)
                override = Override(why=check_text(override_why, "why"), by=log.me().id, date=today)
                member = replace(member, override=override)
        updated = replace(members, members=(*members.members, member))
        change.replace(updated)
        done, skipped = reencrypt(log, change, members, updated)
    return MembershipChange((member,), done, skipped)


def remove_member(log: Log, person: str) -> MembershipChange:
    with transaction.begin(log, "remove-member") as change:
        change.require_coordinator()
        member = log.member(person)
        if member.id in (log.profile().coordinator, log.profile().coordinator_pending):
            raise Conflict("remove_coordinator")
        change.subject = ("member", member.id)
        members = log.members()
        updated = _end(members, {member.id}, log.store.clock.today())
        change.replace(updated)
        done, skipped = reencrypt(log, change, members, updated)
    return MembershipChange((member,), done, skipped)


def update_member(log: Log, person: str, *, card: Card | None = None) -> MembershipChange:
    """Record a member's current card in the member list, in one commit: their
    signing key, and their title and service where these changed. The card is the
    people.yaml entry with the member's recipient, or `card` (a guardian is not in
    people.yaml); either way its recipient must be the member's."""
    with transaction.begin(log, "update-member") as change:
        change.require_coordinator()
        member = log.member(person)
        change.subject = ("member", member.id)
        source = card or person_by_recipient(log.store.people(), member.recipient or "")
        if source is None:
            raise NotFound("member_not_in_people", handle=member.handle)
        updated = _with_card(member, source)
        if updated.service != member.service:
            _check_service(log, updated)
        members = log.members()
        entries = tuple(updated if m.id == member.id else m for m in members.members)
        change.replace(replace(members, members=entries))
    return MembershipChange((updated,), 0, 0)


def _with_card(member: Member, card: Card) -> Member:
    """The member with the card's signing key, title and service; refused when the
    card is another person's or would change nothing."""
    if not member.recipient or card.recipient != member.recipient:
        raise Conflict("card_not_theirs", handle=member.handle)
    key = check_signing_key(card.signing_key) if card.signing_key else member.signing_key
    updated = replace(
        member,
        signing_key=key,
        title=card.title or member.title,
        service=card.service or member.service,
    )
    if updated == member:
        key_name = "member_unchanged" if card.signing_key else "card_has_no_signing_key"
        raise Conflict(key_name, handle=member.handle)
    return updated


def _check_service(log: Log, member: Member) -> None:
    """A new service needs consent as joining with it would, unless the member was
    added by a recorded exception."""
    if member.role not in SERVICE_ROLES or not member.service or member.override:
        return
    if member.service.casefold() not in covered_services(log.consents(), log.store.clock.today()):
        raise Conflict("no_consent_for_service", service=member.service)


def add_consent(
    log: Log,
    *,
    given_by: Sequence[str] | str,
    services: Sequence[str] | str,
    valid_until: date | str,
    valid_from: date | str | None = None,
    child_heard: bool = False,
    child_said: str | None = None,
    purpose: str | None = None,
    reference: str | None = None,
) -> Consent:
    with transaction.begin(log, "consent") as change:
        change.require_coordinator()
        givers = parse_list(given_by)
        named = parse_list(services)
        if not givers:
            raise UsageError("empty_field", field="given_by")
        if not named:
            raise UsageError("empty_field", field="services")
        start, until = _period(log, valid_from, valid_until)
        consent = Consent(
            **change.header(None),
            given_by=tuple(dict.fromkeys(log.member(g).id for g in givers)),
            child_heard=child_heard or bool(child_said),
            child_said=optional_text(child_said),
            services=tuple(dict.fromkeys(named)),
            purpose=optional_text(purpose),
            valid_from=start,
            valid_until=until,
            reference=optional_text(reference),
        )
        change.add(consent)
    return consent


def _period(log: Log, valid_from: date | str | None, valid_until: date | str) -> tuple[date, date]:
    """From (today unless given) and until, in that order."""
    today = log.store.clock.today()
    start = parse_date(valid_from, "valid_from") if valid_from is not None else today
    until = parse_date(valid_until, "valid_until")
    if until < start:
        raise UsageError("until_before_from")
    return start, until


def withdraw_consent(
    log: Log,
    ref: str,
    *,
    by: str,
    services: Sequence[str] | str | None = None,
    when: date | str | None = None,
) -> WithdrawalResult:
    """Withdraw a consent, wholly or for some services; members of services no longer
    covered leave the log, and documents are re-encrypted without them."""
    with transaction.begin(log, "withdraw") as change:
        change.require_coordinator()
        consent = log.document("consent", ref)
        assert isinstance(consent, Consent)
        named = parse_list(services)
        unknown = [s for s in named if s.casefold() not in {x.casefold() for x in consent.services}]
        if unknown:
            raise UsageError("service_not_in_consent", service=unknown[0])
        withdrawal = Withdrawal(
            date=parse_date(when, "date") if when is not None else log.store.clock.today(),
            by=log.member(by, current=False).id,
            services=named,
        )
        updated = replace(consent, withdrawn=(*consent.withdrawn, withdrawal))
        change.replace(updated)
        leaving = _uncovered(log, [c for c in log.consents() if c.id != consent.id] + [updated])
        done = skipped = 0
        removed: tuple[Member, ...] = ()
        if leaving:
            members = log.members()
            new_members = _end(members, leaving, log.store.clock.today())
            change.replace(new_members)
            done, skipped = reencrypt(log, change, members, new_members)
            removed = tuple(m for m in members.current if m.id in leaving)
    return WithdrawalResult(updated, removed, done, skipped)


def _uncovered(log: Log, consents: list[Consent]) -> set[str]:
    """Members whose service no consent covers any more: they leave the log, except
    the coordinator and those added by a recorded exception."""
    covered = covered_services(consents, log.store.clock.today())
    return {
        m.id
        for m in log.members().current
        if m.role in SERVICE_ROLES
        and m.service
        and m.override is None
        and m.service.casefold() not in covered
        and m.id != log.profile().coordinator
    }


def pass_coordinator(log: Log, to: str) -> LogProfile:
    """The baton stays with the current holder until the receiver accepts it."""
    with transaction.begin(log, "pass-coordinator") as change:
        change.require_coordinator()
        target = log.member(to)
        if target.id == log.profile().coordinator:
            raise Conflict("already_coordinator")
        if target.role not in ("professional", "coordinator") or not target.signing_key:
            raise UsageError("coordinator_must_be_professional")
        change.subject = ("member", target.id)
        profile = replace(log.profile(), coordinator_pending=target.id)
        change.replace(profile)
    return profile


def accept_coordinator(log: Log) -> LogProfile:
    with transaction.begin(log, "accept-coordinator") as change:
        me = log.me()
        profile = log.profile()
        if profile.coordinator_pending != me.id:
            raise NoAccess("no_baton_for_you")
        change.subject = ("member", me.id)
        members = log.members()
        roles = {profile.coordinator: "professional", me.id: "coordinator"}
        updated_members = replace(
            members,
            members=tuple(
                replace(m, role=roles[m.id]) if m.id in roles and m.active else m
                for m in members.members
            ),
        )
        new_profile = replace(profile, coordinator=me.id, coordinator_pending=None)
        change.replace(new_profile)
        change.replace(updated_members)
    return new_profile


def reencrypt(log: Log, change: Transaction, old: MemberList, new: MemberList) -> tuple[int, int]:
    """Queue every readable document whose recipients differ between the two member
    lists. Returns (re-encrypted, not readable by the actor and so left as they are)."""
    written = {d.path for d in change.docs}
    done = skipped = 0
    for rel in log.files():
        if rel in written:
            continue
        if rel in log.tainted:  # in doubt: left as it is, never given to new readers
            skipped += 1
            continue
        try:
            plain = crypto.decrypt(log.read_raw(rel), log.store.identity, rel)
            audience = audience_of(plain, rel, log.id)
        except NoAccess:
            skipped += 1
            continue
        except InvalidDocument as exc:
            if exc.key in LOG_DAMAGE:
                raise
            log.skip_damaged(rel, exc)
            skipped += 1
            continue
        if transaction.recipients(log, audience, old) != transaction.recipients(log, audience, new):
            change.reencrypt(rel, plain, audience)
            done += 1
    return done, skipped


def audience_of(plain: bytes, rel: str, log_id: str) -> tuple[str, ...] | None:
    """Only the audience: the text is re-encrypted as it is, so it is not parsed
    into a document (nor validated) here; verify does that. A document bound to
    another log is never re-encrypted into this one."""
    data = yamlio.load(plain, name=rel)
    if data.get("log", log_id) != log_id:
        raise InvalidDocument("other_log", file=rel)
    audience = data.get("audience")
    if audience is not None and not (
        isinstance(audience, list) and all(isinstance(a, str) for a in audience)
    ):
        raise InvalidDocument("schema_bad_value", file=rel, field="audience")
    return tuple(audience) if audience is not None else None


def _end(members: MemberList, leaving: set[str], today: date) -> MemberList:
    return replace(
        members,
        members=tuple(
            replace(m, until=today) if m.id in leaving and m.active else m for m in members.members
        ),
    )
