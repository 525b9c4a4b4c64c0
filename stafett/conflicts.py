"""Conflicts a merge left in documents: listed, and settled by a signed commit.

A merge keeps both values of a field two people changed differently (see
stafett.merge). Until someone chooses, the first value stands in the field and
`show` flags the document; `resolve` keeps one value (the caller's own, or the
other one) in a commit by an author of the document or the coordinator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stafett import ids, merge, transaction
from stafett.documents import ROOT_KINDS, Disagreement, Document, document_path, from_data
from stafett.errors import NoAccess, NotFound, UsageError

if TYPE_CHECKING:
    from stafett.log import Log

KEEP = ("mine", "theirs", "first", "second")
# Fields a document never changes, and those a merge merges without conflict.
NEVER_RESOLVED = (*merge.FIXED, "kind", "version", "audience", merge.CONFLICTS)
ROOT_NAMES = {"log": "log", "profil": "log", "profile": "log", "members": "members",
              "medlemmer": "members"}  # fmt: skip


@dataclass(frozen=True)
class FieldConflict:
    """One field of one document, with both values and who set each."""

    kind: str
    doc_id: str
    field: str
    values: tuple[Any, ...]
    by: tuple[str, ...]

    @property
    def short_id(self) -> str:
        return ids.short(self.doc_id)


def conflicted(log: Log) -> list[Document]:
    """Every document the caller can read that holds a conflict."""
    docs: list[Document] = [log.profile(), log.members(), *log.documents()]
    return [d for d in docs if d.conflicts]


def conflicts(log: Log) -> list[FieldConflict]:
    found = []
    for doc in conflicted(log):
        for c in doc.conflicts:
            found.append(
                FieldConflict(
                    doc.kind,
                    doc.id,
                    c.field,
                    tuple(v.value for v in c.values),
                    tuple(log.member_by_id(v.by).handle if v.by else "?" for v in c.values),
                )
            )
    return found


def resolve(log: Log, ref: str, keep: str, field: str | None = None) -> Document:
    """Settle the conflicts of one document (or one `field` of it) by keeping the
    caller's value (`mine`), the other one (`theirs`), or the first or second."""
    choice = keep.strip().lower()
    if choice not in KEEP:
        raise UsageError("bad_keep", allowed=", ".join(KEEP))
    doc = _find(log, ref)
    with transaction.begin(log, "resolve", (doc.kind, doc.id)) as change:
        doc = _find(log, ref)
        me = log.me()
        if me.id not in (doc.created_by, log.profile().coordinator):
            raise NoAccess("resolve_not_yours")
        chosen = [c for c in doc.conflicts if field is None or c.field == field]
        if not chosen:
            raise NotFound("no_conflict", doc=ids.short(doc.id))
        fixed = [c.field for c in chosen if c.field.split(".")[0] in NEVER_RESOLVED]
        if fixed:  # a merge never leaves these: someone wrote the conflict by hand
            raise UsageError("conflict_field_fixed", field=fixed[0][:100])
        data = doc.to_data()
        for c in chosen:
            data = merge.resolve(data, c.field, _pick(c, choice, me.id))
        new = from_data(data)
        change.replace(new)
    return new


def _pick(conflict: Disagreement, choice: str, me: str) -> Any:
    first, second = conflict.values
    if choice in ("first", "second"):
        return (first if choice == "first" else second).value
    mine = [v for v in conflict.values if v.by == me]
    if len(mine) != 1:
        raise UsageError("keep_not_yours", field=conflict.field)
    other = second if mine[0] is first else first
    return (mine[0] if choice == "mine" else other).value


def _find(log: Log, ref: str) -> Document:
    wanted = ref.strip().lower()
    if wanted in ROOT_NAMES:
        return log.read(document_path(ROOT_NAMES[wanted], log.id))
    kinds = [k for k in _kinds() if k not in ROOT_KINDS]
    matches = [(k, d) for k in kinds for d in log.doc_ids(k) if d.startswith(wanted)]
    if len(matches) != 1 or not wanted:
        raise NotFound("unknown_document", doc=ids.short(wanted) if wanted else "?")
    kind, doc_id = matches[0]
    return log.read(document_path(kind, doc_id))


def _kinds() -> list[str]:
    from stafett.documents import DOCUMENT_CLASSES

    return list(DOCUMENT_CLASSES)
