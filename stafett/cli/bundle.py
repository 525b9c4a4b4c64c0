"""`stafett export` and `stafett import`: handing a log to the receiving school."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stafett.cli.context import LogArg, emit, env_of
from stafett.render.text import L


def export(
    ctx: typer.Context,
    log: LogArg,
    to: Annotated[str, typer.Option("--to", help="Mottakeren: kallenavn eller age1...")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Filen som skrives.")],
    handover: Annotated[
        str | None, typer.Option("--handover", help="Overføringen (siste).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="bundle, json eller html.")] = "bundle",
) -> None:
    """Eksporter til mottakeren (export): kryptert til mottakerens nøkkel."""
    from stafett.export import export as write

    env = env_of(ctx)
    target = env.path(output)
    record = write(env.store().log(log), to=to, output=target, handover=handover, fmt=fmt)
    emit(env, record, L("exported", env.lang, file=str(output), to=record.to))


def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Pakken (.stafett).")],
) -> None:
    """Importer en pakke (import a bundle) som ny logg; du blir stafettholder."""
    from stafett.bundle import import_file

    env = env_of(ctx)
    log = import_file(env.store(), env.path(file))
    emit(env, {"id": log.id, "short_id": log.short_id}, L("imported", env.lang, id=log.short_id))


def register(app: typer.Typer) -> None:
    app.command("export")(export)
    app.command("import")(import_)
