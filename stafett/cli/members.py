"""`stafett member`: who takes part in a log."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stafett.cli.context import LogArg, emit, env_of
from stafett.render.text import L

RoleOpt = Annotated[
    str | None,
    typer.Option("--role", help="professional, guardian, child, youth-helper, observer."),
]
SigningKeyOpt = Annotated[str | None, typer.Option("--signing-key", help="ssh-ed25519 ...")]
member_app = typer.Typer(help="Medlemmer av en logg.", no_args_is_help=True)


@member_app.command("add")
def add(
    ctx: typer.Context,
    log: LogArg,
    person: Annotated[str | None, typer.Argument(help="Kallenavn i personregisteret.")] = None,
    role: RoleOpt = None,
    handle: Annotated[str | None, typer.Option("--handle")] = None,
    name: Annotated[str | None, typer.Option("--name")] = None,
    title: Annotated[str | None, typer.Option("--title", help="F.eks. mor, far.")] = None,
    service: Annotated[str | None, typer.Option("--service")] = None,
    recipient: Annotated[str | None, typer.Option("--recipient", help="age1...")] = None,
    signing_key: SigningKeyOpt = None,
    card: Annotated[Path | None, typer.Option("--card", help="Personens kort (key show).")] = None,
    override: Annotated[bool, typer.Option("--override", help="Uten samtykke (unntak).")] = False,
    why: Annotated[str | None, typer.Option("--why", help="Hvorfor unntaket gjøres.")] = None,
) -> None:
    """Legg til et medlem (add a member): fagperson fra registeret, eller foresatt/barn."""
    from stafett.people import read_card

    env = env_of(ctx)
    override_why = _override_why(override, why)
    result = (
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
            signing_key=signing_key,
            card=read_card(env.path(card)) if card else None,
            override_why=override_why,
        )
    )
    (member,) = result.members
    emit(env, member, L("member_added", env.lang, handle=member.handle))


def _override_why(override: bool, why: str | None) -> str | None:
    """Adding someone without consent is an exception that has to be explained, so
    --override without --why is refused before anything is read or written."""
    from stafett.errors import UsageError

    if override and not why:
        raise UsageError("override_needs_why")
    return why if override else None


@member_app.command("remove")
def remove(
    ctx: typer.Context,
    log: LogArg,
    person: Annotated[str, typer.Argument(help="Kallenavn.")],
) -> None:
    """Fjern et medlem (remove a member); dokumentene krypteres på nytt uten dem."""
    env = env_of(ctx)
    result = env.store().log(log).remove_member(person)
    names = ", ".join(m.name for m in result.members)
    lines = [L("removed", env.lang, names=names, count=result.reencrypted)]
    if result.not_reencrypted:
        lines.append(L("not_reencrypted", env.lang, count=result.not_reencrypted))
    emit(env, result, "\n".join(lines))


@member_app.command("update")
def update(
    ctx: typer.Context,
    log: LogArg,
    person: Annotated[str, typer.Argument(help="Kallenavn.")],
    card: Annotated[
        Path | None,
        typer.Option("--card", help="Personens kort, for den som ikke står i registeret."),
    ] = None,
) -> None:
    """Oppdater et medlem (update a member) fra kortet.

    Signeringsnøkkelen, og stilling og tjeneste om de er endret, fra personregisteret
    eller --card; kortet må gjelde samme nøkkel som medlemmet har."""
    from stafett.people import read_card

    env = env_of(ctx)
    given = read_card(env.path(card)) if card else None
    result = env.store().log(log).update_member(person, card=given)
    (member,) = result.members
    emit(env, member, L("member_updated", env.lang, handle=member.handle))


def register(app: typer.Typer) -> None:
    app.add_typer(member_app, name="member")
