"""`stafett agent`: keep your key unlocked in a warm process, as gpg-agent does.

The agent process is started without any passphrase in its environment (a
process's first environment stays readable in /proc/PID/environ for its life, and
git and every other child inherit it): `agent start` unlocks the key and hands the
agent the unlocked key over a pipe.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from stafett import __version__, agent
from stafett.cli.argv import option_value
from stafett.cli.context import Env, Environment, IdentityCache, emit, env_of
from stafett.errors import Conflict, NotFound, StafettError
from stafett.i18n import text
from stafett.render.text import L

T = TypeVar("T")

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
    folder, refused = agent.agent_dir_choice(env.environ)
    if not agent.make_private_dir(folder):
        raise Conflict("agent_dir_unsafe", folder=folder)
    if refused is not None:
        env.warn(text("agent_dir_moved", env.lang, refused=refused, folder=folder))
    try:
        running = _status(folder) is not None
    except agent.Untrusted:
        running = False  # a stale agent.json, or a stranger at its address: replaced
    if running:
        raise Conflict("agent_running")
    identity = env.identity()
    proc = _spawn(env, folder, idle_minutes)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(json.dumps({str(env.key_path.resolve()): identity.secret}).encode("utf-8"))
    proc.stdin.close()
    if proc.stdout.readline().strip() != b"ready":
        raise StafettError("agent_failed")
    emit(env, {"pid": proc.pid, "dir": folder}, L("agent_started", env.lang, pid=proc.pid))


def _spawn(env: Env, folder: str, idle_minutes: int) -> subprocess.Popen[bytes]:
    """The agent process, detached, told its folder, and given no passphrase."""
    detach: dict[str, Any] = (
        {
            "creationflags": getattr(subprocess, "DETACHED_PROCESS", 0)
            | getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)
        }
        if os.name == "nt"
        else {"start_new_session": True}
    )
    environ = {**os.environ, **env.environ, "STAFETT_AGENT_DIR": folder}
    return subprocess.Popen(
        [sys.executable, "-m", "stafett", "agent", "serve", "--idle-minutes", str(idle_minutes)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={name: value for name, value in environ.items() if not agent.is_secret(name)},
        **detach,
    )


@agent_app.command("stop")
def stop(ctx: typer.Context) -> None:
    """Stopp agenten (stop the agent); nøkkelen glemmes."""
    env = env_of(ctx)
    folder = agent.agent_dir(env.environ)
    info = _trusted(lambda: agent.read_info(folder), folder)
    if info is None or _trusted(lambda: _status(folder), folder) is None:
        raise NotFound("agent_not_running")
    try:
        _trusted(lambda: agent.call(info, {"op": "stop"}), folder)
    except OSError:
        raise NotFound("agent_not_running") from None
    emit(env, {"stopped": True}, L("agent_stopped", env.lang))


@agent_app.command("status")
def status(ctx: typer.Context) -> None:
    """Vis om agenten kjører (show whether the agent runs)."""
    env = env_of(ctx)
    folder = agent.agent_dir(env.environ)
    reply = _trusted(lambda: _status(folder), folder)
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
    _forget_passphrases(os.environ, env.io.environ)

    def ready() -> None:
        env.io.stdout.write("ready\n")
        env.io.stdout.flush()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)

    def handle(request: dict[str, Any]) -> dict[str, Any]:
        from stafett.cli.app import main as run_here

        client = _client_environment(request, cache)
        if not _holds_key(request, client, cache):
            return {"refused": "key"}  # the client runs it, and asks for the passphrase
        code = run_here(list(request["argv"]), client)
        assert isinstance(client.stdout, io.StringIO) and isinstance(client.stderr, io.StringIO)
        return {"code": code, "out": client.stdout.getvalue(), "err": client.stderr.getvalue()}

    agent.serve(Path(agent.agent_dir(env.environ)), handle, __version__, idle_minutes * 60, ready)


def _forget_passphrases(*environs: object) -> None:
    """Should `agent serve` be run by hand with a passphrase set, it keeps none:
    git and the other children it starts inherit its environment."""
    for environ in environs:
        if isinstance(environ, MutableMapping):
            for name in [name for name in environ if agent.is_secret(str(name))]:
                del environ[name]


def _client_environment(request: dict[str, Any], cache: IdentityCache) -> Environment:
    """The client's environment and folder for one request (its clock comes from
    the client's STAFETT_NOW); the agent's own process settings are never changed."""
    environ = {
        str(k): str(v)
        for k, v in dict(request.get("env") or {}).items()
        if not agent.is_secret(str(k))
    }
    return Environment(
        environ=environ,
        cwd=Path(str(request.get("cwd") or ".")),
        stdin=io.StringIO(""),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        identities=cache,
    )


def _holds_key(request: dict[str, Any], client: Environment, cache: IdentityCache) -> bool:
    """Whether the key this command would use is one the agent holds unlocked, as
    the file is now. The passphrase is never sent here, so for any other key the
    client runs the command itself; found as `Env.key_path` finds it."""
    from stafett.keys import default_identity_path

    args = [str(arg) for arg in request.get("argv") or []]
    given = option_value(args, "--identity") or client.environ.get("STAFETT_IDENTITY")
    path = Path(given).expanduser() if given else default_identity_path(client.environ)
    path = (path if path.is_absolute() else client.cwd / path).resolve()
    cached = cache.get(str(path))
    try:
        return cached is not None and cached[0] == path.stat().st_mtime_ns
    except OSError:
        return False


def _status(folder: str) -> dict[str, Any] | None:
    """The agent's answer; None when no agent answers. Raises agent.Untrusted."""
    info = agent.read_info(folder)
    if info is None:
        return None
    try:
        return agent.call(info, {"op": "status"}, timeout=5)
    except (OSError, ValueError):
        return None


def _trusted(ask: Callable[[], T], folder: str) -> T:
    """`ask()`, with an agent that is not the user's own refused by name."""
    try:
        return ask()
    except agent.Untrusted:
        raise Conflict("agent_untrusted", folder=folder) from None


def register(app: typer.Typer) -> None:
    app.add_typer(agent_app, name="agent")
