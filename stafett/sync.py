"""The relay between laptops: clone a log, and sync it with its remote (fetch,
check, merge, push) without ever losing an edit.

Nothing that arrives is merged before it is checked: every new commit is judged by
the rights model, a remote never goes back from what this user synced before, and
a tree with links or odd files is refused. A merge is one signed commit made the
way a write is (files written atomically, the branch moved from the head that was
checked), so the log is never left mid-merge: a sync cut short leaves it at the
old head or the new one.
"""

from __future__ import annotations

import contextvars
import os
import re
import shutil
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from stafett import commits, crypto, history, ids, merges, rights, transaction, transport, yamlio
from stafett.documents import MemberList
from stafett.errors import Conflict, InvalidDocument, NoAccess, NotFound, StafettError
from stafett.fsutil import STORE_LOCK, locked, write_all
from stafett.layout import (
    DOCUMENT_PATH,
    MARKER_FILE,
    STAGING_PREFIX,
    install_settings,
    is_own_file,
    parse_document,
)
from stafett.membership import audience_of
from stafett.trust import Seen

if TYPE_CHECKING:
    from stafett.log import Log
    from stafett.store import Store

OUTCOMES = ("synced", "nothing", "conflicts", "refused", "unreachable", "no_remote")
WORKERS = 4  # logs synced at once: most of a sync is waiting for git and the remote
ATTEMPTS = 3  # a remote moved by someone else between our fetch and our push
_MARKER = re.compile(r"^log_id: ([0-9a-hjkmnp-tv-z]{20})$", re.M)


@dataclass(frozen=True)
class Synced:
    """What one sync did: `outcome` is one of OUTCOMES; `error` says why a log was
    refused or not reached."""

    log_id: str
    outcome: str
    received: int = 0
    sent: bool = False
    conflicts: int = 0
    not_reencrypted: int = 0
    error: StafettError | None = field(default=None, compare=False)

    @property
    def short_id(self) -> str:
        return ids.short(self.log_id)


def sync(log: Log) -> Synced:
    """Fetch, check, merge and push one log; raises what stops it."""
    with history.settings_read_once():
        return _sync(log)


def _sync(log: Log) -> Synced:
    url = transport.get_url(log.path)
    prefix = log.store.settings.remote
    if url is None and prefix:  # a log opened, imported or cloned since `remote set --all`
        url = set_remote(log, remote_for(prefix, log.id))
    if url is None:
        raise NotFound("no_remote", log=log.short_id)
    history.check_config(log.path)
    install_settings(log.path, replace=False)  # a changed value is refused below
    transport.check_log_config(log.path)
    remote = transport.parse_url(url)
    for _ in range(ATTEMPTS - 1):
        try:
            return _sync_once(log, remote)
        except transport.RemoteError as exc:
            if exc.key != "remote_moved":
                raise
    return _sync_once(log, remote)


def sync_many(
    store: Store,
    log_ids: Sequence[str],
    progress: Callable[[int, int], None] | None = None,
    workers: int = WORKERS,
) -> list[Synced]:
    """Sync many logs, several at once; one that fails is reported and the others
    go on. Each worker has a store object of its own (its own git readers)."""
    store.unlock()
    context = contextvars.copy_context()
    done: list[Synced] = []

    def one(log_id: str) -> Synced:
        return context.copy().run(_sync_reported, store.sibling(), log_id)

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for result in pool.map(one, log_ids):
            done.append(result)
            if progress is not None:
                progress(len(done), len(log_ids))
    return done


def _sync_reported(store: Store, log_id: str) -> Synced:
    try:
        return sync(store.log_at(log_id))
    except transport.RemoteError as exc:
        return Synced(log_id, "unreachable", error=exc)
    except NotFound as exc:
        outcome = "no_remote" if exc.key == "no_remote" else "refused"
        return Synced(log_id, outcome, error=exc)
    except StafettError as exc:
        return Synced(log_id, "refused", error=exc)


