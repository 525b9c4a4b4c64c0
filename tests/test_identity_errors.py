"""A key that cannot be opened is an error on every command, never a store whose
logs are all "not for you": a nightly report with a mistyped passphrase must not
say that nothing is due."""

from __future__ import annotations

import pytest

from stafett.errors import ExitCode
from stafett.keys import load_identity
from tests.world import World

PASSPHRASE = "blåbær og fløte"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> World:
    """Built once: every test here is refused and changes nothing."""
    world = World(tmp_path_factory.mktemp("keys"))
    world.person("nora", "Nora Bø", "kontaktlærer", "Bjørkly skole", passphrase=PASSPHRASE)
    recovery = world.person("recovery", "Kommunens gjenoppretting", "nøkkel")
    world.run(
        "nora", "init", str(world.store_path), "--municipality", "Testvik kommune",
        "--recovery", load_identity(recovery).recipient, STAFETT_PASSPHRASE=PASSPHRASE,
    )  # fmt: skip
    world.open_log("nora", STAFETT_PASSPHRASE=PASSPHRASE)
    return world


@pytest.mark.parametrize("command", [["list"], ["report", "due"], ["find", "åse"]])
def test_a_wrong_passphrase_is_exit_4(store: World, command: list[str]) -> None:
    refused = store.run("nora", *command, code=int(ExitCode.NO_ACCESS), STAFETT_PASSPHRASE="feil")
    assert refused.err.strip() == "Feil passordfrase. Ingenting er endret."
    assert refused.out == ""


@pytest.mark.parametrize("command", [["list"], ["report", "due"]])
def test_a_missing_key_or_a_folder_is_exit_6_and_a_broken_key_exit_4(
    store: World, command: list[str]
) -> None:
    missing = store.root / "finnes-ikke.key"
    for key, code in ((missing, ExitCode.NOT_FOUND), (store.keys, ExitCode.NOT_FOUND)):
        refused = store.run(None, *command, code=int(code), STAFETT_IDENTITY=str(key))
        assert "Fant ingen nøkkel" in refused.err
    broken = store.root / "tom.key"
    broken.write_text("", encoding="utf-8")
    refused = store.run(None, *command, code=int(ExitCode.NO_ACCESS), STAFETT_IDENTITY=str(broken))
    assert refused.err.strip() == "Nøkkelfilen er ødelagt eller har feil format."
