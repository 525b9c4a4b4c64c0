"""The write path: every change to a log is one transaction and one signed commit.

A transaction takes the log's lock, starts from a clean HEAD, lets the caller
check rights and queue documents, then validates, encrypts, writes and commits
them all at once. Any exception before the commit puts every file back, so a log
is at its old state or its new one, never between. Log, membership, handover,
export and create all write through here; nothing else writes a log.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stafett import crypto, history, ids, trust, yamlio
from stafett.consent import all_withdrawn
from stafett.documents import ROOT_KINDS, Document, LogProfile, MemberList
from stafett.errors import Conflict, InvalidDocument, NoAccess, StafettError, UsageError
from stafett.fsutil import locked, write_all
from stafett.layout import is_own_file
from stafett.people import person_by_recipient
from stafett.rights import WRITER_ROLES
from stafett.schema import validate
from stafett.values import parse_list

if TYPE_CHECKING:
    from stafett.log import Log
    from stafett.people import Card
    from stafett.store import Store

LOCK_TIMEOUT = 30.0
# Still allowed once every consent is withdrawn: the log then stays readable, is
# repaired and closes.
UNFROZEN_ACTIONS = ("close", "consent", "withdraw", "quarantine")
Plain = tuple[str, bytes, tuple[str, ...] | None]


@dataclass
class Transaction:
    """What one commit will hold: documents to write, files to re-encrypt as they
    are (plaintext and audience), and files to remove."""

    log: Log
    action: str
    subject: tuple[str, str] | None = None
    docs: list[Document] = field(default_factory=list)
    plain: list[Plain] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def add(self, doc: Document) -> Document:
        """A new document, or a new version of one (same id, same path)."""
        self.docs = [d for d in self.docs if d.path != doc.path]
        self.docs.append(doc)
        return doc

    def replace(self, doc: Document) -> Document:
        """A new version of a document the log holds: same id, same path."""
        return self.add(doc)

    def remove(self, doc: Document) -> None:
        """Take a document out of the current log; history keeps it."""
        self.removed.append(doc.path)
        if self.subject is None and not self.docs:
            self.subject = (doc.kind, doc.id)

    def reencrypt(self, rel: str, plain: bytes, audience: tuple[str, ...] | None) -> None:
        """Encrypt a file's text as it is to the readers its audience has after this
        change; the text is not parsed again, so nothing in it is rewritten."""
        self.plain.append((rel, plain, audience))

    def members_after(self) -> MemberList:
        """The member list this commit leaves behind: the one it writes, else today's."""
        written = next((d for d in self.docs if isinstance(d, MemberList)), None)
        return written or self.log.members()

    def profile_after(self) -> LogProfile:
        written = next((d for d in self.docs if isinstance(d, LogProfile)), None)
        return written or self.log.profile()

    def require_coordinator(self) -> None:
        if self.log.me().id != self.log.profile().coordinator:
            raise NoAccess("coordinator_only")

    def header(self, audience: Sequence[str] | str | None) -> dict[str, Any]:
        """The fields every new document starts with: a fresh id, now, the writer,
        and the audience by member id (the writer is always among the readers)."""
        me = self.log.me()
        if me.role not in WRITER_ROLES:
            raise NoAccess("read_only")
        chosen: tuple[str, ...] | None = None
        handles = parse_list(audience) if isinstance(audience, str) else audience
        if handles:
            resolved = [self.log.member(h).id for h in handles]
            chosen = tuple(sorted({*resolved, me.id}))
        return {
            "id": ids.new_id(),
            "created": self.log.store.clock.now(),
            "created_by": me.id,
            "audience": chosen,
            "log": self.log.id,
        }


@contextmanager
def begin(log: Log, action: str, subject: tuple[str, str] | None = None) -> Iterator[Transaction]:
    """Serialise writers, start from a clean HEAD, and commit all or nothing. The
    writer's own signing key is recorded where it is missing: in their people.yaml
    card before the log is locked, and, for the coordinator, in this commit."""
    complete_own_card(log.store)
    with locked(log.path / ".git" / "stafett.lock", "log_locked", LOCK_TIMEOUT):
        history.drop_stale_locks(log.path)
        if not history.is_clean(log.path):
            history.rollback(log.path, is_own_file)
        log.forget()
        if log.profile().status == "closed":
            raise Conflict("log_closed")
        if action not in UNFROZEN_ACTIONS and all_withdrawn(log.consents()):
            raise Conflict("consent_withdrawn")
        change = Transaction(log, action, subject)
        yield change
        record_own_key(change)
        require_recorded_key(change)
        commit(change)


def commit(change: Transaction) -> str:
    """Write and commit what the transaction holds; on any failure, put it back."""
    log = change.log
    members = change.members_after()
    author = author_id(log, members)
    files = [seal(log, doc, members) for doc in change.docs]
    files += [
        (rel, crypto.encrypt(plain, recipients(log, audience, members)))
        for rel, plain, audience in change.plain
    ]
    touched = [rel for rel, _ in files] + change.removed
    parent = log.snapshot().head()
    try:
        write_all([(log.path / rel, data) for rel, data in files])
        for rel in change.removed:
            remove_file(log.path / rel, rel)
        sha = history.commit(
            log.path,
            touched,
            message(change),
            author,
            log.store.identity.sign,
            log.store.clock.now(),
            parent,
        )
    except BaseException:
        history.restore(log.path, touched)
        raise
    trust.committed(log, parent, sha, touched)
    log.remember(change.docs)
    return sha


