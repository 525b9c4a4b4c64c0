"""`stafett agent`: keep your key unlocked in a warm process, as gpg-agent does."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from stafett import __version__, agent
from stafett.cli.context import Environment, IdentityCache, emit, env_of
from stafett.errors import Conflict, NotFound, StafettError
from stafett.render.text import L

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

    env = env_of(ctx)
    keys: dict[str, str] = json.loads(env.io.stdin.read() or "{}")
    cache: IdentityCache = {
        path: (Path(path).stat().st_mtime_ns, identity_from_secret(secret))
        for path, secret in keys.items()
    }

    def ready() -> None:
        env.io.stdout.write("ready\n")
        env.io.stdout.flush()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)

    def handle(request: dict[str, Any]) -> dict[str, Any]:
        from stafett.cli.app import main as run_here

        client = _client_environment(request, cache)
        code = run_here(list(request["argv"]), client)
        assert isinstance(client.stdout, io.StringIO) and isinstance(client.stderr, io.StringIO)
        return {"code": code, "out": client.stdout.getvalue(), "err": client.stderr.getvalue()}

    agent.serve(Path(agent.agent_dir(env.environ)), handle, __version__, idle_minutes * 60, ready)


def _client_environment(request: dict[str, Any], cache: IdentityCache) -> Environment:
    """The client's environment and folder for one request (its clock comes from
    the client's STAFETT_NOW); the agent's own process settings are never changed."""
    environ = {str(k): str(v) for k, v in dict(request.get("env") or {}).items()}
    return Environment(
        environ=environ,
        cwd=Path(str(request.get("cwd") or ".")),
        stdin=io.StringIO(""),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        identities=cache,
    )


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
