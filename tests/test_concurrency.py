"""Many stafett processes at once on one store: every read-modify-write of a
shared plain file holds the store's lock, so nothing is lost or made twice."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from stafett import crypto
from stafett.people import load_people
from tests.world import World

AT_ONCE = 16


def _together(world: World, commands: list[list[str]], actor: str) -> list[int]:
    """Start every command before waiting for any, as real processes."""
    env = world.env(actor)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "stafett", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for args in commands
    ]
    return [p.wait(timeout=120) for p in procs]


def test_people_added_at_once_are_all_kept(world: World) -> None:
    world.person("nora", "Nora Bø", "kontaktlærer", "Bjørkly skole")
    world.init("nora")
    names = [f"Åsmund Ødegård {i}" for i in range(AT_ONCE)]
    commands = [
        ["people", "add", "--name", name, "--role", "rådgiver", "--handle", f"åsmund{i}",
         "--service", "PPT", "--recipient", crypto.generate().recipient]
        for i, name in enumerate(names)
    ]  # fmt: skip
    assert _together(world, commands, "nora") == [0] * AT_ONCE
    kept = {p.name for p in load_people(world.store_path)}
    assert set(names) <= kept


def test_one_bundle_imported_at_once_makes_one_log(world: World, tmp_path: Path) -> None:
    world.person("nora", "Nora Bø", "kontaktlærer", "Bjørkly skole")
    world.person("lise", "Lise Ås", "mor")
    world.person("jonas", "Jonas Berg", "kontaktlærer", "Fjellvik skole")
    world.init("nora")
    world.run("nora", "people", "add", str(world.card("jonas")), "--handle", "jonas")
    log_id = world.open_log("nora")
    world.run(
        "nora", "member", "add", log_id[:6], "--card", str(world.card("lise")),
        "--handle", "lise", "--role", "guardian",
    )  # fmt: skip
    world.consent("nora", log_id, "lise", "Bjørkly skole,Fjellvik skole")
    world.run("nora", "voice", "add", log_id[:6], "Jeg vil sitte ved vinduet.", "--how", "samtale")
    world.run(
        "nora", "handover", "create", log_id[:6], "--to", "jonas", "--to-service",
        "Fjellvik skole", "--transition", "skolebytte", "--starts", "2026-08-17",
        "--include", "voice", "--child-reviewed",
    )  # fmt: skip
    bundle = tmp_path / "pakke.stafett"
    world.run("nora", "export", log_id[:6], "--to", "jonas", "-o", str(bundle))
    their = World(tmp_path / "mottaker")
    their.today = world.today
    their.key_files["jonas"] = world.key_files["jonas"]
    their.init("jonas", "Fjellvik kommune")
    codes = _together(their, [["import", str(bundle)]] * 3, "jonas")
    assert sorted(codes) == [0, 5, 5]
    assert len(list((their.store_path / "logs").iterdir())) == 1
