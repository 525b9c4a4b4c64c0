"""`stafett remote`, `clone`, `sync`, `status`, `conflicts`, `resolve`, `doctor`
and the git merge driver: the relay between laptops."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stafett.cli.context import Env, LogArg, emit, env_of
from stafett.errors import ExitCode, NoAccess, StafettError, UsageError
from stafett.render.progress import ProgressBar
from stafett.render.text import L, table, visible

remote_app = typer.Typer(help="Hvor loggene synkroniseres (remotes).", no_args_is_help=True)
PROGRESS_DELAY = 0.5


@remote_app.command("set")
def remote_set(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="Loggens id, eller med --all: felles sted.")],
    url: Annotated[
        str | None, typer.Argument(help="Mappe, file://, ssh://, https://, git://.")
    ] = None,
    all_logs: Annotated[
        bool, typer.Option("--all", help="Ett bart repo per logg: STED/<logg-id>.git.")
    ] = False,
) -> None:
    """Sett hvor en logg synkroniseres (set a log's remote)."""
    from stafett.sync import set_remote, set_remote_all

    env = env_of(ctx)
    store = env.store()
    if all_logs:
        if url is not None:
            raise UsageError("remote_all_one_place")
        done = set_remote_all(store, target)
    else:
        if url is None:
            raise UsageError("remote_url_missing")
        log = store.log(target)
        done = {log.short_id: set_remote(log, url)}
    lines = [f"{short}: {visible(where)}" for short, where in done.items()]
    emit(env, done, "\n".join(lines) or L("no_logs", env.lang))


def clone(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="Loggens remote: mappe, file://, ssh://, https://.")],
) -> None:
    """Hent en logg du er medlem av (clone a log from its remote)."""
    from stafett.sync import clone as clone_log

    env = env_of(ctx)
    log = clone_log(env.store(), url)
    emit(env, {"id": log.id, "short_id": log.short_id}, L("cloned", env.lang, log=log.short_id))


