"""The git merge driver (`merge=stafett`): for people who run plain `git pull`,
the same field-by-field merge sync makes. git runs it in the log's folder with the
three versions in temporary files; it writes the merged file over "ours" and says
by its exit code whether a conflict is left. Whatever goes wrong, "ours" is left
as it was and git flags a conflict: ciphertext is never merged as text."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from stafett import crypto, transaction, yamlio
from stafett.documents import from_data
from stafett.errors import StafettError
from stafett.fsutil import read_regular, write_atomic
from stafett.layout import MARKER_FILE, parse_document
from stafett.membership import audience_of
from stafett.merge import Side, merge_data
from stafett.schema import validate

if TYPE_CHECKING:
    from stafett.store import Store

_MARKER = re.compile(rb"^log_id: ([0-9a-hjkmnp-tv-z]{20})$", re.M)


def merge_files(store: Store, repo: Path, base: Path, ours: Path, theirs: Path, rel: str) -> bool:
    """True when the merged file has no conflict left."""
    try:
        found = _MARKER.search(read_regular(repo / MARKER_FILE, MARKER_FILE, 4096))
        if found is None:
            return False
        log = store.log_at(found.group(1).decode("ascii"), repo)
        texts = [_plain(store, p) for p in (base, ours, theirs)]
        mine, other = (parse_document(t, rel, log.id) for t in texts[1:] if t is not None)
        old = parse_document(texts[0], rel, log.id).to_data() if texts[0] else None
        data = merge_data(
            old, Side(mine.to_data(), mine.created_by), Side(other.to_data(), other.created_by)
        )
        validate(str(data["kind"]), yamlio.jsonable(data), rel)
        text = yamlio.dump_checked(from_data(data).to_data(), rel).encode("utf-8")
        members = log.members()
        audience = audience_of(text, rel, log.id)
        write_atomic(ours, crypto.encrypt(text, transaction.recipients(log, audience, members)))
    except (StafettError, ValueError, TypeError):
        return False
    return not data.get("conflicts")


def _plain(store: Store, path: Path) -> bytes | None:
    data = read_regular(path, path.name)
    return crypto.decrypt(data, store.identity, path.name) if data else None
