"""The fictional cases replayed through the CLI, up to and including the level change.

Runs our own story always, and shared/scenarios/emma.yaml when ../shared is present.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stafett.crypto import can_decrypt
from stafett.layout import parse_document
from tests.leaks import leaks, plaintext_blobs
from tests.story import Replay, load_story, replay, sensitive_strings
from tests.world import World

HERE = Path(__file__).parent
SHARED = HERE.parent.parent / "shared" / "scenarios" / "emma.yaml"
STORIES = [
    pytest.param(HERE / "data" / "story.yaml", id="own-story"),
    pytest.param(
        SHARED,
        id="shared-emma",
        marks=pytest.mark.skipif(not SHARED.exists(), reason="../shared is not here"),
    ),
]


@pytest.fixture(scope="module", params=STORIES)
def played(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[World, Replay]:
    world = World(tmp_path_factory.mktemp("story"))
    state = replay(world, load_story(request.param), through="change level")
    return world, state


def _concern_step(state: Replay) -> dict[str, Any]:
    return next(s for s in state.story["steps"] if s["do"] == "add concern")


def test_restricted_concern_is_readable_by_its_audience_only(played: tuple[World, Replay]) -> None:
    world, state = played
    step = _concern_step(state)
    concern = (
        world.log_dir(state.log_id) / "concern" / f"{state.concerns[str(step['date'])]}.yaml.age"
    )
    data = concern.read_bytes()
    readers = {
        h for h in world.key_files if h != "recovery" and can_decrypt(data, world.identity(h))
    }
    assert readers == set(step["audience"])
    assert can_decrypt(data, world.identity("recovery"))
    outsider = next(h for h in state.story["steps"][2]["members"] if h not in step["audience"])
    shown = world.run(outsider, "show", state.log_id[:6]).out
    assert "skjult for deg" in shown
    assert step["text"][:30] not in world.run(step["audience"][0], "show", state.log_id[:6]).out


def test_every_document_decrypts_for_its_audience_and_no_one_else(
    played: tuple[World, Replay],
) -> None:
    world, state = played
    recovery = world.identity("recovery")
    folder = world.log_dir(state.log_id)
    members = parse_document(
        _plain(folder / "members.yaml.age", recovery), "members.yaml.age", state.log_id
    )
    by_id = {m.id: m.handle for m in members.members}  # type: ignore[attr-defined]
    with_keys = {m.handle for m in members.members if m.recipient}  # type: ignore[attr-defined]
    files = sorted(folder.rglob("*.yaml.age"))
    assert len(files) >= 10
    for file in files:
        rel = file.relative_to(folder).as_posix()
        doc = parse_document(_plain(file, recovery), rel, state.log_id)
        expected = with_keys if doc.audience is None else {by_id[i] for i in doc.audience}
        readers = {
            h
            for h in world.key_files
            if h != "recovery" and can_decrypt(file.read_bytes(), world.identity(h))
        }
        assert readers == expected, rel


def test_show_lists_measures_with_due_dates_and_evaluations(played: tuple[World, Replay]) -> None:
    world, state = played
    coordinator = state.story["steps"][0]["actor"]
    summary = world.run(coordinator, "--json", "show", state.log_id[:8]).json()
    measures = {m["measure"]["id"]: m for m in summary["measures"]}
    evaluated = [s for s in state.story["steps"] if s["do"] == "evaluate measure"]
    first = next(s for s in evaluated if s.get("evaluate_by"))
    m1 = measures[state.hints[first["measure"]]]
    assert m1["measure"]["evaluate_by"] == first["evaluate_by"].isoformat()
    assert m1["measure"]["status"] == "active"
    second = next(s for s in evaluated if not s.get("evaluate_by"))
    m2 = measures[state.hints[second["measure"]]]
    assert [e["result"] for e in m2["evaluations"]] == ["partly"]
    assert m2["evaluations"][0]["child_said"] == second["child_said"]
    text = world.run(coordinator, "show", state.log_id[:8]).out
    assert "delvis oppnådd" in text
    assert state.story["child"]["name"] in text
    assert "Nivå 2" in text


def test_history_names_who_made_each_change(played: tuple[World, Replay]) -> None:
    world, state = played
    coordinator = state.story["steps"][0]["actor"]
    entries = world.run(coordinator, "--json", "history", state.log_id[:8]).json()
    people = state.story["people"]
    actors = {people[s["actor"]]["name"] for s in state.done}
    assert {e["author"] for e in entries} == actors
    assert len(entries) >= len(state.done)
    text = world.run(coordinator, "history", state.log_id[:8]).out
    for name in actors:
        assert name in text


def test_nothing_personal_outside_age_files(played: tuple[World, Replay]) -> None:
    world, state = played
    folder = world.log_dir(state.log_id)
    needles = sensitive_strings(state.story)
    assert len(needles) > 15
    assert leaks(folder, needles) == []
    assert plaintext_blobs(folder) == []
    store_files = (world.store_path / "store.yaml").read_text("utf-8")
    assert state.story["child"]["name"] not in store_files


def test_verify_passes_for_the_coordinator(played: tuple[World, Replay]) -> None:
    world, state = played
    out = world.run(state.story["steps"][0]["actor"], "verify", state.log_id[:8]).out
    assert "i orden" in out


def _plain(file: Path, identity: Any) -> bytes:
    from stafett.crypto import decrypt

    return decrypt(file.read_bytes(), identity)
