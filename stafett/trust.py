"""What this user has verified: for each log, the last head checked and the files
that commits breaking the rights model wrote. Kept outside every log.

Anyone who can write to a log's folder can set it back (`git reset`, an old copy
over a new one) and every signature still checks; only a reader who remembers
where the log was can tell. So history only moves forward from what this user
saw, and a read checks only the commits that came since, which keeps it fast.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from stafett import commits, rights
from stafett.errors import InvalidDocument, NoAccess, StafettError
from stafett.fsutil import read_regular, write_text_atomic
from stafett.layout import DOCUMENT_PATH

if TYPE_CHECKING:
    from stafett.log import Log
    from stafett.snapshot import Snapshot

ROOT_FILES = (rights.PROFILE, rights.MEMBERS)


def default_state_path(environ: Mapping[str, str] | None = None) -> Path:
    """The user's state folder; as for the key, a command's own environment decides
    where the platform follows XDG."""
    if environ is not None and sys.platform not in ("win32", "darwin"):
        xdg = environ.get("XDG_STATE_HOME", "").strip()
        home = environ.get("HOME", "").strip()
        if xdg or home:
            return (Path(xdg) if xdg else Path(home) / ".local" / "state") / "stafett"
    from platformdirs import user_state_path

    return user_state_path("stafett", appauthor=False)


@dataclass(frozen=True)
class Seen:
    """A log as this user last verified it: its head, and each file a
    rule-breaking commit changed last, with the blob shown in its place ("" for
    none)."""

    head: str
    tainted: dict[str, str] = field(default_factory=dict)
    remote: str = ""  # the remote's head at the last sync: a remote never goes back


class Verified:
    """One small file per log, in a folder of its own per key: two people sharing a
    computer account do not vouch for each other's reads."""

    def __init__(self, root: Path, recipient: str) -> None:
        self.folder = root / "verified" / hashlib.sha256(recipient.encode()).hexdigest()[:16]

    def get(self, log_id: str) -> Seen | None:
        """What was remembered; anything malformed is as if nothing were, so the
        log is checked from its first commit."""
        try:
            data = json.loads(read_regular(self.folder / log_id, log_id, 1 << 20))
        except (StafettError, ValueError):
            return None
        if not isinstance(data, dict) or not commits.SHA_RE.fullmatch(str(data.get("head"))):
            return None
        tainted = data.get("tainted")
        if not isinstance(tainted, dict) or not all(map(_kept_entry, tainted.items())):
            return None
        remote = data.get("remote", "")
        if remote and not commits.SHA_RE.fullmatch(str(remote)):
            return None
        return Seen(str(data["head"]), dict(tainted), str(remote))

    def set(self, log_id: str, seen: Seen) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        fields = {"head": seen.head, "tainted": seen.tainted, "remote": seen.remote}
        text = json.dumps(fields, sort_keys=True)
        write_text_atomic(self.folder / log_id, text + "\n", private=True)


def _kept_entry(item: tuple[object, object]) -> bool:
    path, blob = item
    return (
        isinstance(path, str)
        and DOCUMENT_PATH.fullmatch(path) is not None
        and isinstance(blob, str)
        and (blob == "" or commits.SHA_RE.fullmatch(blob) is not None)
    )


def check(log: Log, snapshot: Snapshot) -> dict[str, str]:
    """The files of the snapshot's commit not to be shown as the members' work.
    Raises when the history does not contain what this user verified before, or
    when the profile or the member list came from a commit that broke the rules.
    The snapshot's git process reads the history too: no second one is started."""
    head = snapshot.head()
    if head is None:
        return {}
    verified = log.store.verified
    seen = verified.get(log.id)
    if seen is not None and seen.head == head:
        return seen.tainted
    if seen is not None and not commits.contains(log.path, seen.head, head):
        raise InvalidDocument("history_rewound", log=log.short_id, commit=seen.head[:7])
    # Files already in doubt are checked again from the start: a signing key
    # recorded since may clear them.
    since = seen.head if seen is not None and not seen.tainted else None
    try:
        outcome = rights.check(log, head, since, objects=snapshot)
    except NoAccess:
        return {}  # not a member: every read of it is refused anyway
    refuse_doubtful(log, outcome)
    verified.set(log.id, Seen(head, outcome.tainted, seen.remote if seen else ""))
    return outcome.tainted


def refuse_doubtful(log: Log, outcome: rights.Outcome) -> None:
    """A history in doubt as a whole (a merge, a commit git cannot read), or a
    profile or member list with no rule-keeping version to show, is not read."""
    lost = any(not outcome.tainted[p] for p in ROOT_FILES if p in outcome.tainted)
    if outcome.structural or lost:
        bad = sorted(outcome.failed)[0][:7] if outcome.failed else str(outcome.head)[:7]
        raise InvalidDocument("log_unverified", log=log.short_id, commit=bad)


def verified(log: Log, outcome: rights.Outcome) -> None:
    """After a full check: what it found is what later reads go by."""
    if outcome.head and not outcome.structural:
        seen = log.store.verified.get(log.id)
        remote = seen.remote if seen else ""
        log.store.verified.set(log.id, Seen(outcome.head, outcome.tainted, remote))


def committed(log: Log, parent: str | None, sha: str, written: Sequence[str] = ()) -> None:
    """The caller's own commit on a head they verified is verified too, and what it
    wrote is no longer in doubt."""
    seen = log.store.verified.get(log.id)
    if parent is None or (seen is not None and seen.head == parent):
        tainted = {p: b for p, b in (seen.tainted if seen else {}).items() if p not in written}
        log.store.verified.set(log.id, Seen(sha, tainted, seen.remote if seen else ""))
