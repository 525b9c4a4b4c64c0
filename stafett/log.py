"""One child's log: read its documents; each write is one transaction.

Reading decrypts only what is asked for and keeps it for the one command. The
write methods are thin: the rules of each change live in records and membership,
and the commit machinery in transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from stafett import crypto, ids, membership, records, trust
from stafett.documents import (
    DOCUMENT_CLASSES,
    ROOT_KINDS,
    SUFFIX,
    Child,
    Consent,
    Document,
    Evaluation,
    LogProfile,
    Measure,
    Member,
    MemberList,
    document_path,
)
from stafett.errors import LOG_DAMAGE, InvalidDocument, NoAccess, NotFound, StafettError
from stafett.fsutil import MAX_DOCUMENT
from stafett.layout import parse_document
from stafett.quarantine import quarantine as quarantine_document
from stafett.snapshot import Snapshot
from stafett.views import MeasureView, measure_views

if TYPE_CHECKING:
    from stafett.conflicts import FieldConflict
    from stafett.store import Store
    from stafett.sync import Status, Synced

Audience = Sequence[str] | str | None
KIND_FOLDERS = frozenset(k for k in DOCUMENT_CLASSES if k not in ROOT_KINDS)


@dataclass(frozen=True)
class Damaged:
    """A committed document that is not what its path says (broken, wrongly
    encrypted, not a file): skipped, so one bad file written by anyone does not
    block the log, and reported until the coordinator quarantines it."""

    log_id: str
    path: str
    error: StafettError


class Log:
    """A log as the caller sees it. Holds decrypted state for one command only."""

    def __init__(self, store: Store, log_id: str, path: Path | None = None) -> None:
        self.store = store
        self.id = log_id
        self.path = path or store.root / "logs" / log_id
        self.unreadable = 0
        self.damaged: list[Damaged] = []
        self._profile: LogProfile | None = None
        self._members: MemberList | None = None
        self._consents: list[Consent] | None = None
        self._snapshot: Snapshot | None = None
        self._tainted: dict[str, str] = {}

    @property
    def short_id(self) -> str:
        return ids.short(self.id)

    def read(self, rel: str) -> Document:
        """Decrypt, parse, validate, and check that the file holds what its path says."""
        return self.read_plain(rel)[0]

    def read_plain(self, rel: str) -> tuple[Document, bytes]:
        """The document and the plaintext it was read from, for re-encrypting as is."""
        plain = crypto.decrypt(self.read_raw(rel), self.store.identity, rel)
        return parse_document(plain, rel, self.id), plain

    def read_raw(self, rel: str) -> bytes:
        """A file as committed: never the work tree, where a write cut short or a
        file someone put there would pass for the members' signed state. A file a
        commit breaking the rights model changed last is read as the last commit
        keeping them left it (and said so), or not at all."""
        snapshot = self.snapshot()
        if rel in self._tainted:
            return self._kept_version(rel)
        data = snapshot.read(rel)
        if data is None:
            raise NotFound("file_missing", file=rel)
        return data

    @property
    def tainted(self) -> dict[str, str]:
        """Files a rule-breaking commit changed last, each with the blob shown instead."""
        self.snapshot()
        return self._tainted

    def _kept_version(self, rel: str) -> bytes:
        blob = self._tainted[rel]
        data = self.snapshot().object(blob, "blob") if blob else None
        if data is None:
            raise InvalidDocument("unverified_change", file=rel)
        self.skip_damaged(rel, InvalidDocument("unverified_version", file=rel))
        return data

    def snapshot(self) -> Snapshot:
        """The committed state, checked against what this user verified before:
        only the commits since then are checked, so an unchanged log costs a file
        read."""
        if self._snapshot is None:
            snapshot = Snapshot(self.path, MAX_DOCUMENT, KIND_FOLDERS)
            try:
                self._tainted = trust.check(self, snapshot)
            except BaseException:
                snapshot.close()
                raise
            self._snapshot = snapshot
        self.store.readers.touch(self._snapshot)
        return self._snapshot

    def read_ids(self, wanted: set[str]) -> list[tuple[Document, bytes]]:
        """Only the named documents: found by file name, so nothing else is decrypted."""
        return [
            self.read_plain(rel)
            for rel in self.files()
            if rel.rsplit("/", 1)[-1].removesuffix(SUFFIX) in wanted
        ]

    def profile(self) -> LogProfile:
        if self._profile is None:
            doc = self.read(document_path("log", self.id))
            assert isinstance(doc, LogProfile)
            self._profile = doc
        return self._profile

    @property
    def child(self) -> Child:
        return self.profile().child

    def members(self) -> MemberList:
        if self._members is None:
            doc = self.read(document_path("members", self.id))
            assert isinstance(doc, MemberList)
            self._members = doc
        return self._members

    def member(self, ref: str, current: bool = True) -> Member:
        """A member by handle or id; `current` rules out those who have left."""
        wanted = ref.strip().lower()
        pool = self.members().current if current else self.members().members
        for m in pool:
            if wanted in (m.handle, m.id):
                return m
        raise NotFound("unknown_member", handle=wanted)

    def member_name(self, member_id: str) -> str:
        return self.member_by_id(member_id).name

    def member_by_id(self, member_id: str) -> Member:
        """Any member, past or present; an id the list does not know (an imported
        document may name someone from the source log) stands as its short form."""
        found = next((m for m in self.members().members if m.id == member_id), None)
        if found is not None:
            return found
        short = ids.short(member_id)
        return Member(id=member_id, handle=short, name=short, role="unknown", since=date.min)

    def me(self) -> Member:
        recipient = self.store.identity.recipient
        for m in self.members().current:
            if m.recipient == recipient:
                return m
        raise NoAccess("not_member")

    def doc_ids(self, kind: str) -> list[str]:
        """The documents of a kind, with any a rule-breaking commit removed."""
        prefix = f"{kind}/"
        listed = set(self.snapshot().folder(kind))
        listed |= {rel for rel, blob in self._tainted.items() if blob and rel.startswith(prefix)}
        return sorted(
            rel[len(prefix) :].removesuffix(SUFFIX) for rel in listed if rel.endswith(SUFFIX)
        )

    def documents(self, kind: str | None = None) -> Iterator[Document]:
        """Readable documents, oldest first; those the caller may not read are counted."""
        kinds = [kind] if kind else [k for k in DOCUMENT_CLASSES if k not in ROOT_KINDS]
        self.unreadable = 0
        docs = []
        wanted = [(k, doc_id) for k in kinds for doc_id in self.doc_ids(k)]
        self.snapshot().prefetch([document_path(k, doc_id) for k, doc_id in wanted])
        for k, doc_id in wanted:
            rel = document_path(k, doc_id)
            try:
                docs.append(self.read(rel))
            except NoAccess:
                self.unreadable += 1
            except InvalidDocument as exc:
                if exc.key in LOG_DAMAGE:
                    raise
                self.skip_damaged(rel, exc)
        yield from sorted(docs, key=lambda d: d.created)

    def skip_damaged(self, rel: str, error: StafettError) -> None:
        """Note a damaged document once, here and in the store, which reports it."""
        if all(d.path != rel for d in self.damaged):
            found = Damaged(self.id, rel, error)
            self.damaged.append(found)
            self.store.damaged.append(found)

    def document(self, kind: str, ref: str) -> Document:
        doc_id = ids.resolve(ref, self.doc_ids(kind), kind)
        return self.read(document_path(kind, doc_id))

    def measures(
        self, status: str | None = None, *, today: date | None = None
    ) -> list[MeasureView]:
        """Measures by evaluation date, each with its responsible member and evaluations;
        `status` is a code (planned, active, completed, stopped)."""
        found = [d for d in self.documents("measure") if isinstance(d, Measure)]
        chosen = sorted(
            (m for m in found if status is None or m.status == status),
            key=lambda m: m.evaluate_by,
        )
        evaluations: list[Document] = list(self.evaluations()) if chosen else []
        return list(measure_views(self, chosen, evaluations, today or self.store.clock.today()))

    def evaluations(self, measure_id: str | None = None) -> list[Evaluation]:
        found = [d for d in self.documents("evaluation") if isinstance(d, Evaluation)]
        return [e for e in found if measure_id is None or e.measure == measure_id]

    def consents(self) -> list[Consent]:
        """Read once per command: a write checks them for the freeze and again for
        what they cover."""
        if self._consents is None:
            self._consents = [d for d in self.documents("consent") if isinstance(d, Consent)]
        return list(self._consents)

    # --- writing: each is one transaction; the rules live in records and membership

    add_member = membership.add_member
    remove_member = membership.remove_member
    update_member = membership.update_member
    add_consent = membership.add_consent
    withdraw_consent = membership.withdraw_consent
    pass_coordinator = membership.pass_coordinator
    accept_coordinator = membership.accept_coordinator
    add_concern = records.add_concern
    add_measure = records.add_measure
    evaluate_measure = records.evaluate_measure
    update_measure = records.update_measure
    add_meeting = records.add_meeting
    add_voice = records.add_voice
    set_level = records.set_level
    add_note = records.add_note
    close = records.close
    quarantine = quarantine_document

    # --- the relay between laptops (stafett.sync, stafett.conflicts) ----------

    def set_remote(self, url: str) -> str:
        """Where this log syncs: a folder, file://, ssh://, git:// or https://."""
        from stafett.sync import set_remote

        return set_remote(self, url)

    def sync(self) -> Synced:
        """Fetch, check, merge and push; raises what stops it (see stafett.sync)."""
        from stafett.sync import sync

        return sync(self)

    def status(self) -> Status:
        from stafett.sync import status

        return status(self)

    def conflicts(self) -> list[FieldConflict]:
        from stafett.conflicts import conflicts

        return conflicts(self)

    def resolve(self, doc: str, keep: str, field: str | None = None) -> Document:
        """Keep `mine`, `theirs`, `first` or `second` of a document's conflicts."""
        from stafett.conflicts import resolve

        return resolve(self, doc, keep, field)

    # --- what a transaction reads and leaves behind ---------------------------

    def forget(self) -> None:
        """Drop what this object read: a transaction starts from the committed state."""
        self._profile = self._members = self._consents = None
        self.remember(())

    def remember(self, docs: Sequence[Document]) -> None:
        """Keep what a transaction just committed, so a caller reads it without
        decrypting it again. The commit changed the files, so they are listed anew."""
        if self._snapshot is not None:
            self._snapshot.close()
            self._snapshot = None
        for doc in docs:
            if isinstance(doc, LogProfile):
                self._profile = doc
            elif isinstance(doc, MemberList):
                self._members = doc
            elif isinstance(doc, Consent):
                self._consents = None

    def files(self) -> list[str]:
        """Every committed document file of the log, relative and '/'-separated."""
        return sorted(rel for rel in self.snapshot().files() if rel.endswith(SUFFIX))
