"""The log's own git setup: what doctor repairs, and what plain `git pull` does with
and without stafett's merge driver."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from stafett import crypto, yamlio
from stafett.errors import ExitCode
from tests.laptops import Laptop, git, two_laptops
from tests.world import World

PLAIN = ["-c", "user.name=Kari", "-c", "user.email=kari@example.invalid"]


def _diverge(nora: Laptop, kari: Laptop, log_id: str) -> tuple[str, str]:
    """One measure, changed in different fields on each laptop; Nora's change pushed."""
    short = log_id[:6]
    measure = kari.json(
        "measure", "add", short, "--title", "Leksehjelp", "--goal", "Mestre lekser",
        "--responsible", "kari", "--evaluate-by", "2026-05-01",
    )["id"]  # fmt: skip
    kari.run("sync", short)
    nora.run("sync", short)
    nora.run("measure", "update", short, measure[:8], "--evaluate-by", "2026-06-15")
    nora.run("sync", short)
    kari.run("measure", "update", short, measure[:8], "--goal", "Mestre lekser på egen hånd")
    return measure, f"measure/{measure}.yaml.age"


def _pull(kari: Laptop, repo: Path, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **kari.world.env("kari"), **kari.env()}
    return subprocess.run(
        ["git", *PLAIN, "pull", "--no-rebase", "--no-edit", url, "main"],
        cwd=repo, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_plain_git_pull_merges_field_by_field_with_the_driver(world: World, tmp_path: Path) -> None:
    url = str(tmp_path / "delt" / "logg.git")
    nora, kari, log_id = two_laptops(world, url)
    _, rel = _diverge(nora, kari, log_id)
    repo = kari.log_dir(log_id)
    pulled = _pull(kari, repo, url)
    assert pulled.returncode == 0, pulled.stderr
    data = yamlio.load(crypto.decrypt((repo / rel).read_bytes(), world.identity("kari")))
    assert str(data["evaluate_by"]) == "2026-06-15"
    assert data["goal"] == "Mestre lekser på egen hånd"
    # git made an unsigned merge with Kari's own name: stafett says so, and refuses it.
    found = kari.run("verify", log_id[:6], code=int(ExitCode.INVALID)).out
    assert "ikke signert" in found or "slår sammen" in found or "Sammenslåingen" in found


def test_without_the_driver_git_keeps_one_side_and_flags_a_conflict(
    world: World, tmp_path: Path
) -> None:
    url = str(tmp_path / "delt" / "logg.git")
    nora, kari, log_id = two_laptops(world, url)
    _, rel = _diverge(nora, kari, log_id)
    repo = kari.log_dir(log_id)
    git(repo, "config", "--unset", "merge.stafett.driver")
    (repo / ".git" / "info" / "attributes").unlink()
    ours = (repo / rel).read_bytes()
    pulled = _pull(kari, repo, url)
    assert pulled.returncode != 0 and "CONFLICT" in pulled.stdout + pulled.stderr
    assert (repo / rel).read_bytes() == ours  # one side, never ciphertext merged as text
    git(repo, "merge", "--abort")
    found = kari.run("doctor", log_id[:6], code=int(ExitCode.INVALID)).out
    assert "merge.stafett.driver" in found and "info/attributes" in found
    kari.run("doctor", log_id[:6], "--repair")
    assert "i orden" in kari.run("doctor", log_id[:6]).out
    assert (repo / ".git" / "info" / "attributes").read_text() == "*.age merge=stafett\n"
    kari.run("sync", log_id[:6])
    kari.run("verify", log_id[:6])


def test_a_clone_shows_decrypted_yaml_in_git_log(world: World, tmp_path: Path) -> None:
    url = (tmp_path / "delt" / "logg.git").as_uri()
    _, kari, log_id = two_laptops(world, url)
    repo = kari.log_dir(log_id)
    env = {**os.environ, **kari.world.env("kari"), **kari.env()}
    shown = subprocess.run(
        ["git", "log", "-p", "--", "members.yaml.age"],
        cwd=repo, env=env, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "Binary files differ" not in shown and "handle: kari" in shown
    status = kari.json("status")
    assert [s["state"] for s in status] == ["in_step"]
