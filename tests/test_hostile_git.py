"""A log folder sits on laptops and shared drives others can write to: its own
.git/config and hooks are as untrusted as its files. No stafett command runs a
program they name, and verify says they are there."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from stafett.errors import ExitCode
from stafett.trust import Seen
from tests.world import World


@pytest.fixture
def opened(world: World) -> tuple[World, str]:
    world.person("nora", "Nora Bø", "kontaktlærer", "Bjørkly skole")
    world.init("nora")
    return world, world.open_log("nora")


def _plant(repo: Path, marks: Path) -> list[Path]:
    """Every way we know for a log's own git settings to run a program."""
    made = [marks / name for name in ("fsmonitor", "clean", "smudge", "process", "hook")]
    touch = f'"{sys.executable}" -c "import pathlib,sys; pathlib.Path(sys.argv[1]).touch()"'

    def config(key: str, value: str) -> None:
        subprocess.run(["git", "config", key, value], cwd=repo, check=True)

    config("core.fsmonitor", f"{touch} {made[0]}")
    config("filter.Evil.clean", f"{touch} {made[1]}")
    config("filter.Evil.smudge", f"{touch} {made[2]}")
    config("filter.Evil.process", f"{touch} {made[3]}")
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "attributes").write_text("* filter=Evil\n", encoding="utf-8")
    hooks = repo / ".git" / "hooks"
    hooks.mkdir(exist_ok=True)
    for name in ("reference-transaction", "post-index-change", "pre-commit", "post-commit"):
        hook = hooks / name
        hook.write_text(f"#!/bin/sh\n{touch} {made[4]}\n", encoding="utf-8")
        hook.chmod(hook.stat().st_mode | stat.S_IEXEC)
    return made


@pytest.mark.skipif(os.name == "nt", reason="the planted hook is a shell script")
def test_a_logs_git_config_and_hooks_run_nothing(opened: tuple[World, str]) -> None:
    world, log_id = opened
    marks = world.root / "marks"
    marks.mkdir()
    repo = world.log_dir(log_id)
    made = _plant(repo, marks)
    world.run("nora", "note", "add", log_id[:6], "Skrevet etter at noen endret .git/config.")
    world.run("nora", "show", log_id[:6])
    world.run("nora", "level", "set", log_id[:6], "1", "--why", "Tiltak i egen tjeneste.")
    found = world.run("nora", "verify", log_id[:6], code=int(ExitCode.INVALID)).out
    assert [p.name for p in made if p.exists()] == []
    assert "git-innstilling som stafett ikke har satt: core.fsmonitor" in found
    assert "filter.*.clean" in found and "Evil" not in found
    notes = world.run("nora", "--json", "history", log_id[:6]).json()
    assert [e["action"] for e in notes[:2]] == ["level", "add"]


def _tree(repo: Path) -> dict[str, bytes]:
    return {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(repo).parts
    }


def test_a_users_file_in_a_log_folder_is_never_deleted(opened: tuple[World, str]) -> None:
    world, log_id = opened
    repo = world.log_dir(log_id)
    note = world.run("nora", "--json", "note", "add", log_id[:6], "Første notat.").json()["id"]
    copy = repo / "note" / f"{note}.yaml.age (Noras konfliktkopi)"
    copy.write_bytes((repo / "note" / f"{note}.yaml.age").read_bytes())
    own = repo / "mine notater æøå.txt"
    own.write_text("Noras egne stikkord.\n", encoding="utf-8")
    before = _tree(repo)
    refused = world.run("nora", "note", "add", log_id[:6], "Andre notat.", code=5)
    assert "mine notater æøå.txt" in refused.err and "(2 i alt)" in refused.err
    assert "Ingenting er endret" in refused.err
    assert _tree(repo) == before
    copy.unlink()
    own.rename(world.root / own.name)
    world.run("nora", "note", "add", log_id[:6], "Andre notat.")
    assert (world.root / own.name).read_text("utf-8") == "Noras egne stikkord.\n"


def test_what_an_unfinished_write_left_is_cleaned_up(opened: tuple[World, str]) -> None:
    world, log_id = opened
    repo = world.log_dir(log_id)
    leftover = repo / "note" / "0123456789abcdefghjk.yaml.age"
    leftover.parent.mkdir(exist_ok=True)
    leftover.write_bytes(b"half a write")
    (repo / "note" / ".0123456789abcdefghjk.yaml.age.ab12cd34.tmp").write_bytes(b"half")
    world.run("nora", "note", "add", log_id[:6], "Etter et avbrutt skriv.")
    assert not leftover.exists()
    assert "i orden" in world.run("nora", "verify", log_id[:6]).out


@pytest.mark.parametrize("name", ["index.lock", "HEAD.lock", "refs/heads/main.lock"])
def test_a_lock_left_by_a_killed_git_does_not_block_the_log(
    opened: tuple[World, str], name: str
) -> None:
    """A whole process group killed while git held its lock: git never removes it,
    and every later write failed ("git update-ref failed")."""
    world, log_id = opened
    stale = world.log_dir(log_id) / ".git" / name
    stale.write_bytes(b"")
    a_minute_ago = stale.stat().st_mtime - 60
    os.utime(stale, (a_minute_ago, a_minute_ago))
    world.run("nora", "note", "add", log_id[:6], "Etter at git ble drept midt i et skriv.")
    assert not stale.exists()
    assert "i orden" in world.run("nora", "verify", log_id[:6]).out


