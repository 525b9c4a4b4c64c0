"""Values that cannot be right get their own plain message and exit 2, and the
log stays exactly as it was; a stored value that cannot be read is named, not a
crash."""

from __future__ import annotations

import pytest

from stafett import crypto, yamlio
from stafett.errors import ExitCode
from tests.test_cli_errors import snapshot
from tests.world import World


@pytest.fixture
def opened(world: World) -> tuple[World, str]:
    world.person("nora", "Nora Bø", "kontaktlærer", "Bjørkly skole")
    world.init("nora")
    return world, world.open_log("nora")


def test_typed_values_that_cannot_be_right(opened: tuple[World, str]) -> None:
    world, log_id = opened
    before = snapshot(world, log_id)
    cases = [
        (["voice", "add", log_id[:6], "Jeg vil være med.", "--how", "samtale", "--date", ""],
         "Feltet «date» må være en dato som 2025-09-22 eller 22.09.2025."),
        (["note", "add", log_id[:6], "æ" * 100_001], "«text» er for langt. Ingenting er lagret."),
        (["open", "--child-name", "Å" * 100_000, "--born", "2016-04-12", "--school", "Bjørkly",
          "--grade", "4"], "«child_name» er for langt. Ingenting er lagret."),
    ]  # fmt: skip
    for born in ("1850-01-01", "0001-01-01"):
        cases.append(
            (["open", "--child-name", "Ola Ås", "--born", born, "--school", "Bjørkly",
              "--grade", "4"],
             "Fødselsdatoen er mer enn 25 år tilbake; en stafettlogg følger barn og unge til "
             "de er 24.")
        )  # fmt: skip
    for args, message in cases:
        refused = world.run("nora", *args, code=int(ExitCode.USAGE))
        assert refused.err.strip() == message, args[:2]
    assert snapshot(world, log_id) == before
    assert len(list((world.store_path / "logs").iterdir())) == 1


def test_an_impossible_stored_timestamp_is_named_not_a_crash(opened: tuple[World, str]) -> None:
    world, log_id = opened
    repo = world.log_dir(log_id)
    path = repo / "log.yaml.age"
    data = yamlio.load(crypto.decrypt(path.read_bytes(), world.identity("nora")), name="log")
    data["created"] = "2025-02-30T10:00:00+01:00"
    readers = [world.identity(h).recipient for h in ("nora", "recovery")]
    sealed = crypto.encrypt(yamlio.dump(data).encode("utf-8"), readers)
    world.commit_foreign(log_id, {"log.yaml.age": sealed}, signer="nora", message="add log x")
    for command in (["show", log_id[:6]], ["verify", log_id[:6]]):
        refused = world.run("nora", *command, code=int(ExitCode.INVALID))
        assert (
            "created" in refused.err + refused.out and "log.yaml.age" in refused.err + refused.out
        )
        assert "Uventet" not in refused.err


def test_files_that_are_not_utf8_are_refused_plainly(opened: tuple[World, str]) -> None:
    world, log_id = opened
    before = snapshot(world, log_id)
    latin1 = world.root / "referat æøå.txt"
    latin1.write_bytes("Møtet gikk bra.".encode("latin-1"))
    card = world.root / "kort.yaml"
    card.write_bytes("name: Kåre Øye\n".encode("latin-1"))
    minutes = world.run(
        "nora", "meeting", "add", log_id[:6], "--date", "2026-03-01", "--participants", "nora",
        "--child-present", "nei", "--minutes", f"@{latin1}", code=int(ExitCode.USAGE),
    )  # fmt: skip
    assert minutes.err.strip() == (
        "referat æøå.txt er ikke tekst i UTF-8; lagre den som UTF-8 og prøv igjen. "
        "Ingenting er endret."
    )
    refused = world.run("nora", "people", "add", str(card), code=int(ExitCode.USAGE))
    assert refused.err.strip().startswith("kort.yaml er ikke tekst i UTF-8")
    assert snapshot(world, log_id) == before
