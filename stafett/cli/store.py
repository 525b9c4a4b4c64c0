"""`stafett init`, `list`, `find` and `demo`: the store as a whole."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stafett.cli.context import Env, emit, env_of
from stafett.render.text import L, table
from stafett.values import label

if TYPE_CHECKING:
    from stafett.log import Log


def init(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Mappen lageret skal ligge i.")],
    municipality: Annotated[str, typer.Option("--municipality", help="Kommunen.")],
    recovery: Annotated[str, typer.Option("--recovery", help="Kommunens gjenopprettingsnøkkel.")],
    language: Annotated[str, typer.Option("--language", help="nb eller en.")] = "nb",
    retention_years: Annotated[int, typer.Option("--retention-years")] = 10,
) -> None:
    """Lag et nytt lager (create a store); du blir første person i registeret."""
    from stafett.keys import card_path
    from stafett.people import read_card, with_signing_key
    from stafett.store import Store

    env = env_of(ctx)
    card_file = card_path(env.key_path)
    card = read_card(card_file) if card_file.exists() else None
    if card is not None and not card.signing_key:
        card = with_signing_key(card, env.identity())  # a card written without one
    store = Store.init(
        env.path(path),
        municipality=municipality,
        recovery=recovery,
        language=language,
        retention_years=retention_years,
        card=card,
        clock=env.clock,
    )
    emit(env, {"path": str(store.root)}, L("store_created", env.lang, path=str(store.root)))


def list_logs(ctx: typer.Context) -> None:
    """Vis alle logger du kan lese (list every log you can read)."""
    env = env_of(ctx)
    logs = env.store().logs()
    _print_logs(env, list(logs))
    if logs.skipped + logs.damaged:
        env.warn(L("skipped_logs", env.lang, count=logs.skipped + logs.damaged))


def find(
    ctx: typer.Context, text: Annotated[str, typer.Argument(help="Del av barnets navn.")]
) -> None:
    """Finn logger etter barnets navn (find logs by the child's name)."""
    env = env_of(ctx)
    _print_logs(env, env.store().find(text))


def demo(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Mappe for demolageret.")] = Path("stafett-demo"),
) -> None:
    """Bygg et oppdiktet lager og vis det (build a fictional store and show it)."""
    from stafett.demo import build_demo
    from stafett.render.summary import summary_text

    env = env_of(ctx)
    result = build_demo(env.path(path), env.clock)
    env.out(L("demo_built", env.lang, path=str(result.store_path), key=str(result.identity_path)))
    emit(env, result.summary, summary_text(result.summary, env.lang))


def _print_logs(env: Env, logs: list[Log]) -> None:
    rows, data = [], []
    for log in logs:
        p = log.profile()
        rows.append(
            [
                log.short_id,
                p.child.name,
                p.child.school,
                str(p.child.grade),
                str(p.level),
                label("status", p.status, env.lang),
                log.member_name(p.coordinator),
            ]
        )
        data.append(
            {
                "id": log.id,
                "child": p.child,
                "level": p.level,
                "status": p.status,
                "coordinator": log.member_name(p.coordinator),
            }
        )
    headers = [
        L(h, env.lang) for h in ("id", "child", "school", "grade", "level", "status", "coordinator")
    ]
    emit(env, data, table(headers, rows) if rows else L("no_logs", env.lang))


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("list")(list_logs)
    app.command("find")(find)
    app.command("demo")(demo)