def test_a_lock_made_a_moment_ago_is_given_that_moment(opened: tuple[World, str]) -> None:
    world, log_id = opened
    fresh = world.log_dir(log_id) / ".git" / "HEAD.lock"
    fresh.write_bytes(b"")
    world.run("nora", "note", "add", log_id[:6], "Rett etter at git ble drept.")
    assert not fresh.exists()


def test_a_new_log_killed_while_built_is_cleaned_up(world: World) -> None:
    """Every build runs under the store's lock, so under it any staging folder is
    one whose builder was killed; a folder stafett did not name is left alone."""
    world.person("nora", "Nora Bø", "kontaktlærer", "Bjørkly skole")
    world.init("nora")
    logs = world.store_path / "logs"
    abandoned, foreign = logs / ".new-0123456789abcdefghjk", logs / ".new-mine"
    for folder in (abandoned, foreign):
        (folder / "note").mkdir(parents=True)
        (folder / "note" / "x.yaml.age").write_bytes(b"age")
    world.open_log("nora")
    assert not abandoned.exists() and foreign.exists()


def test_a_link_inside_a_log_is_never_followed(opened: tuple[World, str]) -> None:
    world, log_id = opened
    other = world.open_log("nora", "Jonas Ås", concern="Jonas sover dårlig om dagen.")
    repo = world.log_dir(log_id)
    elsewhere = next((world.log_dir(other) / "concern").glob("*.yaml.age"))
    link = repo / "concern" / elsewhere.name
    link.parent.mkdir(exist_ok=True)
    try:
        link.symlink_to(elsewhere)
    except OSError:
        pytest.skip("this system does not let us make links")
    subprocess.run(["git", "add", "."], cwd=repo, check=True, capture_output=True)
    tree = subprocess.run(["git", "write-tree"], cwd=repo, capture_output=True, text=True)
    world.commit_tree(log_id, tree.stdout.strip(), "nora", "add concern x")  # a valid key
    shown = world.run("nora", "show", log_id[:6])
    rel = f"concern/{elsewhere.name}"
    assert f"Hoppet over {rel} i logg {log_id[:7]}: Filen {rel} hører ikke hjemme" in shown.err
    assert "Jonas" not in shown.out + shown.err
    world.run("nora", "quarantine", log_id[:6], rel)
    assert "Hoppet over" not in world.run("nora", "show", log_id[:6]).err


def test_a_write_cut_short_is_not_read(world: World) -> None:
    """A `member add` killed after writing its files but before its commit: the new
    member list sits in the work tree, encrypted to the newcomer. Nobody signed it,
    so the newcomer must not read the log, and the next write puts it back."""
    world.person("nora", "Nora Bø", "kontaktlærer", "Bjørkly skole")
    world.person("omar", "Omar Lie", "helsesykepleier", "Bjørkly helsestasjon")
    world.init("nora")
    world.run("nora", "people", "add", str(world.card("omar")), "--handle", "omar")
    log_id = world.open_log("nora", concern="Åse sover dårlig før prøver.")
    world.consent("nora", log_id, "åse", "Bjørkly helsestasjon")
    repo = world.log_dir(log_id)
    world.run("nora", "member", "add", log_id[:6], "omar")
    subprocess.run(["git", "reset", "-q", "--soft", "HEAD~1"], cwd=repo, check=True)
    # Cut short before its commit, the write was never remembered as verified either.
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True)
    world.store("nora").verified.set(log_id, Seen(head.stdout.strip()))
    assert (
        "members.yaml.age"
        in subprocess.run(
            ["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True
        ).stdout
    )
    refused = world.run("omar", "show", log_id[:6], code=int(ExitCode.NO_ACCESS))
    assert "Åse" not in refused.out + refused.err
    members = world.run("nora", "--json", "access", log_id[:6]).json()["documents"][0]["readers"]
    assert "omar" not in [m["handle"] for m in members]
    world.run("nora", "note", "add", log_id[:6], "Skrevet etter et avbrutt medlemskap.")
    assert (
        subprocess.run(
            ["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True
        ).stdout
        == ""
    )
    world.run("omar", "show", log_id[:6], code=int(ExitCode.NO_ACCESS))


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts this process's files")
def test_holding_many_logs_keeps_few_git_processes(world: World) -> None:
    """Each log reads through a git process of its own; a script that holds every
    log of a municipality must not hold a process and its pipes for each."""
    world.person("nora", "Nora Bø", "kontaktlærer", "Bjørkly skole")
    world.init("nora")
    for n in range(20):
        world.open_log("nora", f"Barn Ås {n}")
    store = world.store("nora")
    before = len(list(Path("/proc/self/fd").iterdir()))
    logs = list(store.logs())
    names = [log.members().current[0].name for log in logs]
    opened = len(list(Path("/proc/self/fd").iterdir())) - before
    assert len(names) == 20
    assert opened <= 2 * store.readers.limit
