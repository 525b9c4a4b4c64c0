"""The one place stafett reads the time.

A store carries a clock and every "today" and "now" comes from it, so a test or a
scenario replay can run a case as of the date each step happened, and the suite
does not expire when the calendar moves on. `STAFETT_NOW` sets the clock of a
command the way `SOURCE_DATE_EPOCH` sets a build's; a member could as well set
their computer's clock, so it grants nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time

from stafett.errors import UsageError

ENV_VAR = "STAFETT_NOW"
DAY_STARTS, DAY_ENDS = time(8, 0), time(20, 0)


class Clock:
    """The system clock, in local time with its offset, to the second."""

    def now(self) -> datetime:
        return datetime.now().astimezone().replace(microsecond=0)

    def today(self) -> date:
        return self.now().date()


@dataclass(frozen=True)
class FixedClock(Clock):
    """A clock that starts at `start` and moves on as the real one does, so that
    commits made one after another still come in order."""

    start: datetime
    _began: datetime = field(default_factory=lambda: datetime.now().astimezone(), init=False)

    def now(self) -> datetime:
        passed = datetime.now().astimezone() - self._began
        return (self.start + passed).replace(microsecond=0)


SYSTEM = Clock()


def at(moment: date | datetime | str) -> FixedClock:
    """A clock set to a datetime, or to a date at the time of day it is now (so
    commands given one after another on one date keep their order; kept within
    working hours, so a long run never crosses midnight), or to an ISO text."""
    if isinstance(moment, str):
        moment = _parse(moment)
    if not isinstance(moment, datetime):
        of_day = min(max(datetime.now().time(), DAY_STARTS), DAY_ENDS).replace(microsecond=0)
        moment = datetime.combine(moment, of_day)
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return FixedClock(moment)


def from_environ(environ: Mapping[str, str]) -> Clock:
    value = environ.get(ENV_VAR, "").strip()
    return at(value) if value else SYSTEM


def _parse(text: str) -> date | datetime:
    try:
        if "T" in text or " " in text:
            return datetime.fromisoformat(text)
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError("bad_now", value=text[:40], var=ENV_VAR) from None
