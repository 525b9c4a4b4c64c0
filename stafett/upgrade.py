"""Older document versions, brought up to the current one as they are read.

Every document says which version of its kind's format it was written in. A
document from an older stafett is upgraded step by step through the table below
(one small fixer per step, as httpie keeps its session fixers), then validated
against today's schema; it is written in the current version the next time it
changes. A document from a newer stafett is refused with a plain message: read
with today's schema it could be misread, not just rejected.

Each fixer has an old/new pair of fixtures in tests/data/<kind>/.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from stafett.documents import DOCUMENT_CLASSES
from stafett.errors import InvalidDocument
from stafett.schoolyear import school_year

Data = dict[str, Any]
Fixer = Callable[[Data], Data]


def _log_1_to_2(data: Data) -> Data:
    """Version 2 records the school year the child's grade is for. Version 1 meant
    the year the log was created in; a log imported later was read a year off."""
    created = data["created"]
    day = created.date() if isinstance(created, datetime) else _day(created)
    return {**data, "child": {**data["child"], "grade_year": school_year(day)}}


# (kind, version) -> the fixer that makes it version + 1
FIXERS: dict[tuple[str, int], Fixer] = {
    ("log", 1): _log_1_to_2,
}


def current_version(kind: str) -> int:
    return DOCUMENT_CLASSES[kind].VERSION


def upgrade(data: Data, file: str) -> Data:
    """`data` in the current version of its kind; refuses a newer version."""
    kind = str(data.get("kind"))
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InvalidDocument("schema_bad_value", file=file, field="version")
    current = current_version(kind)
    if version > current:
        raise InvalidDocument("newer_version", file=file, version=version, known=current)
    while version < current:
        try:
            data = {**FIXERS[(kind, version)](data), "version": version + 1}
        except (KeyError, TypeError, ValueError, AttributeError):
            return data  # damaged: left as it is, for the schema to say what is wrong
        version += 1
    return data


def _day(value: Any) -> date:
    try:
        return datetime.fromisoformat(str(value)).date()
    except ValueError:
        return date.fromisoformat(str(value)[:10])