def sync(
    ctx: typer.Context,
    log: Annotated[str | None, typer.Argument(help="Loggens id; uten: bruk --all.")] = None,
    all_logs: Annotated[bool, typer.Option("--all", help="Alle logger med remote.")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Logger samtidig.")] = 4,
) -> None:
    """Synkroniser (sync): hent, kontroller, slå sammen og send; én linje per logg."""
    from stafett.sync import OUTCOMES, sync_many

    env = env_of(ctx)
    store = env.store()
    if all_logs == (log is not None):
        raise UsageError("sync_one_or_all")
    log_ids = store.log_ids() if all_logs else [store.log(log or "").id]
    bar = ProgressBar(
        env.io.stderr,
        shown=env.io.stderr_isatty and all_logs,
        title=L("sync_progress", env.lang),
        delay=PROGRESS_DELAY,
    )
    try:
        results = sync_many(store, log_ids, progress=bar, workers=jobs)
    finally:
        bar.close()
    lines = [_line(env, r) for r in results]
    counts = {o: sum(r.outcome == o for r in results) for o in OUTCOMES}
    if all_logs:
        shown = ", ".join(f"{L(f'sync.{o}', env.lang)}: {n}" for o, n in counts.items() if n)
        lines.append(L("sync_summary", env.lang, counts=shown or "0"))
    emit(env, {"logs": results, "counts": counts}, "\n".join(lines))
    failed = [r for r in results if r.outcome in ("refused", "unreachable", "no_remote")]
    if failed:
        code = failed[0].error.exit_code if failed[0].error else ExitCode.ERROR
        raise typer.Exit(int(code if len(results) == 1 else ExitCode.ERROR))


def _line(env: Env, result: object) -> str:
    from stafett.sync import Synced

    assert isinstance(result, Synced)
    text = f"{result.short_id}: {L(f'sync.{result.outcome}', env.lang)}"
    details = []
    if result.received:
        details.append(L("sync_received", env.lang, count=result.received))
    if result.sent:
        details.append(L("sync_sent", env.lang))
    if result.conflicts:
        details.append(L("sync_conflicts", env.lang, count=result.conflicts, log=result.short_id))
    if result.not_reencrypted:
        details.append(L("sync_not_reencrypted", env.lang, count=result.not_reencrypted))
    if result.error is not None:
        details.append(visible(result.error.message(env.lang)))
    return text + (" · " + " · ".join(details) if details else "")


def status(ctx: typer.Context) -> None:
    """Vis hvor loggene står mot remote (status): i takt, foran, bak, avvik, konflikter."""
    from stafett.sync import status_all

    env = env_of(ctx)
    found = status_all(env.store())
    rows = [
        [
            s.short_id,
            L(f"status.{s.state}", env.lang),
            f"{s.ahead}/{s.behind}",
            str(s.conflicts),
            visible(s.remote or "-"),
        ]
        for s in found
    ]
    headers = [L(h, env.lang) for h in ("id", "state", "ahead_behind", "conflicts", "remote")]
    emit(env, found, table(headers, rows) if rows else L("no_logs", env.lang))
    _refused(env, [(s.short_id, s.error) for s in found if s.error is not None])


def _refused(env: Env, refused: list[tuple[str, StafettError]]) -> None:
    """Logs that could not be read as they are: named on stderr, exit code 3."""
    for short, error in refused:
        env.warn(f"{short}: {visible(error.message(env.lang))}")
    if refused:
        raise typer.Exit(int(ExitCode.INVALID))


def conflicts(
    ctx: typer.Context, log: Annotated[str | None, typer.Argument(help="Loggens id.")] = None
) -> None:
    """Vis hva to personer endret ulikt (conflicts): dokument, felt og begge verdiene."""
    from stafett.conflicts import conflicts as find

    env = env_of(ctx)
    store = env.store()
    found, refused = [], []
    for one in [store.log(log)] if log else [store.log_at(i) for i in store.log_ids()]:
        try:
            found += [(one.short_id, c) for c in find(one)]
        except NoAccess:
            if log:
                raise
        except StafettError as exc:
            if log:
                raise
            refused.append((one.short_id, exc))
    rows = [
        [
            short,
            L(f"kind.{c.kind}", env.lang),
            c.short_id,
            visible(c.field),
            " | ".join(f"{visible(str(v))} ({b})" for v, b in zip(c.values, c.by, strict=True)),
        ]
        for short, c in found
    ]
    headers = [L(h, env.lang) for h in ("log", "kind", "id", "field", "values")]
    emit(env, [c for _, c in found], table(headers, rows) if rows else L("no_conflicts", env.lang))
    _refused(env, refused)


def resolve(
    ctx: typer.Context,
    log: LogArg,
    doc: Annotated[str, typer.Argument(help="Dokumentets id (eller «log», «members»).")],
    keep: Annotated[str, typer.Option("--keep", help="mine, theirs, first eller second.")],
    field: Annotated[str | None, typer.Option("--field", help="Bare dette feltet.")] = None,
) -> None:
    """Avgjør en konflikt (resolve): behold din verdi eller den andres, i en signert endring."""
    from stafett.conflicts import resolve as settle

    env = env_of(ctx)
    settled = settle(env.store().log(log), doc, keep, field)
    emit(env, settled, L("resolved", env.lang, doc=settled.id[:8]))


def doctor(
    ctx: typer.Context,
    log: Annotated[str | None, typer.Argument(help="Loggens id; uten: alle.")] = None,
    repair: Annotated[bool, typer.Option("--repair", help="Legg inn det som mangler.")] = False,
) -> None:
    """Kontroller loggenes git-oppsett (doctor): textconv, flettedriver, fremmede innstillinger."""
    from stafett.doctor import examine

    env = env_of(ctx)
    store = env.store()
    ids = [store.log(log).id] if log else store.log_ids()
    found = [examine(store.log(i), repair=repair) for i in ids]
    lines = []
    for f in found:
        if f.ok:
            lines.append(f"{f.short_id}: {L('ok', env.lang)}")
            continue
        for key, values in (("doctor_missing", f.missing), ("doctor_foreign", f.foreign)):
            if values:
                lines.append(f"{f.short_id}: {L(key, env.lang, what=', '.join(values))}")
        if f.repaired:
            lines.append(f"{f.short_id}: {L('doctor_repaired', env.lang)}")
    emit(env, found, "\n".join(lines) or L("no_logs", env.lang))
    if any(not f.ok and not f.repaired for f in found):
        raise typer.Exit(int(ExitCode.INVALID))


def merge_driver(
    ctx: typer.Context,
    base: Annotated[Path, typer.Argument()],
    ours: Annotated[Path, typer.Argument()],
    theirs: Annotated[Path, typer.Argument()],
    path: Annotated[str, typer.Argument()],
) -> None:
    """git-flettedriver (merge driver) for plain `git pull`: slår sammen felt for felt."""
    from stafett.driver import merge_files
    from stafett.store import Store
    from stafett.trust import default_state_path

    env = env_of(ctx)
    repo = env.io.cwd
    store = Store.open(
        env.store_path or repo.parent.parent,
        identity=env.identity,
        clock=env.clock,
        state=default_state_path(env.environ),
    )
    clean = merge_files(store, repo, env.path(base), env.path(ours), env.path(theirs), path)
    if not clean:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(remote_app, name="remote")
    app.command("clone")(clone)
    app.command("sync")(sync)
    app.command("status")(status)
    app.command("conflicts")(conflicts)
    app.command("resolve")(resolve)
    app.command("doctor")(doctor)
    app.command("merge-driver", hidden=True)(merge_driver)
