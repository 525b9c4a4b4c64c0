"""`stafett agent`: keep your key unlocked in a warm process, as gpg-agent does."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any

import typer

from stafett import __version__, agent
from stafett.cli.context import IdentityCache, env_of
from stafett.cli.render import L, emit
from stafett.errors import Conflict, NotFound, StafettError

agent_app = typer.Typer(
    help="Agenten: holder nøkkelen din låst opp mellom kommandoer.", no_args_is_help=True
)


@agent_app.command("start")
def start(
    ctx: typer.Context,
    idle_minutes: Annotated[
        int, typer.Option("--idle-minutes", help="Stopp etter så lang tid uten bruk.")
    ] = 30,
) -> None:
    """Start agenten (start the agent): passordfrasen oppgis én gang."""
    env = env_of(ctx)
    folder = Path(agent.agent_dir(env.environ))
    if _status(folder) is not None:
        raise Conflict("agent_running")
    identity = env.identity()
    key = str(env.key_path.resolve())
    detach: dict[str, Any] = (
        {
            "creationflags": getattr(subprocess, "DETACHED_PROCESS", 0)
            | getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
        }
        if os.name == "nt"
        else {"start_new_session": True}
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "stafett", "agent", "serve", "--idle-minutes", str(idle_minutes)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **env.environ},
        **detach,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(json.dumps({key: identity.secret}).encode("utf-8"))
    proc.stdin.close()
    if proc.stdout.readline().strip() != b"ready":
        raise StafettError("agent_failed")
    emit(env, {"pid": proc.pid, "dir": str(folder)}, L("agent_started", env.lang, pid=proc.pid))


@agent_app.command("stop")
def stop(ctx: typer.Context) -> None:
    """Stopp agenten (stop the agent); nøkkelen glemmes."""
    env = env_of(ctx)
    info = agent.read_info(agent.agent_dir(env.environ))
    if info is None or _status(Path(agent.agent_dir(env.environ))) is None:
        raise NotFound("agent_not_running")
    agent.call(info, {"op": "stop"})
    emit(env, {"stopped": True}, L("agent_stopped", env.lang))


@agent_app.command("status")
def status(ctx: typer.Context) -> None:
    """Vis om agenten kjører (show whether the agent runs)."""
    env = env_of(ctx)
    reply = _status(Path(agent.agent_dir(env.environ)))
    if reply is None:
        raise NotFound("agent_not_running")
    emit(env, reply, L("agent_running_pid", env.lang, pid=reply["pid"], version=reply["version"]))


@agent_app.command("serve", hidden=True)
def serve(
    ctx: typer.Context, idle_minutes: Annotated[int, typer.Option("--idle-minutes")] = 30
) -> None:
    """The agent process itself; `agent start` runs it with the unlocked key on stdin."""
    from stafett.crypto import identity_from_secret

    keys: dict[str, str] = json.loads(sys.stdin.read() or "{}")
    cache: IdentityCache = {
        path: (Path(path).stat().st_mtime_ns, identity_from_secret(secret))
        for path, secret in keys.items()
    }

    def ready() -> None:
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)

    def handle(request: dict[str, Any]) -> dict[str, Any]:
        from stafett.cli.app import main as run_here

        out, err = io.StringIO(), io.StringIO()
        with (
            _as_client(request["env"], request["cwd"]),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            code = run_here(list(request["argv"]), identities=cache)
        return {"code": code, "out": out.getvalue(), "err": err.getvalue()}

    agent.serve(
        Path(agent.agent_dir(env_of(ctx).environ)), handle, __version__, idle_minutes * 60, ready
    )


@contextlib.contextmanager
def _as_client(environ: Mapping[str, str], cwd: str) -> Iterator[None]:
    """Run one request in the client's environment and folder, then put them back."""
    saved, here = dict(os.environ), os.getcwd()
    os.environ.clear()
    os.environ.update(environ)
    try:
        os.chdir(cwd)
        yield
    finally:
        os.chdir(here)
        os.environ.clear()
        os.environ.update(saved)


def _status(folder: Path) -> dict[str, Any] | None:
    info = agent.read_info(folder)
    if info is None:
        return None
    try:
        return agent.call(info, {"op": "status"}, timeout=5)
    except OSError:
        return None


def register(app: typer.Typer) -> None:
    app.add_typer(agent_app, name="agent")
