"""Plain text for people and JSON-shaped data for scripts.

Labels come from the catalogue, so the same value reads in bokmål or English.
"""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from stafett.i18n import text
from stafett.ids import short
from stafett.values import label

if TYPE_CHECKING:
    from stafett.documents import Member
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


def json_text(value: Any) -> str:
    return json.dumps(to_json_data(value), ensure_ascii=False, indent=2)


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
