"""`stafett consent`, `coordinator`, `access` and `allowed-signers`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stafett.cli.context import Env, LogArg, emit, env_of
from stafett.fsutil import write_text_atomic
from stafett.i18n import text
from stafett.ids import short
from stafett.render.text import L, d, table

consent_app = typer.Typer(
    help="Samtykke: hvem som har gitt det, og for hvilke tjenester.", no_args_is_help=True
)
coordinator_app = typer.Typer(
    help="Stafettholderen: gi og ta imot stafettpinnen.", no_args_is_help=True
)


@consent_app.command("add")
def add(
    ctx: typer.Context,
    log: LogArg,
    given_by: Annotated[str, typer.Option("--given-by", help="Hvem som samtykker: lise,tor.")],
    services: Annotated[str, typer.Option("--services", help="Tjenestene, kommaseparert.")],
    until: Annotated[str, typer.Option("--until", help="Gyldig til.")],
    valid_from: Annotated[str | None, typer.Option("--from", help="Gyldig fra (i dag).")] = None,
    child_heard: Annotated[bool, typer.Option("--child-heard", help="Barnet er hørt.")] = False,
    child_said: Annotated[str | None, typer.Option("--child-said")] = None,
    purpose: Annotated[str | None, typer.Option("--purpose")] = None,
    reference: Annotated[str | None, typer.Option("--reference", help="Hvor papiret er.")] = None,
) -> None:
    """Registrer et samtykke (record consent)."""
    env = env_of(ctx)
    consent = (
        env.store()
        .log(log)
        .add_consent(
            given_by=given_by,
            services=services,
            valid_until=until,
            valid_from=valid_from,
            child_heard=child_heard,
            child_said=child_said,
            purpose=purpose,
            reference=reference,
        )
    )
    emit(env, consent, L("consent_saved", env.lang, id=short(consent.id)))


@consent_app.command("list")
def list_consents(ctx: typer.Context, log: LogArg) -> None:
    """Vis samtykkene (list consents) og hva barnets alder krever nå."""
    from stafett.views import consent_overview

    env = env_of(ctx)
    the_log = env.store().log(log)
    overview = consent_overview(the_log)
    rows = [
        [
            short(v.consent.id),
            text(f"consent_status.{v.status}", env.lang),
            ", ".join(v.services or v.consent.services),
            f"{d(v.consent.valid_from)}–{d(v.consent.valid_until)}",
            ", ".join(the_log.member_name(g) for g in v.consent.given_by),
        ]
        for v in overview.consents
    ]
    headers = [L(h, env.lang) for h in ("id", "status", "services", "valid", "given_by")]
    lines = [table(headers, rows) if rows else L("none", env.lang)]
    lines += [f"! {text(n.key, env.lang, age=n.age)}" for n in overview.notices]
    emit(env, overview, "\n".join(lines))


@consent_app.command("withdraw")
def withdraw(
    ctx: typer.Context,
    log: LogArg,
    consent: Annotated[str, typer.Argument(help="Samtykkets id.")],
    by: Annotated[str, typer.Option("--by", help="Hvem som trekker samtykket.")],
    services: Annotated[
        str | None, typer.Option("--services", help="Bare disse tjenestene.")
    ] = None,
    when: Annotated[str | None, typer.Option("--date")] = None,
) -> None:
    """Trekk tilbake et samtykke (withdraw consent), helt eller for noen tjenester."""
    env = env_of(ctx)
    result = env.store().log(log).withdraw_consent(consent, by=by, services=services, when=when)
    lines = [L("consent_withdrawn_ok", env.lang)]
    if result.removed:
        names = ", ".join(m.name for m in result.removed)
        lines.append(L("removed", env.lang, names=names, count=result.reencrypted))
    if result.not_reencrypted:
        lines.append(L("not_reencrypted", env.lang, count=result.not_reencrypted))
    emit(env, result, "\n".join(lines))


@coordinator_app.command("pass")
def pass_baton(
    ctx: typer.Context,
    log: LogArg,
    to: Annotated[str, typer.Option("--to", help="Den nye stafettholderen.")],
) -> None:
    """Gi stafettpinnen videre (pass the baton); den gjelder når mottakeren godtar."""
    env = env_of(ctx)
    the_log = env.store().log(log)
    profile = the_log.pass_coordinator(to)
    name = the_log.member_name(profile.coordinator_pending or "")
    emit(env, profile, L("baton_passed", env.lang, name=name))


@coordinator_app.command("accept")
def accept(ctx: typer.Context, log: LogArg) -> None:
    """Ta imot stafettpinnen (accept the baton)."""
    env = env_of(ctx)
    profile = env.store().log(log).accept_coordinator()
    emit(env, profile, L("baton_accepted", env.lang))


def access(
    ctx: typer.Context,
    log: LogArg,
    person: Annotated[str | None, typer.Option("--for", help="Bare det denne kan lese.")] = None,
) -> None:
    """Hvem kan lese hva (who can read what), med navn."""
    from stafett.views import access_view

    env = env_of(ctx)
    view = access_view(env.store().log(log), person)
    lines = []
    for doc in view.documents:
        label = L(f"kind.{doc.kind}", env.lang)
        head = f"{label.capitalize()} {short(doc.id)} ({d(doc.created.date())})"
        lines.append(f"{head}: {_readers(env, doc.readers)} {L('recovery_too', env.lang)}")
    if view.hidden:
        lines.append(L("hidden_docs", env.lang, count=view.hidden))
    emit(env, view, "\n".join(lines))


def allowed_signers(
    ctx: typer.Context,
    log: LogArg,
    output: Annotated[Path | None, typer.Option("-o", "--output")] = None,
) -> None:
    """Skriv signeringsnøklene for git (write a gpg.ssh.allowedSignersFile)."""
    from stafett.verify import allowed_signers as signers_text

    env = env_of(ctx)
    content = signers_text(env.store().log(log))
    if output is None:
        env.out(content.rstrip("\n"))
        return
    write_text_atomic(env.path(output), content)
    env.out(L("signers_written", env.lang, count=content.count("\n"), file=str(output)))


def _readers(env: Env, readers: tuple[object, ...]) -> str:
    from stafett.documents import Member

    names = []
    for m in readers:
        assert isinstance(m, Member)
        what = m.service or m.title or text(f"role.{m.role}", env.lang)
        names.append(f"{m.name} ({what})")
    if not names:
        return L("nobody_reads", env.lang)
    joined = (
        names[0]
        if len(names) == 1
        else (", ".join(names[:-1]) + f" {L('and', env.lang)} {names[-1]}")
    )
    return L("can_read", env.lang, names=joined)


def register(app: typer.Typer) -> None:
    app.add_typer(consent_app, name="consent")
    app.add_typer(coordinator_app, name="coordinator")
    app.command("access")(access)
    app.command("allowed-signers")(allowed_signers)