def _sync_once(log: Log, remote: transport.Remote) -> Synced:
    repo = log.path
    with locked(repo / ".git" / "stafett.lock", "log_locked", transaction.LOCK_TIMEOUT):
        log.forget()
        ours = log.snapshot().head()
        if ours is None:
            raise InvalidDocument("git_broken", file=repo.name)
        transport.create_bare(remote)
        theirs = transport.remote_head(repo, remote)
        if theirs == ours:
            _remember(log, ours, theirs)
            return Synced(log.id, "nothing")
        if theirs is not None and log.snapshot().object(theirs, "commit") is None:
            transport.fetch(repo, remote)
            theirs = history.git(repo, "rev-parse", "--verify", "-q", transport.TRACKING).strip()
        if theirs is None or commits.contains(repo, theirs, ours):  # only we have news
            _check_forward(log, theirs)
            _check_outgoing(log, ours, theirs)
            transport.push(repo, remote, ours)
            _remember(log, ours, ours)
            return Synced(log.id, "synced", sent=True)
        _check_forward(log, theirs)
        received = _check_incoming(log, ours, theirs)
        _clean(log)
        if commits.contains(repo, ours, theirs):
            _fast_forward(log, ours, theirs)
            _remember(log, theirs, theirs)
            return Synced(log.id, "synced", received=received)
        _check_outgoing(log, ours, theirs)
        made = _merge(log, ours, theirs)
        transport.push(repo, remote, made.head)
        _remember(log, made.head, made.head)
        outcome = "conflicts" if made.conflicts else "synced"
        return Synced(log.id, outcome, received, True, made.conflicts, made.not_reencrypted)


def _check_outgoing(log: Log, ours: str, theirs: str | None) -> None:
    """What we are about to send (or merge) keeps the rules: a commit someone slipped
    into this folder is never passed on, and never signed over by a merge."""
    outcome = rights.check(log, ours, since=theirs, objects=log.snapshot())
    if outcome.problems:
        bad = sorted(outcome.failed)[0][:7]
        raise InvalidDocument(
            "local_refused", log=log.short_id, commit=bad, why=outcome.problems[0]
        )


def _clean(log: Log) -> None:
    """As a write starts: locks a killed stafett left go, and a work tree it left
    half-written is put back to the committed state."""
    history.drop_stale_locks(log.path)
    if not history.is_clean(log.path):
        history.rollback(log.path, is_own_file)
    log.forget()


def _check_forward(log: Log, theirs: str | None) -> None:
    """A remote that no longer holds what this user synced before was set back."""
    seen = log.store.verified.get(log.id)
    if seen is None or not seen.remote or seen.remote == theirs:
        return
    if theirs is None or not commits.contains(log.path, seen.remote, theirs):
        raise InvalidDocument("remote_rewound", log=log.short_id, commit=seen.remote[:7])


def _check_incoming(log: Log, ours: str, theirs: str) -> int:
    """Every commit the remote has and we do not keeps the rules; returns how many."""
    _check_tree_entries(log.path, theirs)
    outcome = rights.check(log, theirs, since=ours, objects=log.snapshot())
    if outcome.problems:
        first = outcome.problems[0]
        raise InvalidDocument(
            "remote_refused", log=log.short_id, commit=sorted(outcome.failed)[0][:7], why=first
        )
    return len(history.git(log.path, "rev-list", f"^{ours}", theirs, "--").split())


def _check_tree_entries(repo: Path, sha: str) -> None:
    """Only regular files at names stafett writes: a link or a folder named like a
    document is refused before anything is written to disk."""
    out = history.git_bytes(repo, "ls-tree", "-r", "-z", "--full-tree", sha)
    for record in filter(None, out.split(b"\0")):
        meta, _, raw = record.partition(b"\t")
        path = raw.decode("utf-8", "replace")
        if meta.split()[0] != b"100644" or not (
            path in rights.PLAIN_FILES or DOCUMENT_PATH.fullmatch(path)
        ):
            raise InvalidDocument("remote_odd_file", file=rights.shown_path(path))


def _fast_forward(log: Log, ours: str, theirs: str) -> None:
    """Move to the remote's head: its files first, then the branch, then the index.
    A kill in between leaves files the next write or sync puts back."""
    repo = log.path
    changed = commits.tree_changes(repo, ours, theirs)
    _write_tree_files(log, {p: e.new for p, e in changed.items()})
    try:
        history.git(repo, "update-ref", "-m", "stafett: sync", "HEAD", theirs, ours)
    except StafettError:
        history.restore(repo, list(changed))
        raise Conflict("log_moved", file=repo.name) from None
    history.git(repo, "reset", "-q")
    log.forget()


