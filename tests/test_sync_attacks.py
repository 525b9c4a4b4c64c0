"""An attacker-minded review of sync: a hostile remote (a shared folder, a Gitea),
a member with a valid key who writes what stafett would not, a log folder others
can write. Each test asserts what a user would expect: refused plainly, with a
non-zero exit code, and nothing changed."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from stafett import crypto, ids, yamlio
from stafett.errors import ExitCode
from tests.laptops import Laptop, git, two_laptops
from tests.team import members, new_note, readers
from tests.world import World, _in_process

PLAIN = ["-c", "user.name=x", "-c", "user.email=x@stafett.invalid"]
Files = dict[str, "bytes | tuple[str, bytes] | None"]


# --- The attacker's tools: plain git against the remote, and commits signed by hand.


class Remote:
    """The bare repository both laptops sync through, as someone who can write to
    it (the shared folder, a Gitea admin) or push to it sees it."""

    def __init__(self, world: World, log_id: str, url: str) -> None:
        self.world = world
        self.log_id = log_id
        self.bare = Path(url)
        self.ids = members(world, log_id)

    def head(self) -> str:
        return git(self.bare, "rev-parse", "refs/heads/main")

    def tree(self, commit: str, files: Files) -> str:
        """`commit`'s tree with `files` written (bytes: a regular file; (mode,
        bytes): that mode; None: removed), built in an index of its own."""
        index = self.bare / f"attack-index-{time.monotonic_ns()}"
        env = {**os.environ, "GIT_INDEX_FILE": str(index)}
        run = {"cwd": self.bare, "env": env, "check": True, "capture_output": True}
        try:
            subprocess.run(["git", "read-tree", commit], **run)  # type: ignore[call-overload]
            for path, data in files.items():
                if data is None:
                    subprocess.run(  # type: ignore[call-overload]
                        ["git", "update-index", "--force-remove", "--", path], **run
                    )
                    continue
                mode, raw = data if isinstance(data, tuple) else ("100644", data)
                blob = (
                    subprocess.run(  # type: ignore[call-overload]
                        ["git", "hash-object", "-w", "--stdin"], input=raw, **run
                    )
                    .stdout.decode()
                    .strip()
                )
                subprocess.run(  # type: ignore[call-overload]
                    ["git", "update-index", "--add", "--cacheinfo", f"{mode},{blob},{path}"], **run
                )
            tree: str = subprocess.run(["git", "write-tree"], **run).stdout.decode().strip()  # type: ignore[call-overload]
            return tree
        finally:
            index.unlink(missing_ok=True)

    def commit(
        self,
        tree: str,
        parents: Sequence[str],
        signer: str | None,
        message: str = "change",
        author: str | None = None,
    ) -> str:
        """A commit object, signed as stafett signs (SSHSIG) by `signer`'s real key
        as the member they are, or unsigned when `signer` is None."""
        who = author or (self.ids.get(signer, "") if signer else "") or ids.new_id()
        stamp = f"{int(time.time())} +0000"
        headers = f"tree {tree}\n" + "".join(f"parent {p}\n" for p in parents)
        headers += f"author {who} <{who}@stafett.invalid> {stamp}\n"
        headers += f"committer {who} <{who}@stafett.invalid> {stamp}\n"
        payload = f"{headers}\n{message}\n".encode()
        if signer is not None:
            signature = self.world.identity(signer).sign(payload).replace("\n", "\n ")
            payload = f"{headers}gpgsig {signature}\n\n{message}\n".encode()
        return (
            subprocess.run(
                ["git", "hash-object", "-t", "commit", "-w", "--stdin"],
                cwd=self.bare,
                input=payload,
                check=True,
                capture_output=True,
            )
            .stdout.decode()
            .strip()
        )

    def change(
        self, files: Files, signer: str | None, message: str = "change", on: str | None = None
    ) -> str:
        parent = on or self.head()
        return self.commit(self.tree(parent, files), [parent], signer, message)

    def move(self, sha: str) -> None:
        """The branch set to `sha`, as anyone who can write the folder can."""
        git(self.bare, "update-ref", "refs/heads/main", sha)

    def read(self, commit: str, path: str, who: str = "nora") -> bytes:
        blob = subprocess.run(
            ["git", "cat-file", "blob", f"{commit}:{path}"],
            cwd=self.bare,
            check=True,
            capture_output=True,
        ).stdout
        return crypto.decrypt(blob, self.world.identity(who))

    def edited(self, commit: str, path: str, edit: Any, *handles: str) -> bytes:
        data = yamlio.load(self.read(commit, path), name=path)
        edit(data)
        return crypto.encrypt(yamlio.dump(data).encode(), readers(self.world, *handles))


@pytest.fixture
def shared(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Laptop, Laptop, Remote]:
    monkeypatch.chdir(tmp_path)  # a URL taken for a relative folder lands here
    url = str(tmp_path / "delt" / "åse.git")
    nora, kari, log_id = two_laptops(world, url)
    return nora, kari, Remote(world, log_id, url)


def _add_note(laptop: Laptop, log_id: str, text: str, audience: str | None = None) -> str:
    args = ["note", "add", log_id[:6], text]
    if audience:
        args += ["--audience", audience]
    return str(laptop.json(*args)["id"])


def _files(laptop: Laptop, log_id: str) -> dict[str, bytes]:
    root = laptop.log_dir(log_id)
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in root.rglob("*")
        if ".git" not in p.relative_to(root).parts and p.is_file()
    }


def _refused(laptop: Laptop, log_id: str, code: int = int(ExitCode.INVALID)) -> str:
    """A sync that must be refused: nothing moved, no file changed."""
    before, files = laptop.head(log_id), _files(laptop, log_id)
    result = laptop.run("sync", log_id[:6], code=code)
    assert laptop.head(log_id) == before
    assert _files(laptop, log_id) == files
    return result.out + result.err


# --- Forged commits on the remote.


def test_an_unsigned_commit_on_the_remote_is_refused(shared: tuple[Laptop, Laptop, Remote]) -> None:
    nora, _, remote = shared
    rel, sealed = new_note(remote.world, remote.log_id, remote.ids["kari"], "Falsk notat.")
    remote.move(remote.change({rel: sealed}, signer=None))
    said = _refused(nora, remote.log_id)
    assert "bryter loggens regler" in said


def test_a_commit_signed_by_someone_not_a_member_is_refused(
    shared: tuple[Laptop, Laptop, Remote],
) -> None:
    nora, _, remote = shared
    rel, sealed = new_note(remote.world, remote.log_id, remote.ids["kari"], "Falsk notat.")
    remote.move(remote.change({rel: sealed}, signer="omar", message="add note x"))
    _refused(nora, remote.log_id)


def test_a_member_who_makes_herself_coordinator_is_refused(
    shared: tuple[Laptop, Laptop, Remote],
) -> None:
    nora, _, remote = shared
    kari = remote.ids["kari"]

    def take(data: dict[str, Any]) -> None:
        data["coordinator"] = kari

    head = remote.head()
    forged = remote.edited(head, "log.yaml.age", take, "nora", "kari")
    remote.move(remote.change({"log.yaml.age": forged}, signer="kari", message="level x"))
    _refused(nora, remote.log_id)
    assert "Stafettholder: Nora Bø" in nora.run("show", remote.log_id[:6]).out


def test_a_remote_set_back_is_refused(shared: tuple[Laptop, Laptop, Remote]) -> None:
    nora, _, remote = shared
    old = remote.head()
    _add_note(nora, remote.log_id, "Åse svømte i dag.")
    nora.run("sync", remote.log_id[:6])
    remote.move(old)
    said = _refused(nora, remote.log_id)
    assert "satt den tilbake" in said
    # set back, then a commit of its own on top: the same
    rel, sealed = new_note(remote.world, remote.log_id, remote.ids["kari"], "Annen historie.")
    remote.move(remote.change({rel: sealed}, signer="kari", message="add note x", on=old))
    _refused(nora, remote.log_id)
    assert remote.head() != nora.head(remote.log_id)


# --- Merge commits a member with a valid key makes by hand.


def _diverge(
    nora: Laptop, remote: Remote, text: str = "Nora: Åse svømte alene."
) -> tuple[str, str, str, str, str, bytes]:
    """Nora writes a note and syncs; Kari, from the head before it, writes one of her
    own. Returns (the base, Nora's head, Kari's commit, Nora's note path, Kari's
    note path and ciphertext)."""
    base = remote.head()
    note = _add_note(nora, remote.log_id, text)
    nora.run("sync", remote.log_id[:6])
    theirs = remote.head()
    rel, sealed = new_note(
        remote.world, remote.log_id, remote.ids["kari"], "Kari: sett på bassenget."
    )
    mine = remote.change({rel: sealed}, signer="kari", message="add note x", on=base)
    return base, theirs, mine, f"note/{note}.yaml.age", rel, sealed


def _merge(
    remote: Remote, parents: tuple[str, str], files: Files, on: str, signer: str = "kari"
) -> str:
    merge = remote.commit(remote.tree(on, files), parents, signer, "sync log x")
    remote.move(merge)
    return merge


def test_control_an_honest_hand_made_merge_is_taken(shared: tuple[Laptop, Laptop, Remote]) -> None:
    """The tools above make a merge sync itself would: taken (so the refusals
    below are for what each merge does wrong, not for how it was made)."""
    nora, _, remote = shared
    _, theirs, mine, _, rel, sealed = _diverge(nora, remote)
    merge = _merge(remote, (mine, theirs), {rel: sealed}, on=theirs)
    nora.run("sync", remote.log_id[:6])
    assert nora.head(remote.log_id) == merge
    nora.run("verify", remote.log_id[:6])


def test_a_merge_that_drops_what_one_side_wrote_is_refused(
    shared: tuple[Laptop, Laptop, Remote],
) -> None:
    nora, _, remote = shared
    _, theirs, mine, note, _, _ = _diverge(nora, remote)
    _merge(remote, (mine, theirs), {}, on=mine)  # Kari's tree: Nora's note gone
    _refused(nora, remote.log_id)
    assert (nora.log_dir(remote.log_id) / note).exists()


def test_a_merge_that_rewords_what_one_side_wrote_is_refused(
    shared: tuple[Laptop, Laptop, Remote],
) -> None:
    nora, _, remote = shared
    _, theirs, mine, note, rel, sealed = _diverge(nora, remote)

    def reword(data: dict[str, Any]) -> None:
        data["text"] = "Nora: Åse ble slått hjemme."

    forged = remote.edited(theirs, note, reword, "nora", "kari")
    _merge(remote, (mine, theirs), {rel: sealed, note: forged}, on=theirs)
    _refused(nora, remote.log_id)


def test_a_merge_that_swaps_a_document_for_one_its_author_cannot_read_is_refused(
    shared: tuple[Laptop, Laptop, Remote],
) -> None:
    """Nora's note, in the merge, replaced by an age file only Kari can open: Nora
    cannot compare it, and must not take that as "the same"."""
    nora, _, remote = shared
    _, theirs, mine, note, rel, sealed = _diverge(nora, remote)
    data = yamlio.load(remote.read(theirs, note), name=note)
    data["text"] = "Nora: Åse ble slått hjemme."
    only_kari = crypto.encrypt(
        yamlio.dump(data).encode(), [remote.world.identity("kari").recipient]
    )
    _merge(remote, (mine, theirs), {rel: sealed, note: only_kari}, on=theirs)
    _refused(nora, remote.log_id)


@pytest.mark.parametrize(
    "path,data",
    [
        (".gitattributes", b"*.age text eol=crlf filter=lfs diff=evil\n"),
        ("stafett.yaml", b"format_version: 1\nlog_id: 0000000000000000000a\n"),
    ],
)
def test_a_merge_that_rewrites_a_plain_file_is_refused(
    shared: tuple[Laptop, Laptop, Remote], path: str, data: bytes
) -> None:
    nora, _, remote = shared
    _, theirs, mine, _, rel, sealed = _diverge(nora, remote)
    _merge(remote, (mine, theirs), {rel: sealed, path: data}, on=theirs)
    _refused(nora, remote.log_id)


def test_a_merge_that_brings_in_a_forbidden_change_is_refused(
    shared: tuple[Laptop, Laptop, Remote],
) -> None:
    """Kari's side rewords Nora's note (not hers to change); her merge itself is
    what sync would make of the two sides."""
    nora, _, remote = shared
    note = _add_note(nora, remote.log_id, "Nora: første notat.")
    nora.run("sync", remote.log_id[:6])
    path = f"note/{note}.yaml.age"
    first = remote.head()
    _add_note(nora, remote.log_id, "Nora: andre notat.")
    nora.run("sync", remote.log_id[:6])
    theirs = remote.head()

    def reword(data: dict[str, Any]) -> None:
        data["text"] = "Nora: Åse ble slått hjemme."

    forged = remote.edited(first, path, reword, "nora", "kari")
    side = remote.change({path: forged}, signer="kari", message="update note x", on=first)
    _merge(remote, (side, theirs), {path: forged}, on=theirs)
    _refused(nora, remote.log_id)


# --- A member removed, brought back or writing on after removal through a merge.


def _omar_came_and_went(nora: Laptop, remote: Remote) -> tuple[str, str]:
    """Omar added and synced, then removed and synced: (the head with him, the head
    without him)."""
    short = remote.log_id[:6]
    nora.run("member", "add", short, "omar")
    nora.run("sync", short)
    with_omar = remote.head()
    nora.run("member", "remove", short, "omar")
    nora.run("sync", short)
    remote.ids = members(remote.world, remote.log_id)
    return with_omar, remote.head()


def test_a_merge_that_brings_a_removed_member_back_is_refused(
    shared: tuple[Laptop, Laptop, Remote],
) -> None:
    nora, _, remote = shared
    with_omar, removed = _omar_came_and_went(nora, remote)
    rel, sealed = new_note(remote.world, remote.log_id, remote.ids["kari"], "Kari: notat.")
    mine = remote.change({rel: sealed}, signer="kari", message="add note x", on=with_omar)
    old_members = git(remote.bare, "rev-parse", f"{with_omar}:members.yaml.age")
    raw = subprocess.run(
        ["git", "cat-file", "blob", old_members], cwd=remote.bare, capture_output=True, check=True
    ).stdout
    _merge(remote, (mine, removed), {rel: sealed, "members.yaml.age": raw}, on=removed)
    _refused(nora, remote.log_id)


def test_a_removed_member_cannot_write_on_through_a_merge_of_his_own(
    shared: tuple[Laptop, Laptop, Remote],
) -> None:
    """Omar, removed, writes a note on the head from before his removal and signs a
    merge of it with the head that removed him. Each commit is judged by the state
    its first parent left, where Omar was still a member: nobody active signed
    anything, yet his note would reach every laptop."""
    nora, _, remote = shared
    with_omar, removed = _omar_came_and_went(nora, remote)
    rel, sealed = new_note(
        remote.world, remote.log_id, remote.ids["omar"], "Omar: etter at jeg gikk."
    )
    sealed = crypto.encrypt(
        crypto.decrypt(sealed, remote.world.identity("nora")),
        readers(remote.world, "nora", "kari", "omar"),
    )
    side = remote.change({rel: sealed}, signer="omar", message="add note x", on=with_omar)
    _merge(remote, (side, removed), {rel: sealed}, on=removed, signer="omar")
    _refused(nora, remote.log_id)


# --- Trees with links and odd files.


def _odd_tree(remote: Remote, files: Files) -> None:
    remote.move(remote.change(files, signer="kari", message="add note x"))


def test_a_link_named_like_a_document_is_refused(shared: tuple[Laptop, Laptop, Remote]) -> None:
    nora, _, remote = shared
    rel = f"note/{ids.new_id()}.yaml.age"
    _odd_tree(remote, {rel: ("120000", b"../../../../.ssh/id_ed25519")})
    _refused(nora, remote.log_id)
    assert not (nora.log_dir(remote.log_id) / rel).is_symlink()


def test_a_link_over_the_member_list_is_refused(shared: tuple[Laptop, Laptop, Remote]) -> None:
    nora, _, remote = shared
    _odd_tree(remote, {"members.yaml.age": ("120000", b"/etc/passwd")})
    _refused(nora, remote.log_id)


def _graft(remote: Remote, tree: str, parts: list[str], entry: str) -> str:
    """`tree` with `entry` ("<mode> <type> <sha>") at `parts`, by `git mktree`, which
    writes names `git update-index` refuses (`.git`)."""

    def run(*args: str, input: bytes | None = None) -> str:
        return subprocess.run(
            ["git", *args], cwd=remote.bare, input=input, capture_output=True, check=True
        ).stdout.decode()

    listed = run("ls-tree", tree) if tree else ""
    lines = [x for x in listed.splitlines() if x.split("\t", 1)[1] != parts[0]]
    if len(parts) == 1:
        lines.append(f"{entry}\t{parts[0]}")
    else:
        old = next((x for x in listed.splitlines() if x.split("\t", 1)[1] == parts[0]), "")
        sub = old.split()[2] if old else ""
        lines.append(f"040000 tree {_graft(remote, sub, parts[1:], entry)}\t{parts[0]}")
    return run("mktree", input=("\n".join(lines) + "\n").encode()).strip()


def _blob(remote: Remote, data: bytes) -> str:
    return subprocess.run(
        ["git", "hash-object", "-w", "--stdin"], cwd=remote.bare, input=data,
        capture_output=True, check=True,
    ).stdout.decode().strip()  # fmt: skip


@pytest.mark.parametrize(
    "rel,entry",
    [
        ("note/.git/config", "100644 blob {config}"),
        (".git/config", "100644 blob {config}"),
        (".GIT/config", "100644 blob {config}"),
        ("note/x/y.yaml.age", "100644 blob {config}"),
        ("note/readme", "100644 blob {config}"),
        ("note/{doc}.yaml.age", "100755 blob {note}"),
        ("note/{doc}.yaml.age", "160000 commit {head}"),
        ("note/{doc}.yaml.age", "040000 tree {tree}"),
    ],
)
def test_a_file_where_stafett_writes_none_is_refused(
    shared: tuple[Laptop, Laptop, Remote], rel: str, entry: str
) -> None:
    nora, _, remote = shared
    head = remote.head()
    tree = git(remote.bare, "rev-parse", f"{head}^{{tree}}")
    rel_note, sealed = new_note(remote.world, remote.log_id, remote.ids["kari"], "Kari: notat.")
    rel = rel.format(doc=rel_note.split("/")[1].removesuffix(".yaml.age"))
    config = _blob(remote, b"[core]\n\tfsmonitor = touch pwned\n")
    entry = entry.format(config=config, note=_blob(remote, sealed), head=head, tree=tree)
    made = _graft(remote, tree, rel.split("/"), entry)
    remote.move(remote.commit(made, [head], "kari", "add note x"))
    before, files = nora.head(remote.log_id), _files(nora, remote.log_id)
    result = _sync_code(nora, remote.log_id)
    assert result != 0
    assert nora.head(remote.log_id) == before and _files(nora, remote.log_id) == files
    written = nora.log_dir(remote.log_id) / rel
    assert not written.exists() or b"pwned" not in written.read_bytes()
    assert not any(nora.store.rglob("pwned"))


def _sync_code(laptop: Laptop, log_id: str) -> int:
    env = laptop.world.env(laptop.actor, **laptop.env())
    return _in_process(["sync", log_id[:6]], env, None).code


# --- URLs that name a program, and a log's own git config.

MARKER = "pwned"


def _ran(laptop: Laptop, tmp: Path) -> list[Path]:
    return [*laptop.store.rglob(MARKER), *tmp.rglob(MARKER), *Path.cwd().glob(MARKER)]


@pytest.mark.parametrize(
    "url",
    [
        f"ext::sh -c touch% {MARKER}",
        "ext::sh -c 'touch pwned'",
        "fd::3",
        "fd::3,4",
        f"-oProxyCommand=touch {MARKER}",
        f"--upload-pack=touch {MARKER}",
        "file::/tmp/x",
        "EXT::sh -c touch% pwned",
        "persistent-https://example.invalid/x",
        "a@b:c:ext::sh",
    ],
)
def test_a_url_that_names_a_program_is_refused(
    shared: tuple[Laptop, Laptop, Remote], url: str, tmp_path: Path
) -> None:
    nora, _, remote = shared
    short = remote.log_id[:6]
    before = git(nora.log_dir(remote.log_id), "config", "--get", "remote.origin.url")
    said = nora.run("remote", "set", short, "--", url, code=int(ExitCode.USAGE))
    assert "ikke et sted stafett kan synkronisere" in said.err
    assert git(nora.log_dir(remote.log_id), "config", "--get", "remote.origin.url") == before
    nora.run("clone", "--", url, code=int(ExitCode.USAGE))
    assert not _ran(nora, tmp_path)


@pytest.mark.parametrize(
    "url",
    [
        f"ssh://-oProxyCommand=touch${{IFS}}{MARKER}/x.git",
        f"ssh://a@-oProxyCommand=touch${{IFS}}{MARKER}/x.git",
        "git@-oProxyCommand:x",
        "git@-F.:x",
    ],
)
def test_a_host_that_is_an_option_runs_nothing(
    shared: tuple[Laptop, Laptop, Remote], url: str, tmp_path: Path
) -> None:
    nora, _, remote = shared
    short = remote.log_id[:6]
    env = nora.world.env("nora", **nora.env())
    if _in_process(["remote", "set", short, "--", url], env, None).code == 0:
        assert _in_process(["sync", short], env, None).code != 0
    assert not _ran(nora, tmp_path)


@pytest.mark.parametrize(
    "url",
    [f"ext::sh -c touch% {MARKER}", f"--upload-pack=touch {MARKER}", "fd::7"],
)
def test_a_url_someone_wrote_into_the_log_config_is_refused(
    shared: tuple[Laptop, Laptop, Remote], url: str, tmp_path: Path
) -> None:
    nora, _, remote = shared
    git(nora.log_dir(remote.log_id), "config", "remote.origin.url", url)
    _refused(nora, remote.log_id, code=int(ExitCode.USAGE))
    assert not _ran(nora, tmp_path)


def _kari_wrote(kari: Laptop, remote: Remote) -> None:
    """Something for Nora to fetch, so every sync below reaches the remote."""
    _add_note(kari, remote.log_id, "Kari: Åse var glad i dag.")
    kari.run("sync", remote.log_id[:6])


@pytest.mark.parametrize(
    "key,value",
    [
        ("remote.origin.uploadpack", f"touch {MARKER}; git-upload-pack"),
        ("remote.origin.receivepack", f"touch {MARKER}; git-receive-pack"),
        ("remote.origin.pushurl", f"ext::sh -c touch% {MARKER}"),
        ("core.sshCommand", f"touch {MARKER}; ssh"),
        ("core.fsmonitor", f"touch {MARKER}"),
        ("core.hooksPath", "hooks-of-someone"),
        ("credential.helper", f"!touch {MARKER}"),
        ("protocol.ext.allow", "always"),
        ("protocol.allow", "always"),
        ("url.ext::sh -c touch% pwned% #.insteadOf", "{remote}"),
        ("uploadpack.packObjectsHook", f"touch {MARKER}"),
        ("core.alternateRefsCommand", f"touch {MARKER}"),
        ("transfer.fsckObjects", "false"),
        ("Remote.Origin.UploadPack", f"touch {MARKER}; git-upload-pack"),
    ],
)
def test_a_log_config_someone_else_wrote_is_refused_before_any_remote_is_reached(
    shared: tuple[Laptop, Laptop, Remote], key: str, value: str, tmp_path: Path
) -> None:
    nora, kari, remote = shared
    _kari_wrote(kari, remote)
    repo = nora.log_dir(remote.log_id)
    hooks = repo / "hooks-of-someone"
    hooks.mkdir()
    for name in ("reference-transaction", "pre-push", "post-merge", "post-checkout"):
        (hooks / name).write_text(f"#!/bin/sh\ntouch {tmp_path / MARKER}\n")
        (hooks / name).chmod(0o755)
    git(repo, "config", key, value.format(remote=remote.bare))
    # (the folder of hooks is a stray file of someone's: sync is refused either way)
    env = nora.world.env("nora", **nora.env())
    before = nora.head(remote.log_id)
    result = _in_process(["sync", remote.log_id[:6]], env, None)
    assert result.code == int(ExitCode.INVALID), result
    assert nora.head(remote.log_id) == before
    assert not _ran(nora, tmp_path)


@pytest.mark.parametrize(
    "key,value",
    [
        ("merge.stafett.driver", f"touch {MARKER} %A"),
        ("diff.stafett.textconv", f"sh -c 'touch {MARKER}; cat' --"),
    ],
)
def test_a_stafett_setting_with_someone_elses_program_is_flagged(
    shared: tuple[Laptop, Laptop, Remote], key: str, value: str, tmp_path: Path
) -> None:
    """The names stafett writes, with a program someone else put in: plain `git pull`
    or `git log -p` in the log would run it. doctor and sync must not call that
    log in order."""
    nora, _, remote = shared
    repo = nora.log_dir(remote.log_id)
    git(repo, "config", key, value)
    nora.run("doctor", remote.log_id[:6], code=int(ExitCode.INVALID))
    _refused(nora, remote.log_id)
    assert not _ran(nora, tmp_path)


# --- A remote folder that is itself hostile.


@pytest.mark.parametrize(
    "hook", ["pre-receive", "update", "post-receive", "post-update", "reference-transaction"]
)
def test_hooks_in_a_shared_remote_folder_run_nothing_on_push(
    shared: tuple[Laptop, Laptop, Remote], hook: str, tmp_path: Path
) -> None:
    """Anyone who can write the shared folder can put hooks in the bare repository;
    git's receive-pack runs them, as the user who pushes, on that user's laptop."""
    nora, _, remote = shared
    hooks = remote.bare / "hooks"
    hooks.mkdir(exist_ok=True)
    (hooks / hook).write_text(f"#!/bin/sh\ntouch '{tmp_path / MARKER}'\nexit 0\n")
    (hooks / hook).chmod(0o755)
    _add_note(nora, remote.log_id, "Nora: Åse svømte.")
    _in_process(["sync", remote.log_id[:6]], nora.world.env("nora", **nora.env()), None)
    assert not _ran(nora, tmp_path)


def test_a_hooks_path_in_a_shared_remote_folder_runs_nothing(
    shared: tuple[Laptop, Laptop, Remote], tmp_path: Path
) -> None:
    nora, _, remote = shared
    hooks = tmp_path / "elsewhere"
    hooks.mkdir()
    for name in ("pre-receive", "post-update", "reference-transaction"):
        (hooks / name).write_text(f"#!/bin/sh\ntouch '{tmp_path / MARKER}'\nexit 0\n")
        (hooks / name).chmod(0o755)
    git(remote.bare, "config", "core.hooksPath", str(hooks))
    _add_note(nora, remote.log_id, "Nora: Åse svømte.")
    _in_process(["sync", remote.log_id[:6]], nora.world.env("nora", **nora.env()), None)
    assert not _ran(nora, tmp_path)


def test_a_shared_remote_folder_config_runs_nothing_on_fetch(
    shared: tuple[Laptop, Laptop, Remote], tmp_path: Path
) -> None:
    nora, kari, remote = shared
    _kari_wrote(kari, remote)
    marker = tmp_path / MARKER
    for key, value in (
        ("uploadpack.packObjectsHook", f"touch '{marker}';"),
        ("core.fsmonitor", f"touch '{marker}'"),
        ("core.alternateRefsCommand", f"touch '{marker}'"),
    ):
        git(remote.bare, "config", key, value)
    nora.run("sync", remote.log_id[:6])
    assert not marker.exists()


# --- Clone of a hostile remote: nothing of it is left in the store.


def _fresh(world: World, actor: str, name: str) -> Laptop:
    from stafett.keys import load_identity

    laptop = Laptop(world, actor, name)
    recovery = load_identity(world.key_files["recovery"]).recipient
    world.run(
        actor, "init", str(laptop.store), "--municipality", "Testvik kommune",
        "--recovery", recovery, extra=laptop.env(),
    )  # fmt: skip
    return laptop


def _everything(laptop: Laptop) -> set[str]:
    roots = (laptop.store, laptop.state)
    return {
        str(p) for root in roots if root.exists() for p in root.rglob("*") if "lock" not in p.name
    }


def _clone_refused(laptop: Laptop, url: str, code: int) -> str:
    before = _everything(laptop)
    result = laptop.run("clone", url, code=code)
    assert _everything(laptop) == before
    return result.err


def test_a_clone_by_someone_not_a_member_leaves_nothing(
    shared: tuple[Laptop, Laptop, Remote],
) -> None:
    _, _, remote = shared
    omar = _fresh(remote.world, "omar", "omar-laptop")
    _clone_refused(omar, str(remote.bare), int(ExitCode.NO_ACCESS))


def test_a_clone_of_a_forged_head_leaves_nothing(shared: tuple[Laptop, Laptop, Remote]) -> None:
    _, _, remote = shared
    rel, sealed = new_note(remote.world, remote.log_id, remote.ids["nora"], "Falsk: Nora skrev.")
    remote.move(remote.change({rel: sealed}, signer=None))
    kari = _fresh(remote.world, "kari", "kari-2")
    said = _clone_refused(kari, str(remote.bare), int(ExitCode.INVALID))
    assert "bryter loggens regler" in said


def test_a_clone_of_a_tree_with_a_link_leaves_nothing(
    shared: tuple[Laptop, Laptop, Remote],
) -> None:
    _, _, remote = shared
    rel = f"note/{ids.new_id()}.yaml.age"
    remote.move(
        remote.change({rel: ("120000", b"/etc/passwd")}, signer="kari", message="add note x")
    )
    kari = _fresh(remote.world, "kari", "kari-2")
    _clone_refused(kari, str(remote.bare), int(ExitCode.INVALID))


def test_a_clone_over_a_log_one_has_leaves_it_as_it_was(
    shared: tuple[Laptop, Laptop, Remote], tmp_path: Path
) -> None:
    _, kari, remote = shared
    other = tmp_path / "annen.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(remote.bare), str(other)], check=True)
    files = _files(kari, remote.log_id)
    _clone_refused(kari, str(other), int(ExitCode.CONFLICT))
    assert _files(kari, remote.log_id) == files


def test_a_clone_of_something_that_is_no_log_leaves_nothing(
    shared: tuple[Laptop, Laptop, Remote],
) -> None:
    _, _, remote = shared
    remote.move(remote.change({"stafett.yaml": b"log_id: ../../../x\n"}, signer="kari"))
    kari = _fresh(remote.world, "kari", "kari-2")
    _clone_refused(kari, str(remote.bare), int(ExitCode.INVALID))


# --- Conflicts: the values are anybody's text.


def _conflicted_note(remote: Remote, field: str, values: list[Any], by: list[str]) -> str:
    from datetime import UTC, datetime

    note_id = ids.new_id()
    data = {
        "kind": "note",
        "version": 1,
        "id": note_id,
        "created": datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
        "created_by": remote.ids["kari"],
        "log": remote.log_id,
        "text": str(values[0]),
        "conflicts": [
            {
                "field": field,
                "values": [{"value": v, "by": b} for v, b in zip(values, by, strict=True)],
            }
        ],
    }
    rel = f"note/{note_id}.yaml.age"
    sealed = crypto.encrypt(yamlio.dump(data).encode(), readers(remote.world, "nora", "kari"))
    remote.move(remote.change({rel: sealed}, signer="kari", message="add note x"))
    return note_id


def test_conflict_values_cannot_drive_the_terminal(shared: tuple[Laptop, Laptop, Remote]) -> None:
    nora, _, remote = shared
    evil = "\x1b]0;stafett: alt i orden\x07\x1b[2J\x1b[32m(verifisert)\x1b[0m\u202e"
    _conflicted_note(
        remote,
        "text",
        [f"a{evil}", {"nested": f"b{evil}"}],
        [remote.ids["kari"], remote.ids["nora"]],
    )
    nora.run("sync", remote.log_id[:6])
    for args in (("conflicts", remote.log_id[:6]), ("conflicts",), ("show", remote.log_id[:6])):
        out = nora.run(*args)
        for bad in ("\x1b", "\x07", "\u202e"):
            assert bad not in out.out + out.err, args


def test_a_conflict_field_or_author_that_is_anybodys_text_is_shown_safely(
    shared: tuple[Laptop, Laptop, Remote],
) -> None:
    nora, _, remote = shared
    _conflicted_note(
        remote,
        "text\x1b[2J\u202e",
        ["a", "b"],
        [remote.ids["kari"], ids.new_id()],
    )
    nora.run("sync", remote.log_id[:6])
    out = nora.run("conflicts", remote.log_id[:6])
    assert "\x1b" not in out.out and "\u202e" not in out.out


# --- A log folder others can write: sync must not vouch for what it holds.


def test_sync_does_not_push_a_local_commit_that_breaks_the_rules(
    shared: tuple[Laptop, Laptop, Remote],
) -> None:
    """Someone who can write Nora's log folder commits with plain git (no key). Her
    next sync must not send that to everyone as the log's history."""
    nora, _, remote = shared
    rel, sealed = new_note(remote.world, remote.log_id, remote.ids["nora"], "Falsk: Nora skrev.")
    remote.world.commit_foreign(remote.log_id, {rel: sealed})
    before = remote.head()
    nora.run("sync", remote.log_id[:6], code=int(ExitCode.INVALID))
    assert remote.head() == before


