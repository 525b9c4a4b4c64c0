"""`stafett people`: the directory of professionals' public cards."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stafett.cli.context import emit, env_of
from stafett.render.text import L, table

people_app = typer.Typer(
    help="Personregisteret: fagpersoners offentlige kort.", no_args_is_help=True
)


@people_app.command("add")
def add(
    ctx: typer.Context,
    card_file: Annotated[
        Path | None, typer.Argument(help="Et kort fra «stafett key show».")
    ] = None,
    handle: Annotated[str | None, typer.Option("--handle", help="Kort navn, f.eks. kari.")] = None,
    name: Annotated[str | None, typer.Option("--name")] = None,
    role: Annotated[str | None, typer.Option("--role", help="Stilling.")] = None,
    service: Annotated[str | None, typer.Option("--service")] = None,
    recipient: Annotated[str | None, typer.Option("--recipient", help="age1...")] = None,
) -> None:
    """Legg til en fagperson (add a professional) fra et kort eller med opplysninger."""
    from stafett.people import make_card, read_card

    env = env_of(ctx)
    card = (
        read_card(env.path(card_file))
        if card_file is not None
        else make_card(
            name=name or "", title=role or "", service=service, recipient=recipient or ""
        )
    )
    added = env.store().add_person(card, handle)
    if not added.signing_key:
        env.warn(L("no_signing_key_warning", env.lang, handle=added.handle))
    emit(env, added, L("person_added", env.lang, handle=added.handle))


@people_app.command("update")
def update(
    ctx: typer.Context,
    handle: Annotated[str, typer.Argument(help="Kallenavnet i registeret.")],
    card: Annotated[
        Path | None, typer.Option("--card", help="Personens kort («stafett key show»).")
    ] = None,
    signing_key: Annotated[
        str | None, typer.Option("--signing-key", help="ssh-ed25519 ...")
    ] = None,
) -> None:
    """Oppdater en fagperson (update a professional) fra kortet.

    Kortet gir signeringsnøkkel, navn, stilling og tjeneste; det må gjelde samme
    nøkkel (age1...) som personen er registrert med."""
    from stafett.people import read_card

    env = env_of(ctx)
    given = read_card(env.path(card)) if card is not None else None
    updated = env.store().update_person(handle, card=given, signing_key=signing_key)
    emit(env, updated, L("person_updated", env.lang, handle=updated.handle))


@people_app.command("list")
def list_people(ctx: typer.Context) -> None:
    """Vis personregisteret (list the professionals)."""
    env = env_of(ctx)
    people = env.store().people()
    rows = [[p.handle or "", p.name, p.title, p.service or ""] for p in people]
    headers = [L(h, env.lang) for h in ("handle", "name", "title", "service")]
    emit(env, people, table(headers, rows) if rows else L("nobody", env.lang))


def register(app: typer.Typer) -> None:
    app.add_typer(people_app, name="people")
