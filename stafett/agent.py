"""A warm process that holds unlocked keys and runs commands for the same user.

A cold `stafett` command pays ~200 ms of Python, typer and jsonschema start-up, and
a passphrase-wrapped key costs 1.5-3 s of scrypt to unlock. Like gpg-agent for
pass, the agent pays both once. The client side below imports only the standard
library modules it needs (`multiprocessing.connection` alone costs ~22 ms, so the
protocol is a length-prefixed JSON message over a socket).

Transport: a Unix socket in a private folder where the platform has them, else TCP
on 127.0.0.1. Either way a random token, kept in a file only the user can read,
must open every request.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import struct

TYPE_CHECKING = False  # keep `typing` and friends out of the client's start-up
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping
    from pathlib import Path
    from typing import Any

    Handler = Callable[[dict[str, Any]], dict[str, Any]]

INFO_FILE = "agent.json"
SOCKET_FILE = "agent.sock"
DEFAULT_IDLE_SECONDS = 30 * 60
MAX_MESSAGE = 64 * 1024 * 1024
NOT_FORWARDED = ("agent", "key")
INFO_FIELDS = ("transport", "address", "token", "pid", "version")


class AgentInfo:
    """Where the agent listens and the token that opens it (agent.json, private)."""

    def __init__(self, transport: str, address: str, token: str, pid: int, version: str) -> None:
        self.transport, self.address, self.token = transport, address, token
        self.pid, self.version = pid, version

    def to_json(self) -> str:
        return json.dumps({name: getattr(self, name) for name in INFO_FIELDS})


def agent_dir(environ: Mapping[str, str]) -> str:
    override = environ.get("STAFETT_AGENT_DIR")
    if override:
        return override
    import warnings

    from platformdirs import user_runtime_dir

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no XDG_RUNTIME_DIR: platformdirs falls back, noisily
        return user_runtime_dir("stafett", appauthor=False)


def read_info(folder: str | Path) -> AgentInfo | None:
    try:
        with open(os.path.join(folder, INFO_FILE), encoding="utf-8") as fh:
            data = json.load(fh)
        return AgentInfo(**{name: data[name] for name in INFO_FIELDS})
    except (OSError, ValueError, TypeError, KeyError):
        return None


def forwardable(args: list[str]) -> bool:
    words = [a for a in args if not a.startswith("-")]
    return bool(words) and words[0] not in NOT_FORWARDED and "--edit" not in args


def forward(
    args: list[str], environ: Mapping[str, str], cwd: str, version: str
) -> dict[str, Any] | None:
    """Run a command in the agent; None means no agent answered (run it here)."""
    info = read_info(agent_dir(environ))
    if info is None:
        return None
    request = {"op": "run", "argv": args, "env": dict(environ), "cwd": cwd, "version": version}
    try:
        reply = call(info, request)
    except OSError:
        return None
    return None if reply.get("refused") else reply


def call(info: AgentInfo, request: dict[str, Any], timeout: float = 600.0) -> dict[str, Any]:
    with _connect(info, timeout) as conn:
        _send(conn, {**request, "token": info.token})
        return _receive(conn)


def serve(
    folder: Path, handler: Handler, version: str, idle_seconds: float, ready: Callable[[], None]
) -> None:
    """Answer requests one at a time until told to stop or idle for `idle_seconds`."""
    import secrets

    from stafett.fsutil import write_text_atomic

    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        folder.chmod(0o700)
    token = secrets.token_hex(32)
    listener, info = _listen(folder, token, version)
    write_text_atomic(folder / INFO_FILE, info.to_json(), private=True)
    listener.settimeout(idle_seconds)
    ready()
    try:
        while True:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                break
            with conn:
                if not _answer(conn, token, version, handler):
                    break
    finally:
        listener.close()
        for name in (INFO_FILE, SOCKET_FILE):
            with contextlib.suppress(OSError):
                (folder / name).unlink()


def _answer(conn: socket.socket, token: str, version: str, handler: Handler) -> bool:
    import hmac

    conn.settimeout(None)
    try:
        request = _receive(conn)
    except (OSError, ValueError):
        return True
    if not hmac.compare_digest(str(request.get("token", "")), token):
        return True
    op = request.get("op")
    if op == "stop":
        _send(conn, {"stopped": True})
        return False
    if op == "status":
        _send(conn, {"pid": os.getpid(), "version": version})
        return True
    if request.get("version") != version:
        _send(conn, {"refused": "version"})
        return True
    _send(conn, handler(request))
    return True


def _listen(folder: Path, token: str, version: str) -> tuple[socket.socket, AgentInfo]:
    if hasattr(socket, "AF_UNIX"):
        path = folder / SOCKET_FILE
        with contextlib.suppress(OSError):
            path.unlink()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(str(path))
        sock.listen(8)
        return sock, AgentInfo("unix", str(path), token, os.getpid(), version)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    port = sock.getsockname()[1]
    return sock, AgentInfo("tcp", f"127.0.0.1:{port}", token, os.getpid(), version)


@contextlib.contextmanager
def _connect(info: AgentInfo, timeout: float) -> Iterator[socket.socket]:
    if info.transport == "unix":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        address: Any = info.address
    else:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        host, port = info.address.rsplit(":", 1)
        address = (host, int(port))
    sock.settimeout(timeout)
    try:
        sock.connect(address)
        yield sock
    finally:
        sock.close()


def _send(conn: socket.socket, message: dict[str, Any]) -> None:
    data = json.dumps(message).encode("utf-8")
    conn.sendall(struct.pack(">I", len(data)) + data)


def _receive(conn: socket.socket) -> dict[str, Any]:
    (size,) = struct.unpack(">I", _exactly(conn, 4))
    if size > MAX_MESSAGE:
        raise ValueError("message too large")
    message = json.loads(_exactly(conn, size).decode("utf-8"))
    if not isinstance(message, dict):
        raise ValueError("not a message")
    return message


def _exactly(conn: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = conn.recv(min(left, 1 << 20))
        if not chunk:
            raise ConnectionError("closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
