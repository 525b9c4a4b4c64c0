"""The Norwegian school year: it starts in August, and a grade belongs to one."""

from __future__ import annotations

from datetime import date

STARTS_IN_MONTH = 8


def school_year(day: date) -> int:
    """The school year `day` falls in, named by the autumn it starts (2025 = 2025/26)."""
    return day.year if day.month >= STARTS_IN_MONTH else day.year - 1


def coming_school_year(today: date) -> int:
    """The autumn of the next school start: this year until August, then next year."""
    return today.year if today.month < STARTS_IN_MONTH else today.year + 1
