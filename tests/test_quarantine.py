"""One bad document does not block a log: every command skips it and says so, and
the coordinator takes it out in a signed commit that the history keeps.

The damage is committed the way a member with a valid key could: a file that is
broken, a document that is not valid, and a document that is not encrypted."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from stafett import crypto, ids
from stafett.errors import ExitCode
from tests.world import World

BROKEN = "measure/" + "b" * 20 + ".yaml.age"
INVALID = "voice/" + "c" * 20 + ".yaml.age"
PLAIN = "note/" + "d" * 20 + ".yaml.age"


@pytest.fixture
def damaged(world: World) -> tuple[World, str, str]:
    world.person("nora", "Nora Bø", "kontaktlærer", "Bjørkly skole")
    world.person("kari", "Kari Lø", "helsesykepleier", "Bjørkly helsestasjon")
    world.person("omar", "Omar Lie", "rådgiver", "PPT Bjørkly")
    world.init("nora")
    for handle in ("kari", "omar"):
        world.run("nora", "people", "add", str(world.card(handle)), "--handle", handle)
    log_id = world.open_log("nora", concern="Åse gruer seg til friminuttene.")
    consent = world.consent("nora", log_id, "åse", "Bjørkly helsestasjon,PPT Bjørkly")
    world.run("nora", "member", "add", log_id[:6], "kari")
    world.run("kari", "note", "add", log_id[:6], "Åse fortalte om en god dag.")
    everyone = [world.identity(h).recipient for h in ("nora", "kari")]
    world.commit_foreign(
        log_id,
        {
            BROKEN: crypto.encrypt(b"id: [ikke: ferdig\n", everyone)[:-40],
            INVALID: crypto.encrypt(b"kind: voice\nid: cccccccccccccccccccc\n", everyone),
            PLAIN: b"kind: note\ntext: Dette skulle vaert kryptert.\n",
        },
        signer="kari",  # a member with a valid key
    )
    return world, log_id, consent


def test_every_command_skips_a_damaged_document_and_says_so(
    damaged: tuple[World, str, str],
) -> None:
    world, log_id, consent = damaged
    shown = world.run("nora", "show", log_id[:6])
    assert "Åse" in shown.out
    for rel in (BROKEN, INVALID, PLAIN):
        assert f"Hoppet over {rel} i logg {log_id[: ids.SHORT]}" in shown.err
        assert f"stafett quarantine {log_id[: ids.SHORT]} {rel}" in shown.err
    assert "vaert kryptert" not in shown.out + shown.err
    due = world.run("nora", "report", "due", "--within", "3650")
    assert "1 skadede dokumenter ble hoppet over" in due.err
    world.run("nora", "member", "add", log_id[:6], "omar")
    world.run("omar", "show", log_id[:6])
    world.run("nora", "member", "remove", log_id[:6], "kari")
    world.run("nora", "consent", "withdraw", log_id[:6], consent[:6], "--by", "åse")
    assert "Hoppet over" in world.run("nora", "show", log_id[:6]).err


def test_the_coordinator_quarantines_it_in_a_signed_commit(damaged: tuple[World, str, str]) -> None:
    world, log_id, _consent = damaged
    repo = world.log_dir(log_id)
    before = _head(repo)
    done = world.run("nora", "quarantine", log_id[:6], BROKEN)
    assert f"Satt i karantene: {BROKEN} (tiltak," in done.out
    assert "Hvorfor: Filen" in done.out
    assert "Lagt inn av" in done.out
    assert "historikken har det fortsatt" in done.out
    assert BROKEN not in _tree(repo)
    assert BROKEN in _tree(repo, before)
    author = subprocess.run(
        ["git", "log", "-1", "--format=%an %G?%n%s"], cwd=repo, capture_output=True, text=True
    ).stdout
    nora = world.run("nora", "--json", "access", log_id[:6]).json()["documents"][0]["readers"]
    nora_id = next(m["id"] for m in nora if m["handle"] == "nora")
    assert author.splitlines()[0].startswith(nora_id)
    assert author.splitlines()[1] == f"quarantine measure {'b' * ids.SHORT}"
    by_id = world.run("nora", "--json", "quarantine", log_id[:6], "ccccccc").json()
    assert (by_id["path"], by_id["kind"], by_id["reason"]) == (INVALID, "voice", by_id["reason"])
    world.run("nora", "quarantine", log_id[:6], PLAIN)
    assert "Hoppet over" not in world.run("nora", "show", log_id[:6]).err


def test_only_damaged_documents_and_only_by_the_coordinator(
    damaged: tuple[World, str, str],
) -> None:
    world, log_id, _consent = damaged
    repo = world.log_dir(log_id)
    before = _head(repo)
    denied = world.run("kari", "quarantine", log_id[:6], BROKEN, code=int(ExitCode.NO_ACCESS))
    assert "stafettholder" in denied.err
    note = next(p for p in _tree(repo) if p.startswith("note/") and p != PLAIN)
    sound = world.run("nora", "quarantine", log_id[:6], note, code=int(ExitCode.CONFLICT))
    assert "er ikke skadet" in sound.err
    root = world.run(
        "nora", "quarantine", log_id[:6], "members.yaml.age", code=int(ExitCode.CONFLICT)
    )
    assert "kan ikke være uten" in root.err
    missing = world.run(
        "nora", "quarantine", log_id[:6], "measure/ukjent.yaml.age", code=int(ExitCode.NOT_FOUND)
    )
    assert "finnes ikke" in missing.err
    assert _head(repo) == before


def _head(repo: Path) -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()


def _tree(repo: Path, rev: str = "HEAD") -> list[str]:
    return subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", rev],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
