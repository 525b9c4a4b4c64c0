"""Writes are all or nothing, and concurrent writers on one machine are serialised."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.test_cli_errors import snapshot
from tests.world import World


def _setup(world: World) -> str:
    world.person("nora", "Nora Bø", "kontaktlærer", "Bjørkly skole")
    world.init("nora")
    return world.open_log("nora")


def _commits(world: World, log_id: str) -> int:
    out = subprocess.run(
        ["git", "rev-list", "--count", "HEAD"],
        cwd=world.log_dir(log_id),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return int(out)


def test_leftovers_of_a_crashed_write_are_rolled_back(world: World) -> None:
    log_id = _setup(world)
    repo = world.log_dir(log_id)
    before = snapshot(world, log_id)
    stray = repo / "note" / ("1" * 20 + ".yaml.age")
    stray.parent.mkdir()
    stray.write_bytes(b"age-encryption.org/v1\nhalf a file")
    (repo / "members.yaml.age").write_bytes(b"truncated")
    world.run("nora", "note", "add", log_id[:6], "Skrevet etter et krasj.")
    assert not stray.exists()
    assert _commits(world, log_id) == 2
    after = snapshot(world, log_id)
    assert after[2]["members.yaml.age"] == before[2]["members.yaml.age"]
    assert "i orden" in world.run("nora", "verify").out


def test_a_write_killed_after_its_commit_loses_no_file(world: World) -> None:
    """Killed after moving the branch, before the shared index followed: the index
    (and its lock) are a step behind HEAD. The committed note must survive the next
    write, and no lock may leave the log unwritable (found by bench/crash_campaign.py)."""
    log_id = _setup(world)
    repo = world.log_dir(log_id)
    saved = world.run("nora", "--json", "note", "add", log_id[:6], "Åse lo i dag.").json()
    rel = f"note/{saved['id']}.yaml.age"
    subprocess.run(["git", "read-tree", "HEAD~1"], cwd=repo, check=True)
    (repo / ".git" / "stafett.index.lock").write_bytes(b"")
    world.run("nora", "note", "add", log_id[:6], "Skrevet etter et krasj.")
    assert (repo / rel).is_file()
    assert _commits(world, log_id) == 3
    assert "i orden" in world.run("nora", "verify").out


@pytest.mark.skipif(os.name == "nt", reason="the failing git is a shell script")
def test_a_failing_git_leaves_the_log_as_it_was(world: World) -> None:
    log_id = _setup(world)
    before = snapshot(world, log_id)
    real = shutil.which("git")
    assert real is not None
    fake = world.root / "bin"
    fake.mkdir()
    (fake / "git").write_text(
        f'#!/bin/sh\nfor a in "$@"; do [ "$a" = add ] && exit 1; done\nexec "{real}" "$@"\n',
        encoding="utf-8",
    )
    (fake / "git").chmod(0o755)
    path = f"{fake}{os.pathsep}{os.environ.get('PATH', '')}"
    result = world.run(
        "nora", "note", "add", log_id[:6], "Dette skal ikke lagres.", code=1, PATH=path
    )
    assert result.err.strip() == "git add feilet. Loggen er ikke endret."
    assert snapshot(world, log_id)[0] == before[0]
    assert snapshot(world, log_id)[2] == before[2]


def test_concurrent_writers_lose_nothing(world: World) -> None:
    log_id = _setup(world)
    per_writer = 4
    writer = (
        "import subprocess, sys\n"
        "log, who, count = sys.argv[1], sys.argv[2], int(sys.argv[3])\n"
        "for i in range(count):\n"
        "    text = f'Notat {i} fra skriver {who}'\n"
        "    cmd = [sys.executable, '-m', 'stafett', 'note', 'add', log, text]\n"
        "    subprocess.run(cmd, check=True)\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", writer, log_id[:6], str(w), str(per_writer)],
            env=world.env("nora"),
        )
        for w in range(3)
    ]
    assert [p.wait(timeout=300) for p in procs] == [0, 0, 0]
    assert _commits(world, log_id) == 1 + 3 * per_writer
    notes = world.run("nora", "--json", "show", log_id[:6]).json()
    assert notes["documents"] == 3 * per_writer
    assert "i orden" in world.run("nora", "verify", log_id[:6]).out
