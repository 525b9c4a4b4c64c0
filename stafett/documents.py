"""Typed documents, one frozen dataclass per kind.

Field order is schema order, so a dumped document reads the same every time. The
conversion to and from plain data is generic over the type hints, so a new field
is one line in a class and one in its schema.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar, Self

from stafett.errors import InvalidDocument

FORMAT_VERSION = 1


@dataclass(frozen=True, kw_only=True)
class Record:
    """Base of everything stored as a mapping: converts to and from plain data."""

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None or (value == () and f.default == ()):
                continue
            data[f.metadata.get("key", f.name)] = _dump_value(value)
        return data

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Self:
        hints = _hints(typing.cast(type, cls))
        names = _field_names(typing.cast(type, cls))
        values = {}
        for key, value in data.items():
            if key in names:
                try:
                    values[names[key]] = _load_value(hints[names[key]], value)
                except (ValueError, TypeError, OverflowError):
                    raise InvalidDocument("schema_bad_value", file="", field=key) from None
        try:
            return cls(**values)
        except TypeError:
            raise InvalidDocument("schema_bad_value", file="", field=cls.__name__) from None


@dataclass(frozen=True, kw_only=True)
class Alternative(Record):
    """One side's value of a field two people changed differently, and who did."""

    value: Any
    by: str


@dataclass(frozen=True, kw_only=True)
class Disagreement(Record):
    """A field a merge could not settle: the value in place is the first of `values`."""

    field: str
    values: tuple[Alternative, ...]


@dataclass(frozen=True, kw_only=True)
class Document(Record):
    """Fields every document carries; `audience` None means all current members."""

    KIND: ClassVar[str] = ""
    VERSION: ClassVar[int] = 1  # this kind's current format; stafett.upgrade brings older up
    id: str
    created: dt.datetime
    created_by: str
    audience: tuple[str, ...] | None = None
    log: str | None = None  # the log it belongs to, inside the encryption; root kinds: id
    conflicts: tuple[Disagreement, ...] = ()  # left by a merge until someone resolves them

    @property
    def kind(self) -> str:
        return self.KIND

    @property
    def path(self) -> str:
        return document_path(self.KIND, self.id)

    def to_data(self) -> dict[str, Any]:
        return {"kind": self.KIND, "version": self.VERSION, **super().to_data()}


@dataclass(frozen=True, kw_only=True)
class Child(Record):
    name: str
    born: dt.date
    national_id: str | None = None
    school: str
    grade: int
    grade_year: int  # the school year `grade` is for, by its autumn: 2025 is 2025/26
    language: str | None = None


@dataclass(frozen=True, kw_only=True)
class LogProfile(Document):
    KIND: ClassVar[str] = "log"
    VERSION: ClassVar[int] = 2
    child: Child
    status: str = "open"
    level: int
    coordinator: str
    coordinator_pending: str | None = None
    opened: dt.date
    closed: dt.date | None = None
    close_reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class Override(Record):
    """A member added without a consent that covers their service: visible, explained."""

    why: str
    by: str
    date: dt.date


@dataclass(frozen=True, kw_only=True)
class Member(Record):
    id: str
    handle: str
    name: str
    role: str
    title: str | None = None
    service: str | None = None
    recipient: str | None = None
    signing_key: str | None = None
    since: dt.date
    until: dt.date | None = None
    override: Override | None = None

    @property
    def active(self) -> bool:
        return self.until is None


@dataclass(frozen=True, kw_only=True)
class MemberList(Document):
    KIND: ClassVar[str] = "members"
    members: tuple[Member, ...]

    @property
    def current(self) -> tuple[Member, ...]:
        return tuple(m for m in self.members if m.active)