def message(change: Transaction) -> str:
    """Generic on purpose: an action, a kind and a short id, never any content."""
    kind, subject = change.subject or (change.docs[0].kind, change.docs[0].id)
    return f"{change.action} {kind} {ids.short(subject)}"


def seal(log: Log, doc: Document, members: MemberList) -> tuple[str, bytes]:
    """Validate before encrypting: nothing invalid is ever written."""
    data = doc.to_data()
    try:
        validate(doc.kind, yamlio.jsonable(data), doc.path)
    except InvalidDocument as exc:
        # What was typed breaks the format: the user's to fix, and no file exists yet.
        key = "field_too_long" if exc.key == "schema_too_long" else "field_not_accepted"
        raise UsageError(key, field=str(exc.params.get("field", "?"))) from None
    plain = yamlio.dump_checked(data, doc.path).encode("utf-8")
    return doc.path, crypto.encrypt(plain, recipients(log, doc.audience, members))


def recipients(log: Log, audience: Sequence[str] | None, members: MemberList) -> list[str]:
    """The keys a document is encrypted to: its audience among the current members
    (everyone when it has none), and always the municipality's recovery key."""
    current = {m.id: m for m in members.current}
    chosen = (
        current.values() if audience is None else [current[i] for i in audience if i in current]
    )
    return sorted({m.recipient for m in chosen if m.recipient} | {log.store.settings.recovery})


def author_id(log: Log, members: MemberList) -> str:
    """The writer's member id in the member list this commit leaves behind."""
    recipient = log.store.identity.recipient
    for m in members.current:
        if m.recipient == recipient:
            if m.role not in WRITER_ROLES:
                raise NoAccess("read_only")
            return m.id
    raise NoAccess("not_member")


def first_commit(
    log: Log,
    members: MemberList,
    docs: Sequence[Document],
    message_text: str,
    extra: Sequence[str] = (),
    texts: Mapping[str, bytes] | None = None,
) -> str:
    """The commit that founds a new log (opened here, or imported): every document
    is for every member. `extra` names plain files already written; `texts` holds,
    by document id, plaintext already checked (an import) to encrypt as it is."""
    given = texts or {}
    everyone = recipients(log, None, members)
    files = [
        (doc.path, crypto.encrypt(given[doc.id], everyone))
        if doc.id in given
        else seal(log, doc, members)
        for doc in docs
    ]
    write_all([(log.path / rel, data) for rel, data in files])
    sha = history.commit(
        log.path,
        [*extra, *(rel for rel, _ in files)],
        message_text,
        author_id(log, members),
        log.store.identity.sign,
        log.store.clock.now(),
    )
    trust.committed(log, None, sha)
    return sha


def remove_file(path: Path, rel: str) -> None:
    """A committed file, or the empty folder git made for a committed submodule;
    a folder with anything in it is someone's, and is not touched."""
    try:
        if path.is_dir() and not path.is_symlink():
            path.rmdir()
        else:
            path.unlink(missing_ok=True)
    except OSError:
        raise Conflict("stray_file", file=rel, count=1) from None


def own_card(store: Store) -> Card | None:
    """The caller's card in people.yaml, None when they are not there. A card added
    without a signing key (`people add --recipient`) is completed, in people.yaml
    too, with the key derived from the identity in use: only that key, and only on
    the card whose recipient is the identity's."""
    identity = store.identity
    card = person_by_recipient(store.people(), identity.recipient)
    if card is None or card.signing_key or card.handle is None:
        return card
    return store.update_person(card.handle, signing_key=identity.signing_public_key())


def complete_own_card(store: Store) -> None:
    """`own_card` at a log write. people.yaml is not the log: when it cannot be read
    or written just now, the write goes on and a later one completes the card."""
    store.unlock()  # the write needs the key anyway; its errors are not suppressed
    with suppress(StafettError):
        own_card(store)


def record_own_key(change: Transaction) -> None:
    """A coordinator whose member entry has no signing key (a log opened before
    their card had one) gets the key derived from the identity in use, in the member
    list this commit leaves behind: the coordinator may change the members."""
    identity, members = change.log.store.identity, change.members_after()
    mine = next((m for m in members.current if m.recipient == identity.recipient), None)
    if mine is None or mine.signing_key or mine.id != change.profile_after().coordinator:
        return
    key = identity.signing_public_key()
    entries = tuple(replace(m, signing_key=key) if m.id == mine.id else m for m in members.members)
    change.replace(replace(members, members=entries))


def require_recorded_key(change: Transaction) -> None:
    """A change to the profile or the member list by someone whose signing key the
    log has not recorded could not be verified, and would hold up every reader: it
    is refused until the coordinator records the key."""
    if not any(d.kind in ROOT_KINDS for d in change.docs):
        return
    members = change.members_after()
    mine = author_id(change.log, members)
    entry = next(m for m in members.members if m.id == mine)
    if not entry.signing_key:
        raise NoAccess("signing_key_not_recorded", handle=entry.handle)
