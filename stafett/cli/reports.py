"""`stafett report`: overviews across every log the caller can read."""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer

from stafett.cli.context import Env, env_of
from stafett.cli.render import L, d, table, to_json_data
from stafett.errors import UsageError
from stafett.ids import short
from stafett.values import label

if TYPE_CHECKING:
    from collections.abc import Callable

    from rich.progress import Progress, TaskID

    from stafett.reports import Report, Value

FORMATS = ("table", "csv", "json")
PROGRESS_DELAY = 0.5
REPORT_WIDTH = 160

report_app = typer.Typer(
    no_args_is_help=True,
    help="Oversikter over alle logger du kan lese (reports across every log you can read).",
)

FormatOpt = Annotated[str, typer.Option("--format", help="table, csv eller json (JSON-linjer).")]
DateOpt = Annotated[
    str | None, typer.Option("--date", help="Lag rapporten per denne datoen (standard: i dag).")
]
JobsOpt = Annotated[
    int | None, typer.Option("--jobs", min=1, help="Antall prosesser (standard: én per kjerne).")
]


@report_app.command("due")
def due(
    ctx: typer.Context,
    within: Annotated[
        str, typer.Option("--within", help="Frist innen: 14d, 2w/2u (standard 14d).")
    ] = "14d",
    responsible: Annotated[
        str | None, typer.Option("--responsible", help="Bare tiltak med denne ansvarlige.")
    ] = None,
    fmt: FormatOpt = "table",
    as_of: DateOpt = None,
    jobs: JobsOpt = None,
) -> None:
    """Evalueringer som forfaller eller er forfalt (evaluations due or overdue)."""
    _run(ctx, "due", fmt, as_of, jobs, within=within, responsible=responsible)


@report_app.command("transitions")
def transitions(
    ctx: typer.Context,
    year: Annotated[
        int | None, typer.Option("--year", help="Skolestart høsten dette året (standard: neste).")
    ] = None,
    fmt: FormatOpt = "table",
    as_of: DateOpt = None,
    jobs: JobsOpt = None,
) -> None:
    """Barn som bytter skolenivå (barnehage→1., 7.→8., 10.→vg1)."""
    _run(ctx, "transitions", fmt, as_of, jobs, year=year)


@report_app.command("consent")
def consent(
    ctx: typer.Context,
    within: Annotated[
        str, typer.Option("--within", help="Utløper innen: 30d, 4w/4u (standard 30d).")
    ] = "30d",
    fmt: FormatOpt = "table",
    as_of: DateOpt = None,
    jobs: JobsOpt = None,
) -> None:
    """Samtykke som mangler, snart utløper, eller må fornyes etter barnets alder."""
    _run(ctx, "consent", fmt, as_of, jobs, within=within)


@report_app.command("retention")
def retention(
    ctx: typer.Context, fmt: FormatOpt = "table", as_of: DateOpt = None, jobs: JobsOpt = None
) -> None:
    """Lukkede logger som har passert oppbevaringstiden (closed logs past retention)."""
    _run(ctx, "retention", fmt, as_of, jobs)


@report_app.command("stats")
def stats(
    ctx: typer.Context,
    by: Annotated[
        str, typer.Option("--by", help="level, service, status, grade, opened (kommaliste).")
    ] = "level",
    fmt: FormatOpt = "table",
    as_of: DateOpt = None,
    jobs: JobsOpt = None,
) -> None:
    """Anonym statistikk: antall logger, tall under 5 vises som «<5», ingen navn."""
    _run(ctx, "stats", fmt, as_of, jobs, by=by)


def _run(
    ctx: typer.Context,
    name: str,
    fmt: str,
    as_of: str | None,
    jobs: int | None,
    **options: Any,
) -> None:
    from stafett.reports import run_report
    from stafett.values import parse_date

    env = env_of(ctx)
    chosen = "json" if env.json else fmt.strip().lower()
    if chosen not in FORMATS:
        raise UsageError("bad_report_format", allowed=", ".join(FORMATS))
    store = env.store()
    bar = ProgressBar(env)
    try:
        report = run_report(
            store,
            name,
            today=parse_date(as_of, "date") if as_of else None,
            workers=jobs,
            progress=bar,
            **options,
        )
    finally:
        bar.close()
    rendered = render(report, chosen, env.lang, store.settings.level_name)
    if rendered:
        env.out(rendered)
    _footer(env, report, options)


def render(report: Report, fmt: str, lang: str, level_name: Callable[[int], str]) -> str:
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


def _footer(env: Env, report: Report, options: dict[str, Any]) -> None:
    if report.skipped:
        env.warn(L("skipped_logs", env.lang, count=report.skipped))
    if report.damaged:
        env.warn(L("damaged_logs", env.lang, count=report.damaged))
    if report.hidden:
        env.warn(L("unreadable_docs", env.lang, count=report.hidden))
    if report.name == "due" and options.get("responsible") and not report.rows:
        env.warn(L("responsible_hint", env.lang))


class ProgressBar:
    """A bar on stderr, shown only on a terminal and only once a run lasts a moment.

    Refreshed by hand (no refresh thread), since reports fork worker processes."""

    def __init__(self, env: Env) -> None:
        self._env = env
        self._start = time.monotonic()
        delay = env.environ.get("STAFETT_PROGRESS_DELAY", "")
        self._delay = float(delay) if delay.replace(".", "", 1).isdigit() else PROGRESS_DELAY
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            if time.monotonic() - self._start < self._delay or not sys.stderr.isatty():
                return
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(console=Console(stderr=True), transient=True, auto_refresh=False)
            self._bar.start()
            self._task = self._bar.add_task(L("report_progress", self._env.lang), total=total)
        assert self._task is not None
        self._bar.update(self._task, completed=done)
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
