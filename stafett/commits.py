"""Reading a log's history: commits as their objects say, and the files each
changed. Everything here was typed by someone (a subject, a name, a date, a path),
so output is NUL-separated, objects are read raw, and every field is parsed
defensively; the signatures are checked by the rights model, not here."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from stafett.errors import StafettError
from stafett.history import git, git_bytes, head


@dataclass(frozen=True)
class Entry:
    """One file a commit changed: A, M or D, with the blob before and after (empty
    when there is none)."""

    status: str
    old: str
    new: str
    path: str


@dataclass(frozen=True)
class Commit:
    """One commit as its object says: typed by anyone, so every field is parsed
    defensively and none is trusted (the signature is checked elsewhere)."""

    hash: str
    parents: tuple[str, ...]
    author: str
    when: datetime
    message: str
    entries: tuple[Entry, ...]
    payload: bytes = b""
    signature: str | None = None

    @property
    def action(self) -> str:
        return self.message.partition(" ")[0]

    @property
    def subject(self) -> str:
        """The short id a message names last (`add-member member 7f3k9q2m`)."""
        return self.message.rsplit(" ", 1)[-1] if self.message.count(" ") >= 2 else ""

    @property
    def files(self) -> tuple[tuple[str, str], ...]:
        return tuple((e.status, e.path) for e in self.entries)


NO_BLOB = "0" * 40
SHA_RE = re.compile("[0-9a-f]{40}")
EPOCH = datetime.fromtimestamp(0, UTC)
_AUTHOR = re.compile(rb"^author (.*) <[^<>\n]*> (-?\d{1,19}) ([+-])(\d\d)(\d\d)$")


ObjectReader = Callable[[str, str], bytes | None]  # a name and a kind -> the object


def changes(
    repo: Path,
    until: str,
    since: str | Sequence[str] | None = None,
    objects: ObjectReader | None = None,
) -> list[Commit]:
    """The commits not reachable from `since` (all when None) up to `until` along
    the first parent, oldest first, each with the files it changed against that
    parent. Output is NUL-separated and commit objects are read raw, so no subject,
    name or date anyone typed can shift a field. `objects` reads them through a
    reader the caller has open, instead of a git process of their own."""
    excluded = [since] if isinstance(since, str) else list(since or ())
    span = [*(f"^{sha}" for sha in excluded), until]
    return _listed(repo, "--first-parent", "-m", *span, objects=objects)


def side(repo: Path, base: str, head: str) -> list[Commit]:
    """Every commit but merges after `base` up to `head`, on any line, oldest first."""
    return _listed(repo, "--no-merges", f"^{base}", head)


def _listed(repo: Path, *args: str, objects: ObjectReader | None = None) -> list[Commit]:
    out = git_bytes(
        repo, "log", "-z", "--reverse", "--root", "--raw", "--no-renames", "--no-abbrev",
        "--format=%x01%H", *args, "--",
    )  # fmt: skip
    listed: list[tuple[str, list[Entry]]] = []
    tokens = out.split(b"\0")
    i = 0
    while i < len(tokens):
        token = tokens[i].lstrip(b"\n")
        if token.startswith(b"\x01"):
            listed.append((token[1:].decode("ascii", "replace"), []))
        elif token.startswith(b":") and listed and i + 1 < len(tokens):
            i += 1
            entry = _entry(token.decode("ascii", "replace"), tokens[i])
            if entry is not None:
                listed[-1][1].append(entry)
        i += 1
    shas = [sha for sha, _ in listed]
    if objects is None:
        raw = read_commits(repo, shas)
    else:
        raw = {sha: _split_signature(body) for sha in shas if (body := objects(sha, "commit"))}
    return [_commit(sha, raw.get(sha, (b"", None)), entries) for sha, entries in listed]


def read_commit(repo: Path, sha: str) -> Commit:
    """One commit's parents, author and message, without the files it changed."""
    return _commit(sha, read_commits(repo, [sha]).get(sha, (b"", None)), [])


def added(repo: Path, path: str, until: str) -> str | None:
    """The last commit in `until`'s history that added `path` (on whichever side of
    a merge it was written: a merge itself shows no files here)."""
    out = git(repo, "log", "--diff-filter=A", "--format=%H", "-1", until, "--", path)
    return out.strip() or None


def log(repo: Path) -> list[Commit]:
    """Every commit of HEAD's first-parent history, newest first."""
    return list(reversed(changes(repo, "HEAD"))) if head(repo) else []


