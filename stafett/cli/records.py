"""Adding to a log: concern, measure, evaluation, meeting, voice, note."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from stafett.cli.context import LogArg, emit, env_of, option_text
from stafett.ids import short
from stafett.render.text import L, measure_rows, table

if TYPE_CHECKING:
    from stafett.documents import Document

Audience = Annotated[
    str | None, typer.Option("--audience", help="Bare disse kan lese, f.eks. kari,ahmed.")
]
concern_app = typer.Typer(help="Undring og bekymring.", no_args_is_help=True)
measure_app = typer.Typer(help="Tiltak og evaluering.", no_args_is_help=True)
meeting_app = typer.Typer(help="Samarbeidsmøter.", no_args_is_help=True)
voice_app = typer.Typer(help="Barnets stemme.", no_args_is_help=True)
note_app = typer.Typer(help="Notater.", no_args_is_help=True)


def _saved(ctx: typer.Context, doc: Document) -> None:
    env = env_of(ctx)
    emit(env, doc, L("saved", env.lang, kind=L(f"kind.{doc.kind}", env.lang), id=short(doc.id)))


@concern_app.command("add")
def add_concern(
    ctx: typer.Context,
    log: LogArg,
    text: Annotated[str, typer.Argument()],
    audience: Audience = None,
) -> None:
    """Skriv ned en undring eller bekymring (add a concern)."""
    _saved(ctx, env_of(ctx).store().log(log).add_concern(text, audience=audience))


@measure_app.command("add")
def add_measure(
    ctx: typer.Context,
    log: LogArg,
    title: Annotated[str, typer.Option("--title")],
    goal: Annotated[str, typer.Option("--goal")],
    responsible: Annotated[str, typer.Option("--responsible", help="Kallenavn.")],
    evaluate_by: Annotated[str, typer.Option("--evaluate-by")],
    start: Annotated[str | None, typer.Option("--start")] = None,
    description: Annotated[str | None, typer.Option("--description")] = None,
    audience: Audience = None,
) -> None:
    """Legg til et tiltak (add a measure) med ansvarlig og evalueringsdato."""
    doc = (
        env_of(ctx)
        .store()
        .log(log)
        .add_measure(
            title=title,
            goal=goal,
            responsible=responsible,
            evaluate_by=evaluate_by,
            start=start,
            description=description,
            audience=audience,
        )
    )
    _saved(ctx, doc)


@measure_app.command("evaluate")
def evaluate(
    ctx: typer.Context,
    log: LogArg,
    measure: Annotated[str, typer.Argument(help="Tiltakets id.")],
    result: Annotated[str, typer.Option("--result", help="oppnådd, delvis oppnådd, ikke oppnådd.")],
    next_step: Annotated[
        str, typer.Option("--next", help="fortsette, justere, avslutte, nytt tiltak.")
    ],
    child_said: Annotated[str | None, typer.Option("--child-said")] = None,
    text: Annotated[str | None, typer.Option("--text", help="Vurderingen.")] = None,
    evaluate_by: Annotated[str | None, typer.Option("--evaluate-by")] = None,
    when: Annotated[str | None, typer.Option("--date")] = None,
) -> None:
    """Evaluer et tiltak (evaluate a measure)."""
    doc = (
        env_of(ctx)
        .store()
        .log(log)
        .evaluate_measure(
            measure,
            result=result,
            next=next_step,
            when=when,
            text=text,
            child_said=child_said,
            evaluate_by=evaluate_by,
        )
    )
    _saved(ctx, doc)


@measure_app.command("update")
def update_measure(
    ctx: typer.Context,
    log: LogArg,
    measure: Annotated[str, typer.Argument(help="Tiltakets id.")],
    title: Annotated[str | None, typer.Option("--title", help="Ny tittel.")] = None,
    goal: Annotated[str | None, typer.Option("--goal", help="Nytt mål.")] = None,
    responsible: Annotated[str | None, typer.Option("--responsible", help="Kallenavn.")] = None,
    evaluate_by: Annotated[str | None, typer.Option("--evaluate-by", help="Ny dato.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="planlagt, aktivt, ...")] = None,
) -> None:
    """Endre et tiltak (update a measure): bare feltene du oppgir."""
    doc = (
        env_of(ctx)
        .store()
        .log(log)
        .update_measure(
            measure,
            title=title,
            goal=goal,
            responsible=responsible,
            evaluate_by=evaluate_by,
            status=status,
        )
    )
    _saved(ctx, doc)


@measure_app.command("list")
def list_measures(
    ctx: typer.Context,
    log: LogArg,
    status: Annotated[str | None, typer.Option("--status")] = None,
) -> None:
    """Vis tiltakene (list measures) med ansvarlig og evalueringsdato."""
    env = env_of(ctx)
    measures = env.store().log(log).measures(status)
    rows = measure_rows(measures, env.lang)
    headers = [L(h, env.lang) for h in ("id", "measure", "responsible", "status", "evaluate_by")]
    emit(env, measures, table(headers, rows) if rows else L("none", env.lang))


@meeting_app.command("add")
def add_meeting(
    ctx: typer.Context,
    log: LogArg,
    when: Annotated[str, typer.Option("--date")],
    participants: Annotated[str, typer.Option("--participants", help="nora,kari,lise,emma")],
    child_present: Annotated[
        str, typer.Option("--child-present", help="hele møtet, deler av møtet, ikke til stede.")
    ],
    minutes: Annotated[str | None, typer.Option("--minutes", help="Referat, eller @FIL.")] = None,
    edit: Annotated[bool, typer.Option("--edit", help="Skriv referatet i $EDITOR.")] = False,
    agenda: Annotated[list[str] | None, typer.Option("--agenda", help="Én sak; gjentas.")] = None,
    decision: Annotated[list[str] | None, typer.Option("--decision", help="Gjentas.")] = None,
    child_minutes: Annotated[int | None, typer.Option("--child-minutes")] = None,
    audience: Audience = None,
) -> None:
    """Skriv referat fra et møte (record a meeting)."""
    from stafett.cli.editor import edit_text

    env = env_of(ctx)
    text = edit_text(env.environ) if edit else option_text(env, minutes)
    doc = (
        env.store()
        .log(log)
        .add_meeting(
            when=when,
            participants=participants,
            child_present=child_present,
            minutes=text or "",
            agenda=agenda or (),
            decisions=decision or (),
            child_minutes=child_minutes,
            audience=audience,
        )
    )
    _saved(ctx, doc)


@voice_app.command("add")
def add_voice(
    ctx: typer.Context,
    log: LogArg,
    words: Annotated[str, typer.Argument(help="Barnets egne ord, ordrett.")],
    how: Annotated[str, typer.Option("--how", help="Hvordan barnet sa det.")],
    when: Annotated[str | None, typer.Option("--date")] = None,
    child_reviewed: Annotated[bool | None, typer.Option("--child-reviewed/--not-reviewed")] = None,
    audience: Audience = None,
) -> None:
    """Skriv ned barnets egne ord (record the child's voice)."""
    doc = (
        env_of(ctx)
        .store()
        .log(log)
        .add_voice(words, how=how, when=when, child_reviewed=child_reviewed, audience=audience)
    )
    _saved(ctx, doc)


@note_app.command("add")
def add_note(
    ctx: typer.Context,
    log: LogArg,
    text: Annotated[str, typer.Argument()],
    audience: Audience = None,
) -> None:
    """Skriv et notat (add a note)."""
    _saved(ctx, env_of(ctx).store().log(log).add_note(text, audience=audience))


def register(app: typer.Typer) -> None:
    for name, sub in (
        ("concern", concern_app),
        ("measure", measure_app),
        ("meeting", meeting_app),
        ("voice", voice_app),
        ("note", note_app),
    ):
        app.add_typer(sub, name=name)
