"""The attacker's tests for the agent's client: another user on the same computer
plants a fake agent, or makes the runtime folder first. Real processes, a real
socket server as the fake agent, and the real `stafett` program."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from stafett import __version__
from stafett.errors import ExitCode
from stafett.i18n import text
from tests.world import World

PASSPHRASE = "blåbær og fløte"
SECRET_NOTE = "Mor fortalte om vold i hjemmet."
NOBODY = 65534
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX owners and modes")

# A fake agent: answers every message as an agent would a request ("Lagret notat"),
# with a made-up proof, and writes down everything it is sent.
FAKE_AGENT = r"""
import json, socket, struct, sys

log = open(sys.argv[1], "a", encoding="utf-8")
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(8)
print(server.getsockname()[1], flush=True)
answer = {"proof": "0" * 64, "nonce": "1" * 64, "code": 0, "out": "Lagret notat (falsk)\n",
          "err": "", "pid": 1, "version": sys.argv[2]}
data = json.dumps(answer).encode()
while True:
    conn, _ = server.accept()
    with conn:
        while True:
            head = conn.recv(4, socket.MSG_WAITALL)
            if len(head) < 4:
                break
            body = conn.recv(struct.unpack(">I", head)[0], socket.MSG_WAITALL)
            try:
                log.write(json.dumps(json.loads(body), ensure_ascii=False) + "\n")
            except ValueError:
                log.write(repr(body) + "\n")
            log.flush()
            try:
                conn.sendall(struct.pack(">I", len(data)) + data)
            except OSError:
                break
"""


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory) -> tuple[World, str]:
    """Nora's passphrase-wrapped key, a store and one log, shared by this module."""
    world = World(tmp_path_factory.mktemp("trust"), processes=True)
    world.person("nora", "Nora Bø", "kontaktlærer", passphrase=PASSPHRASE)
    world.init("nora")
    return world, world.open_log("nora", STAFETT_PASSPHRASE=PASSPHRASE)


