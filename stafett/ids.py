"""Random ids and git-style short references.

Ids are random rather than sequential or time-ordered, so two clones that add
documents independently never collide, and any prefix of an id is as selective
as any other. People type the first few characters; `SHORT` is what is shown.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from stafett.errors import Conflict, NotFound, UsageError

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
LENGTH = 20
SHORT = 7
MIN_PREFIX = 4


def new_id() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def short(doc_id: str) -> str:
    return doc_id[:SHORT]


def is_id(text: str) -> bool:
    return len(text) == LENGTH and all(c in ALPHABET for c in text)


def resolve(prefix: str, ids: Iterable[str], what: str) -> str:
    """The one id starting with `prefix`; the error says which case it is."""
    prefix = prefix.strip().lower()
    if len(prefix) < MIN_PREFIX or any(c not in ALPHABET for c in prefix):
        raise UsageError("bad_reference", what=what, ref=prefix[:LENGTH], min=MIN_PREFIX)
    matches = sorted({i for i in ids if i.startswith(prefix)})
    if not matches:
        raise NotFound("unknown_reference", what=what, ref=prefix)
    if len(matches) > 1:
        raise Conflict("ambiguous_reference", what=what, ref=prefix, count=len(matches))
    return matches[0]
