"""A warm process that holds unlocked keys and runs commands for the same user.

A cold `stafett` command pays ~200 ms of Python, typer and jsonschema start-up, and
a passphrase-wrapped key costs 1.5-3 s of scrypt to unlock. Like gpg-agent for
pass, the agent pays both once. The client side below imports only the standard
library modules it needs (`multiprocessing.connection` alone costs ~22 ms, so the
protocol is a length-prefixed JSON message over a socket; `hmac` costs ~3 ms).

Transport: a Unix socket in a private folder where the platform has them, else TCP
on 127.0.0.1. Either way a random secret (the token), kept in agent.json that only
the user can read, stands behind every request.

Why the client trusts so little: whoever answers at the agent's address receives
the user's commands, their arguments (note texts) and their environment. So:

- agent.json is believed only in a folder that is a real folder (not a link) of
  the user's own, closed to group and others, in a parent nobody else can change,
  and only as a regular file of the user's, mode 0600 (POSIX; Windows has no uids,
  and its per-user folders are private already). Anything else is another user's
  plant: the command runs in this process instead, and says so once.
- Before sending anything, the client makes the listener prove it knows the token
  (an HMAC of a fresh nonce), then proves the same back. A stale agent.json whose
  address someone else now holds (a freed TCP port) thus learns nothing, and the
  token itself never crosses the socket, so no impostor can replay it.
- The passphrase is never forwarded: the agent holds unlocked keys, not the
  passphrase, and runs only for the keys it holds (else the client runs the
  command itself and asks there).
- Each connection is read in a thread of its own with a deadline, and the client
  waits only seconds for the greeting, so a silent connection blocks no one.

The folder: STAFETT_AGENT_DIR when set, used only if private (else `agent start`
refuses it by name). Otherwise the user's runtime folder; when another user made
or can change that folder first (a predictable /tmp/runtime-UID), the agent and its
clients use a private folder in the user's state folder instead
(~/.local/state/stafett/agent on Linux).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import stat
import struct

TYPE_CHECKING = False  # keep `typing` and friends out of the client's start-up
if TYPE_CHECKING:
    import queue
    import threading
    from collections.abc import Callable, Iterator, Mapping
    from pathlib import Path
    from typing import Any

    Handler = Callable[[dict[str, Any]], dict[str, Any]]
    Job = tuple[dict[str, Any], queue.Queue[dict[str, Any]]]

INFO_FILE = "agent.json"
SOCKET_FILE = "agent.sock"
DEFAULT_IDLE_SECONDS = 30 * 60
MAX_MESSAGE = 64 * 1024 * 1024
MAX_GREETING = 4096  # what anyone may send before proving they know the token
MAX_INFO = 64 * 1024
HELLO_SECONDS = 5.0  # the client's wait for the agent's proof
REQUEST_SECONDS = 10.0  # the agent's wait for each message of a request
MAX_SESSIONS = 32
NOT_FORWARDED = ("agent", "key")
INFO_FIELDS = ("transport", "address", "token", "pid", "version")


class AgentInfo:
    """Where the agent listens and the token that opens it (agent.json, private)."""

    def __init__(self, transport: str, address: str, token: str, pid: int, version: str) -> None:
        self.transport, self.address, self.token = transport, address, token
        self.pid, self.version = pid, version

    def to_json(self) -> str:
        return json.dumps({name: getattr(self, name) for name in INFO_FIELDS})


class Untrusted(Exception):
    """An agent file or listener that the user's own agent cannot have left."""

    def __init__(self, folder: str) -> None:
        super().__init__(folder)
        self.folder = folder


def is_secret(name: str) -> bool:
    """Environment variables that never reach the agent or its environment."""
    return "PASSPHRASE" in name.upper()


def agent_dir(environ: Mapping[str, str]) -> str:
    return agent_dir_choice(environ)[0]