@pytest.fixture
def fake_agent(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """A listening fake agent (its port) and the file where it writes what it got."""
    script, received = tmp_path / "fake_agent.py", tmp_path / "received.txt"
    script.write_text(FAKE_AGENT, encoding="utf-8")
    received.write_text("", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(received), __version__],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        yield int(proc.stdout.readline()), received
    finally:
        proc.kill()
        proc.wait()


def _as_another_user(path: Path) -> None:
    """Hand `path` to another user where the tests may (as root); else it stays the
    test's own, and only its mode shows it was not made private."""
    if os.getuid() == 0:
        os.chown(path, NOBODY, NOBODY, follow_symlinks=False)


def _plant(case: str, folder: Path, port: int) -> None:
    """agent.json pointing at the fake agent, as each attack leaves it."""
    info = {
        "transport": "tcp",
        "address": f"127.0.0.1:{port}",
        "token": "7" * 64,
        "pid": 1,
        "version": __version__,
    }
    folder.mkdir(mode=0o700)
    if case == "linked-file":
        elsewhere = folder.parent / "attacker.json"
        elsewhere.write_text(json.dumps(info), encoding="utf-8")
        (folder / "agent.json").symlink_to(elsewhere)
        return
    (folder / "agent.json").write_text(json.dumps(info), encoding="utf-8")
    (folder / "agent.json").chmod(0o600 if case == "wrong-proof" else 0o644)
    if case == "open-folder":
        folder.chmod(0o777)
        _as_another_user(folder / "agent.json")
        _as_another_user(folder)
    elif case == "foreign-file":
        _as_another_user(folder / "agent.json")


def _commits(world: World, log_id: str) -> int:
    count = subprocess.run(
        ["git", "-C", str(world.log_dir(log_id)), "rev-list", "--count", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(count.stdout)


@POSIX
@pytest.mark.parametrize("case", ["open-folder", "foreign-file", "linked-file", "wrong-proof"])
def test_a_fake_agent_learns_nothing_and_the_note_is_written(
    case: str, logged: tuple[World, str], fake_agent: tuple[int, Path], tmp_path: Path
) -> None:
    """open-folder: another user made the agent folder and planted agent.json in it;
    foreign-file and linked-file: an agent.json that is not the user's own private
    file; wrong-proof: a real agent.json whose address a stranger now holds (the agent
    died; another user took its port)."""
    world, log_id = logged
    port, received = fake_agent
    folder = tmp_path / "agent"
    _plant(case, folder, port)
    before = _commits(world, log_id)
    saved = world.run(
        "nora",
        "note",
        "add",
        log_id[:6],
        SECRET_NOTE,
        STAFETT_PASSPHRASE=PASSPHRASE,
        STAFETT_AGENT_DIR=str(folder),
    )
    got = received.read_text(encoding="utf-8")
    assert PASSPHRASE not in got and SECRET_NOTE not in got and "7" * 64 not in got
    assert saved.out.startswith("Lagret notat") and "falsk" not in saved.out
    assert _commits(world, log_id) == before + 1
    assert saved.err.splitlines() == [text("agent_untrusted", "nb", folder=str(folder))]
    if case == "wrong-proof":  # it was asked to prove the token, and nothing more
        assert [sorted(json.loads(line)) for line in got.splitlines()] == [["nonce", "op"]]
    else:  # the client never even connected
        assert got == ""


@POSIX
def test_agent_start_refuses_a_folder_another_user_made(
    logged: tuple[World, str], tmp_path: Path
) -> None:
    world, log_id = logged
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o777)
    _as_another_user(folder)
    extra = {"STAFETT_AGENT_DIR": str(folder)}
    refused = world.run(
        "nora",
        "agent",
        "start",
        code=int(ExitCode.CONFLICT),
        STAFETT_PASSPHRASE=PASSPHRASE,
        extra=extra,
    )
    assert refused.err.splitlines() == [text("agent_dir_unsafe", "nb", folder=str(folder))]
    assert list(folder.iterdir()) == []
    saved = world.run(
        "nora", "note", "add", log_id[:6], "Ringte mor.", STAFETT_PASSPHRASE=PASSPHRASE, extra=extra
    )
    assert saved.out.startswith("Lagret notat") and saved.err == ""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the /tmp runtime fallback")
@pytest.mark.skipif(
    os.path.isdir(f"/run/user/{os.getuid() if hasattr(os, 'getuid') else 0}"),
    reason="platformdirs uses /run/user/UID here, not the /tmp fallback",
)
def test_a_runtime_folder_another_user_made_first(
    logged: tuple[World, str], tmp_path: Path
) -> None:
    """Another user makes /tmp/runtime-UID before the user's first command: no
    command crashes, and the agent runs in a private folder of the user's instead."""
    world, log_id = logged
    temp, state = tmp_path / "tmp", tmp_path / "state"
    temp.mkdir()
    planted = temp / f"runtime-{os.getuid()}"
    planted.mkdir()
    planted.chmod(0o777)
    _as_another_user(planted)
    extra = {
        "TMPDIR": str(temp),
        "XDG_RUNTIME_DIR": "",
        "XDG_STATE_HOME": str(state),
        "STAFETT_AGENT_DIR": "",
    }
    cold = world.run(
        "nora", "note", "add", log_id[:6], "Kald.", STAFETT_PASSPHRASE=PASSPHRASE, extra=extra
    )
    assert cold.out.startswith("Lagret notat") and cold.err == ""
    started = world.run(
        "nora", "--json", "agent", "start", STAFETT_PASSPHRASE=PASSPHRASE, extra=extra
    )
    try:
        folder = str(state / "stafett" / "agent")
        assert started.json()["dir"] == folder
        moved = text("agent_dir_moved", "nb", refused=str(planted), folder=folder)
        assert started.err.splitlines() == [moved]
        warm = world.run("nora", "note", "add", log_id[:6], "Varm.", extra=extra)
        assert warm.out.startswith("Lagret notat")
    finally:
        world.run("nora", "agent", "stop", extra=extra)
    assert list(planted.iterdir()) == []
