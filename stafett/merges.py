"""What a merge of two heads must hold, file by file: made by sync, checked by
everyone who reads the log afterwards.

A file only one side changed is taken from that side as it is; a file both sides
changed is merged field by field (stafett.merge); a file one side removed and the
other changed is kept as changed (sync only adds: nothing written is lost). A file
may also be encrypted again to the readers the merged member list has. The rules
are the same for the one who merges and the one who checks, so a merge that set
back what one side did, or slipped in text nobody wrote, is caught.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from stafett import commits, history, ids, yamlio
from stafett.documents import COORDINATOR_KINDS, ROOT_KINDS, SUFFIX, Document, from_data
from stafett.errors import InvalidDocument
from stafett.layout import DOCUMENT_PATH, parse_document
from stafett.merge import Side, merge_data
from stafett.schema import validate

ROOT_FILES = tuple(f"{kind}{SUFFIX}" for kind in ROOT_KINDS)
Reader = Callable[[str], bytes | None]  # a blob's plaintext, None when it cannot be read


@dataclass(frozen=True)
class PathMerge:
    """One file in a merge: its blob at the merge base and on each side ("" for none)."""

    path: str
    base: str
    ours: str
    theirs: str

    @property
    def kept(self) -> str | None:
        """The blob the merge keeps as it is; None when both sides changed the text."""
        if self.ours == self.theirs or self.theirs == self.base:
            return self.ours
        if self.ours == self.base:
            return self.theirs
        if not self.ours or not self.theirs:  # removed on one side, changed on the other
            return self.ours or self.theirs
        return None


def plan(repo: Path, base: str, ours: str, theirs: str) -> dict[str, PathMerge]:
    """Every file either side changed since the merge base."""
    mine = commits.tree_changes(repo, base, ours)
    other = commits.tree_changes(repo, base, theirs)
    found = {}
    for path in sorted(mine.keys() | other.keys()):
        entry = mine.get(path) or other[path]
        before = entry.old
        found[path] = PathMerge(
            path,
            before,
            mine[path].new if path in mine else before,
            other[path].new if path in other else before,
        )
    return found


def last_authors(repo: Path, base: str, ours: str, theirs: str, path: str) -> tuple[str, str]:
    """Who last changed `path` on each side: named in a conflict."""
    return _last_author(repo, base, ours, path), _last_author(repo, base, theirs, path)


def _last_author(repo: Path, base: str, head: str, path: str) -> str:
    out = history.git(repo, "log", "-1", "--format=%H", f"^{base}", head, "--", path).strip()
    author = commits.read_commit(repo, out).author if commits.SHA_RE.fullmatch(out) else ""
    return author if ids.is_id(author) else ""


def merged_text(item: PathMerge, read: Reader, log_id: str, by: tuple[str, str]) -> bytes | None:
    """The merged plaintext of a file both sides changed; None when this key cannot
    read all three versions."""
    texts = [read(blob) if blob else b"" for blob in (item.base, item.ours, item.theirs)]
    if any(t is None for t in texts[1:]) or (item.base and texts[0] is None):
        return None
    base, ours, theirs = (
        parse_document(t, item.path, log_id).to_data() if t else None for t in texts
    )
    assert ours is not None and theirs is not None
    data = merge_data(base, Side(ours, by[0]), Side(theirs, by[1]))
    validate(str(data["kind"]), yamlio.jsonable(data), item.path)
    doc = from_data(data)
    return yamlio.dump_checked(doc.to_data(), item.path).encode("utf-8")


def check_tree(
    repo: Path, merge: str, base: str, parents: tuple[str, ...], read: Reader, log_id: str
) -> str | None:
    """The first file in which `merge` breaks the rules above, or None."""
    ours, theirs = parents
    result = commits.tree_changes(repo, ours, merge)
    items = plan(repo, base, ours, theirs)
    for path, entry in result.items():
        items.setdefault(path, PathMerge(path, entry.old, entry.old, entry.old))
    for path, item in items.items():
        made = result[path].new if path in result else item.ours
        kept = item.kept
        if kept is not None:
            sound = made == kept or (
                bool(made) and bool(kept) and _is_document(path) and _same_text(read, made, kept)
            )
        else:
            by = last_authors(repo, base, ours, theirs, path)
            sound = bool(made) and _is_document(path) and check_merged(item, made, read, log_id, by)
        if not sound:
            return path
    return None


def _is_document(path: str) -> bool:
    """Only an encrypted document may be encrypted again or merged; a plain file
    (.gitattributes, stafett.yaml) stays exactly as one side has it."""
    return DOCUMENT_PATH.fullmatch(path) is not None


def _same_text(read: Reader, one: str, other: str) -> bool:
    """Encrypted again with its text as it was. A merge only ever takes readers away
    (those the merged member list no longer has), so a file this key could read
    must stay readable to it, with the same text; one it could not read must stay
    unreadable (nobody can say what such a file holds)."""
    before, after = read(other), read(one)
    return before == after


def check_merged(
    item: PathMerge, made: str, read: Reader, log_id: str, by: tuple[str, str]
) -> bool:
    """A file both sides changed holds exactly their field-by-field merge. Where
    this key cannot read all three versions, the merge is readable to it exactly
    when a side was, in that side's author's name."""
    try:
        expected = merged_text(item, read, log_id, by)
    except InvalidDocument:
        return False
    if expected is not None:
        return read(made) == expected
    sides = [t for t in (read(item.ours), read(item.theirs)) if t is not None]
    text = read(made)
    if text is None or not sides:
        return text is None and not sides
    try:
        authors = {parse_document(t, item.path, log_id).created_by for t in (*sides, text)}
    except InvalidDocument:
        return False
    return len(authors) == 1


StateAt = Callable[[str], tuple[set[str], str]]  # a commit -> (active members, coordinator)
DocumentAt = Callable[[str, str], Document | None]  # a blob and its path -> the document


def standing(
    repo: Path, merge: commits.Commit, base: str, state_at: StateAt, document: DocumentAt
) -> str | None:
    """What one side took away (a member removed, the baton passed) holds on the
    other side too: a commit there by that member, or one that needed the baton by
    the one who passed it, is refused, as is a merge by a removed member. Nobody can
    tell such a commit from one made later on an old copy. Returns the commit that
    breaks this, or None."""
    sides = [commits.side(repo, base, parent) for parent in merge.parents]
    losses = [_losses(state_at, base, parent) for parent in merge.parents]
    if merge.author in losses[0][0] | losses[1][0]:
        return merge.hash
    for mine, (gone, passed) in ((sides[0], losses[1]), (sides[1], losses[0])):
        for commit in mine:
            if commit.author in gone or (
                commit.author in passed and _needs_baton(repo, commit, document)
            ):
                return commit.hash
    return None


def _losses(state_at: StateAt, base: str, head: str) -> tuple[set[str], set[str]]:
    """Members removed, and who no longer holds the baton, from `base` to `head`."""
    (before, held), (after, holds) = state_at(base), state_at(head)
    return before - after, {held} - {holds, ""}


def _needs_baton(repo: Path, commit: commits.Commit, document: DocumentAt) -> bool:
    """Whether a commit did what only the coordinator may do."""
    for entry in commit.entries:
        kind = entry.path.partition("/")[0] if "/" in entry.path else ""
        if entry.path in ROOT_FILES and commit.action not in ("level", "accept-coordinator"):
            return True
        if entry.path in ROOT_FILES:
            continue
        if kind in COORDINATOR_KINDS:
            return True
        evaluated = commit.action == "evaluate" and kind == "measure"
        if (
            entry.status != "A"
            and not evaluated
            and _author(repo, commit, entry, document) != (commit.author)
        ):
            return True
    return False


def _author(repo: Path, commit: commits.Commit, entry: commits.Entry, doc_at: DocumentAt) -> str:
    old = doc_at(entry.old, entry.path) if entry.old else None
    if old is not None:
        return old.created_by
    added = commits.added(repo, entry.path, commit.parents[0]) if commit.parents else None
    return commits.read_commit(repo, added).author if added else ""