def _write_tree_files(log: Log, blobs: dict[str, str]) -> None:
    for rel in blobs:
        folder = log.path / rel.rpartition("/")[0] if "/" in rel else None
        if folder is not None and (
            folder.is_symlink() or (folder.exists() and not folder.is_dir())
        ):
            raise Conflict("stray_file", file=rights.shown_path(rel.rpartition("/")[0]), count=1)
    snapshot = log.snapshot()
    files = []
    for rel, blob in blobs.items():
        if blob:
            data = snapshot.object(blob, "blob")
            if data is None:
                raise InvalidDocument("git_broken", file=log.path.name)
            files.append((log.path / rel, data))
    write_all(files)
    for rel, blob in blobs.items():
        if not blob:
            transaction.remove_file(log.path / rel, rel)


@dataclass(frozen=True)
class Made:
    head: str
    conflicts: int
    not_reencrypted: int


def _merge(log: Log, ours: str, theirs: str) -> Made:
    """One signed merge commit of the two heads (see stafett.merges)."""
    repo = log.path
    base = commits.merge_base(repo, ours, theirs)
    if base is None:
        raise InvalidDocument("remote_unrelated", log=log.short_id)
    items = merges.plan(repo, base, ours, theirs)
    reader = _Reader(log)
    written: dict[str, bytes | None] = {}
    conflicts = 0
    merged_members = _members_after(log, reader, items, base, (ours, theirs))
    sides = {ours: reader.members(ours), theirs: reader.members(theirs)}
    left = 0
    for path, item in items.items():
        kept = item.kept
        if kept is not None:
            side = sides[ours] if kept == item.ours else sides[theirs]
            data, unread = _kept(log, reader, item, kept, side, merged_members)
            left += unread
            if kept != item.ours:
                written[path] = b"" if not kept else data if data is not None else reader.raw(kept)
            elif data is not None:
                written[path] = data
            continue
        text = merges.merged_text(
            item, reader.plain, log.id, merges.last_authors(repo, base, ours, theirs, path)
        )
        if text is None:
            raise Conflict("merge_unreadable", log=log.short_id, file=_doc_name(path))
        conflicts += bool(yamlio.load(text, path).get("conflicts"))
        written[path] = _seal_merged(log, text, path, sides.values(), merged_members)
    sha = _commit_merge(log, written, ours, theirs, merged_members)
    _undo_refused(log, ours, theirs, sha, sorted(written))
    return Made(sha, conflicts, left)


def _seal_merged(
    log: Log, text: bytes, path: str, sides: Iterable[MemberList | None], merged: MemberList
) -> bytes:
    """For the readers both the merged member list and a side give it: never more."""
    audience = audience_of(text, path, log.id)
    readers = {r for m in sides if m for r in transaction.recipients(log, audience, m)}
    return crypto.encrypt(
        text, sorted(readers & set(transaction.recipients(log, audience, merged)))
    )


def _undo_refused(log: Log, ours: str, theirs: str, sha: str, paths: list[str]) -> None:
    repo = log.path
    outcome = rights.check(log, sha, since=theirs)
    if outcome.problems:  # what every member would refuse is never left in place
        history.git(repo, "update-ref", "-m", "stafett: sync undone", "HEAD", ours, sha)
        history.restore(repo, paths)
        log.forget()
        raise InvalidDocument("merge_refused", log=log.short_id, why=outcome.problems[0])


def _kept(
    log: Log,
    reader: _Reader,
    item: merges.PathMerge,
    kept: str,
    side: MemberList | None,
    merged: MemberList,
) -> tuple[bytes | None, int]:
    """A file taken from one side as it is, or encrypted again without the readers
    the merged member list no longer has (a merge never adds readers: nobody
    checking it could tell what a file they could not read before holds). Returns
    (new bytes, or None to keep the blob; 1 when a reader should go but this key
    cannot read the file)."""
    if not kept or not DOCUMENT_PATH.fullmatch(item.path) or side is None:
        return None, 0
    plain = reader.plain(kept)
    if plain is None:
        removed = {m.id for m in side.current} - {m.id for m in merged.current}
        return None, int(bool(removed))
    audience = audience_of(plain, item.path, log.id)
    before = transaction.recipients(log, audience, side)
    after = sorted(set(before) & set(transaction.recipients(log, audience, merged)))
    return (crypto.encrypt(plain, after) if before != after else None), 0


