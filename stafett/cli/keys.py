"""`stafett key`: make and show your own key."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stafett.cli.context import Env, emit, env_of
from stafett.errors import NoAccess, NotFound, UsageError
from stafett.fsutil import write_text_atomic
from stafett.render.text import L

if TYPE_CHECKING:
    from stafett.people import Card

key_app = typer.Typer(
    help="Din nøkkel: lag den og vis det offentlige kortet.", no_args_is_help=True
)


@key_app.command("new")
def new(
    ctx: typer.Context,
    name: Annotated[str, typer.Option("--name", help="Fullt navn.")],
    role: Annotated[str, typer.Option("--role", help="Stilling, f.eks. helsesykepleier.")],
    service: Annotated[str | None, typer.Option("--service", help="Tjeneste.")] = None,
    no_passphrase: Annotated[
        bool,
        typer.Option(
            "--no-passphrase", help="Bare for skript og tester: nøkkel uten passordfrase."
        ),
    ] = False,
) -> None:
    """Lag en ny nøkkel (make a new key), beskyttet med passordfrase."""
    from stafett.keys import new_key
    from stafett.people import card_text

    env = env_of(ctx)
    if no_passphrase:
        env.warn(L("no_passphrase_warning", env.lang))
    passphrase = None if no_passphrase else _new_passphrase(env)
    card = new_key(env.key_path, name=name, title=role, service=service, passphrase=passphrase)
    emit(env, card, L("key_created", env.lang, file=str(env.key_path)) + "\n" + card_text(card))


@key_app.command("show")
def show(
    ctx: typer.Context,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Skriv kortet til fil.")
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Fullt navn, når nøkkelen ikke har kort.")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", "--role", help="Stilling.")] = None,
    service: Annotated[str | None, typer.Option("--service", help="Tjeneste.")] = None,
) -> None:
    """Vis ditt offentlige kort (show your public card) til å gi til andre.

    Også for en nøkkel fra age-keygen: navn, stilling og tjeneste fra kortet ved
    nøkkelen, ellers fra personregisteret, ellers fra --name, --title og --service."""
    from stafett.keys import show_card
    from stafett.people import card_text

    env = env_of(ctx)
    card = show_card(
        env.key_path,
        env.identity,
        people=lambda: _registered(env),
        name=name,
        title=title,
        service=service,
    )
    if output is not None:
        write_text_atomic(env.path(output), card_text(card))
    emit(env, card, card_text(card).rstrip("\n"))


def _registered(env: Env) -> list[Card]:
    """people.yaml of the chosen store, if there is one: a key without a card
    beside it may be registered there."""
    try:
        return env.store().people()
    except NotFound:
        return []


def _new_passphrase(env: Env) -> str:
    from_env = env.environ.get("STAFETT_PASSPHRASE")
    if from_env is not None:
        return from_env
    if not env.io.stdin_isatty:
        raise NoAccess("no_tty_passphrase")
    first = getpass.getpass(L("passphrase_new", env.lang))
    if getpass.getpass(L("passphrase_again", env.lang)) != first:
        raise UsageError("passphrase_mismatch")
    return first


def register(app: typer.Typer) -> None:
    app.add_typer(key_app, name="key")