def agent_dir_choice(environ: Mapping[str, str]) -> tuple[str, str | None]:
    """The agent's folder, and the runtime folder refused on the way (one another
    user made or can change), so that `agent start` can name it."""
    override = environ.get("STAFETT_AGENT_DIR")
    if override:
        return os.path.abspath(override), None
    import warnings

    from platformdirs import user_runtime_dir, user_state_dir

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no XDG_RUNTIME_DIR: platformdirs falls back, noisily
        try:
            folder = user_runtime_dir("stafett", appauthor=False)
            base = os.path.dirname(folder)
            if _safe_parent(base):
                return folder, None
        except PermissionError:  # its /tmp fallback exists and is another user's
            import tempfile

            base = os.path.join(tempfile.gettempdir(), f"runtime-{os.getuid()}")
        return os.path.join(user_state_dir("stafett", appauthor=False), "agent"), base


def private_dir(folder: str | Path) -> bool:
    """A real folder (not a link) of the user's, closed to others, in a parent that
    nobody else can rename it out of."""
    path = os.path.abspath(folder)
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and _mine(info) and _safe_parent(os.path.dirname(path))


def make_private_dir(folder: str | Path) -> bool:
    """Make the agent's folder (0700), or check the one there: False when it is not
    private, and then nothing may be written in it."""
    path = os.path.abspath(folder)
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return False
    return private_dir(path)


def _mine(info: os.stat_result) -> bool:
    getuid = getattr(os, "getuid", None)
    return getuid is None or (info.st_uid == getuid() and not info.st_mode & 0o077)


def _safe_parent(path: str) -> bool:
    """Owned by the user or root, and writable by others only with the sticky bit
    (as /tmp): else another user could swap the folder below it. A missing one is
    made by `agent start`, privately, and checked again."""
    getuid = getattr(os, "getuid", None)
    if getuid is None:
        return True
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    shared = info.st_mode & 0o022 and not info.st_mode & stat.S_ISVTX
    return info.st_uid in (getuid(), 0) and not shared


def read_info(folder: str | Path) -> AgentInfo | None:
    """The agent's address and token; None when no agent left its file here.
    Raises Untrusted when a file is there that the user's own agent cannot have left."""
    path = os.path.abspath(folder)
    name = os.path.join(path, INFO_FILE)
    try:
        os.lstat(name)
    except OSError:
        return None
    if not private_dir(path):
        raise Untrusted(path)
    try:
        raw = _read_private(name)
    except FileNotFoundError:  # the agent stopped just now
        return None
    except OSError:
        raise Untrusted(path) from None
    if raw is None:
        raise Untrusted(path)
    return _parse_info(raw)


