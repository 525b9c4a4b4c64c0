"""The agent holds an unlocked key: commands run warm and ask for no passphrase."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import stat
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stafett import agent
from stafett.errors import ExitCode
from tests.world import World

PASSPHRASE = "blåbær og fløte"


@pytest.fixture
def agent_world(world: World) -> Iterator[tuple[World, str, dict[str, str]]]:
    """Real processes: the program's entry point hands commands to a real agent."""
    world.processes = True
    world.person("nora", "Nora Bø", "kontaktlærer", passphrase=PASSPHRASE)
    world.init("nora")
    log_id = world.open_log("nora", STAFETT_PASSPHRASE=PASSPHRASE)
    extra = {"STAFETT_AGENT_DIR": str(world.root / "agent")}
    world.run("nora", "agent", "start", STAFETT_PASSPHRASE=PASSPHRASE, extra=extra)
    try:
        yield world, log_id, extra
    finally:
        info = agent.read_info(extra["STAFETT_AGENT_DIR"])
        if info is not None:
            agent.call(info, {"op": "stop"}, timeout=10)


def test_commands_run_in_the_agent_without_asking_again(
    agent_world: tuple[World, str, dict[str, str]],
) -> None:
    world, log_id, extra = agent_world
    saved = world.run(
        "nora", "note", "add", log_id[:6], "Mor ringte om turen på fredag.", extra=extra
    )
    assert saved.out.startswith("Lagret notat")
    warm = world.run("nora", "show", log_id[:6], extra=extra).out
    cold = world.run(
        "nora", "show", log_id[:6], STAFETT_AGENT="0", STAFETT_PASSPHRASE=PASSPHRASE
    ).out
    assert warm == cold
    assert "Åse Ødegård" in warm
    refused = world.run("nora", "show", "zzzzzz", code=int(ExitCode.NOT_FOUND), extra=extra)
    assert refused.err.strip() == "Fant ingen logg med id som begynner på «zzzzzz»."
    world.run("nora", "agent", "stop", extra=extra)
    after = world.run("nora", "show", log_id[:6], code=int(ExitCode.NO_ACCESS), extra=extra)
    assert after.err.strip() == (
        "Passordfrasen kan ikke spørres om uten terminal; sett STAFETT_PASSPHRASE."
    )


def test_the_agent_answers_only_its_token(agent_world: tuple[World, str, dict[str, str]]) -> None:
    """Someone who reaches the socket but does not know the token gets no command
    run: neither with a made-up proof nor by sending a token the old way."""
    world, _, extra = agent_world
    info = agent.read_info(extra["STAFETT_AGENT_DIR"])
    assert info is not None
    request = {"op": "run", "argv": ["--json", "list"], "env": {}, "cwd": "/"}
    with _connected(info) as conn:
        _send(conn, {"op": "hello", "nonce": "5" * 64})
        assert sorted(_receive(conn)) == ["nonce", "proof"]
        _send(conn, {"proof": "0" * 64})
        _send(conn, {**request, "version": info.version})
        assert _hung_up(conn)
    with _connected(info) as conn:
        _send(conn, {**request, "token": "0" * 64, "version": info.version})
        assert _hung_up(conn)
    assert world.run("nora", "agent", "status", extra=extra).out.startswith("Agenten kjører")


def test_a_client_that_does_not_know_the_token_is_not_trusted(
    agent_world: tuple[World, str, dict[str, str]],
) -> None:
    _, _, extra = agent_world
    info = agent.read_info(extra["STAFETT_AGENT_DIR"])
    assert info is not None
    forged = agent.AgentInfo(info.transport, info.address, "0" * 64, info.pid, info.version)
    with pytest.raises(agent.Untrusted):
        agent.call(forged, {"op": "status"}, timeout=10)


def test_silent_connections_block_no_one(agent_world: tuple[World, str, dict[str, str]]) -> None:
    """Connections that never say a word, held open while a command runs: the
    command is still served by the agent (no passphrase is given here)."""
    world, log_id, extra = agent_world
    info = agent.read_info(extra["STAFETT_AGENT_DIR"])
    assert info is not None
    with contextlib.ExitStack() as stack:
        for _ in range(3):
            stack.enter_context(_connected(info))
        saved = subprocess.run(
            [sys.executable, "-m", "stafett", "note", "add", log_id[:6], "Stille."],
            env=world.env("nora", **extra),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
            check=False,
        )
    assert saved.returncode == 0, saved.stderr
    assert saved.stdout.startswith("Lagret notat")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/PID/environ")
def test_the_agent_keeps_no_passphrase(agent_world: tuple[World, str, dict[str, str]]) -> None:
    """Started with STAFETT_PASSPHRASE set: the agent's environment, which its
    children inherit and /proc shows, has none."""
    _, _, extra = agent_world
    info = agent.read_info(extra["STAFETT_AGENT_DIR"])
    assert info is not None
    environ = Path(f"/proc/{info.pid}/environ").read_bytes()
    assert b"STAFETT_AGENT_DIR=" in environ
    assert b"PASSPHRASE" not in environ and PASSPHRASE.encode() not in environ


def test_a_key_the_agent_does_not_hold_runs_here(
    agent_world: tuple[World, str, dict[str, str]],
) -> None:
    """The passphrase is not sent to the agent, so a key it did not unlock (here the
    same file, changed since) is used by the client itself, which asks for it."""
    world, log_id, extra = agent_world
    key = world.key_files["nora"]
    stamp = key.stat()
    os.utime(key, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 10**9))
    saved = world.run(
        "nora",
        "note",
        "add",
        log_id[:6],
        "Ny nøkkelfil.",
        STAFETT_PASSPHRASE=PASSPHRASE,
        extra=extra,
    )
    assert saved.out.startswith("Lagret notat")
    asked = world.run(
        "nora", "note", "add", log_id[:6], "Uten.", code=int(ExitCode.NO_ACCESS), extra=extra
    )
    assert asked.err.strip() == (
        "Passordfrasen kan ikke spørres om uten terminal; sett STAFETT_PASSPHRASE."
    )


@contextlib.contextmanager
def _connected(info: agent.AgentInfo) -> Iterator[socket.socket]:
    if info.transport == "unix":
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(info.address)
    else:
        host, port = info.address.rsplit(":", 1)
        conn = socket.create_connection((host, int(port)))
    conn.settimeout(30)
    with conn:
        yield conn


def _hung_up(conn: socket.socket) -> bool:
    """The agent closed without a word (a reset when our request was left unread)."""
    try:
        return conn.recv(1) == b""
    except ConnectionResetError:
        return True


def _send(conn: socket.socket, message: dict[str, Any]) -> None:
    data = json.dumps(message).encode("utf-8")
    with contextlib.suppress(OSError):  # the agent may have hung up already
        conn.sendall(struct.pack(">I", len(data)) + data)


def _receive(conn: socket.socket) -> dict[str, Any]:
    size = struct.unpack(">I", conn.recv(4, socket.MSG_WAITALL))[0]
    message = json.loads(conn.recv(size, socket.MSG_WAITALL))
    assert isinstance(message, dict)
    return message


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_the_agent_files_are_private(agent_world: tuple[World, str, dict[str, str]]) -> None:
    _, _, extra = agent_world
    folder = extra["STAFETT_AGENT_DIR"]
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(os.path.join(folder, agent.INFO_FILE)).st_mode) == 0o600
