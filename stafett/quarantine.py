"""Quarantine: the coordinator takes a damaged document out of the log.

A member with a valid key, or anyone who can write to the folder, can commit a
file that is not a document (broken, wrongly encrypted, a link). Every command
skips it and says so; this is the repair. The file leaves the current log in a
signed commit and stays in the history, so nothing is lost and what happened can
be shown. Only damaged documents qualify: a document the coordinator may not read
is someone's private text, not damage, and a readable one is corrected, not
removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from stafett import commits, history, ids, transaction
from stafett.documents import DOCUMENT_CLASSES, ROOT_KINDS, SUFFIX
from stafett.errors import LOG_DAMAGE, Conflict, InvalidDocument, NoAccess, NotFound, StafettError

if TYPE_CHECKING:
    from stafett.log import Log


@dataclass(frozen=True)
class Quarantined:
    """What was taken out, and what it was: enough to tell the team, nothing of
    its content."""

    path: str
    kind: str
    size: int
    reason: StafettError
    added_by: str | None
    added_by_name: str | None
    added: datetime | None
    commit: str


def quarantine(log: Log, ref: str) -> Quarantined:
    """Take the damaged document `ref` (its path, or its id or a prefix of it) out
    of the log in one signed commit."""
    with transaction.begin(log, "quarantine") as change:
        change.require_coordinator()
        rel = _find(log, ref)
        reason = _damage(log, rel)
        try:
            size = len(log.read_raw(rel))
        except StafettError:
            size = 0
        kind = rel.split("/", 1)[0]
        stem = rel.rsplit("/", 1)[-1].removesuffix(SUFFIX)
        change.subject = (
            kind if kind in DOCUMENT_CLASSES else "document",
            stem if ids.is_id(stem) else "0" * ids.LENGTH,
        )
        change.removed.append(rel)
        author, when = _added(log, rel)
    return Quarantined(
        path=rel,
        kind=kind if kind in DOCUMENT_CLASSES else "document",
        size=size,
        reason=reason,
        added_by=author,
        added_by_name=log.member_by_id(author).name if author else None,
        added=when,
        commit=history.head(log.path) or "",
    )


def _find(log: Log, ref: str) -> str:
    """A committed document file, never a root document: a log has no profile or
    member list without them."""
    wanted = ref.strip().replace("\\", "/")
    every = log.files()
    files = [rel for rel in every if "/" in rel]
    if wanted in files:
        return wanted
    if wanted.removesuffix(SUFFIX) in ROOT_KINDS or wanted in every:
        raise Conflict("quarantine_root", file=wanted)
    if "/" in wanted or wanted.endswith(SUFFIX):
        raise NotFound("file_missing", file=wanted[:80])
    stems = {rel.rsplit("/", 1)[-1].removesuffix(SUFFIX): rel for rel in files}
    return stems[ids.resolve(wanted, stems, "document")]


def _damage(log: Log, rel: str) -> StafettError:
    """Why the file is damaged; a sound or a private document is refused."""
    try:
        log.read(rel)
    except NoAccess:
        raise Conflict("quarantine_unreadable", file=rel) from None
    except InvalidDocument as exc:
        if exc.key in LOG_DAMAGE:
            raise
        if exc.key == "newer_version":
            raise Conflict("quarantine_newer", file=rel) from None
        return exc
    raise Conflict("quarantine_not_damaged", file=rel)


def _added(log: Log, rel: str) -> tuple[str | None, datetime | None]:
    """Who committed the file's current version, and when, by the history."""
    for commit in commits.log(log.path):
        if any(name == rel and status in ("A", "M") for status, name in commit.files):
            return commit.author, commit.when
    return None, None