def test_sync_does_not_sign_a_merge_over_a_local_commit_that_breaks_the_rules(
    shared: tuple[Laptop, Laptop, Remote],
) -> None:
    nora, kari, remote = shared
    _kari_wrote(kari, remote)
    rel, sealed = new_note(remote.world, remote.log_id, remote.ids["nora"], "Falsk: Nora skrev.")
    forged = remote.world.commit_foreign(remote.log_id, {rel: sealed})
    before = remote.head()
    nora.run("sync", remote.log_id[:6], code=int(ExitCode.INVALID))
    assert remote.head() == before
    merges = git(nora.log_dir(remote.log_id), "rev-list", "--merges", f"{forged}..HEAD")
    assert not merges  # Nora's key put to nothing that holds the forgery


# --- Plain `git pull` with stafett's merge driver.


def test_git_pull_of_a_forged_change_shows_nothing_of_it_as_fact(
    shared: tuple[Laptop, Laptop, Remote],
) -> None:
    """The remote holds an unsigned change to Kari's measure; Kari, who changed
    another field of it, runs plain `git pull`. Whatever git and the driver make of
    it, stafett must not then show the forged value as the log's."""
    _, kari, remote = shared
    short = remote.log_id[:6]
    measure = kari.json(
        "measure", "add", short, "--title", "Leksehjelp", "--goal", "Mestre lekser",
        "--responsible", "kari", "--evaluate-by", "2026-05-01",
    )["id"]  # fmt: skip
    kari.run("sync", short)
    rel = f"measure/{measure}.yaml.age"

    def forge(data: dict[str, Any]) -> None:
        data["title"] = "Flytte Åse til annen skole"

    forged = remote.edited(remote.head(), rel, forge, "nora", "kari")
    remote.move(remote.change({rel: forged}, signer=None))
    kari.run("measure", "update", short, measure[:8], "--goal", "Mestre lekser på egen hånd")
    repo = kari.log_dir(remote.log_id)
    env = {**os.environ, **kari.world.env("kari"), **kari.env()}
    subprocess.run(
        ["git", *PLAIN, "pull", "--no-rebase", "--no-edit", str(remote.bare), "main"],
        cwd=repo, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    listed = _in_process(
        ["--json", "measure", "list", short], kari.world.env("kari", **kari.env()), None
    )
    assert "Flytte Åse til annen skole" not in listed.out


def test_a_former_coordinator_cannot_act_as_one_through_a_merge_of_her_own(
    shared: tuple[Laptop, Laptop, Remote],
) -> None:
    """Nora passes the baton to Kari. Later Nora writes a consent (the coordinator's
    alone) on the head from before the pass, and merges it with today's head. Both
    commits are judged by the state their first parent left, in which Nora still
    held the baton."""
    nora, kari, remote = shared
    short = remote.log_id[:6]
    before_pass = remote.head()
    nora.run("coordinator", "pass", short, "--to", "kari")
    nora.run("sync", short)
    kari.run("sync", short)
    kari.run("coordinator", "accept", short)
    kari.run("sync", short)
    nora.run("sync", short)
    today = remote.head()
    listed = git(remote.bare, "ls-tree", "--name-only", "-r", before_pass).split()
    old = next(p for p in listed if p.startswith("consent/"))
    data = yamlio.load(remote.read(before_pass, old), name=old)
    new_id = ids.new_id()
    data.update(id=new_id, services=["Barnevernet Bjørkly"])
    sealed = crypto.encrypt(yamlio.dump(data).encode(), readers(remote.world, "nora", "kari"))
    rel = f"consent/{new_id}.yaml.age"
    side = remote.change({rel: sealed}, signer="nora", message="consent consent x", on=before_pass)
    _merge(remote, (side, today), {rel: sealed}, on=today, signer="nora")
    _refused(kari, remote.log_id)