def _entry(meta: str, raw_path: bytes) -> Entry | None:
    """One `--raw` record: `:mode mode old new status` and its path."""
    fields = meta.split()
    if len(fields) != 5:
        return None
    old = "" if fields[2] == NO_BLOB else fields[2]
    new = "" if fields[3] == NO_BLOB else fields[3]
    return Entry(fields[4][:1], old, new, raw_path.decode("utf-8", "replace"))


def _commit(sha: str, signed: tuple[bytes, str | None], entries: list[Entry]) -> Commit:
    payload, signature = signed
    headers, _, body = payload.partition(b"\n\n")
    parents: list[str] = []
    author, when = "", EPOCH
    for line in headers.split(b"\n"):
        if line.startswith(b"parent "):
            parents.append(line[7:].decode("ascii", "replace"))
        found = _AUTHOR.match(line)
        if found and not author:
            author = found.group(1).decode("utf-8", "replace")
            when = _when(*found.groups()[1:])
    message = body.split(b"\n", 1)[0].decode("utf-8", "replace")
    return Commit(sha, tuple(parents), author, when, message, tuple(entries), payload, signature)


def _when(stamp: bytes, sign: bytes, hours: bytes, minutes: bytes) -> datetime:
    """A commit's own time; a time or zone no clock has (typed by hand) is the epoch."""
    offset = timedelta(hours=int(hours), minutes=int(minutes)) * (-1 if sign == b"-" else 1)
    try:
        return datetime.fromtimestamp(int(stamp), timezone(offset))
    except (ValueError, OverflowError, OSError):
        return EPOCH


def contains(repo: Path, ancestor: str, head_sha: str) -> bool:
    """Whether `ancestor` is in `head_sha`'s history. Through a merge's other parent
    counts too: a merge that set a log back would break the rules for merges."""
    if not SHA_RE.fullmatch(ancestor) or not SHA_RE.fullmatch(head_sha):
        return False
    try:
        git(repo, "merge-base", "--is-ancestor", ancestor, head_sha)
    except StafettError:
        return False
    return True


def merge_base(repo: Path, one: str, other: str) -> str | None:
    """The best common ancestor of two commits (git's choice, the same each time)."""
    try:
        out = git(repo, "merge-base", one, other).strip()
    except StafettError:
        return None
    return out if SHA_RE.fullmatch(out) else None


def tree_changes(repo: Path, old: str, new: str) -> dict[str, Entry]:
    """The files that differ between two commits, by path."""
    out = git_bytes(
        repo, "diff-tree", "-r", "-z", "--raw", "--no-renames", "--no-abbrev", old, new, "--"
    )
    tokens = out.split(b"\0")
    found: dict[str, Entry] = {}
    for i in range(0, len(tokens) - 1, 2):
        entry = _entry(tokens[i].decode("ascii", "replace"), tokens[i + 1])
        if entry is not None:
            found[entry.path] = entry
    return found


def read_commits(repo: Path, shas: Sequence[str]) -> dict[str, tuple[bytes, str | None]]:
    """Each commit's signed payload and armored signature (None when unsigned), read
    with one `git cat-file --batch` rather than one git process per commit."""
    if not shas:
        return {}
    out = git_bytes(repo, "cat-file", "--batch", input="".join(f"{s}\n" for s in shas).encode())
    found: dict[str, tuple[bytes, str | None]] = {}
    pos = 0
    while pos < len(out):
        end = out.index(b"\n", pos)
        sha, kind, size = out[pos:end].decode("ascii").split()
        body = out[end + 1 : end + 1 + int(size)]
        if kind == "commit":
            found[sha] = _split_signature(body)
        pos = end + 1 + int(size) + 1
    return found


def _split_signature(raw: bytes) -> tuple[bytes, str | None]:
    head_part, sep, body = raw.partition(b"\n\n")
    lines = head_part.split(b"\n")
    kept, signature, in_sig = [], [], False
    for line in lines:
        if line.startswith(b"gpgsig "):
            in_sig = True
            signature.append(line[len(b"gpgsig ") :])
        elif in_sig and line.startswith(b" "):
            signature.append(line[1:])
        else:
            in_sig = False
            kept.append(line)
    payload = b"\n".join(kept) + sep + body
    return payload, (b"\n".join(signature).decode("ascii", "replace") if signature else None)
