"""The agent holds an unlocked key: commands run warm and ask for no passphrase."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator

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
    world, _, extra = agent_world
    info = agent.read_info(extra["STAFETT_AGENT_DIR"])
    assert info is not None
    forged = agent.AgentInfo(info.transport, info.address, "0" * 64, info.pid, info.version)
    with pytest.raises(OSError):
        agent.call(
            forged,
            {
                "op": "run",
                "argv": ["--json", "list"],
                "env": {},
                "cwd": "/",
                "version": info.version,
            },
            timeout=10,
        )
    assert world.run("nora", "agent", "status", extra=extra).out.startswith("Agenten kjører")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_the_agent_files_are_private(agent_world: tuple[World, str, dict[str, str]]) -> None:
    _, _, extra = agent_world
    folder = extra["STAFETT_AGENT_DIR"]
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(os.path.join(folder, agent.INFO_FILE)).st_mode) == 0o600
