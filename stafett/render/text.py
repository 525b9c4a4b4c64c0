"""Plain text for people and JSON-shaped data for scripts.

Labels come from the catalogue, so the same value reads in bokmål or English.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from stafett.i18n import text
from stafett.ids import short
from stafett.values import label

if TYPE_CHECKING:
    from stafett.documents import Member
    from stafett.log import Damaged
    from stafett.quarantine import Quarantined
    from stafett.views import MeasureView

WIDTH = 110


def to_json_data(value: Any) -> Any:
    from stafett.documents import Record

    if isinstance(value, Record):
        return to_json_data(value.to_data())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_json_data(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not f.name.startswith("_")
        }
    if isinstance(value, dict):
        return {str(k): to_json_data(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_data(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Exception):
        return str(value)
    return value


# Characters that act on a terminal instead of showing: C0 controls but tab and
# newline, DEL, C1 controls, bidirectional marks and overrides, line separators.
INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


def visible(text: str) -> str:
    """Text someone typed, safe on a terminal: every control character shows as an
    escape (\\x1b, \\u202e) instead of acting, so a name cannot paint a green
    "(verifisert)" or turn a line around."""
    return INVISIBLE.sub(lambda m: _escape(m.group(), "x", 2), text)


def json_text(value: Any) -> str:
    """JSON for scripts; the same characters as \\u escapes, which JSON reads back
    as they were typed."""
    text = json.dumps(to_json_data(value), ensure_ascii=False, indent=2)
    return INVISIBLE.sub(lambda m: _escape(m.group(), "u", 4), text)


def _escape(char: str, letter: str, digits: int) -> str:
    code = ord(char)
    return f"\\{letter}{code:0{digits}x}" if code < 0x100 else f"\\u{code:04x}"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], width: int = WIDTH) -> str:
    from rich.console import Console
    from rich.table import Table

    grid = Table(*headers, box=None, pad_edge=False, show_edge=False, header_style="bold")
    for row in rows:
        grid.add_row(*row)
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, soft_wrap=True).print(grid)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines())


def d(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def member_line(m: Member, lang: str) -> str:
    extra = ", ".join(x for x in (m.title, m.service) if x)
    role = label("role", m.role, lang)
    line = f"{m.name} ({role}{', ' + extra if extra else ''})"
    if m.override is not None:
        line += " – " + L("override_note", lang, why=m.override.why)
    return line


def measure_rows(measures: Sequence[MeasureView], lang: str) -> list[list[str]]:
    rows = []
    for m in measures:
        due = d(m.evaluate_by) + (" " + L("overdue", lang) if m.overdue else "")
        status = label("status", m.status, lang)
        rows.append([short(m.id), m.title, m.responsible.name, status, due])
    return rows


def L(name: str, lang: str, /, **params: Any) -> str:
    return text(f"ui.{name}", lang, **params)


def indent(lines: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line for line in lines.splitlines())


def damaged_text(found: Damaged, lang: str) -> str:
    """A document written by a newer stafett is not damage: its reason says to
    update, and quarantine is not offered."""
    log, reason = short(found.log_id), found.error.message(lang)
    keys = {"newer_version": "skipped_newer", "unverified_version": "kept_version"}
    key = keys.get(found.error.key, "damaged_doc")
    return L(key, lang, file=found.path, log=log, reason=reason)


def quarantined_text(done: Quarantined, lang: str) -> str:
    lines = [
        L("quarantined", lang, file=done.path, kind=L(f"kind.{done.kind}", lang), size=done.size),
        L("quarantine_reason", lang, reason=done.reason.message(lang)),
    ]
    if done.added_by_name and done.added:
        lines.append(
            L(
                "quarantine_added",
                lang,
                who=done.added_by_name,
                when=done.added.strftime("%Y-%m-%d %H:%M"),
            )
        )
    lines.append(L("quarantine_kept", lang, commit=done.commit[:12]))
    return "\n".join(lines)
