"""`stafett member`: who takes part in a log."""

from __future__ import annotations

from typing import Annotated

import typer

from stafett.cli.context import LogArg, env_of
from stafett.cli.render import L, emit

member_app = typer.Typer(help="Medlemmer av en logg.", no_args_is_help=True)


@member_app.command("add")
def add(
    ctx: typer.Context,
    log: LogArg,
    person: Annotated[str | None, typer.Argument(help="Kallenavn i personregisteret.")] = None,
    role: Annotated[
        str | None,
        typer.Option("--role", help="professional, guardian, child, youth-helper, observer."),
    ] = None,
    handle: Annotated[str | None, typer.Option("--handle")] = None,
    name: Annotated[str | None, typer.Option("--name")] = None,
    title: Annotated[str | None, typer.Option("--title", help="F.eks. mor, far.")] = None,
    service: Annotated[str | None, typer.Option("--service")] = None,
    recipient: Annotated[str | None, typer.Option("--recipient", help="age1...")] = None,
) -> None:
    """Legg til et medlem (add a member): fagperson fra registeret, eller foresatt/barn."""
    env = env_of(ctx)
    member = (
        env.store()
        .log(log)
        .add_member(
            person,
            role=role,
            handle=handle,
            name=name,
            title=title,
            service=service,
            recipient=recipient,
        )
    )
    emit(env, member, L("member_added", env.lang, handle=member.handle))


def register(app: typer.Typer) -> None:
    app.add_typer(member_app, name="member")
