"""`stafett open`, `show`, `history`, `verify`, `close`, `quarantine`, `level` and
`textconv`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stafett.cli.context import LogArg, emit, env_of
from stafett.errors import ExitCode
from stafett.ids import short
from stafett.render.text import L, table

level_app = typer.Typer(help="Nivå i handlingsveilederen.", no_args_is_help=True)


def open_log(
    ctx: typer.Context,
    child_name: Annotated[str, typer.Option("--child-name", help="Barnets navn.")],
    born: Annotated[str, typer.Option("--born", help="Fødselsdato.")],
    school: Annotated[str, typer.Option("--school", help="Barnehage eller skole.")],
    grade: Annotated[int, typer.Option("--grade", help="Trinn (0 = barnehage).")],
    concern: Annotated[
        str | None, typer.Option("--concern", help="Undringen eller bekymringen.")
    ] = None,
    level: Annotated[int, typer.Option("--level")] = 0,
    national_id: Annotated[str | None, typer.Option("--national-id")] = None,
    language: Annotated[str | None, typer.Option("--language", help="Barnets språk.")] = None,
    child_handle: Annotated[str | None, typer.Option("--child-handle")] = None,
) -> None:
    """Opprett en stafettlogg (open a log); du blir stafettholder."""
    env = env_of(ctx)
    log = env.store().open_log(
        child_name=child_name,
        born=born,
        school=school,
        grade=grade,
        concern=concern,
        level=level,
        national_id=national_id,
        language=language,
        child_handle=child_handle,
    )
    emit(env, {"id": log.id, "short_id": log.short_id}, log.short_id)


def show(ctx: typer.Context, log: LogArg) -> None:
    """Vis en logg (show a log): barnet, nivå, medlemmer, tiltak, møter og barnets stemme."""
    from stafett.render.summary import summary_text
    from stafett.views import summarize

    env = env_of(ctx)
    summary = summarize(env.store().log(log))
    emit(env, summary, summary_text(summary, env.lang))


def history(ctx: typer.Context, log: LogArg) -> None:
    """Vis historikken (show the history): hvem, når og hva."""
    from stafett.views import log_history

    env = env_of(ctx)
    entries = log_history(env.store().log(log))
    rows = [
        [
            e.when.strftime("%d.%m.%Y %H:%M"),
            e.author,
            L(f"action.{e.action}", env.lang),
            L(f"kind.{e.kind}", env.lang),
            e.doc_id,
        ]
        for e in entries
    ]
    headers = [L(h, env.lang) for h in ("when", "who", "what", "kind", "id")]
    emit(env, entries, table(headers, rows))


def verify(ctx: typer.Context, log: Annotated[str | None, typer.Argument()] = None) -> None:
    """Kontroller logger (verify): dekryptering, skjema, id mot sti og git fsck."""
    from stafett.verify import verify_log

    env = env_of(ctx)
    store = env.store()
    logs = [store.log(log)] if log else [store.log(i) for i in store.log_ids()]
    reports = [verify_log(one) for one in logs]
    lines = []
    for r in reports:
        status = L("ok", env.lang) if r.ok else L("problems", env.lang, count=len(r.problems))
        lines.append(
            f"{short(r.log_id)}: {status} · "
            + L("checked", env.lang, checked=r.checked, unreadable=r.unreadable)
        )
        lines += [f"  - {p.message(env.lang)}" for p in r.problems]
    emit(env, reports, "\n".join(lines) or L("no_logs", env.lang))
    if not all(r.ok for r in reports):
        raise typer.Exit(int(ExitCode.INVALID))


def close(
    ctx: typer.Context,
    log: LogArg,
    reason: Annotated[str, typer.Option("--reason", help="Hvorfor loggen avsluttes.")],
    when: Annotated[str | None, typer.Option("--date")] = None,
) -> None:
    """Avslutt en logg (close a log)."""
    env = env_of(ctx)
    profile = env.store().log(log).close(reason=reason, when=when)
    emit(env, profile, L("log_closed_ok", env.lang))


@level_app.command("set")
def set_level(
    ctx: typer.Context,
    log: LogArg,
    level: Annotated[int, typer.Argument(help="Nytt nivå.")],
    why: Annotated[str, typer.Option("--why", help="Hvorfor nivået endres.")],
    when: Annotated[str | None, typer.Option("--date")] = None,
) -> None:
    """Endre nivå (set the level) og skriv hvorfor."""
    env = env_of(ctx)
    doc = env.store().log(log).set_level(level, why=why, when=when)
    emit(env, doc, L("saved", env.lang, kind=L("kind.level", env.lang), id=short(doc.id)))


def quarantine(
    ctx: typer.Context,
    log: LogArg,
    document: Annotated[str, typer.Argument(help="Dokumentets sti eller id.")],
) -> None:
    """Ta et skadet dokument ut av loggen (quarantine); historikken beholder det."""
    from stafett.render.text import quarantined_text

    env = env_of(ctx)
    done = env.store().log(log).quarantine(document)
    value = {
        "path": done.path,
        "kind": done.kind,
        "size": done.size,
        "reason": done.reason.key,
        "added_by": done.added_by,
        "added": done.added,
        "commit": done.commit,
    }
    emit(env, value, quarantined_text(done, env.lang))


def textconv_cmd(ctx: typer.Context, file: Annotated[Path, typer.Argument()]) -> None:
    """For git: vis et kryptert dokument som YAML (used by git diff/log -p)."""
    from stafett.textconv import textconv

    env = env_of(ctx)
    env.io.stdout.write(textconv(env.path(file), env.identity))


def register(app: typer.Typer) -> None:
    app.command("open")(open_log)
    app.command("show")(show)
    app.command("history")(history)
    app.command("verify")(verify)
    app.command("close")(close)
    app.command("quarantine")(quarantine)
    app.command("textconv", hidden=True)(textconv_cmd)
    app.add_typer(level_app, name="level")