def _read_private(name: str) -> bytes | None:
    """agent.json's bytes if it is a regular file of the user's, closed to others;
    a link, a pipe or a device is never opened as one."""
    if os.path.islink(name):
        return None
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    with os.fdopen(os.open(name, flags | getattr(os, "O_BINARY", 0)), "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode) or not _mine(info):
            return None
        data = fh.read(MAX_INFO + 1)
    return data if len(data) <= MAX_INFO else None


def _parse_info(raw: bytes) -> AgentInfo | None:
    try:
        data = json.loads(raw.decode("utf-8"))
        info = AgentInfo(**{name: data[name] for name in INFO_FIELDS})
    except (ValueError, TypeError, KeyError, RecursionError):
        return None
    texts = (info.address, info.token, info.version)
    if not all(isinstance(t, str) for t in texts) or info.transport not in ("unix", "tcp"):
        return None
    if info.transport == "tcp" and not info.address.startswith("127.0.0.1:"):
        return None
    return info


def forwardable(args: list[str]) -> bool:
    words = [a for a in args if not a.startswith("-")]
    return bool(words) and words[0] not in NOT_FORWARDED and "--edit" not in args


def forward(
    args: list[str], environ: Mapping[str, str], cwd: str, version: str
) -> dict[str, Any] | None:
    """Run a command in the user's own agent; None means none answered (run it
    here). Raises Untrusted when what is there is not the user's agent."""
    try:
        folder = agent_dir(environ)
        info = read_info(folder)
    except OSError:
        return None
    if info is None:
        return None
    env = {name: value for name, value in environ.items() if not is_secret(name)}
    request = {"op": "run", "argv": args, "env": env, "cwd": cwd, "version": version}
    try:
        reply = call(info, request)
    except Untrusted:
        raise Untrusted(folder) from None
    except (OSError, ValueError):
        return None
    return None if reply.get("refused") else reply


def call(info: AgentInfo, request: dict[str, Any], timeout: float = 600.0) -> dict[str, Any]:
    """One request, sent only after the listener proved it knows the token; raises
    Untrusted when it cannot, OSError when nothing answers in time."""
    with _connect(info, HELLO_SECONDS) as conn:
        proof = _hello(conn, info)
        conn.settimeout(timeout)
        _send(conn, {"proof": proof})
        _send(conn, request)
        return _receive(conn)


def _hello(conn: socket.socket, info: AgentInfo) -> str:
    """Check the listener's proof of the token; return ours for its nonce."""
    nonce = os.urandom(32).hex()
    _send(conn, {"op": "hello", "nonce": nonce})
    try:
        answer = _receive(conn, MAX_GREETING)
    except (ValueError, RecursionError):  # junk, or JSON nested to crash us
        raise Untrusted(info.address) from None
    theirs = answer.get("nonce")
    proven = _same(answer.get("proof"), _proof(info.token, "agent", nonce))
    if not proven or not isinstance(theirs, str) or not 32 <= len(theirs) <= 128:
        raise Untrusted(info.address)
    return _proof(info.token, "client", theirs)


def _proof(token: str, role: str, nonce: str) -> str:
    """The role is part of the proof, so an agent's answer cannot be sent back to it
    as a client's."""
    import hmac

    return hmac.new(token.encode("utf-8"), f"{role}:{nonce}".encode(), "sha256").hexdigest()


def _same(given: object, expected: str) -> bool:
    import hmac

    return isinstance(given, str) and hmac.compare_digest(given.encode(), expected.encode())


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


def serve(
    folder: Path, handler: Handler, version: str, idle_seconds: float, ready: Callable[[], None]
) -> None:
    """Answer requests until told to stop or idle for `idle_seconds`. Connections are
    greeted in threads of their own; the commands run one at a time, here."""
    import queue
    import secrets
    import threading

    from stafett.fsutil import write_text_atomic

    if not make_private_dir(folder):
        raise Untrusted(str(folder))
    token = secrets.token_hex(32)
    listener, info = _listen(folder, token, version)
    bound = _socket_id(info)
    write_text_atomic(folder / INFO_FILE, info.to_json(), private=True)
    jobs: queue.Queue[Job] = queue.Queue()
    accept = threading.Thread(target=_accept, args=(listener, token, version, jobs), daemon=True)
    accept.start()
    ready()
    try:
        _work(jobs, handler, idle_seconds)
    finally:
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        listener.close()
        _remove_own_files(folder, token, bound)


def _work(jobs: queue.Queue[Job], handler: Handler, idle_seconds: float) -> None:
    import queue

    while True:
        try:
            request, box = jobs.get(timeout=idle_seconds)
        except queue.Empty:
            break
        if request.get("op") == "stop":
            box.put({"stopped": True})
            box.join()
            break
        box.put(handler(request))
    while True:  # whoever still waits runs the command without the agent
        try:
            _, box = jobs.get_nowait()
        except queue.Empty:
            return
        box.put({"refused": "stopping"})


def _accept(listener: socket.socket, token: str, version: str, jobs: queue.Queue[Job]) -> None:
    import threading

    slots = threading.BoundedSemaphore(MAX_SESSIONS)
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return  # the listener was closed
        if not slots.acquire(blocking=False):
            conn.close()
            continue
        args = (conn, token, version, jobs, slots)
        threading.Thread(target=_session, args=args, daemon=True).start()


def _session(
    conn: socket.socket,
    token: str,
    version: str,
    jobs: queue.Queue[Job],
    slots: threading.BoundedSemaphore,
) -> None:
    """One connection: greet it, read its request, wait for the command's turn."""
    try:
        with conn:
            conn.settimeout(REQUEST_SECONDS)
            request = _greet(conn, token)
            if request is not None:
                _reply(conn, request, version, jobs)
    except (OSError, ValueError, RecursionError):
        pass
    finally:
        slots.release()


def _greet(conn: socket.socket, token: str) -> dict[str, Any] | None:
    """Prove the token to the client, then read its request if it proves it back;
    None for anyone who cannot (nothing is answered to them)."""
    hello = _receive(conn, MAX_GREETING)
    nonce = hello.get("nonce")
    if hello.get("op") != "hello" or not isinstance(nonce, str) or not 32 <= len(nonce) <= 128:
        return None
    mine = os.urandom(32).hex()
    _send(conn, {"proof": _proof(token, "agent", nonce), "nonce": mine})
    if not _same(_receive(conn, MAX_GREETING).get("proof"), _proof(token, "client", mine)):
        return None
    return _receive(conn)


def _reply(
    conn: socket.socket, request: dict[str, Any], version: str, jobs: queue.Queue[Job]
) -> None:
    """Answer; a command waits for its turn. The worker waits in turn until the
    answer to `stop` is sent, so the process does not end before it is."""
    import queue

    op = request.get("op")
    if op == "status":
        _send(conn, {"pid": os.getpid(), "version": version})
    elif op not in ("run", "stop"):
        _send(conn, {"refused": "op"})
    elif op == "run" and request.get("version") != version:
        _send(conn, {"refused": "version"})
    else:
        box: queue.Queue[dict[str, Any]] = queue.Queue(1)
        jobs.put((request, box))
        answer = box.get()
        try:
            _send(conn, answer)
        finally:
            box.task_done()


def _listen(folder: Path, token: str, version: str) -> tuple[socket.socket, AgentInfo]:
    if hasattr(socket, "AF_UNIX"):
        path = folder / SOCKET_FILE
        with contextlib.suppress(OSError):
            path.unlink()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(str(path))
        sock.listen(MAX_SESSIONS)
        return sock, AgentInfo("unix", str(path), token, os.getpid(), version)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if hasattr(socket, "SO_EXCLUSIVEADDRUSE"):  # Windows: no one else may bind our port
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(MAX_SESSIONS)
    port = sock.getsockname()[1]
    return sock, AgentInfo("tcp", f"127.0.0.1:{port}", token, os.getpid(), version)


def _socket_id(info: AgentInfo) -> tuple[int, int] | None:
    if info.transport != "unix":
        return None
    found = os.stat(info.address)
    return found.st_dev, found.st_ino


def _remove_own_files(folder: Path, token: str, bound: tuple[int, int] | None) -> None:
    """Remove agent.json and the socket only if they are still this agent's: an
    agent started just after a stop must keep its own."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        if json.loads((folder / INFO_FILE).read_text("utf-8")).get("token") == token:
            (folder / INFO_FILE).unlink()
    with contextlib.suppress(OSError):
        found = os.stat(folder / SOCKET_FILE)
        if (found.st_dev, found.st_ino) == bound:
            (folder / SOCKET_FILE).unlink()


def _send(conn: socket.socket, message: dict[str, Any]) -> None:
    data = json.dumps(message).encode("utf-8")
    conn.sendall(struct.pack(">I", len(data)) + data)


def _receive(conn: socket.socket, limit: int = MAX_MESSAGE) -> dict[str, Any]:
    (size,) = struct.unpack(">I", _exactly(conn, 4))
    if size > limit:
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
