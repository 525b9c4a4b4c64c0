"""The write transaction through the Python API: what a script or a later command
builds on. Each change is one signed commit holding everything or nothing."""

from __future__ import annotations

import subprocess
from dataclasses import replace

import pytest

from stafett import transaction
from stafett.documents import Note
from stafett.errors import NoAccess
from stafett.verify import verify_log
from tests.world import World


@pytest.fixture
def noted(world: World) -> tuple[World, str, str]:
    world.person("nora", "Nora Bø", "kontaktlærer", "Bjørkly skole")
    world.init("nora")
    log_id = world.open_log("nora")
    note = world.run("nora", "--json", "note", "add", log_id[:6], "Mor ringte i dag.").json()
    return world, log_id, str(note["id"])


def _head(world: World, log_id: str) -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=world.log_dir(log_id), capture_output=True, text=True
    ).stdout.strip()


def test_add_replace_and_remove_commit_once_each_signed(noted: tuple[World, str, str]) -> None:
    world, log_id, note_id = noted
    log = world.store("nora").log(log_id)
    old = log.document("note", note_id)
    assert isinstance(old, Note)
    with transaction.begin(log, "add") as change:
        change.replace(replace(old, text="Mor ringte i går."))
    again = log.document("note", note_id)
    assert isinstance(again, Note) and again.text == "Mor ringte i går."
    before = _head(world, log_id)
    with transaction.begin(log, "remove") as change:
        change.require_coordinator()
        change.remove(log.document("note", note_id))
    assert _head(world, log_id) != before
    assert [d.id for d in log.documents("note")] == []
    assert not (world.log_dir(log_id) / "note" / f"{note_id}.yaml.age").exists()
    newest = world.run("nora", "--json", "history", log_id[:6]).json()[0]
    assert (newest["action"], newest["kind"], newest["doc_id"]) == ("remove", "note", note_id[:7])
    assert "fjernet" in world.run("nora", "history", log_id[:6]).out
    assert verify_log(log).ok


def test_an_error_inside_leaves_the_log_as_it_was(noted: tuple[World, str, str]) -> None:
    world, log_id, note_id = noted
    log = world.store("nora").log(log_id)
    before = _head(world, log_id)
    with pytest.raises(RuntimeError), transaction.begin(log, "remove") as change:
        change.remove(log.document("note", note_id))
        change.add(Note(**change.header(None), text="Halvveis skrevet."))
        raise RuntimeError("the writer changed their mind")
    assert _head(world, log_id) == before
    assert [d.id for d in log.documents("note")] == [note_id]
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=world.log_dir(log_id),
        capture_output=True,
        text=True,
    ).stdout
    assert status == ""


def test_only_the_coordinator_passes_require_coordinator(noted: tuple[World, str, str]) -> None:
    world, log_id, _ = noted
    world.person("kari", "Kari Lø", "helsesykepleier", "Bjørkly helsestasjon")
    world.run("nora", "people", "add", str(world.card("kari")), "--handle", "kari")
    world.run("nora", "member", "add", log_id[:6], "kari", "--override", "--why", "Test.")
    log = world.store("kari").log(log_id)
    before = _head(world, log_id)
    with pytest.raises(NoAccess), transaction.begin(log, "close") as change:
        change.require_coordinator()
    assert _head(world, log_id) == before
