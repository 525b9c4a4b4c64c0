"""The everyday commands, as a coordinator uses them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stafett.errors import ExitCode
from tests.world import World

CONCERN = "Sigrid på 8 år har gråtende morgener og magevondt før skolen på mandager."


@pytest.fixture
def opened(world: World) -> tuple[World, str]:
    world.person("nora", "Nora Bø", "kontaktlærer", "Bjørkly skole")
    world.person("kari", "Kari Lø", "helsesykepleier", "Bjørkly helsestasjon")
    world.init("nora")
    world.run("nora", "people", "add", str(world.card("kari")), "--handle", "kari")
    log_id = world.open_log("nora", "Sigrid Ærø", "2017-06-01", CONCERN, grade=3)
    world.consent("nora", log_id, "sigrid", "Bjørkly helsestasjon,PPT Bjørkly")
    world.run("nora", "member", "add", log_id[:6], "kari")
    return world, str(log_id)


def test_key_new_uses_the_config_folder_and_warns_without_passphrase(world: World) -> None:
    config = world.root / "config"
    result = world.run(
        None,
        "key",
        "new",
        "--no-passphrase",
        "--name",
        "Nora Bø",
        "--role",
        "lærer",
        XDG_CONFIG_HOME=str(config),
    )
    assert "uten passordfrase" in result.err
    key = config / "stafett" / "identity.age"
    assert key.read_text("utf-8").splitlines()[-1].startswith("AGE-SECRET-KEY-1")
    shown = world.run(None, "key", "show", XDG_CONFIG_HOME=str(config)).out
    assert "name: Nora Bø" in shown and "recipient: age1" in shown
    if sys.platform != "win32":
        assert oct(key.stat().st_mode & 0o777) == "0o600"


def test_list_find_people_and_measures(opened: tuple[World, str]) -> None:
    world, log_id = opened
    listed = world.run("nora", "list").out
    assert log_id[:7] in listed and "Sigrid Ærø" in listed
    assert world.run("kari", "--json", "find", "sigrid").json()[0]["id"] == log_id
    assert world.run("kari", "--json", "find", "Ola").json() == []
    people = world.run("nora", "people", "list").out
    assert "Kari Lø" in people and "helsesykepleier" in people
    world.run(
        "kari",
        "measure",
        "add",
        log_id[:6],
        "--title",
        "Rolig start på dagen",
        "--goal",
        "Sigrid skal gruer seg mindre.",
        "--responsible",
        "kari",
        "--start",
        "2025-09-01",
        "--evaluate-by",
        "2025-10-01",
    )
    measures = world.run("nora", "measure", "list", log_id[:6]).out
    assert "Rolig start på dagen" in measures and "(forfalt)" in measures
    english = world.run("nora", "--lang", "en", "measure", "list", log_id[:6]).out
    assert "(overdue)" in english and "active" in english


def test_minutes_from_a_file_and_from_the_editor(opened: tuple[World, str]) -> None:
    world, log_id = opened
    minutes = world.root / "referat.txt"
    minutes.write_text("Sigrid fortalte om morgenene.\nAlle ble enige om en plan.\n", "utf-8")
    world.run(
        "nora",
        "meeting",
        "add",
        log_id[:6],
        "--date",
        "01.10.2025",
        "--participants",
        "nora,kari,sigrid",
        "--child-present",
        "deler av møtet",
        "--child-minutes",
        "20",
        "--minutes",
        f"@{minutes}",
        "--agenda",
        "Morgener",
        "--decision",
        "Ny plan",
    )
    editor = world.root / "editor.py"
    editor.write_text(
        "import sys\nopen(sys.argv[1], 'w', encoding='utf-8')"
        ".write('Skrevet i redigeringsprogrammet, med æøå.')\n",
        "utf-8",
    )
    world.run(
        "nora",
        "meeting",
        "add",
        log_id[:6],
        "--date",
        "08.10.2025",
        "--participants",
        "nora,kari",
        "--child-present",
        "ikke til stede",
        "--edit",
        EDITOR=f'"{sys.executable}" "{editor}"',
    )
    shown = world.run("nora", "--json", "show", log_id[:6]).json()
    texts = [m["minutes"] for m in shown["meetings"]]
    assert texts == [
        minutes.read_text("utf-8").strip(),
        "Skrevet i redigeringsprogrammet, med æøå.",
    ]
    assert shown["meetings"][0]["child_minutes"] == 20


def test_close_refuses_further_changes(opened: tuple[World, str]) -> None:
    world, log_id = opened
    world.run("kari", "close", log_id[:6], "--reason", "Ferdig.", code=int(ExitCode.NO_ACCESS))
    world.run("nora", "close", log_id[:6], "--reason", "Tiltakene har virket; avsluttet.")
    assert "avsluttet" in world.run("nora", "show", log_id[:6]).out
    refused = world.run("nora", "note", "add", log_id[:6], "Etterpå.", code=int(ExitCode.CONFLICT))
    assert refused.err.strip() == "Loggen er avsluttet og kan ikke endres."


def test_git_log_shows_decrypted_yaml_to_a_key_holder_only(opened: tuple[World, str]) -> None:
    world, log_id = opened
    repo = world.log_dir(log_id)
    env = world.env(
        "kari", PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    )
    shown = subprocess.run(
        ["git", "log", "-p"], cwd=repo, env=env, capture_output=True, check=True
    ).stdout.decode("utf-8")
    assert CONCERN in shown and "kind: concern" in shown
    world.person("ola", "Ola Utenfor", "rådgiver")
    outsider = subprocess.run(
        ["git", "log", "-p"], cwd=repo, env=world.env("ola"), capture_output=True, check=True
    ).stdout.decode("utf-8")
    assert CONCERN not in outsider
    assert "Nøkkelen din kan ikke åpne" in outsider


def test_demo_builds_and_shows_a_fictional_store(world: World) -> None:
    out = world.run(None, "demo", str(world.root / "demo")).out
    assert "Liam Østby" in out and "Aktive tiltak" in out
    assert (world.root / "demo" / "store.yaml").exists()
    again = world.run(None, "demo", str(world.root / "demo"), code=int(ExitCode.CONFLICT))
    assert "finnes allerede" in again.err


def test_a_bad_stafett_now_is_refused_plainly(world: World) -> None:
    world.person("nora", "Nora Bø", "kontaktlærer")
    world.init("nora")
    refused = world.run("nora", "list", code=2, STAFETT_NOW="i går")
    assert refused.err.strip() == (
        "STAFETT_NOW må være en dato (ÅÅÅÅ-MM-DD) eller et tidspunkt (ISO 8601), ikke «i går»."
    )


def test_stafett_now_sets_the_date_of_what_is_written(world: World) -> None:
    world.person("nora", "Nora Bø", "kontaktlærer")
    world.init("nora")
    world.today = None
    log_id = world.open_log("nora", STAFETT_NOW="2031-02-03T10:30:00+01:00")
    profile = world.store("nora").log(log_id).profile()
    assert profile.opened.isoformat() == "2031-02-03"
    assert profile.created.isoformat().startswith("2031-02-03T10:3")
    dated = world.run("nora", "--json", "history", log_id[:6]).json()[0]["when"]
    assert dated.startswith("2031-02-03T10:3")
