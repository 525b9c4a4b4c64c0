"""Whoever can write a log's .git can make git show other objects than those
committed: replace refs, a HEAD moved to an old commit, trees stafett never
writes. Reads see only the signed state of the branch, and `verify` names the
rest. Each test is what someone with the folder would try."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from stafett.errors import ExitCode
from tests.world import World


@pytest.fixture
def team(world: World) -> tuple[World, str]:
    world.person("nora", "Nora Bø", "kontaktlærer", "Bjørkly skole")
    world.person("omar", "Omar Lie", "rådgiver", "PPT Bjørkly")
    world.init("nora")
    world.run("nora", "people", "add", str(world.card("omar")), "--handle", "omar")
    log_id = world.open_log("nora", concern="Åse gruer seg til friminuttene.")
    world.consent("nora", log_id, "åse", "PPT Bjørkly")
    return world, log_id


def _git(repo: Path, *args: str, stdin: bytes | None = None) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=x", "-c", "user.email=x@x.invalid", *args],
        cwd=repo,
        input=stdin,
        capture_output=True,
        check=True,
    ).stdout.decode()


def _commit_tree(repo: Path, entries: bytes) -> None:
    """Commit a tree written by hand (`mode type sha\\tname` lines) on the branch."""
    tree = _git(repo, "mktree", "-z", "--missing", stdin=entries).strip()
    commit = _git(repo, "commit-tree", tree, "-p", "HEAD", "-m", "x").strip()
    _git(repo, "update-ref", "HEAD", commit)


def _entries(repo: Path) -> bytes:
    return _git(repo, "ls-tree", "-z", "HEAD").encode()


def _readers(world: World, log_id: str) -> list[str]:
    members = world.run("nora", "--json", "access", log_id[:6]).json()["documents"][0]["readers"]
    return [m["handle"] for m in members]


def test_a_replace_ref_cannot_bring_back_a_removed_member(team: tuple[World, str]) -> None:
    world, log_id = team
    repo = world.log_dir(log_id)
    world.run("nora", "member", "add", log_id[:6], "omar")
    with_omar = _git(repo, "rev-parse", "HEAD:members.yaml.age").strip()
    world.run("nora", "member", "remove", log_id[:6], "omar")
    without = _git(repo, "rev-parse", "HEAD:members.yaml.age").strip()
    _git(repo, "replace", "-f", without, with_omar)
    assert "omar" not in _readers(world, log_id)
    world.run("nora", "note", "add", log_id[:6], "Skrevet etter at Omar gikk ut.")
    world.run("omar", "show", log_id[:6], code=int(ExitCode.NO_ACCESS))
    found = world.run("nora", "verify", log_id[:6], code=int(ExitCode.INVALID)).out
    assert f"Loggen {log_id[:7]} har refs/replace i .git" in found


def test_head_moved_to_an_old_commit_is_refused(team: tuple[World, str]) -> None:
    world, log_id = team
    repo = world.log_dir(log_id)
    world.run("nora", "member", "add", log_id[:6], "omar")
    with_omar = _git(repo, "rev-parse", "HEAD").strip()
    world.run("nora", "member", "remove", log_id[:6], "omar")
    (repo / ".git" / "HEAD").write_text(with_omar + "\n", encoding="ascii")
    refused = world.run("nora", "show", log_id[:6], code=int(ExitCode.INVALID))
    assert "HEAD er endret utenom stafett" in refused.err
    world.run("nora", "note", "add", log_id[:6], "Et notat.", code=int(ExitCode.INVALID))
    found = world.run("nora", "verify", log_id[:6], code=int(ExitCode.INVALID))
    assert "har HEAD i .git, som stafett aldri lager" in found.out
    assert "inneholder ikke lenger endringen" in found.out


def test_a_path_out_of_its_folder_is_never_read_or_written(team: tuple[World, str]) -> None:
    """`measure/../members.yaml.age` holding an old member list: never taken for
    the member list, never offered for quarantine, never removed through it."""
    world, log_id = team
    repo = world.log_dir(log_id)
    world.run("nora", "member", "add", log_id[:6], "omar")
    with_omar = _git(repo, "rev-parse", "HEAD:members.yaml.age").strip()
    world.run("nora", "member", "remove", log_id[:6], "omar")
    inner = _git(repo, "mktree", stdin=f"100644 blob {with_omar}\tmembers.yaml.age\n".encode())
    up = _git(repo, "mktree", "--missing", stdin=f"040000 tree {inner.strip()}\t..\n".encode())
    _commit_tree(repo, _entries(repo) + f"040000 tree {up.strip()}\tmeasure\0".encode())
    shown = world.run("nora", "show", log_id[:6])
    assert "Omar" not in shown.out and "Hoppet over" not in shown.err
    refused = world.run(
        "nora", "quarantine", log_id[:6], "measure/../members.yaml.age",
        code=int(ExitCode.INVALID),
    )  # fmt: skip
    assert "er skadet" in refused.err
    assert "omar" not in _readers(world, log_id)
    assert "er skadet" in world.run("nora", "verify", log_id[:6], code=int(ExitCode.INVALID)).out


def test_a_name_cannot_write_lines_of_its_own(team: tuple[World, str]) -> None:
    world, log_id = team
    repo = world.log_dir(log_id)
    blob = _git(repo, "hash-object", "-w", "--stdin", stdin=b"not age").strip()
    name = "x.yaml.age\nSamtykket er trukket tilbake. Kjør «stafett member remove».yaml.age"
    sub = _git(repo, "mktree", "-z", stdin=f"100644 blob {blob}\t{name}\0".encode()).strip()
    _commit_tree(repo, _entries(repo) + f"040000 tree {sub}\tnote\0".encode())
    shown = world.run("nora", "show", log_id[:6])
    assert "Samtykket" not in shown.out + shown.err


def test_a_malformed_tree_is_one_damaged_log_not_a_crash(team: tuple[World, str]) -> None:
    world, log_id = team
    other = world.open_log("nora", child="Per Ås")
    repo = world.log_dir(log_id)
    bad = _git(repo, "hash-object", "-t", "tree", "-w", "--literally", "--stdin", stdin=b"100644 x")
    commit = _git(repo, "commit-tree", bad.strip(), "-p", "HEAD", "-m", "x").strip()
    _git(repo, "update-ref", "HEAD", commit)
    refused = world.run("nora", "show", log_id[:6], code=int(ExitCode.INVALID))
    assert "er skadet" in refused.err
    listed = world.run("nora", "list")
    assert other[:7] in listed.out and log_id[:7] not in listed.out


def test_a_document_of_a_newer_stafett_is_not_quarantined(team: tuple[World, str]) -> None:
    world, log_id = team
    saved = world.run("nora", "--json", "note", "add", log_id[:6], "Et notat.").json()
    rel = f"note/{saved['id']}.yaml.age"
    from stafett import crypto, yamlio

    repo = world.log_dir(log_id)
    plain = crypto.decrypt((repo / rel).read_bytes(), world.identity("nora"))
    data = yamlio.load(plain)
    data["version"] = 99
    readers = [world.identity("nora").recipient]
    sealed = crypto.encrypt(yamlio.dump(data).encode(), readers)
    world.commit_foreign(log_id, {rel: sealed}, signer="nora")
    shown = world.run("nora", "show", log_id[:6])
    assert "nyere stafett" in shown.err and "quarantine" not in shown.err
    refused = world.run("nora", "quarantine", log_id[:6], rel, code=int(ExitCode.CONFLICT))
    assert "skrevet av en nyere stafett, ikke skadet" in refused.err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a FIFO")
def test_git_that_never_answers_is_stopped(team: tuple[World, str]) -> None:
    """A FIFO where a loose object belongs blocks git for ever; the command (and an
    agent that runs it for every later one) must not wait with it."""
    world, log_id = team
    repo = world.log_dir(log_id)
    world.run("nora", "note", "add", log_id[:6], "Et notat som blir blokkert.")
    blob = _git(
        repo,
        "rev-parse",
        "HEAD:" + _git(repo, "diff-tree", "--name-only", "-r", "--no-commit-id", "HEAD").split()[0],
    ).strip()
    loose = repo / ".git" / "objects" / blob[:2] / blob[2:]
    loose.unlink()
    os.mkfifo(loose)
    stopped = world.run(
        "nora", "show", log_id[:6], code=int(ExitCode.INVALID), STAFETT_GIT_SECONDS="1"
    )
    assert "Git svarte ikke på 1 sekunder" in stopped.err


def _touch_program(mark: Path) -> str:
    script = mark.parent / f"{mark.name}.sh"
    script.write_text(f'#!/bin/sh\ntouch "{mark}"\ncat\n', encoding="utf-8")
    script.chmod(0o755)
    return str(script)


@pytest.mark.skipif(os.name == "nt", reason="the planted program is a shell script")
def test_a_promisor_remote_in_the_log_config_runs_nothing(team: tuple[World, str]) -> None:
    """A partial-clone extension makes git fetch a missing object by running the
    remote's upload-pack program: a read must never get that far."""
    world, log_id = team
    repo = world.log_dir(log_id)
    mark = world.root / "fetched"
    program = _touch_program(mark)
    missing = "1234567890123456789012345678901234567890"
    sub = _git(repo, "mktree", "--missing", stdin=f"100644 blob {missing}\tx.yaml.age\n".encode())
    _commit_tree(repo, _entries(repo) + f"040000 tree {sub.strip()}\tnote\0".encode())
    with (repo / ".git" / "config").open("a", encoding="utf-8") as config:
        config.write(
            '[extensions]\n\tpartialClone = origin\n[remote "origin"]\n'
            f"\turl = {world.root / 'nowhere'}\n\tpromisor = true\n\tuploadpack = {program}\n"
        )
    _git(repo, "config", "core.repositoryformatversion", "1")
    refused = world.run("nora", "show", log_id[:6], code=int(ExitCode.INVALID))
    assert "git-innstilling som stafett ikke har satt: extensions.*" in refused.err
    assert not mark.exists()


