"""Parsing what people type: dates, lists, and enumerations given by label or code."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from stafett.errors import UsageError
from stafett.i18n import LANGUAGES, text

_NORWEGIAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_HANDLE = re.compile(r"^[a-z0-9æøå][a-z0-9æøå._-]{0,39}$")

CHOICES: dict[str, tuple[str, ...]] = {
    "result": ("achieved", "partly", "not_achieved"),
    "next": ("continue", "adjust", "stop", "new"),
    "child_present": ("whole", "part", "no"),
    "status": ("planned", "active", "completed", "stopped"),
    "role": ("coordinator", "professional", "guardian", "child", "youth-helper", "observer"),
}


def parse_date(value: str | date, field: str) -> date:
    """Accept 2025-09-22 and 22.09.2025, as coordinators write both."""
    if isinstance(value, date):
        return value
    raw = value.strip()
    try:
        match = _NORWEGIAN_DATE.match(raw)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            return date.fromisoformat(raw)
    except ValueError:
        pass
    raise UsageError("bad_date", field=field)


def parse_list(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(i.strip() for i in items if i.strip())


def parse_choice(field: str, value: str) -> str:
    """A code ("partly") or its label in any language ("delvis oppnådd")."""
    wanted = value.strip().casefold()
    for code in CHOICES[field]:
        names = {code, *(text(f"{field}.{code}", lang).casefold() for lang in LANGUAGES)}
        if wanted in names:
            return code
    allowed = ", ".join(text(f"{field}.{c}", "nb") for c in CHOICES[field])
    raise UsageError("bad_choice", field=field, allowed=allowed)


def label(field: str, code: str, lang: str) -> str:
    return text(f"{field}.{code}", lang)


def check_handle(handle: str) -> str:
    handle = handle.strip().lower()
    if not _HANDLE.match(handle):
        raise UsageError("bad_handle")
    return handle


def handle_from_name(name: str) -> str:
    first = name.strip().split()[0].lower() if name.strip() else ""
    cleaned = re.sub(r"[^a-z0-9æøå._-]", "", first)
    return cleaned or "person"


NAME_LIMIT = 500  # a name, a school, a title: one line (common.schema.json short_text)


def check_text(value: str | None, field: str, limit: int | None = None) -> str:
    if value is None or not value.strip():
        raise UsageError("empty_field", field=field)
    if limit is not None and len(value.strip()) > limit:
        raise UsageError("field_too_long", field=field)
    return value.strip()


def optional_text(value: str | None) -> str | None:
    """Stripped text, or None for nothing or only white space."""
    return value.strip() if value and value.strip() else None


def utf8_text(raw: bytes, name: str) -> str:
    """Text a person hands over (a card, a file of minutes) must be UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError("not_utf8", file=name) from None