def _members_after(
    log: Log,
    reader: _Reader,
    items: dict[str, merges.PathMerge],
    base: str,
    heads: tuple[str, str],
) -> MemberList:
    item = items.get(rights.MEMBERS)
    if item is None:
        found = reader.members(heads[0])
    elif item.kept is not None:
        found = reader.members_blob(item.kept)
    else:
        by = merges.last_authors(log.path, base, *heads, rights.MEMBERS)
        text = merges.merged_text(item, reader.plain, log.id, by)
        parsed = parse_document(text, rights.MEMBERS, log.id) if text else None
        found = parsed if isinstance(parsed, MemberList) else None
    if not isinstance(found, MemberList):
        raise NoAccess("not_member")
    return found


def _commit_merge(
    log: Log, written: dict[str, bytes | None], ours: str, theirs: str, members: MemberList
) -> str:
    repo = log.path
    author = transaction.author_id(log, members)
    paths = sorted(written)
    try:
        write_all([(repo / rel, data) for rel, data in written.items() if data])
        for rel, data in written.items():
            if not data:
                transaction.remove_file(repo / rel, rel)
        sha = history.commit(
            repo,
            paths,
            f"sync log {log.short_id}",
            author,
            log.store.identity.sign,
            log.store.clock.now(),
            ours,
            theirs,
        )
    except BaseException:
        history.restore(repo, paths)
        raise
    log.forget()
    return sha


class _Reader:
    """Blobs and their plaintext, read through the log's own git process."""

    def __init__(self, log: Log) -> None:
        self.log = log
        self._plain: dict[str, bytes | None] = {}

    def raw(self, blob: str) -> bytes:
        data = self.log.snapshot().object(blob, "blob")
        if data is None:
            raise InvalidDocument("git_broken", file=self.log.path.name)
        return data

    def plain(self, name: str) -> bytes | None:
        if name not in self._plain:
            data = self.log.snapshot().object(name, "blob")
            try:
                self._plain[name] = crypto.decrypt(data, self.log.store.identity) if data else None
            except (NoAccess, InvalidDocument):
                self._plain[name] = None
        return self._plain[name]

    def members(self, commit: str) -> MemberList | None:
        return self._members(f"{commit}:{rights.MEMBERS}")

    def members_blob(self, blob: str) -> MemberList | None:
        return self._members(blob)

    def _members(self, name: str) -> MemberList | None:
        text = self.plain(name)
        if text is None:
            return None
        doc = parse_document(text, rights.MEMBERS, self.log.id)
        return doc if isinstance(doc, MemberList) else None


def _doc_name(path: str) -> str:
    return ids.short(path.rsplit("/", 1)[-1].removesuffix(".yaml.age"))


def _remember(log: Log, head: str, remote: str) -> None:
    """What this user has now verified of the log, and where the remote stands. A
    log with files in doubt keeps its old head, so the next read checks it whole."""
    verified = log.store.verified
    seen = verified.get(log.id)
    now = Seen(seen.head, seen.tainted, remote) if seen and seen.tainted else Seen(head, {}, remote)
    if now != seen:
        verified.set(log.id, now)


