"""One child's log: read its documents, and apply a change as one commit."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stafett import crypto, history, ids, yamlio
from stafett.documents import (
    DOCUMENT_CLASSES,
    ROOT_KINDS,
    SUFFIX,
    Child,
    Concern,
    Consent,
    Document,
    Evaluation,
    LevelChange,
    LogProfile,
    Measure,
    Meeting,
    Member,
    MemberList,
    Note,
    Voice,
    document_path,
)
from stafett.errors import Conflict, NoAccess, NotFound, UsageError
from stafett.fsutil import write_all
from stafett.layout import now, parse_document
from stafett.schema import validate
from stafett.values import (
    check_text,
    optional_text,
    parse_choice,
    parse_date,
    parse_list,
)

if TYPE_CHECKING:
    from stafett.membership import MembershipChange, WithdrawalResult
    from stafett.people import Card
    from stafett.store import Store
    from stafett.views import MeasureView

LOCK_TIMEOUT = 30.0
WRITER_ROLES = ("coordinator", "professional", "guardian", "child", "youth-helper")


@dataclass
class Change:
    """What one commit will hold: new documents and re-encrypted ones."""

    action: str
    subject: tuple[str, str] | None = None
    docs: list[Document] = field(default_factory=list)
    reencrypt: list[tuple[str, bytes, tuple[str, ...] | None]] = field(default_factory=list)

    def add(self, doc: Document) -> Document:
        self.docs.append(doc)
        return doc


class Log:
    """A log as the caller sees it. Holds decrypted state for one command only."""

    def __init__(self, store: Store, log_id: str, path: Path | None = None) -> None:
        self.store = store
        self.id = log_id
        self.path = path or store.root / "logs" / log_id
        self.unreadable = 0
        self._profile: LogProfile | None = None
        self._members: MemberList | None = None
        self._consents: list[Consent] | None = None

    @property
    def short_id(self) -> str:
        return ids.short(self.id)

    def read(self, rel: str) -> Document:
        """Decrypt, parse, validate, and check that the file holds what its path says."""
        return self.read_plain(rel)[0]

    def read_plain(self, rel: str) -> tuple[Document, bytes]:
        """The document and the plaintext it was read from, for re-encrypting as is."""
        try:
            data = (self.path / rel).read_bytes()
        except OSError:
            raise NotFound("file_missing", file=rel) from None
        plain = crypto.decrypt(data, self.store.identity, rel)
        return parse_document(plain, rel, self.id), plain

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
        folder = self.path / kind
        if not folder.is_dir():
            return []
        return sorted(p.name.removesuffix(SUFFIX) for p in folder.glob(f"*{SUFFIX}"))

    def documents(self, kind: str | None = None) -> Iterator[Document]:
        """Readable documents, oldest first; those the caller may not read are counted."""
        kinds = [kind] if kind else [k for k in DOCUMENT_CLASSES if k not in ROOT_KINDS]
        self.unreadable = 0
        docs = []
        for k in kinds:
            for doc_id in self.doc_ids(k):
                try:
                    docs.append(self.read(document_path(k, doc_id)))
                except NoAccess:
                    self.unreadable += 1
        yield from sorted(docs, key=lambda d: d.created)

    def document(self, kind: str, ref: str) -> Document:
        doc_id = ids.resolve(ref, self.doc_ids(kind), kind)
        return self.read(document_path(kind, doc_id))

    def measures(
        self, status: str | None = None, *, today: date | None = None
    ) -> list[MeasureView]:
        """Measures by evaluation date, each with its responsible member and evaluations;
        `status` is a code (planned, active, completed, stopped)."""
        from stafett.views import measure_views

        found = [d for d in self.documents("measure") if isinstance(d, Measure)]
        chosen = sorted(
            (m for m in found if status is None or m.status == status),
            key=lambda m: m.evaluate_by,
        )
        evaluations: list[Document] = list(self.evaluations()) if chosen else []
        return list(measure_views(self, chosen, evaluations, today or date.today()))

    def evaluations(self, measure_id: str | None = None) -> list[Evaluation]:
        found = [d for d in self.documents("evaluation") if isinstance(d, Evaluation)]
        return [e for e in found if measure_id is None or e.measure == measure_id]

    # --- writing -------------------------------------------------------------

    def add_member(
        self,
        person: str | None = None,
        *,
        role: str | None = None,
        handle: str | None = None,
        name: str | None = None,
        title: str | None = None,
        service: str | None = None,
        recipient: str | None = None,
        signing_key: str | None = None,
        card: Card | None = None,
        override_why: str | None = None,
    ) -> MembershipChange:
        """Add a professional from people.yaml (`person`), a card, or anyone by name.

        A professional needs an active consent covering their service, unless
        `override_why` records a visible exception."""
        from stafett import membership

        member = membership.new_member(
            self,
            person,
            role=role,
            handle=handle,
            name=name,
            title=title,
            service=service,
            recipient=recipient,
            signing_key=signing_key,
            card=card,
        )
        return membership.add_member(self, member, override_why=override_why)

    def remove_member(self, person: str) -> MembershipChange:
        from stafett import membership

        return membership.remove_member(self, person)

    def consents(self) -> list[Consent]:
        """Read once per command: a write checks them for the freeze and again for
        what they cover."""
        if self._consents is None:
            self._consents = [d for d in self.documents("consent") if isinstance(d, Consent)]
        return list(self._consents)

    def add_consent(self, **fields: Any) -> Consent:
        """See membership.add_consent for the fields."""
        from stafett import membership

        return membership.add_consent(self, **fields)

    def withdraw_consent(
        self,
        ref: str,
        *,
        by: str,
        services: Sequence[str] | str | None = None,
        when: date | str | None = None,
    ) -> WithdrawalResult:
        from stafett import membership

        return membership.withdraw_consent(self, ref, by=by, services=services, when=when)

    def pass_coordinator(self, to: str) -> LogProfile:
        from stafett import membership

        return membership.pass_coordinator(self, to)

    def accept_coordinator(self) -> LogProfile:
        from stafett import membership

        return membership.accept_coordinator(self)

    def add_concern(self, text: str, *, audience: Sequence[str] | str | None = None) -> Concern:
        with self._change("add") as change:
            doc = Concern(
                **self._common(audience),
                text=check_text(text, "text"),
                level_at_time=self.profile().level,
            )
            change.add(doc)
        return doc

    def add_measure(
        self,
        *,
        title: str,
        goal: str,
        responsible: str,
        evaluate_by: date | str,
        start: date | str | None = None,
        description: str | None = None,
        audience: Sequence[str] | str | None = None,
    ) -> Measure:
        with self._change("add") as change:
            begins = parse_date(start, "start") if start else date.today()
            due = parse_date(evaluate_by, "evaluate_by")
            if due < begins:
                raise UsageError("evaluate_before_start")
            doc = Measure(
                **self._common(audience),
                title=check_text(title, "title"),
                goal=check_text(goal, "goal"),
                description=description.strip() if description and description.strip() else None,
                responsible=self.member(responsible).id,
                start=begins,
                evaluate_by=due,
                status="planned" if begins > date.today() else "active",
            )
            change.add(doc)
        return doc

    def evaluate_measure(
        self,
        measure: str,
        *,
        result: str,
        next: str,
        when: date | str | None = None,
        text: str | None = None,
        child_said: str | None = None,
        evaluate_by: date | str | None = None,
    ) -> Evaluation:
        """Record an evaluation and bring the measure's status and due date along."""
        with self._change("evaluate") as change:
            target = self.document("measure", measure)
            assert isinstance(target, Measure)
            outcome, step = parse_choice("result", result), parse_choice("next", next)
            due = parse_date(evaluate_by, "evaluate_by") if evaluate_by else None
            evaluation = Evaluation(
                **self._common(target.audience),
                measure=target.id,
                date=parse_date(when, "date") if when else date.today(),
                result=outcome,
                text=optional_text(text),
                child_said=optional_text(child_said),
                next=step,
                evaluate_by=due,
            )
            change.add(evaluation)
            change.add(
                replace(
                    target,
                    status=_status_after(outcome, step),
                    evaluate_by=due or target.evaluate_by,
                )
            )
        return evaluation

    def add_meeting(
        self,
        *,
        when: date | str,
        participants: Sequence[str] | str,
        child_present: str,
        minutes: str,
        agenda: Sequence[str] | str | None = None,
        decisions: Sequence[str] | None = None,
        child_minutes: int | None = None,
        audience: Sequence[str] | str | None = None,
    ) -> Meeting:
        with self._change("add") as change:
            present = parse_choice("child_present", child_present)
            if present == "part" and not child_minutes:
                raise UsageError("child_minutes_needed")
            people = parse_list(participants)
            if not people:
                raise UsageError("empty_field", field="participants")
            doc = Meeting(
                **self._common(audience),
                date=parse_date(when, "date"),
                participants=tuple(dict.fromkeys(self.member(p).id for p in people)),
                child_present=present,
                child_minutes=child_minutes if present == "part" else None,
                agenda=parse_list(agenda) if isinstance(agenda, str) else tuple(agenda or ()),
                minutes=check_text(minutes, "minutes"),
                decisions=tuple(d.strip() for d in decisions or () if d.strip()),
            )
            change.add(doc)
        return doc

    def add_voice(
        self,
        words: str,
        *,
        how: str,
        when: date | str | None = None,
        child_reviewed: bool | None = None,
        audience: Sequence[str] | str | None = None,
    ) -> Voice:
        """The child's words are kept verbatim: no trimming inside, no rewording."""
        with self._change("add") as change:
            if not words or not words.strip():
                raise UsageError("empty_field", field="words")
            doc = Voice(
                **self._common(audience),
                date=parse_date(when, "date") if when else date.today(),
                words=words,
                how=check_text(how, "how"),
                child_reviewed=child_reviewed,
            )
            change.add(doc)
        return doc

    def set_level(self, level: int, *, why: str, when: date | str | None = None) -> LevelChange:
        with self._change("level") as change:
            doc = LevelChange(
                **self._common(None),
                level=self.store.settings.check_level(level),
                why=check_text(why, "why"),
                date=parse_date(when, "date") if when else date.today(),
            )
            change.add(doc)
            change.add(replace(self.profile(), level=level))
        return doc

    def add_note(self, text: str, *, audience: Sequence[str] | str | None = None) -> Note:
        with self._change("add") as change:
            doc = Note(**self._common(audience), text=check_text(text, "text"))
            change.add(doc)
        return doc

    def close(self, *, reason: str, when: date | str | None = None) -> LogProfile:
        with self._change("close") as change:
            self._require_coordinator()
            profile = replace(
                self.profile(),
                status="closed",
                closed=parse_date(when, "date") if when else date.today(),
                close_reason=check_text(reason, "reason"),
            )
            change.add(profile)
        return profile

    # --- machinery -----------------------------------------------------------

    @contextmanager
    def _change(self, action: str, subject: tuple[str, str] | None = None) -> Iterator[Change]:
        """Serialise writers, start from a clean HEAD, and commit all or nothing."""
        from filelock import FileLock, Timeout

        lock = FileLock(str(self.path / ".git" / "stafett.lock"), timeout=LOCK_TIMEOUT)
        try:
            lock.acquire()
        except Timeout:
            raise Conflict("log_locked") from None
        try:
            if not history.is_clean(self.path):
                history.rollback(self.path)
            self._profile = self._members = self._consents = None
            if self.profile().status == "closed":
                raise Conflict("log_closed")
            from stafett.membership import frozen

            if frozen(self, action):
                raise Conflict("consent_withdrawn")
            change = Change(action, subject)
            yield change
            self._apply(change)
        finally:
            lock.release()

    def _apply(self, change: Change) -> None:
        members = next((d for d in change.docs if isinstance(d, MemberList)), None)
        members = members or self.members()
        author = self._author(members)
        files = [self._seal(doc, members) for doc in change.docs]
        files += [
            (rel, crypto.encrypt(plain, self.recipients(audience, members)))
            for rel, plain, audience in change.reencrypt
        ]
        try:
            write_all([(self.path / rel, data) for rel, data in files])
            kind, subject = change.subject or (change.docs[0].kind, change.docs[0].id)
            history.commit(
                self.path,
                [rel for rel, _ in files],
                f"{change.action} {kind} {ids.short(subject)}",
                author,
                self.store.identity.sign,
            )
        except BaseException:
            history.restore(self.path, [rel for rel, _ in files])
            raise
        for doc in change.docs:
            if isinstance(doc, LogProfile):
                self._profile = doc
            elif isinstance(doc, MemberList):
                self._members = doc
            elif isinstance(doc, Consent):
                self._consents = None

    def _seal(self, doc: Document, members: MemberList) -> tuple[str, bytes]:
        """Validate before encrypting: nothing invalid is ever written."""
        data = doc.to_data()
        validate(doc.kind, yamlio.jsonable(data), doc.path)
        plain = yamlio.dump_checked(data, doc.path).encode("utf-8")
        return doc.path, crypto.encrypt(plain, self.recipients(doc.audience, members))

    def recipients(self, audience: Sequence[str] | None, members: MemberList) -> list[str]:
        current = {m.id: m for m in members.current}
        chosen = (
            current.values() if audience is None else [current[i] for i in audience if i in current]
        )
        return sorted({m.recipient for m in chosen if m.recipient} | {self.store.settings.recovery})

    def _author(self, members: MemberList) -> str:
        recipient = self.store.identity.recipient
        for m in members.current:
            if m.recipient == recipient:
                if m.role not in WRITER_ROLES:
                    raise NoAccess("read_only")
                return m.id
        raise NoAccess("not_member")

    def _common(self, audience: Sequence[str] | str | None) -> dict[str, Any]:
        me = self.me()
        if me.role not in WRITER_ROLES:
            raise NoAccess("read_only")
        chosen: tuple[str, ...] | None = None
        handles = parse_list(audience) if isinstance(audience, str) else audience
        if handles:
            resolved = [self.member(h).id for h in handles]
            chosen = tuple(sorted({*resolved, me.id}))
        return {"id": ids.new_id(), "created": now(), "created_by": me.id, "audience": chosen}

    def _require_coordinator(self) -> None:
        if self.me().id != self.profile().coordinator:
            raise NoAccess("coordinator_only")

    def files(self) -> list[str]:
        """Every document file of the log, relative and '/'-separated."""
        return sorted(
            p.relative_to(self.path).as_posix()
            for p in self.path.rglob(f"*{SUFFIX}")
            if ".git" not in p.relative_to(self.path).parts
        )


def _status_after(result: str, step: str) -> str:
    if step in ("stop", "new"):
        return "completed" if result == "achieved" else "stopped"
    return "active"
