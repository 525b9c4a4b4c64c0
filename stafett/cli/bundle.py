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
    other_receiver: Annotated[
        bool,
        typer.Option("--other-receiver", help="Til en annen enn overføringens mottaker."),
    ] = False,
) -> None:
    """Eksporter til mottakeren (export): kryptert til mottakerens nøkkel."""
    from stafett.export import export as write

    env = env_of(ctx)
    record = write(
        env.store().log(log),
        to=to,
        output=env.path(output),
        handover=handover,
        fmt=fmt,
        other_receiver=other_receiver,
    )
    emit(env, record, L("exported", env.lang, file=str(output), to=record.to))


def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Pakken (.stafett).")],
) -> None:
    """Importer en pakke (import a bundle) som ny logg; du blir stafettholder."""
    from stafett.bundle import import_file, imported_from

    env = env_of(ctx)
    log = import_file(env.store(), env.path(file))
    standing, handle = imported_from(log)
    if standing != "known":
        env.warn(L(f"exporter_{standing}", env.lang, handle=handle))
    emit(
        env,
        {"id": log.id, "short_id": log.short_id, "exporter_verified": standing == "known"},
        L("imported", env.lang, id=log.short_id),
    )


def register(app: typer.Typer) -> None:
    app.command("export")(export)
    app.command("import")(import_)
