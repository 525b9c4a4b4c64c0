"""The team the rights tests tell about, and the hand-made changes a member with a
valid key could sign: Åse (9) at Bjørkly skole. Nora, her teacher, holds the
baton; Kari, the school nurse, is on the team; Omar from PPT may join."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stafett import crypto, ids, yamlio
from stafett.errors import ExitCode
from tests.world import World

NOT_COORDINATOR = "men er ikke gjort av stafettholderen"
BROKEN = "bryter loggens regler"
Edit = Callable[[dict[str, Any]], None]


def make_team(world: World) -> tuple[World, str]:
    world.person("nora", "Nora Bø", "kontaktlærer", "Bjørkly skole")
    world.person("kari", "Kari Lø", "helsesykepleier", "Bjørkly helsestasjon")
    world.person("omar", "Omar Sæle", "rådgiver", "PPT Bjørkly")
    world.init("nora")
    for handle in ("kari", "omar"):
        world.run("nora", "people", "add", str(world.card(handle)), "--handle", handle)
    log_id = world.open_log("nora", concern="Åse gruer seg til svømming.")
    world.consent("nora", log_id, "åse", "Bjørkly helsestasjon,PPT Bjørkly")
    world.run("nora", "member", "add", log_id[:6], "kari")
    return world, log_id


def members(world: World, log_id: str) -> dict[str, str]:
    """Handle -> member id."""
    log = world.store("nora").log(log_id)
    return {m.handle: m.id for m in log.members().members}


def readers(world: World, *handles: str) -> list[str]:
    return [world.identity(h).recipient for h in (*handles, "recovery")]


def rewrite(world: World, log_id: str, rel: str, edit: Edit, signer: str, message: str) -> str:
    """A document changed and committed by `signer` with their own valid key, as a
    member who edits files by hand could."""
    path = world.log_dir(log_id) / rel
    data = yamlio.load(crypto.decrypt(path.read_bytes(), world.identity("nora")), name=rel)
    edit(data)
    sealed = crypto.encrypt(yamlio.dump(data).encode("utf-8"), readers(world, "nora", "kari"))
    return world.commit_foreign(log_id, {rel: sealed}, signer=signer, message=message)


def new_note(world: World, log_id: str, created_by: str, text: str) -> tuple[str, bytes]:
    """A note as a stafett before log binding wrote it: still read, so still checked."""
    note_id = ids.new_id()
    data = {
        "kind": "note",
        "version": 1,
        "id": note_id,
        "created": datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
        "created_by": created_by,
        "text": text,
    }
    sealed = crypto.encrypt(yamlio.dump(data).encode("utf-8"), readers(world, "nora", "kari"))
    return f"note/{note_id}.yaml.age", sealed


def verify_names(world: World, log_id: str, *wanted: str) -> str:
    found = world.run("nora", "verify", log_id[:6], code=int(ExitCode.INVALID)).out
    for text in wanted:
        assert text in found, found
    return found


def head(world: World, log_id: str) -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=world.log_dir(log_id),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def add_mother(world: World, log_id: str) -> Path:
    """Åse's mother joins by name with a plain age key: no signing key on record."""
    key = world.person("mor", "Mona Ødegård", "mor")
    world.run(
        "nora", "member", "add", log_id[:6], "--name", "Mona Ødegård", "--role", "guardian",
        "--handle", "mor", "--recipient", world.identity("mor").recipient,
    )  # fmt: skip
    return key
