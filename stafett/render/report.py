"""Report rows as text: a table for people, CSV and JSON lines for scripts."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date

from stafett.ids import short
from stafett.render.text import L, d, table, to_json_data
from stafett.reports import Report, Value
from stafett.values import label

FORMATS = ("table", "csv", "json")
REPORT_WIDTH = 160


def report_text(report: Report, fmt: str, lang: str, level_name: Callable[[int], str]) -> str:
    """JSON lines and CSV carry codes and ISO dates for scripts; the table is for people."""
    if fmt == "json":
        return "\n".join(json.dumps(to_json_data(r), ensure_ascii=False) for r in report.rows)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(report.columns)
        for row in report.rows:
            writer.writerow([_csv_value(row[c]) for c in report.columns])
        return out.getvalue().rstrip("\n")
    if not report.rows:
        return L("report_empty", lang)
    headers = [L(f"col.{c}", lang) for c in report.columns]
    rows = [[_cell(c, row[c], lang, level_name) for c in report.columns] for row in report.rows]
    return table(headers, rows, width=REPORT_WIDTH)


def _csv_value(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, date) else str(value)


def _cell(column: str, value: Value, lang: str, level_name: Callable[[int], str]) -> str:
    if value is None:
        return L("no_service", lang) if column == "service" else "–"
    if isinstance(value, bool):
        return L("yes" if value else "no", lang)
    if column in ("log", "measure_id"):
        return short(str(value))
    if column in ("transition", "problem"):
        return label(f"report.{column}", str(value), lang)
    if column == "status":
        return label("status", str(value), lang)
    if column == "level" and isinstance(value, int):
        return f"{value} {level_name(value)}"
    if column in ("grade", "next_grade") and isinstance(value, int):
        return L(f"grade_{value}", lang) if value in (0, 11, 12, 13) else f"{value}."
    if isinstance(value, date):
        return d(value)
    return str(value)
