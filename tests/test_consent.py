"""Consent rules, the baton, and re-encryption that touches only what changes."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from stafett.errors import ExitCode
from tests.world import World


@pytest.fixture
def case(world: World) -> tuple[World, str]:
    world.person("nora", "Nora Bø", "kontaktlærer", "Bjørkly skole")
    world.person("kari", "Kari Lø", "helsesykepleier", "Bjørkly helsestasjon")
    world.person("ahmed", "Ahmed Sæbø", "rådgiver", "PPT Bjørkly")
    world.person("lise", "Lise Ås", "mor")
    world.init("nora")
    for handle in ("kari", "ahmed"):
        world.run("nora", "people", "add", str(world.card(handle)), "--handle", handle)
    return world, world.open_log("nora", concern="Åse har vondt i magen hver mandag.")


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*.yaml.age")
    }


def _guardian(world: World, log_id: str) -> None:
    world.run(
        "nora",
        "member",
        "add",
        log_id[:6],
        "--card",
        str(world.card("lise")),
        "--handle",
        "lise",
        "--role",
        "guardian",
    )


def _consent(world: World, log_id: str, services: str) -> str:
    _guardian(world, log_id)
    return world.consent(
        "nora", log_id, "lise", services, "--reference", "arkivert i skolens arkiv"
    )


def test_a_professional_needs_a_consent_that_covers_their_service(
    case: tuple[World, str],
) -> None:
    world, log_id = case
    refused = world.run("nora", "member", "add", log_id[:6], "kari", code=int(ExitCode.CONFLICT))
    assert refused.err.startswith("Ingen gyldig samtykke dekker tjenesten «Bjørkly helsestasjon»")
    _consent(world, log_id, "Bjørkly helsestasjon")
    world.run("nora", "member", "add", log_id[:6], "kari")
    world.run("nora", "member", "add", log_id[:6], "ahmed", code=int(ExitCode.CONFLICT))
    world.run("nora", "member", "add", log_id[:6], "ahmed", "--override", code=int(ExitCode.USAGE))
    world.run(
        "nora",
        "member",
        "add",
        log_id[:6],
        "ahmed",
        "--override",
        "--why",
        "Akutt: PPT må se på saken før neste møte; samtykke hentes inn.",
    )
    members = world.run("nora", "--json", "access", log_id[:6]).json()["documents"][1]
    ahmed = next(m for m in members["readers"] if m["handle"] == "ahmed")
    assert ahmed["override"]["why"].startswith("Akutt")
    assert "lagt til uten samtykke: Akutt" in world.run("kari", "show", log_id[:6]).out


def test_removal_reencrypts_only_what_changes(case: tuple[World, str]) -> None:
    world, log_id = case
    _consent(world, log_id, "Bjørkly helsestasjon,PPT Bjørkly")
    world.run("nora", "member", "add", log_id[:6], "kari")
    world.run("nora", "member", "add", log_id[:6], "ahmed")
    restricted = world.run(
        "nora", "--json", "note", "add", log_id[:6], "Bare for Nora og Kari.", "--audience", "kari"
    ).json()["id"]
    folder = world.log_dir(log_id)
    before = _hashes(folder)
    out = world.run("nora", "member", "remove", log_id[:6], "ahmed").out
    assert "Ahmed Sæbø har ikke lenger tilgang" in out
    after = _hashes(folder)
    assert after[f"note/{restricted}.yaml.age"] == before[f"note/{restricted}.yaml.age"]
    changed = {k for k in before if after[k] != before[k]}
    assert "log.yaml.age" in changed and "members.yaml.age" in changed
    assert f"note/{restricted}.yaml.age" not in changed
    assert "i orden" in world.run("kari", "verify", log_id[:6]).out


def test_withdrawing_all_consent_leaves_the_log_readable_and_closable(
    case: tuple[World, str],
) -> None:
    world, log_id = case
    consent = _consent(world, log_id, "Bjørkly helsestasjon")
    world.run("nora", "member", "add", log_id[:6], "kari")
    out = world.run("nora", "consent", "withdraw", log_id[:6], consent[:6], "--by", "lise").out
    assert "Kari Lø har ikke lenger tilgang" in out
    refused = world.run("nora", "note", "add", log_id[:6], "Etterpå.", code=int(ExitCode.CONFLICT))
    assert refused.err.strip().startswith("Alt samtykke er trukket tilbake")
    assert "Åse Ødegård" in world.run("nora", "show", log_id[:6]).out
    world.run("kari", "show", log_id[:6], code=int(ExitCode.NO_ACCESS))
    world.run("nora", "close", log_id[:6], "--reason", "Samtykket er trukket.")


def test_the_baton_stays_until_the_receiver_accepts(case: tuple[World, str]) -> None:
    world, log_id = case
    _consent(world, log_id, "Bjørkly helsestasjon")
    world.run("nora", "member", "add", log_id[:6], "kari")
    world.run("lise", "coordinator", "accept", log_id[:6], code=int(ExitCode.NO_ACCESS))
    world.run("nora", "coordinator", "pass", log_id[:6], "--to", "kari")
    shown = world.run("nora", "--json", "show", log_id[:6]).json()
    assert shown["coordinator"]["handle"] == "nora"
    assert "Nora Bø" in world.run("kari", "show", log_id[:6]).out.split("\n")[2]
    world.run("kari", "coordinator", "accept", log_id[:6])
    assert world.run("kari", "--json", "show", log_id[:6]).json()["coordinator"]["handle"] == "kari"
    world.run(
        "nora",
        "member",
        "add",
        log_id[:6],
        "ahmed",
        "--override",
        "--why",
        "Test.",
        code=int(ExitCode.NO_ACCESS),
    )
    assert "i orden" in world.run("kari", "verify", log_id[:6]).out


def test_a_child_past_the_age_of_own_consent_must_renew_it(world: World) -> None:
    world.person("nora", "Nora Bø", "kontaktlærer", "Bjørkly skole")
    world.person("lise", "Lise Ås", "mor")
    world.init("nora")
    assert world.today is not None
    born = date(world.today.year - 16, 1, 1).isoformat()
    log_id = world.open_log("nora", "Jonas Ås", born, grade=10)
    _guardian(world, log_id)
    world.consent(
        "nora", log_id, "lise", "Bjørkly skole", "--from", born, "--child-said", "Greit for meg."
    )
    notice = "Barnet har fylt 15 år: samtykket må fornyes med barnets eget samtykke."
    assert notice in world.run("nora", "consent", "list", log_id[:6]).out
    assert notice in world.run("nora", "show", log_id[:6]).out
    world.consent("nora", log_id, "jonas", "Bjørkly skole", "--child-said", "Ja, jeg samtykker.")
    assert notice not in world.run("nora", "consent", "list", log_id[:6]).out
