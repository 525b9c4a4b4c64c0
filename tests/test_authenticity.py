"""age proves nothing about who wrote a file; signed commits do. Forgeries are named."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from stafett import crypto, history, ids, yamlio
from stafett.clock import SYSTEM
from stafett.errors import ExitCode
from tests.world import World


@pytest.fixture
def case(world: World) -> tuple[World, str]:
    world.person("nora", "Nora Bø", "kontaktlærer", "Bjørkly skole")
    world.person("kari", "Kari Lø", "helsesykepleier", "Bjørkly helsestasjon")
    world.person("ola", "Ola Utenfor", "rådgiver", "PPT Bjørkly")
    world.init("nora")
    world.run("nora", "people", "add", str(world.card("kari")), "--handle", "kari")
    log_id = world.open_log("nora", concern="Åse gråter ofte i garderoben før gymtimene.")
    world.consent("nora", log_id, "åse", "Bjørkly helsestasjon")
    world.run("nora", "member", "add", log_id[:6], "kari")
    world.run("kari", "note", "add", log_id[:6], "Samtale med Åse i dag; hun var blid.")
    assert "i orden" in world.run("nora", "verify", log_id[:6]).out
    return world, log_id


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, input=stdin, capture_output=True, check=True
    ).stdout.decode()


def _member_id(world: World, log_id: str, handle: str) -> str:
    members = world.run("nora", "--json", "access", log_id[:6]).json()["documents"][0]["readers"]
    return str(next(m["id"] for m in members if m["handle"] == handle))


def _forged_note(world: World, log_id: str, author: str, text: str) -> str:
    """A valid note, encrypted to the members' public keys only: anyone could make it."""
    note_id = ids.new_id()
    data = {
        "kind": "note",
        "version": 1,
        "id": note_id,
        "created": datetime.now(UTC).replace(microsecond=0),
        "created_by": author,
        "text": text,
    }
    recipients = [world.identity(h).recipient for h in ("nora", "kari", "recovery")]
    rel = f"note/{note_id}.yaml.age"
    (world.log_dir(log_id) / rel).write_bytes(
        crypto.encrypt(yamlio.dump(data).encode(), recipients)
    )
    return rel


def _verify_fails(world: World, log_id: str, message: str) -> None:
    result = world.run("nora", "verify", log_id[:6], code=int(ExitCode.INVALID))
    assert message in result.out


def test_a_document_forged_with_public_keys_only(case: tuple[World, str]) -> None:
    world, log_id = case
    repo = world.log_dir(log_id)
    rel = _forged_note(
        world, log_id, _member_id(world, log_id, "kari"), "Kari mener Åse bør bytte skole."
    )
    _git(repo, "add", rel)
    _git(repo, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qm", "add note x")
    sha = _git(repo, "rev-parse", "--short=7", "HEAD").strip()
    _verify_fails(world, log_id, f"Endringen {sha} er ikke signert.")


def test_a_plain_git_commit(case: tuple[World, str]) -> None:
    world, log_id = case
    repo = world.log_dir(log_id)
    _git(
        repo,
        "-c",
        "user.name=x",
        "-c",
        "user.email=x@x",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "add note y",
    )
    sha = _git(repo, "rev-parse", "--short=7", "HEAD").strip()
    _verify_fails(world, log_id, f"Endringen {sha} er ikke signert.")


def test_a_commit_by_a_removed_member(case: tuple[World, str]) -> None:
    world, log_id = case
    kari = _member_id(world, log_id, "kari")
    out = world.run("nora", "member", "remove", log_id[:6], "kari").out
    assert "gammel historikk" in out
    repo = world.log_dir(log_id)
    rel = _forged_note(world, log_id, kari, "Skrevet etter at Kari gikk ut.")
    sha = history.commit(
        repo,
        [rel],
        f"add note {ids.short(Path(rel).stem)}",
        kari,
        world.identity("kari").sign,
        SYSTEM.now(),
    )
    _verify_fails(
        world, log_id, f"Endringen {sha[:7]} er gjort av medlem kari, som ikke var medlem da."
    )


def test_a_rewritten_history(case: tuple[World, str]) -> None:
    world, log_id = case
    repo = world.log_dir(log_id)
    raw = _git(repo, "cat-file", "commit", "HEAD")
    forged = raw.replace("add note", "add concern").encode()
    sha = _git(repo, "hash-object", "-t", "commit", "-w", "--stdin", stdin=forged).strip()
    _git(repo, "update-ref", "HEAD", sha)
    _verify_fails(
        world,
        log_id,
        f"Signaturen på endringen {sha[:7]} stemmer ikke med innholdet; "
        "historikken kan være skrevet om.",
    )
