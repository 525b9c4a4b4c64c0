"""`stafett report`: overviews across every log the caller can read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from stafett.cli.context import Env, env_of
from stafett.errors import UsageError
from stafett.render.progress import ProgressBar
from stafett.render.text import L

if TYPE_CHECKING:
    from stafett.reports import Report

PROGRESS_DELAY = 0.5

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
    from stafett.render.report import FORMATS, report_text
    from stafett.reports import run_report
    from stafett.values import parse_date

    env = env_of(ctx)
    chosen = "json" if env.json else fmt.strip().lower()
    if chosen not in FORMATS:
        raise UsageError("bad_report_format", allowed=", ".join(FORMATS))
    store = env.store()
    delay = env.environ.get("STAFETT_PROGRESS_DELAY", "")
    bar = ProgressBar(
        env.io.stderr,
        shown=env.io.stderr_isatty,
        title=L("report_progress", env.lang),
        delay=float(delay) if delay.replace(".", "", 1).isdigit() else PROGRESS_DELAY,
    )
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
    rendered = report_text(report, chosen, env.lang, store.settings.level_name)
    if rendered:
        env.out(rendered)
    _footer(env, report, options)


def _footer(env: Env, report: Report, options: dict[str, Any]) -> None:
    if report.skipped:
        env.warn(L("skipped_logs", env.lang, count=report.skipped))
    if report.damaged:
        env.warn(L("damaged_logs", env.lang, count=report.damaged))
    if report.hidden:
        env.warn(L("unreadable_docs", env.lang, count=report.hidden))
    if report.damaged_documents:
        env.warn(L("damaged_docs", env.lang, count=report.damaged_documents))
    if report.name == "due" and options.get("responsible") and not report.rows:
        env.warn(L("responsible_hint", env.lang))


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
