"""Access, consent and authenticity, on the fictional cases replayed through the
withdrawal of consent (our own story, and shared/scenarios/emma.yaml when present)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from stafett.crypto import can_decrypt
from stafett.errors import ExitCode
from tests.leaks import leaks, plaintext_blobs
from tests.story import Replay, load_story, replay, sensitive_strings
from tests.test_story import STORIES
from tests.world import World


@pytest.fixture(scope="module", params=STORIES)
def withdrawn(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[World, Replay]:
    world = World(tmp_path_factory.mktemp("consent"))
    state = replay(world, load_story(request.param), through="withdraw consent")
    return world, state


def _step(state: Replay, do: str) -> dict[str, Any]:
    return next(s for s in state.story["steps"] if s["do"] == do)


def _readers(world: World, file: Path) -> set[str]:
    data = file.read_bytes()
    return {h for h in world.key_files if h != "recovery" and can_decrypt(data, world.identity(h))}


def _ppt(state: Replay) -> str:
    """The professional whose service the consent no longer covers."""
    gone = set(_step(state, "withdraw consent")["services"])
    return str(next(h for h, p in state.story["people"].items() if p["service"] in gone))


def _nurse(state: Replay) -> str:
    return str(_step(state, "add concern")["actor"])


def test_after_withdrawal_the_removed_service_reads_nothing_new(
    withdrawn: tuple[World, Replay],
) -> None:
    world, state = withdrawn
    coordinator, ppt, nurse = state.story["steps"][0]["actor"], _ppt(state), _nurse(state)
    note = world.run(
        coordinator,
        "--json",
        "note",
        "add",
        state.log_id[:8],
        "Skrevet etter at samtykket for PPT ble trukket.",
    ).json()["id"]
    readers = _readers(world, world.log_dir(state.log_id) / "note" / f"{note}.yaml.age")
    assert ppt not in readers
    assert {coordinator, nurse} <= readers
    for rel in ("log.yaml.age", "members.yaml.age"):
        assert ppt not in _readers(world, world.log_dir(state.log_id) / rel)
    measures = world.log_dir(state.log_id) / "measure"
    assert all(ppt not in _readers(world, f) for f in measures.iterdir())
    refused = world.run(ppt, "note", "add", state.log_id[:8], "Hei.", code=int(ExitCode.NO_ACCESS))
    assert "kan ikke åpne" in refused.err or "ikke medlem" in refused.err


def test_the_restricted_concern_stays_with_its_audience(withdrawn: tuple[World, Replay]) -> None:
    world, state = withdrawn
    step = _step(state, "add concern")
    concern = (
        world.log_dir(state.log_id) / "concern" / f"{state.concerns[str(step['date'])]}.yaml.age"
    )
    assert _readers(world, concern) == set(step["audience"])


def test_consent_list_shows_the_partial_withdrawal(withdrawn: tuple[World, Replay]) -> None:
    world, state = withdrawn
    coordinator = state.story["steps"][0]["actor"]
    out = world.run(coordinator, "consent", "list", state.log_id[:8]).out
    assert "delvis trukket" in out
    gone = _step(state, "withdraw consent")["services"][0]
    data = world.run(coordinator, "--json", "consent", "list", state.log_id[:8]).json()
    (view,) = data["consents"]
    assert gone not in view["services"] and gone in view["consent"]["services"]


def test_access_names_who_can_read_each_document(withdrawn: tuple[World, Replay]) -> None:
    world, state = withdrawn
    nurse, ppt = _nurse(state), _ppt(state)
    people = state.story["people"]
    out = world.run(nurse, "access", state.log_id[:8]).out
    assert f"{people[nurse]['name']} ({people[nurse]['service']})" in out
    assert "kan lese dette" in out
    mine = world.run(nurse, "--json", "access", state.log_id[:8], "--for", nurse).json()
    everything = world.run(nurse, "--json", "access", state.log_id[:8]).json()
    assert 0 < len(mine["documents"]) <= len(everything["documents"])
    assert all(people[ppt]["name"] not in str(d["readers"]) for d in everything["documents"])


def test_verify_and_git_verify_commit_accept_every_commit(
    withdrawn: tuple[World, Replay],
) -> None:
    world, state = withdrawn
    coordinator = state.story["steps"][0]["actor"]
    assert "i orden" in world.run(coordinator, "verify", state.log_id[:8]).out
    signers = world.root / "allowed_signers"
    world.run(coordinator, "allowed-signers", state.log_id[:8], "-o", str(signers))
    repo = world.log_dir(state.log_id)
    commits = _git(repo, "rev-list", "HEAD").split()
    assert len(commits) >= len(state.done)
    for sha in commits:
        _git(repo, "-c", f"gpg.ssh.allowedSignersFile={signers}", "verify-commit", sha)


def test_nothing_personal_outside_age_files_after_withdrawal(
    withdrawn: tuple[World, Replay],
) -> None:
    world, state = withdrawn
    folder = world.log_dir(state.log_id)
    assert leaks(folder, sensitive_strings(state.story)) == []
    assert plaintext_blobs(folder) == []


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