@dataclass(frozen=True, kw_only=True)
class Withdrawal(Record):
    date: dt.date
    by: str
    services: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Consent(Document):
    KIND: ClassVar[str] = "consent"
    given_by: tuple[str, ...]
    child_heard: bool
    child_said: str | None = None
    services: tuple[str, ...]
    purpose: str | None = None
    valid_from: dt.date
    valid_until: dt.date
    reference: str | None = None
    withdrawn: tuple[Withdrawal, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Concern(Document):
    KIND: ClassVar[str] = "concern"
    text: str
    level_at_time: int | None = None


@dataclass(frozen=True, kw_only=True)
class Measure(Document):
    KIND: ClassVar[str] = "measure"
    title: str
    goal: str
    description: str | None = None
    responsible: str
    start: dt.date
    evaluate_by: dt.date
    status: str = "active"
    catalogue_ref: str | None = None


@dataclass(frozen=True, kw_only=True)
class Evaluation(Document):
    KIND: ClassVar[str] = "evaluation"
    measure: str
    date: dt.date
    result: str
    text: str | None = None
    child_said: str | None = None
    next: str
    evaluate_by: dt.date | None = None


@dataclass(frozen=True, kw_only=True)
class Meeting(Document):
    KIND: ClassVar[str] = "meeting"
    date: dt.date
    participants: tuple[str, ...]
    child_present: str
    child_minutes: int | None = None
    agenda: tuple[str, ...] = ()
    minutes: str
    decisions: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Voice(Document):
    KIND: ClassVar[str] = "voice"
    date: dt.date
    words: str
    how: str
    child_reviewed: bool | None = None


@dataclass(frozen=True, kw_only=True)
class LevelChange(Document):
    KIND: ClassVar[str] = "level"
    level: int
    why: str
    date: dt.date


@dataclass(frozen=True, kw_only=True)
class Handover(Document):
    KIND: ClassVar[str] = "handover"
    from_service: str
    to: str
    to_service: str
    transition: str
    starts: dt.date
    includes: tuple[str, ...]
    continue_: str | None = dataclasses.field(default=None, metadata={"key": "continue"})
    child_wants: str | None = None
    child_reviewed: bool


@dataclass(frozen=True, kw_only=True)
class Disclosure(Document):
    """An export, remembered in the source log: what went to whom, and how."""

    KIND: ClassVar[str] = "disclosure"
    to: str
    recipient: str
    format: str
    handover: str
    bundle_id: str
    includes: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Exporter(Record):
    name: str
    service: str | None = None
    signing_key: str
    known: bool | None = None


@dataclass(frozen=True, kw_only=True)
class Provenance(Document):
    KIND: ClassVar[str] = "provenance"
    bundle_id: str
    source_log: str
    source_commit: str
    municipality: str | None = None
    exporter: Exporter
    exported: dt.datetime
    handover: str
    files: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class Note(Document):
    KIND: ClassVar[str] = "note"
    text: str


DOCUMENT_CLASSES: dict[str, type[Document]] = {
    cls.KIND: cls
    for cls in (
        LogProfile,
        MemberList,
        Consent,
        Concern,
        Measure,
        Evaluation,
        Meeting,
        Voice,
        LevelChange,
        Handover,
        Disclosure,
        Provenance,
        Note,
    )
}
ROOT_KINDS = ("log", "members")
COORDINATOR_KINDS = ("consent", "handover")  # written by the one who holds the baton
SUFFIX = ".yaml.age"


def document_path(kind: str, doc_id: str) -> str:
    """Where a document lives, relative to its log folder (always '/'-separated)."""
    return f"{kind}{SUFFIX}" if kind in ROOT_KINDS else f"{kind}/{doc_id}{SUFFIX}"


def from_data(data: dict[str, Any]) -> Document:
    """Build the typed document of a validated mapping."""
    return DOCUMENT_CLASSES[data["kind"]].from_data(data)


@lru_cache(maxsize=64)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@lru_cache(maxsize=64)
def _field_names(cls: type) -> dict[str, str]:
    """Stored key -> field name; a key may differ where it is a Python keyword."""
    return {f.metadata.get("key", f.name): f.name for f in dataclasses.fields(cls)}


def _dump_value(value: Any) -> Any:
    if isinstance(value, Record):
        return value.to_data()
    if isinstance(value, tuple):
        return [_dump_value(v) for v in value]
    return value


def _load_value(hint: Any, value: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in typing.get_args(hint) if a is not type(None)]
        return None if value is None else _load_value(inner[0], value)
    if origin is tuple:
        (item, _ellipsis) = typing.get_args(hint)
        return tuple(_load_value(item, v) for v in value)
    if isinstance(hint, type) and issubclass(hint, Record):
        return hint.from_data(value)
    if hint is dt.datetime and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    if hint is dt.date and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if hint is dt.date and isinstance(value, dt.datetime):
        return value.date()
    return value
