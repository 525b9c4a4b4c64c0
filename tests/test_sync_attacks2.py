"""A second attacker-minded pass over sync, resolve and the state around them: the
fast-forward's writes, conflict entries a member writes by hand, merges of merges,
criss-cross merges, odd remotes, a held lock and an edited state file. Each test
asserts what a user would expect: refused plainly, with a non-zero exit code and
nothing changed; or: it works and nothing is lost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from stafett import crypto, ids, yamlio
from stafett.errors import ExitCode
from tests.laptops import Laptop, git, two_laptops
from tests.team import members, new_note, readers
from tests.test_sync_attacks import (
    Remote,
    _add_note,
    _diverge,
    _files,
    _merge,
    _refused,
)
from tests.world import Result, World, _in_process

BAD_TEXT = ("\x1b", "\x07", "\x9b", "\u202e", "Traceback")
UNEXPECTED = "Uventet feil"  # what the CLI says for an exception nobody planned for


@pytest.fixture
def pair(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Laptop, Laptop, Remote]:
    monkeypatch.chdir(tmp_path)
    url = str(tmp_path / "delt" / "åse.git")
    nora, kari, log_id = two_laptops(world, url)
    return nora, kari, Remote(world, log_id, url)


def _run(laptop: Laptop, *args: str) -> Result:
    """The CLI in this process, whatever its exit code."""
    return _in_process(list(args), laptop.world.env(laptop.actor, **laptop.env()), None)


def _clear(result: Result) -> None:
    """A refusal a user can read: a message, no traceback, no terminal control."""
    said = result.out + result.err
    assert said.strip(), result
    assert UNEXPECTED not in said, result
    for bad in BAD_TEXT:
        assert bad not in said, (bad, result)


def _kari_note_on_remote(remote: Remote, text: str = "Kari: Åse var glad.") -> str:
    rel, sealed = new_note(remote.world, remote.log_id, remote.ids["kari"], text)
    remote.move(remote.change({rel: sealed}, signer="kari", message="add note x"))
    return rel


def _note_texts(laptop: Laptop, log_id: str) -> list[str]:
    """The text of every note in the log's work tree, as its owner reads it."""
    me = laptop.world.identity(laptop.actor)
    return [
        str(yamlio.load(crypto.decrypt(p.read_bytes(), me), name=p.name)["text"])
        for p in sorted((laptop.log_dir(log_id) / "note").glob("*.yaml.age"))
    ]


# --- The fast-forward: what it writes, and where.


def test_a_fast_forward_writes_nothing_through_a_hidden_link_in_the_log(
    pair: tuple[Laptop, Laptop, Remote], tmp_path: Path
) -> None:
    """Someone who can write Nora's log folder puts a link `note` -> a folder of
    hers, and hides it from `git status` in .git/info/exclude. The next sync
    fast-forwards a note from the remote: it must not be written through the link."""
    nora, kari, remote = pair
    elsewhere = tmp_path / "noras-own-folder"
    elsewhere.mkdir()
    repo = nora.log_dir(remote.log_id)
    assert not (repo / "note").exists()
    (repo / "note").symlink_to(elsewhere)
    (repo / ".git" / "info").mkdir(exist_ok=True)
    with (repo / ".git" / "info" / "exclude").open("a") as fh:
        fh.write("note\n")
    _add_note(kari, remote.log_id, "Kari: Åse var glad i dag.")
    kari.run("sync", remote.log_id[:6])
    _run(nora, "sync", remote.log_id[:6])
    assert list(elsewhere.iterdir()) == []


