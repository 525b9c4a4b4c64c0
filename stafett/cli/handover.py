"""`stafett handover`: write the handover, and print its report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from stafett.cli.context import Env, LogArg, emit, env_of
from stafett.fsutil import write_text_atomic
from stafett.ids import short
from stafett.render.text import L


class DefaultToCreate(typer.core.TyperGroup):
    """`stafett handover LOG ...` writes a handover; `stafett handover report ...` reads
    one. A first word that is no subcommand means `create`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["create", *args]
        return list(super().parse_args(ctx, args))


IncludeOpt = Annotated[
    str,
    typer.Option(
        "--include",
        help="Id-er eller typer: tiltak,stemme,... En type tar bare det alle medlemmer"
        " kan lese; begrenset lesergruppe tas med når id-en nevnes.",
    ),
]

handover_app = typer.Typer(
    cls=DefaultToCreate, no_args_is_help=True, help="Overføring til ny skole eller tjeneste."
)


@handover_app.command("create")
def create(
    ctx: typer.Context,
    log: LogArg,
    to: Annotated[str, typer.Option("--to", help="Mottakeren (kallenavn eller navn).")],
    to_service: Annotated[str, typer.Option("--to-service", help="Den nye tjenesten.")],
    transition: Annotated[
        str, typer.Option("--transition", help="F.eks. barneskole til ungdomsskole.")
    ],
    starts: Annotated[str, typer.Option("--starts", help="Når barnet begynner.")],
    include: IncludeOpt,
    exclude: Annotated[str | None, typer.Option("--exclude")] = None,
    continue_with: Annotated[
        str | None, typer.Option("--continue", help="Det bør fortsette.")
    ] = None,
    child_wants: Annotated[
        str | None, typer.Option("--child-wants", help="Barnets egne ord.")
    ] = None,
    child_reviewed: Annotated[
        bool, typer.Option("--child-reviewed", help="Barnet har sett pakken.")
    ] = False,
) -> None:
    """Skriv en overføring (write a handover): bare det som er valgt og samtykket til."""
    from stafett.handover import write

    env = env_of(ctx)
    written = write(
        env.store().log(log),
        to=to,
        to_service=to_service,
        transition=transition,
        starts=starts,
        include=include,
        exclude=exclude,
        continue_with=continue_with,
        child_wants=child_wants,
        child_reviewed=child_reviewed,
    )
    _tell_left_out(env, written.left_out)
    saved = L("saved", env.lang, kind=L("kind.handover", env.lang), id=short(written.handover.id))
    emit(env, written.handover, saved)


def _tell_left_out(env: Env, left_out: tuple[str, ...]) -> None:
    """Which restricted documents a kind did not carry: short ids, never content."""
    if left_out:
        shorts = ", ".join(short(i) for i in left_out)
        env.warn(L("handover_left_out", env.lang, count=len(left_out), ids=shorts))


@handover_app.command("report")
def report(
    ctx: typer.Context,
    log: LogArg,
    handover: Annotated[str, typer.Argument(help="Overføringens id.")],
    fmt: Annotated[str, typer.Option("--format", help="md eller html.")] = "md",
    output: Annotated[Path | None, typer.Option("-o", "--output")] = None,
) -> None:
    """Rapporten til mottakeren (the report for the receiver), i Markdown eller HTML."""
    from stafett.handover import package
    from stafett.render.handover import handover_text

    env = env_of(ctx)
    text = handover_text(package(env.store().log(log), handover), fmt, env.lang)
    if output is None:
        env.out(text.rstrip("\n"))
    else:
        write_text_atomic(env.path(output), text)


def register(app: typer.Typer) -> None:
    app.add_typer(handover_app, name="handover")