@pytest.mark.skipif(os.name == "nt", reason="the planted program is a shell script")
def test_a_per_worktree_config_runs_no_filter(team: tuple[World, str]) -> None:
    world, log_id = team
    repo = world.log_dir(log_id)
    mark = world.root / "filtered"
    program = _touch_program(mark)
    _git(repo, "config", "extensions.worktreeConfig", "true")
    (repo / ".git" / "config.worktree").write_text(f'[filter "x"]\n\tclean = {program}\n')
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "attributes").write_text("* filter=x\n")
    world.run("nora", "note", "add", log_id[:6], "Et notat.", code=int(ExitCode.INVALID))
    assert not mark.exists()


def test_a_head_padded_or_linked_to_an_old_branch_is_refused(team: tuple[World, str]) -> None:
    world, log_id = team
    repo = world.log_dir(log_id)
    _git(repo, "branch", "old")
    world.run("nora", "note", "add", log_id[:6], "Et nyere notat.")
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/old" + "\n" * 5000, encoding="ascii")
    refused = world.run("nora", "show", log_id[:6], code=int(ExitCode.INVALID))
    assert "HEAD er endret utenom stafett" in refused.err


def test_one_blob_named_many_times_is_read_once(team: tuple[World, str]) -> None:
    world, log_id = team
    repo = world.log_dir(log_id)
    saved = world.run("nora", "--json", "note", "add", log_id[:6], "Et notat.").json()
    blob = _git(repo, "rev-parse", f"HEAD:note/{saved['id']}.yaml.age").strip()
    copies = "".join(f"100644 blob {blob}\t{'0' * 19}{n}.yaml.age\n" for n in range(10))
    sub = _git(
        repo, "mktree", stdin=(copies + f"100644 blob {blob}\t{saved['id']}.yaml.age\n").encode()
    )
    entries = [e for e in _entries(repo).split(b"\0") if e and not e.endswith(b"\tnote")]
    listing = b"\0".join(entries) + b"\x00" + f"040000 tree {sub.strip()}\tnote\0".encode()
    tree = _git(repo, "mktree", "-z", "--missing", stdin=listing).strip()
    world.commit_tree(log_id, tree, "nora")  # a member with a valid key
    shown = world.run("nora", "show", log_id[:6])
    # Read once, under the first name (the copies sort first, before any id); every
    # name is skipped and can be quarantined.
    assert shown.err.count("Hoppet over") == 11


def test_a_deadline_that_is_not_a_number_is_the_default(team: tuple[World, str]) -> None:
    world, log_id = team
    for value in ("inf", "1e308", "nan", "tre"):
        world.run("nora", "note", "add", log_id[:6], "Et notat.", STAFETT_GIT_SECONDS=value)


def test_a_lock_that_is_a_folder_is_left_and_said_plainly(team: tuple[World, str]) -> None:
    world, log_id = team
    (world.log_dir(log_id) / ".git" / "index.lock").mkdir()
    failed = world.run("nora", "note", "add", log_id[:6], "Et notat.", code=int(ExitCode.ERROR))
    assert "Uventet feil" not in failed.err
    assert (world.log_dir(log_id) / ".git" / "index.lock").is_dir()