def test_a_fast_forward_cut_short_leaves_the_log_readable_and_the_next_sync_finishes(
    pair: tuple[Laptop, Laptop, Remote], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed after the files are written and before the branch moves: every
    command still reads the log, and the next sync finishes the job."""
    import stafett.history as history_module

    nora, kari, remote = pair
    short = remote.log_id[:6]
    _add_note(kari, remote.log_id, "Kari: Åse var glad i dag.")
    kari.run("sync", short)
    before = nora.head(remote.log_id)
    real = history_module.git

    def killed(repo: Path, *args: str, **kw: Any) -> str:
        if args[:3] == ("update-ref", "-m", "stafett: sync"):
            raise KeyboardInterrupt
        return real(repo, *args, **kw)

    monkeypatch.setattr(history_module, "git", killed)
    _run(nora, "sync", short)
    monkeypatch.setattr(history_module, "git", real)
    assert nora.head(remote.log_id) == before
    nora.run("show", short)
    nora.run("history", short)
    nora.run("status")
    nora.run("sync", short)
    assert nora.head(remote.log_id) == remote.head()
    nora.run("verify", short)
    assert "Kari: Åse var glad i dag." in _note_texts(nora, remote.log_id)
    _add_note(nora, remote.log_id, "Nora: etter avbrutt synk.")
    nora.run("sync", short)
    nora.run("verify", short)


def test_a_users_own_file_in_the_log_folder_is_never_lost_to_a_sync(
    pair: tuple[Laptop, Laptop, Remote],
) -> None:
    nora, kari, remote = pair
    short = remote.log_id[:6]
    mine = nora.log_dir(remote.log_id) / "huskelapp.txt"
    mine.write_text("mine egne notater\n")
    _add_note(kari, remote.log_id, "Kari: Åse var glad i dag.")
    kari.run("sync", short)
    result = _run(nora, "sync", short)
    assert mine.read_text() == "mine egne notater\n"
    if result.code != 0:
        _clear(result)


# --- Conflict entries a member writes by hand, settled by the coordinator.


def _kari_note_with_conflict(remote: Remote, field: str, values: list[Any]) -> tuple[str, str]:
    """Kari's own note, with a `conflicts` entry she wrote herself naming `field`,
    signed by her as a change of her own document. Returns (note id, path)."""
    from datetime import UTC, datetime

    note_id = ids.new_id()
    kari_id = remote.ids["kari"]
    data: dict[str, Any] = {
        "kind": "note",
        "version": 1,
        "id": note_id,
        "created": datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
        "created_by": kari_id,
        "log": remote.log_id,
        "text": "Kari: Åse var lei seg.",
        "conflicts": [
            {
                "field": field,
                "values": [
                    {"value": values[0], "by": kari_id},
                    {"value": values[1], "by": remote.ids["nora"]},
                ],
            }
        ],
    }
    rel = f"note/{note_id}.yaml.age"
    sealed = crypto.encrypt(yamlio.dump(data).encode(), readers(remote.world, "nora", "kari"))
    remote.move(remote.change({rel: sealed}, signer="kari", message="add note x"))
    return note_id, rel


@pytest.mark.parametrize("field", ["created_by", "log", "id", "kind", "created"])
@pytest.mark.parametrize("keep", ["first", "second"])
def test_resolving_a_hand_made_conflict_never_changes_a_fixed_field(
    pair: tuple[Laptop, Laptop, Remote], field: str, keep: str
) -> None:
    """Kari writes a conflict on a fixed field of her own note; Nora, coordinator,
    settles it. Whatever she keeps, the note stays Kari's, in this log, as it was."""
    nora, _, remote = pair
    short = remote.log_id[:6]
    other = {
        "created_by": remote.ids["nora"],
        "log": ids.new_id(),
        "id": ids.new_id(),
        "kind": "measure",
        "created": "2020-01-01T00:00:00+00:00",
    }[field]
    note_id, rel = _kari_note_with_conflict(remote, field, [other, other])
    nora.run("sync", short)
    before, files = nora.head(remote.log_id), _files(nora, remote.log_id)
    result = _run(nora, "resolve", short, note_id[:8], "--keep", keep, "--field", field)
    if result.code == 0:  # settled: must keep the rules every member checks
        nora.run("verify", short)
        data = yamlio.load(
            crypto.decrypt(
                (nora.log_dir(remote.log_id) / rel).read_bytes(), remote.world.identity("nora")
            ),
            name=rel,
        )
        assert data["created_by"] == remote.ids["kari"]
        assert data["log"] == remote.log_id and data["id"] == note_id
        assert data["kind"] == "note"
        assert str(data["created"]).startswith("2026-03-02")
        nora.run("sync", short)
    else:
        _clear(result)
        assert nora.head(remote.log_id) == before
        assert _files(nora, remote.log_id) == files


def test_resolving_a_conflict_with_a_value_that_breaks_the_schema_changes_nothing(
    pair: tuple[Laptop, Laptop, Remote],
) -> None:
    _, kari, remote = pair
    short = remote.log_id[:6]
    note_id, _ = _kari_note_with_conflict(remote, "text", [{"nested": ["x"]}, 12])
    kari.run("sync", short)
    before, files = kari.head(remote.log_id), _files(kari, remote.log_id)
    for keep in ("first", "second", "mine", "theirs"):
        result = _run(kari, "resolve", short, note_id[:8], "--keep", keep)
        assert result.code != 0, (keep, result)
        _clear(result)
        assert kari.head(remote.log_id) == before
        assert _files(kari, remote.log_id) == files
    kari.run("verify", short)


def test_resolve_by_a_member_who_is_neither_author_nor_coordinator_is_refused(
    pair: tuple[Laptop, Laptop, Remote],
) -> None:
    nora, _, remote = pair
    short = remote.log_id[:6]
    nora.run("member", "add", short, "omar")
    nora.run("sync", short)
    remote.ids = members(remote.world, remote.log_id)
    note_id, _ = _kari_note_with_conflict(remote, "text", ["a", "b"])
    nora.run("sync", short)
    before, files = nora.head(remote.log_id), _files(nora, remote.log_id)
    for keep in ("first", "second", "mine", "theirs"):
        result = nora.world.run(
            "omar",
            "resolve",
            short,
            note_id[:8],
            "--keep",
            keep,
            code=int(ExitCode.NO_ACCESS),
            extra=nora.env(),
        )
        _clear(result)
        assert nora.head(remote.log_id) == before
        assert _files(nora, remote.log_id) == files


def test_a_hand_made_conflict_on_the_audience_widens_nothing_by_itself(
    pair: tuple[Laptop, Laptop, Remote],
) -> None:
    """A conflict entry in Kari's own note offering an audience: the note stays as
    it is until its author or the coordinator chooses."""
    nora, _, remote = pair
    short = remote.log_id[:6]
    _kari_note_with_conflict(remote, "audience", [["coordinator"], ["guardian"]])
    nora.run("sync", short)
    nora.run("verify", short)


# --- Merges a member with a valid key makes by hand.


def test_a_merge_whose_merged_document_widens_the_audience_is_refused(
    pair: tuple[Laptop, Laptop, Remote],
) -> None:
    """Nora's note for Nora and Kari only; Kari's merge carries it with its audience
    gone (every member, and Omar when he joins, could read it)."""
    nora, _, remote = pair
    short = remote.log_id[:6]
    note = _add_note(nora, remote.log_id, "Nora: bare til oss to.", audience="nora,kari")
    nora.run("sync", short)
    path = f"note/{note}.yaml.age"
    _, theirs, mine, _, rel, sealed = _diverge(nora, remote)

    def widen(data: dict[str, Any]) -> None:
        data.pop("audience", None)

    forged = remote.edited(theirs, path, widen, "nora", "kari")
    _merge(remote, (mine, theirs), {rel: sealed, path: forged}, on=theirs)
    _refused(nora, remote.log_id)


def test_a_merge_that_changes_the_coordinator_on_neither_side_is_refused(
    pair: tuple[Laptop, Laptop, Remote],
) -> None:
    nora, _, remote = pair
    _, theirs, mine, _, rel, sealed = _diverge(nora, remote)

    def take(data: dict[str, Any]) -> None:
        data["coordinator"] = remote.ids["kari"]

    forged = remote.edited(theirs, "log.yaml.age", take, "nora", "kari")
    _merge(remote, (mine, theirs), {rel: sealed, "log.yaml.age": forged}, on=theirs)
    _refused(nora, remote.log_id)
    assert "Stafettholder: Nora Bø" in nora.run("show", remote.log_id[:6]).out


def test_a_merge_of_a_merge_carrying_a_forbidden_change_is_refused(
    pair: tuple[Laptop, Laptop, Remote],
) -> None:
    """Kari rewords Nora's note on a side branch, merges that into a note of her
    own (an inner merge), and merges the result with today's head."""
    nora, _, remote = pair
    short = remote.log_id[:6]
    note = _add_note(nora, remote.log_id, "Nora: første notat.")
    nora.run("sync", short)
    path = f"note/{note}.yaml.age"
    first = remote.head()
    _add_note(nora, remote.log_id, "Nora: andre notat.")
    nora.run("sync", short)
    theirs = remote.head()

    def reword(data: dict[str, Any]) -> None:
        data["text"] = "Nora: Åse ble slått hjemme."

    forged = remote.edited(first, path, reword, "nora", "kari")
    bad = remote.change({path: forged}, signer="kari", message="update note x", on=first)
    rel, sealed = new_note(remote.world, remote.log_id, remote.ids["kari"], "Kari: notat.")
    own = remote.change({rel: sealed}, signer="kari", message="add note x", on=first)
    inner = remote.commit(remote.tree(own, {path: forged}), [own, bad], "kari", "sync log x")
    outer = remote.commit(remote.tree(theirs, {path: forged, rel: sealed}), [inner, theirs],
                          "kari", "sync log x")  # fmt: skip
    remote.move(outer)
    _refused(nora, remote.log_id)
    # the same with the inner merge as the second parent
    outer2 = remote.commit(remote.tree(theirs, {path: forged, rel: sealed}), [theirs, inner],
                           "kari", "sync log x")  # fmt: skip
    remote.move(outer2)
    _refused(nora, remote.log_id)


def test_a_merge_of_one_head_with_itself_that_adds_a_file_is_refused(
    pair: tuple[Laptop, Laptop, Remote],
) -> None:
    """Both parents the same commit: there is nothing to merge, so nothing may
    come in through it."""
    nora, _, remote = pair
    head = remote.head()
    rel, sealed = new_note(remote.world, remote.log_id, remote.ids["kari"], "Kari: notat.")
    _merge(remote, (head, head), {rel: sealed}, on=head)
    _refused(nora, remote.log_id)


def test_a_merge_with_an_ancestor_of_its_first_parent_that_adds_a_file_is_refused(
    pair: tuple[Laptop, Laptop, Remote],
) -> None:
    nora, _, remote = pair
    old = remote.head()
    _add_note(nora, remote.log_id, "Nora: notat.")
    nora.run("sync", remote.log_id[:6])
    head = remote.head()
    rel, sealed = new_note(remote.world, remote.log_id, remote.ids["kari"], "Kari: notat.")
    _merge(remote, (head, old), {rel: sealed}, on=head)
    _refused(nora, remote.log_id)


def test_a_merge_that_gives_a_new_member_two_keys_is_refused(
    pair: tuple[Laptop, Laptop, Remote],
) -> None:
    """Nora adds Omar on her laptop; on the remote a member list signed with Nora's
    key (a second laptop of hers, or a thief of it) adds the same member id with
    another signing key. No merge may give Omar's id a key that is not his."""
    nora, _, remote = pair
    short = remote.log_id[:6]
    base = remote.head()
    nora.run("member", "add", short, "omar")
    local = members(remote.world, remote.log_id)
    omar_id = local["omar"]
    repo = nora.log_dir(remote.log_id)
    plain = crypto.decrypt((repo / "members.yaml.age").read_bytes(), remote.world.identity("nora"))
    data = yamlio.load(plain, name="members.yaml.age")
    kari_entry = next(m for m in data["members"] if m["id"] == remote.ids["kari"])
    for entry in data["members"]:
        if entry["id"] == omar_id:
            entry["signing_key"] = kari_entry["signing_key"]
    sealed = crypto.encrypt(yamlio.dump(data).encode(), readers(remote.world, "nora", "kari"))
    side = remote.change({"members.yaml.age": sealed}, signer="nora", message="add member x",
                         on=base)  # fmt: skip
    remote.move(side)
    before = nora.head(remote.log_id)
    result = _run(nora, "sync", short)
    if result.code == 0:
        nora.run("verify", short)
        plain = crypto.decrypt(
            (repo / "members.yaml.age").read_bytes(), remote.world.identity("nora")
        )
        merged = yamlio.load(plain, name="members.yaml.age")
        keys = {m["signing_key"] for m in merged["members"] if m["id"] == omar_id}
        assert kari_entry["signing_key"] not in keys
    else:
        _clear(result)
        assert nora.head(remote.log_id) == before


def test_criss_cross_merges_lose_nothing_and_verify(
    pair: tuple[Laptop, Laptop, Remote], tmp_path: Path
) -> None:
    """Nora and Kari both change the same measure and each merges the other's
    change on a different remote: two merges of the same pair. Synced together,
    both laptops end at one head that verifies, with both notes and the conflict."""
    nora, kari, remote = pair
    short = remote.log_id[:6]
    measure = kari.json(
        "measure", "add", short, "--title", "Leksehjelp", "--goal", "Mestre lekser",
        "--responsible", "kari", "--evaluate-by", "2026-05-01",
    )["id"]  # fmt: skip
    kari.run("sync", short)
    nora.run("sync", short)
    second = tmp_path / "andre.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(remote.bare), str(second)], check=True)
    nora.run("measure", "update", short, measure[:8], "--goal", "Nora: lekser hver dag")
    _add_note(nora, remote.log_id, "Nora: notat A.")
    kari.run("measure", "update", short, measure[:8], "--goal", "Kari: lekser to dager")
    _add_note(kari, remote.log_id, "Kari: notat B.")
    nora.run("sync", short)  # remote: Nora's change
    kari.run("remote", "set", short, str(second))
    kari.run("sync", short)  # second: Kari's change
    nora.run("remote", "set", short, str(second))
    nora.run("sync", short)  # second: Nora's merge of (A, B)
    kari.run("remote", "set", short, str(remote.bare))
    kari.run("sync", short)  # remote: Kari's merge of (B, A)
    nora.run("remote", "set", short, str(remote.bare))
    nora.run("sync", short)  # the merge of the two merges
    kari.run("sync", short)
    assert nora.head(remote.log_id) == kari.head(remote.log_id) == remote.head()
    for laptop in (nora, kari):
        laptop.run("verify", short)
        notes = _note_texts(laptop, remote.log_id)
        assert "Nora: notat A." in notes and "Kari: notat B." in notes
        said = laptop.run("conflicts", short).out
        assert "lekser hver dag" in said and "lekser to dager" in said


# --- Reading a log in doubt.


def _doubt(laptop: Laptop, log_id: str) -> None:
    """An unsigned merge slipped into the log folder: the whole history in doubt."""
    repo = laptop.log_dir(log_id)
    head = git(repo, "rev-parse", "HEAD")
    tree = git(repo, "rev-parse", "HEAD^{tree}")
    merge = git(
        repo, "-c", "user.name=x", "-c", "user.email=x@x", "commit-tree", tree,
        "-p", head, "-p", f"{head}~1", "-m", "sync log x",
    )  # fmt: skip
    git(repo, "update-ref", "refs/heads/main", merge)


def test_conflicts_of_a_log_in_doubt_is_refused_plainly(
    pair: tuple[Laptop, Laptop, Remote],
) -> None:
    nora, _, remote = pair
    _doubt(nora, remote.log_id)
    result = _run(nora, "conflicts", remote.log_id[:6])
    assert result.code == int(ExitCode.INVALID), result
    _clear(result)


@pytest.mark.parametrize("command", ["status", "conflicts"])
def test_status_and_conflicts_of_every_log_name_the_one_in_doubt(
    pair: tuple[Laptop, Laptop, Remote], command: str
) -> None:
    """Over every log, one in doubt must not just vanish: saying "no logs" or "no
    conflicts" (exit 0) about a log whose history is in doubt tells the user all is
    well."""
    nora, _, remote = pair
    _doubt(nora, remote.log_id)
    result = _run(nora, command)
    assert result.code != 0, result
    assert remote.log_id[:6] in result.out + result.err, result
    _clear(result)


def test_status_of_every_log_still_shows_the_others(
    pair: tuple[Laptop, Laptop, Remote],
) -> None:
    """`status` needs no network and covers every log: one log in doubt should not
    hide where all the others stand."""
    nora, _, remote = pair
    other = nora.world.open_log("nora", child="Per Ås", born="2015-01-02")
    _doubt(nora, remote.log_id)
    result = _run(nora, "status")
    assert other[:6] in result.out, result


# --- Remotes with odd URLs.


@pytest.mark.parametrize(
    "url",
    [
        "/tmp/x\n[core]\n\tfsmonitor = touch pwned",
        "/tmp/x\r\nfoo",
        "/tmp/x\x00y",
        "/tmp/x\x9b2J\x9b31m",
        "/tmp/x\u202eevil",
        "/tmp/x\x7f",
        "/tmp/x\u2028y",
        "/tmp/x\x85y",
    ],
)
def test_remote_set_of_a_url_with_control_characters(
    pair: tuple[Laptop, Laptop, Remote], url: str
) -> None:
    """Refused, or kept in one line and never shown raw to the terminal."""
    nora, _, remote = pair
    short = remote.log_id[:6]
    repo = nora.log_dir(remote.log_id)
    before = git(repo, "config", "--get", "remote.origin.url")
    result = _run(nora, "remote", "set", short, "--", url)
    if result.code != 0:
        assert result.code == int(ExitCode.USAGE), result
        assert git(repo, "config", "--get", "remote.origin.url") == before
        _clear(result)
        return
    config = (repo / ".git" / "config").read_text("utf-8", "replace")
    assert "fsmonitor" not in config
    for shown in (result, _run(nora, "status")):
        for bad in BAD_TEXT:
            assert bad not in shown.out + shown.err, (bad, shown)


def test_a_url_written_into_the_log_config_is_shown_safely_by_status(
    pair: tuple[Laptop, Laptop, Remote],
) -> None:
    nora, _, remote = pair
    repo = nora.log_dir(remote.log_id)
    git(repo, "config", "remote.origin.url", "/tmp/x\x1b]0;alt i orden\x07\x1b[2J\x9b2J\u202e")
    result = _run(nora, "status")
    for bad in BAD_TEXT:
        assert bad not in result.out + result.err, (bad, result)


def test_remote_set_of_a_very_long_url_is_refused_or_harmless(
    pair: tuple[Laptop, Laptop, Remote],
) -> None:
    nora, _, remote = pair
    short = remote.log_id[:6]
    repo = nora.log_dir(remote.log_id)
    before = git(repo, "config", "--get", "remote.origin.url")
    url = "ssh://example.invalid/" + "a" * 200_000 + ".git"
    result = _run(nora, "remote", "set", short, url)
    if result.code != 0:
        _clear(result)
        assert git(repo, "config", "--get", "remote.origin.url") == before
        return
    for args in (("status",), ("sync", short), ("show", short), ("doctor", short)):
        shown = _run(nora, *args)
        assert "Traceback" not in shown.out + shown.err, (args, shown)
        assert shown.code in (0, int(ExitCode.ERROR), int(ExitCode.USAGE)), (args, shown)


# --- Clone into a store with odd things in it.


def _fresh(world: World, actor: str, name: str) -> Laptop:
    from stafett.keys import load_identity

    laptop = Laptop(world, actor, name)
    recovery = load_identity(world.key_files["recovery"]).recipient
    world.run(
        actor, "init", str(laptop.store), "--municipality", "Testvik kommune",
        "--recovery", recovery, extra=laptop.env(),
    )  # fmt: skip
    return laptop


def _state_files(laptop: Laptop) -> dict[str, bytes]:
    root = laptop.state
    return {str(p): p.read_bytes() for p in root.rglob("*") if p.is_file()} if root.exists() else {}


def test_a_clone_where_the_log_folder_is_a_dangling_link_is_refused_plainly(
    pair: tuple[Laptop, Laptop, Remote], tmp_path: Path
) -> None:
    _, _, remote = pair
    kari = _fresh(remote.world, "kari", "kari-2")
    (kari.store / "logs").mkdir(exist_ok=True)
    target = kari.store / "logs" / remote.log_id
    target.symlink_to(tmp_path / "nowhere")
    state = _state_files(kari)
    result = _run(kari, "clone", str(remote.bare))
    assert result.code != 0, result
    _clear(result)
    assert target.is_symlink() and not (tmp_path / "nowhere").exists()
    assert _state_files(kari) == state
    assert [p.name for p in (kari.store / "logs").iterdir()] == [remote.log_id]


def test_a_clone_never_deletes_a_folder_it_did_not_make(
    pair: tuple[Laptop, Laptop, Remote], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder already at the staging name (left by someone, or a clash of
    names): a clone that fails must not take it, or what is in it, away."""
    import stafett.ids as ids_module
    from stafett.layout import STAGING_PREFIX

    _, _, remote = pair
    kari = _fresh(remote.world, "kari", "kari-2")
    fixed = ids.new_id()
    staging = kari.store / "logs" / f"{STAGING_PREFIX}{fixed}"
    staging.mkdir(parents=True)
    (staging / "viktig.txt").write_text("ikke slett meg\n")
    real = ids_module.new_id
    calls = iter([fixed])

    def once() -> str:
        return next(calls, None) or real()

    monkeypatch.setattr(ids_module, "new_id", once)
    # a remote that is refused: the clone fails after its staging folder is in use
    rel, sealed = new_note(remote.world, remote.log_id, remote.ids["nora"], "Falsk: Nora skrev.")
    remote.move(remote.change({rel: sealed}, signer=None))
    _run(kari, "clone", str(remote.bare))
    assert (staging / "viktig.txt").read_text() == "ikke slett meg\n"


def test_a_clone_with_a_plain_file_at_the_staging_name_leaves_it(
    pair: tuple[Laptop, Laptop, Remote], monkeypatch: pytest.MonkeyPatch
) -> None:
    import stafett.ids as ids_module
    from stafett.layout import STAGING_PREFIX

    _, _, remote = pair
    kari = _fresh(remote.world, "kari", "kari-2")
    fixed = ids.new_id()
    staging = kari.store / "logs" / f"{STAGING_PREFIX}{fixed}"
    staging.parent.mkdir(parents=True, exist_ok=True)
    staging.write_text("min fil\n")
    real = ids_module.new_id
    calls = iter([fixed])
    monkeypatch.setattr(ids_module, "new_id", lambda: next(calls, None) or real())
    result = _run(kari, "clone", str(remote.bare))
    assert staging.read_text() == "min fil\n"
    if result.code != 0:
        _clear(result)
    else:
        kari.run("verify", remote.log_id[:6])


# --- sync --all with a log someone else holds.


def test_sync_all_with_a_log_whose_lock_is_held_reports_it_and_syncs_the_rest(
    pair: tuple[Laptop, Laptop, Remote], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import stafett.transaction as transaction_module

    nora, _, remote = pair
    other = nora.world.open_log("nora", child="Per Ås", born="2015-01-02")
    nora.run("remote", "set", other[:6], str(tmp_path / "delt" / "per.git"))
    _add_note(nora, remote.log_id, "Nora: Åse svømte.")
    _add_note(nora, other, "Nora: Per leste.")
    lock = nora.log_dir(remote.log_id) / ".git" / "stafett.lock"
    holder = subprocess.Popen(
        [
            sys.executable, "-c",
            "import sys, time; from filelock import FileLock\n"
            "l = FileLock(sys.argv[1]); l.acquire(); print('held', flush=True); time.sleep(60)",
            str(lock),
        ],
        stdout=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
        monkeypatch.setattr(transaction_module, "LOCK_TIMEOUT", 1.0)
        before = remote.head()
        result = _run(nora, "sync", "--all")
    finally:
        holder.kill()
        holder.wait()
    assert result.code != 0, result
    _clear(result)
    assert remote.log_id[:6] in result.out
    assert remote.head() == before
    assert git(tmp_path / "delt" / "per.git", "rev-parse", "refs/heads/main") == nora.head(other)
    nora.run("sync", remote.log_id[:6])
    assert remote.head() == nora.head(remote.log_id)


# --- The state file, edited.


def _state_file(laptop: Laptop, log_id: str) -> Path:
    found = [p for p in (laptop.state / "stafett" / "verified").rglob(log_id) if p.is_file()]
    assert len(found) == 1, found
    return found[0]


def test_a_state_file_claiming_a_remote_head_that_is_nowhere_refuses_the_sync(
    pair: tuple[Laptop, Laptop, Remote],
) -> None:
    nora, kari, remote = pair
    short = remote.log_id[:6]
    _add_note(kari, remote.log_id, "Kari: Åse var glad i dag.")
    kari.run("sync", short)
    path = _state_file(nora, remote.log_id)
    data = json.loads(path.read_text())
    data["remote"] = "0123456789abcdef0123456789abcdef01234567"
    path.write_text(json.dumps(data))
    said = _refused(nora, remote.log_id)
    assert "satt den tilbake" in said
    _clear(_run(nora, "sync", short))
    # `remote set` again is the way out, and then the sync goes through
    nora.run("remote", "set", short, str(remote.bare))
    nora.run("sync", short)
    assert nora.head(remote.log_id) == remote.head()


def test_a_state_file_claiming_a_remote_head_that_is_a_local_commit_is_harmless(
    pair: tuple[Laptop, Laptop, Remote],
) -> None:
    """The state names Nora's own unsynced commit as where the remote stood: the
    remote does not contain it, so the sync must refuse (not push over, not
    merge in)."""
    nora, kari, remote = pair
    short = remote.log_id[:6]
    _add_note(kari, remote.log_id, "Kari: Åse var glad i dag.")
    kari.run("sync", short)
    _add_note(nora, remote.log_id, "Nora: lokalt.")
    path = _state_file(nora, remote.log_id)
    data = json.loads(path.read_text())
    data["remote"] = nora.head(remote.log_id)
    path.write_text(json.dumps(data))
    before = remote.head()
    result = _run(nora, "sync", short)
    assert result.code == int(ExitCode.INVALID), result
    assert remote.head() == before


def test_a_state_file_with_a_tracked_remote_nobody_has_makes_status_say_not_synced(
    pair: tuple[Laptop, Laptop, Remote],
) -> None:
    nora, _, remote = pair
    path = _state_file(nora, remote.log_id)
    data = json.loads(path.read_text())
    data["remote"] = "0123456789abcdef0123456789abcdef01234567"
    path.write_text(json.dumps(data))
    result = nora.run("--json", "status")
    states = {s["log_id"]: s["state"] for s in json.loads(result.out)}
    assert states[remote.log_id] == "not_synced"
