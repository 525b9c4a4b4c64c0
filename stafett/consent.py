"""Consent as data: which services a log may be shared with, and when the child's
own consent is needed.

In the BTI model a written consent lifts the duty of confidentiality for the
services it names. The family may withdraw it, wholly or for some services, at any
time. The child is heard from 7, weighs heavily from 12 and consents alone from 15
or 16; these ages live in store.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from stafett.documents import Child, Consent
from stafett.settings import AgeRules


@dataclass(frozen=True)
class ConsentView:
    consent: Consent
    status: str
    services: tuple[str, ...]


@dataclass(frozen=True)
class Notice:
    """Something about consent the coordinator must act on; `key` is in the catalogue."""

    key: str
    age: int


def remaining(consent: Consent) -> tuple[str, ...]:
    """The services a consent still covers after its withdrawals (whole or partial)."""
    if any(not w.services for w in consent.withdrawn):
        return ()
    gone = {s.casefold() for w in consent.withdrawn for s in w.services}
    return tuple(s for s in consent.services if s.casefold() not in gone)


def view(consent: Consent, today: date) -> ConsentView:
    services = remaining(consent)
    if not services:
        return ConsentView(consent, "withdrawn", ())
    if today < consent.valid_from:
        return ConsentView(consent, "not_yet", services)
    if today > consent.valid_until:
        return ConsentView(consent, "expired", services)
    partly = len(services) < len(consent.services)
    return ConsentView(consent, "partly_withdrawn" if partly else "active", services)


def covered_services(consents: list[Consent], today: date) -> set[str]:
    covered: set[str] = set()
    for c in consents:
        v = view(c, today)
        if v.status in ("active", "partly_withdrawn"):
            covered |= {s.casefold() for s in v.services}
    return covered


def all_withdrawn(consents: list[Consent]) -> bool:
    """True once every consent there was has been withdrawn: the log then only closes."""
    return bool(consents) and not any(remaining(c) for c in consents)


def birthday(born: date, years: int) -> date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return born.replace(year=born.year + years, day=28)


def age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def notices(
    child: Child, consents: list[Consent], child_id: str, rules: AgeRules, today: date
) -> list[Notice]:
    """What the age rules ask for now: renewal with the child's own consent, and so on."""
    years = age(child.born, today)
    active = [
        c for c in consents if view(c, today).status in ("active", "partly_withdrawn", "not_yet")
    ]
    found: list[Notice] = []
    for threshold, key in ((rules.adult, "notice_adult"), (rules.own_consent, "notice_own")):
        if years >= threshold:
            passed = birthday(child.born, threshold)
            if active and not any(
                c.valid_from >= passed and child_id in c.given_by for c in active
            ):
                found.append(Notice(key, threshold))
            break
    if years >= rules.great_weight and active and not any(c.child_said for c in active):
        found.append(Notice("notice_weight", rules.great_weight))
    elif years >= rules.heard and active and not any(c.child_heard for c in active):
        found.append(Notice("notice_heard", rules.heard))
    return found