def clone(store: Store, url: str) -> Log:
    """Join a log you are a member of from its remote: fetched into a hidden folder,
    checked from its first commit, and only then put among the store's logs."""
    remote = transport.parse_url(url)
    store.unlock()
    with locked(store.root / STORE_LOCK, "store_locked"):
        staging = _staging(store)
        try:
            history.init(staging)
            transport.fetch(staging, remote)
            theirs = history.git(staging, "rev-parse", "--verify", "-q", transport.TRACKING).strip()
            log_id = _log_id(staging, theirs)
            final = store.root / "logs" / log_id
            if os.path.lexists(final):  # a link there too: the store's, not ours to follow
                raise Conflict("log_exists", log=ids.short(log_id))
            _check_tree_entries(staging, theirs)
            history.git(staging, "update-ref", "refs/heads/main", theirs)
            log = store.log_at(log_id, staging)
            outcome = rights.check(log, theirs)
            if outcome.problems:
                why = outcome.problems[0]
                bad = sorted(outcome.failed)[0][:7]
                raise InvalidDocument("remote_refused", log=ids.short(log_id), commit=bad, why=why)
            history.git(staging, "reset", "-q", "--hard", theirs)
            install_settings(staging)
            transport.set_url(staging, remote)
            staging.rename(final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    store.verified.set(log_id, Seen(theirs, {}, theirs))
    return store.log_at(log_id)


def _staging(store: Store) -> Path:
    """A hidden folder of our own to fetch into: made here, so nothing already there
    (anyone's file or folder) is used or, on failure, removed."""
    logs = store.root / "logs"
    logs.mkdir(exist_ok=True)
    while True:
        staging = logs / f"{STAGING_PREFIX}{ids.new_id()}"
        try:
            staging.mkdir()
        except FileExistsError:
            continue
        return staging


def _log_id(repo: Path, head: str) -> str:
    try:
        marker = history.git(repo, "cat-file", "blob", f"{head}:{MARKER_FILE}")
    except StafettError:
        raise InvalidDocument("remote_not_log") from None
    found = _MARKER.search(marker)
    if found is None:
        raise InvalidDocument("remote_not_log")
    return found.group(1)


def set_remote(log: Log, url: str) -> str:
    """Where a log syncs; a folder that is not yet a bare repository becomes one at
    the first sync. Setting it again forgets where the old remote stood."""
    remote = transport.parse_url(url)
    transport.check_log_config(log.path)
    transport.set_url(log.path, remote)
    seen = log.store.verified.get(log.id)
    if seen is not None:
        log.store.verified.set(log.id, Seen(seen.head, seen.tainted, ""))
    return remote.url


def remote_for(prefix: str, log_id: str) -> str:
    """`PREFIX/<log-id>.git`: one bare repository per log under one place."""
    return f"{prefix.rstrip('/')}/{log_id}.git"


@dataclass(frozen=True)
class Status:
    """Where a log stands against its remote as last synced: `state` is in_step,
    ahead, behind, diverged, not_synced, no_remote, or refused (the log cannot be
    read as it is: `error` says why)."""

    log_id: str
    state: str
    ahead: int = 0
    behind: int = 0
    conflicts: int = 0
    remote: str | None = None
    error: StafettError | None = field(default=None, compare=False)

    @property
    def short_id(self) -> str:
        return ids.short(self.log_id)


def status(log: Log) -> Status:
    """No network: the remote as this user's last sync left it, and the documents
    with conflicts."""
    from stafett.conflicts import conflicted

    url = transport.get_url(log.path)
    count = len(conflicted(log))
    if url is None:
        return Status(log.id, "no_remote", conflicts=count)
    head = log.snapshot().head() or ""
    seen = log.store.verified.get(log.id)
    tracked = seen.remote if seen is not None else ""
    if not tracked or log.snapshot().object(tracked, "commit") is None:
        return Status(log.id, "not_synced", conflicts=count, remote=url)
    out = history.git(log.path, "rev-list", "--left-right", "--count", f"{head}...{tracked}", "--")
    ahead, behind = (int(n) for n in out.split())
    state = {(0, 0): "in_step"}.get((ahead, behind)) or (
        "diverged" if ahead and behind else "ahead" if ahead else "behind"
    )
    return Status(log.id, state, ahead, behind, count, url)


def set_remote_all(store: Store, prefix: str) -> dict[str, str]:
    """One bare repository per log under `prefix`, for every log now and every log
    opened, imported or cloned later (kept in store.yaml)."""
    place = transport.parse_url(prefix).url  # a folder: by its full path
    store.set_remote_prefix(place)
    return {
        ids.short(i): set_remote(store.log_at(i), remote_for(place, i)) for i in store.log_ids()
    }


def status_all(store: Store) -> list[Status]:
    """Every log this user is a member of; one that cannot be read as it is (in
    doubt, damaged) is listed as refused, never left out."""
    found = []
    for log_id in store.log_ids():
        try:
            found.append(status(store.log_at(log_id)))
        except NoAccess:
            continue  # not this user's log
        except StafettError as exc:
            found.append(Status(log_id, "refused", error=exc))
    return found
