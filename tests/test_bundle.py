"""Export and import at the end of the cases: the receiver reads what was handed
over and nothing else; JSON and HTML exports open with the age tool."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from stafett import crypto, ids, yamlio
from stafett.create import rebound
from stafett.documents import Note
from stafett.layout import parse_document
from tests.leaks import leaks, plaintext_blobs
from tests.story import Replay, load_story, replay, sensitive_strings
from tests.test_story import STORIES
from tests.world import World

needs_age = pytest.mark.skipif(shutil.which("age") is None, reason="the age tool is not installed")
SCHEMA = Path(__file__).parent.parent / "schema" / "export.schema.json"


@pytest.fixture(scope="module", params=STORIES)
def moved(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[World, Replay, str, Path]:
    """The case through its handover, exported as a bundle and imported by the
    receiver into a store of their own."""
    world = World(tmp_path_factory.mktemp("bundle"))
    state = replay(world, load_story(request.param), through="hand over")
    step = next(s for s in state.story["steps"] if s["do"] == "hand over")
    coordinator, receiver = str(state.story["steps"][0]["actor"]), str(step["to"])
    bundle = world.root / "overføring.stafett"
    world.run(
        coordinator,
        "export",
        state.log_id[:8],
        "--to",
        receiver,
        "--handover",
        state.handover[:8],
        "-o",
        str(bundle),
    )
    source_history = world.run(coordinator, "--json", "history", state.log_id[:8]).json()
    assert source_history[0]["action"] == "export" and source_history[0]["kind"] == "disclosure"
    their = World(world.root / "mottaker")
    their.today = world.today
    their.key_files[receiver] = world.key_files[receiver]
    their.init(receiver, str(step["to_service"]))
    new_log = their.run(receiver, "--json", "import", str(bundle)).json()["id"]
    return their, state, str(new_log), bundle


def _steps(state: Replay, do: str) -> list[dict[str, object]]:
    return [s for s in state.story["steps"] if s["do"] == do]


def test_the_receiver_reads_what_was_handed_over(
    moved: tuple[World, Replay, str, Path],
) -> None:
    their, state, new_log, _ = moved
    receiver = next(iter(their.key_files.keys() - {"recovery"}))
    shown = their.run(receiver, "--json", "show", new_log[:8]).json()
    titles = {m["measure"]["title"] for m in shown["measures"]}
    hints = {s["id_hint"]: s for s in _steps(state, "add measure")}
    assert {hints["M1"]["title"], hints["M2"]["title"]} <= titles
    assert shown["voices"] and shown["meetings"]
    assert shown["coordinator"]["handle"] == receiver
    history = their.run(receiver, "history", new_log[:8]).out
    assert "importerte" in history
    exporter = state.story["people"][str(state.story["steps"][0]["actor"])]["name"]
    assert f"eksportert av {exporter}" in their.run(receiver, "show", new_log[:8]).out
    assert "i orden" in their.run(receiver, "verify", new_log[:8]).out


def test_nothing_of_the_concern_travels(moved: tuple[World, Replay, str, Path]) -> None:
    their, state, new_log, bundle = moved
    receiver = next(iter(their.key_files.keys() - {"recovery"}))
    identity = their.identity(receiver)
    archive = crypto.decrypt(bundle.read_bytes(), identity)
    import io
    import tarfile

    plain = [archive]
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            data = tar.extractfile(member).read()  # type: ignore[union-attr]
            plain.append(crypto.decrypt(data, identity) if crypto.is_age(data) else data)
    concern = str(_steps(state, "add concern")[0]["text"])
    assert not any(concern[:30].encode() in p for p in plain)
    assert len(list((their.log_dir(new_log)).glob("concern/*"))) == 0
    assert leaks(their.log_dir(new_log), [concern[:30]]) == []


def test_the_imported_log_leaks_nothing(moved: tuple[World, Replay, str, Path]) -> None:
    their, state, new_log, _ = moved
    folder = their.log_dir(new_log)
    assert leaks(folder, sensitive_strings(state.story)) == []
    assert plaintext_blobs(folder) == []


def test_a_bundle_is_imported_once(moved: tuple[World, Replay, str, Path]) -> None:
    their, _, new_log, bundle = moved
    receiver = next(iter(their.key_files.keys() - {"recovery"}))
    killed = their.store_path / "logs" / ".new-0123456789abcdefghjk"
    (killed / ".git").mkdir(parents=True)
    again = their.run(receiver, "import", str(bundle), code=5)
    assert again.err.strip() == f"Pakken er allerede importert, som logg {new_log[:7]}."
    assert not killed.exists()


@needs_age
def test_json_export_opens_with_age_and_validates(
    moved: tuple[World, Replay, str, Path], tmp_path: Path
) -> None:
    their, state, _, _ = moved
    source = World(their.root.parent)
    source.today = their.today
    source.key_files = {p.stem: p for p in (their.root.parent / "keys").glob("*.key")}
    coordinator = str(state.story["steps"][0]["actor"])
    receiver = next(iter(their.key_files.keys() - {"recovery"}))
    out = tmp_path / "overføring.json.age"
    source.run(
        coordinator,
        "export",
        state.log_id[:8],
        "--to",
        receiver,
        "--format",
        "json",
        "-o",
        str(out),
    )
    plain = tmp_path / "overføring.json"
    subprocess.run(
        ["age", "-d", "-i", str(source.key_files[receiver]), "-o", str(plain), str(out)],
        check=True,
        capture_output=True,
    )
    data = json.loads(plain.read_text("utf-8"))
    assert data["child"]["name"] == state.story["child"]["name"]
    checker = Path(sys.executable).with_name("check-jsonschema")
    subprocess.run(
        [str(checker), "--check-metaschema", str(SCHEMA)], check=True, capture_output=True
    )
    subprocess.run(
        [str(checker), "--schemafile", str(SCHEMA), str(plain)], check=True, capture_output=True
    )
    html_out = tmp_path / "overføring.html.age"
    source.run(
        coordinator,
        "export",
        state.log_id[:8],
        "--to",
        receiver,
        "--format",
        "html",
        "-o",
        str(html_out),
    )
    page = subprocess.run(
        ["age", "-d", "-i", str(source.key_files[receiver]), str(html_out)],
        check=True,
        capture_output=True,
    ).stdout.decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and state.story["child"]["name"] in page


def test_an_imported_document_is_rebound_in_its_text_only_where_that_is_sure() -> None:
    """The import changes the one `log` value in a document's text instead of
    writing the YAML again; a text that holds the source log's id anywhere else
    (a note quoting it, a folded line) is written anew instead."""
    source, target = ids.new_id(), ids.new_id()
    when = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    note = Note(id=ids.new_id(), created=when, created_by=ids.new_id(), log=source,
                text="Åse leste høyt for klassen.")  # fmt: skip
    plain = yamlio.dump(note.to_data()).encode()
    text = rebound(note, plain, source, target)
    assert text is not None
    assert parse_document(text, note.path, target) == replace(note, log=target)
    quoting = replace(note, text=f"Se loggen:\nlog: {source}\nslutt")
    assert rebound(quoting, yamlio.dump(quoting.to_data()).encode(), source, target) is None
    legacy = replace(note, log=None)
    assert rebound(legacy, yamlio.dump(legacy.to_data()).encode(), source, target) is None
