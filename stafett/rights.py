"""Who may change what in a log, checked commit by commit (docs/format.md, "Rights").

Each commit is judged by the state its parent left: who was a member, with which
role, who held the baton. A commit that breaks a rule does not change that state,
so what a forger wrote cannot make later forgeries pass. Where the verifier's key
cannot open a file, the rule that needs its content is left unchecked: what one
cannot read, one is not shown either.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from stafett import commits, crypto, ids, merges, signing
from stafett.documents import (
    COORDINATOR_KINDS,
    ROOT_KINDS,
    SUFFIX,
    Document,
    LogProfile,
    Member,
    MemberList,
)
from stafett.errors import InvalidDocument, NoAccess, StafettError
from stafett.fsutil import MAX_DOCUMENT
from stafett.layout import DOCUMENT_PATH, MARKER_FILE, parse_document
from stafett.snapshot import Snapshot

if TYPE_CHECKING:
    from stafett.log import Log

FIRST_ACTIONS = ("open", "import")  # a log's first commit: opened here, or imported
PLAIN_FILES = frozenset({".gitattributes", MARKER_FILE})
PROFILE, MEMBERS = (f"{kind}{SUFFIX}" for kind in ROOT_KINDS)
# Changes that only re-encrypt others' documents to a new set of readers.
REENCRYPTING = ("add-member", "remove-member", "withdraw", "update-member", "accept-coordinator")
FIRST_ONLY_KINDS = ("provenance",)  # written by an import's first commit, never after
# Failures that put the history itself in doubt, not one file of it.
STRUCTURAL = (
    "commit_merge",
    "commit_merge_standing",
    "commit_merge_side",
    "commit_merge_wrong",
    "commit_unreadable",
    "commit_not_first",
)
WRITER_ROLES = ("coordinator", "professional", "guardian", "child", "youth-helper")


@dataclass
class State:
    """What the commits checked so far leave behind."""

    active: set[str] = field(default_factory=set)
    roles: dict[str, str] = field(default_factory=dict)
    coordinator: str = ""
    pending: str = ""
    keys: dict[str, str] = field(default_factory=dict)  # member id -> signing key
    added_by: dict[str, str] = field(default_factory=dict)  # path -> who added it


@dataclass(frozen=True)
class Outcome:
    """What a check found: the rules broken and the commits that broke them; the
    files whose last change was one of those commits, each with the blob that the
    last rule-keeping commit left there ("" when none did), which is what is shown;
    and whether the history itself is in doubt (a merge, a commit git cannot read),
    so that no file of it can be trusted."""

    head: str | None
    problems: tuple[StafettError, ...]
    failed: frozenset[str]
    tainted: dict[str, str]
    structural: bool = False


class Checker:
    """Reads the objects of one log at any commit, decrypting each blob once."""

    def __init__(
        self, log: Log, head: str, parsed: dict[bytes, Document], objects: Snapshot | None
    ) -> None:
        self.log = log
        self.head = head
        self._own = objects is None
        self.objects = Snapshot(log.path, MAX_DOCUMENT, frozenset()) if objects is None else objects
        self.parsed = parsed
        self.excluded: list[str] = []  # heads whose history is checked already
        self._plain: dict[str, bytes | None] = {}
        self._docs: dict[tuple[str, str], Document | None] = {}
        data = self.objects.object(f"{head}:{MEMBERS}", "blob")
        if data is not None and crypto.is_age(data):
            crypto.decrypt(data, log.store.identity, MEMBERS)  # NoAccess: not a member
        latest = self.document(f"{head}:{MEMBERS}", MEMBERS)
        self.latest = {m.id: m for m in latest.members} if isinstance(latest, MemberList) else {}

    def close(self) -> None:
        if self._own:
            self.objects.close()

    def plain(self, name: str) -> bytes | None:
        """The plaintext of a blob (by id or `<commit>:<path>`), None when this key
        cannot open it or it is not a sound age file."""
        if name not in self._plain:
            data = self.objects.object(name, "blob")
            try:
                text = crypto.decrypt(data, self.log.store.identity) if data else None
            except (NoAccess, InvalidDocument):
                text = None
            self._plain[name] = text
        return self._plain[name]

    def document(self, name: str, rel: str) -> Document | None:
        """The document in a blob, None when it cannot be read; one bound to another
        log raises, since that is a rule broken, not a file unreadable."""
        key = (name, rel)
        if key not in self._docs:
            text = self.plain(name)
            doc = None
            if text is not None:
                try:
                    doc = self.parsed.get(text) or parse_document(text, rel, self.log.id)
                except InvalidDocument as exc:
                    if exc.key == "other_log":
                        raise
                if doc is not None and doc.path != rel:
                    doc = None  # the same text under another name is not this file
            self._docs[key] = doc
        return self._docs[key]

    def member(self, member_id: str) -> Member | None:
        return self.latest.get(member_id)

    def trust_members(self, blob: str) -> None:
        """Take members (and their keys) from the member list the last rule-keeping
        commit left, not from one a rule-breaking commit wrote."""
        kept = self.document(blob, MEMBERS) if blob else None
        self.latest = {m.id: m for m in kept.members} if isinstance(kept, MemberList) else {}


def check(
    log: Log,
    head: str,
    since: str | None = None,
    parsed: dict[bytes, Document] | None = None,
    objects: Snapshot | None = None,
) -> Outcome:
    """Every commit after `since` (from the first when None) up to `head`. Raises
    NoAccess when this key cannot open the member list: only members can check.
    `parsed` holds documents already read, by their plaintext; `objects` is a
    reader of the log's git objects to borrow."""
    checker = Checker(log, head, {} if parsed is None else parsed, objects)
    try:
        read = checker.objects.object
        changes = commits.changes(log.path, head, since, read) if since else []
        start = _start(changes)
        state = _state_at(checker, start) if start else State()
        if not since or (changes and not state.active):  # a state this key cannot open
            changes, start, state = commits.changes(log.path, head, objects=read), None, State()
        checker.excluded = [since] if since and start else []
        outcome = _walk(checker, state, changes)
        kept = outcome.tainted.get(MEMBERS)
        if kept is not None:  # today's member list is in doubt: lend no key from it
            checker.trust_members(kept)
            state = _state_at(checker, start) if start else State()
            outcome = _walk(checker, state, changes)
        return outcome
    finally:
        checker.close()


def _start(changes: list[commits.Commit]) -> str | None:
    """The verified commit the first new one stands on: its state judges it."""
    return changes[0].parents[0] if changes and changes[0].parents else None


def _walk(checker: Checker, state: State, commits: list[commits.Commit]) -> Outcome:
    problems: list[StafettError] = []
    failed: set[str] = set()
    good: dict[str, str] = {}  # path -> the blob the last rule-keeping commit left
    bad: set[str] = set()  # paths a rule-breaking commit changed last
    structural = False
    for commit in commits:
        commit = _against_kept(commit, good, bad)
        found = _check_commit(checker, state, commit)
        for entry in commit.entries:
            good.setdefault(entry.path, entry.old)
        if found:
            problems += found
            failed.add(commit.hash)
            bad |= {e.path for e in commit.entries if DOCUMENT_PATH.fullmatch(e.path)}
            structural |= len(commit.parents) > 1 or any(p.key in STRUCTURAL for p in found)
        else:
            good.update({e.path: e.new for e in commit.entries})
            bad -= {e.path for e in commit.entries}
    tainted = {path: good.get(path, "") for path in bad}
    return Outcome(checker.head, tuple(problems), frozenset(failed), tainted, structural)


def _against_kept(commit: commits.Commit, good: dict[str, str], bad: set[str]) -> commits.Commit:
    """A change to a file in doubt is judged against the version readers are shown
    (the kept one), not against what the rule-breaking commit wrote: otherwise a
    second commit that keeps the rules relative to a forgery would launder it."""
    entries = []
    for entry in commit.entries:
        if entry.path in bad:
            old = good.get(entry.path, "")
            if not old and not entry.new:
                continue
            status = "A" if not old else "D" if not entry.new else "M"
            entry = replace(entry, old=old, status=status)
        entries.append(entry)
    return replace(commit, entries=tuple(entries))


def _state_at(checker: Checker, sha: str) -> State:
    """The state a verified commit left, read from its own member list and profile."""
    state = State()
    members = checker.document(f"{sha}:{MEMBERS}", MEMBERS)
    profile = checker.document(f"{sha}:{PROFILE}", PROFILE)
    if isinstance(members, MemberList):
        _take_members(state, members)
    if isinstance(profile, LogProfile):
        state.coordinator, state.pending = profile.coordinator, profile.coordinator_pending or ""
    return state


def _check_commit(checker: Checker, state: State, commit: commits.Commit) -> list[StafettError]:
    short = commit.hash[:7]
    if len(commit.parents) > 2:
        return [InvalidDocument("commit_merge", commit=short)]
    if not commit.payload:
        return [InvalidDocument("commit_unreadable", commit=short)]
    try:
        signer = _signer(checker, state, commit)
    except InvalidDocument as exc:
        return [exc]
    if not commit.parents:
        return _first(checker, state, commit, signer)
    if signer not in state.active:
        return [InvalidDocument("commit_not_member", commit=short, member=_handle(checker, signer))]
    if _role(checker, state, signer) not in WRITER_ROLES:
        return [InvalidDocument("commit_read_only", commit=short, member=_handle(checker, signer))]
    if len(commit.parents) == 2:
        return _check_merge(checker, state, commit)
    found: list[StafettError] = []
    for entry in commit.entries:
        try:
            problem = _check_entry(checker, state, commit, signer, entry)
        except InvalidDocument as exc:  # a document bound to another log
            problem = InvalidDocument(f"commit_{exc.key}", file=entry.path, commit=short)
        if problem is not None:
            found.append(problem)
    if not found:
        _apply(checker, state, commit, signer)
    return found


def _check_merge(checker: Checker, state: State, commit: commits.Commit) -> list[StafettError]:
    """A merge (sync): every commit it brings in keeps the rules, judged by the
    state it stood on, and its files are what merging the two sides gives. A merge
    that fails puts the history in doubt: nothing it brought in can be told apart."""
    short, repo = commit.hash[:7], checker.log.path
    ours, theirs = commit.parents
    side_state, outcome = _walk_side(checker, state, ours, theirs)
    base = commits.merge_base(repo, ours, theirs)
    if outcome.problems or base is None:
        found = sorted(outcome.failed)[0][:7] if outcome.failed else short
        return [InvalidDocument("commit_merge_side", commit=short, side=found), *outcome.problems]
    lost = merges.standing(
        repo, commit, base, lambda sha: _standing_at(checker, sha), checker.document
    )
    if lost is not None:
        return [InvalidDocument("commit_merge_standing", commit=short, side=lost[:7])]
    wrong = _wrong_file(checker, commit, base)
    if wrong is not None:
        return [InvalidDocument("commit_merge_wrong", commit=short, file=shown_path(wrong))]
    _apply_merge(checker, state, commit, side_state)
    return []


def _walk_side(checker: Checker, state: State, ours: str, theirs: str) -> tuple[State, Outcome]:
    """The commits a merge brings in, each judged by the state it stood on."""
    side = commits.changes(
        checker.log.path, theirs, [ours, *checker.excluded], checker.objects.object
    )
    start = _start(side)
    side_state = _state_at(checker, start) if start else State()
    for member, key in state.keys.items():
        side_state.keys.setdefault(member, key)
    outer, checker.excluded = checker.excluded, [ours, *checker.excluded]
    try:
        return side_state, _walk(checker, side_state, side)
    finally:
        checker.excluded = outer


def _wrong_file(checker: Checker, commit: commits.Commit, base: str) -> str | None:
    """The first file not as merging the two sides gives, or a key changed."""
    repo = checker.log.path
    try:
        wrong = merges.check_tree(repo, commit.hash, base, commit.parents, checker.plain, repo.name)
    except InvalidDocument as exc:
        if exc.key != "other_log":
            raise
        return str(exc.params.get("file", "?"))
    members = checker.document(f"{commit.hash}:{MEMBERS}", MEMBERS)
    if wrong is None and isinstance(members, MemberList):
        parents = (checker.document(f"{p}:{MEMBERS}", MEMBERS) for p in commit.parents)
        if any(isinstance(old, MemberList) and _rekeyed(old, members) for old in parents):
            return MEMBERS
    return wrong


def _standing_at(checker: Checker, sha: str) -> tuple[set[str], str]:
    state = _state_at(checker, sha)
    return state.active, state.coordinator


def _apply_merge(checker: Checker, state: State, commit: commits.Commit, side: State) -> None:
    """The state a merge leaves: its merged member list and profile, with every key
    and author either side knew."""
    after = _state_at(checker, commit.hash)
    for member, key in side.keys.items():
        state.keys.setdefault(member, key)
    state.added_by = {**side.added_by, **state.added_by}
    state.active = after.active or (state.active | side.active)
    state.roles = after.roles or {**side.roles, **state.roles}
    if after.coordinator:
        state.coordinator, state.pending = after.coordinator, after.pending
    for m_id, key in after.keys.items():
        state.keys.setdefault(m_id, key)


def _signer(checker: Checker, state: State, commit: commits.Commit) -> str:
    """The member who signed. The author field is free text, so only a signature
    by a key recorded for that member counts."""
    short = commit.hash[:7]
    payload, signature = commit.payload, commit.signature
    if signature is None:
        raise InvalidDocument("commit_unsigned", commit=short)
    member = checker.member(commit.author)
    known = state.keys.get(commit.author) or (member.signing_key if member else None)
    if member is None and not known:
        raise InvalidDocument("commit_unknown_signer", commit=short)
    if not known:
        handle = member.handle if member else ids.short(commit.author)
        raise InvalidDocument("commit_key_not_recorded", commit=short, member=handle)
    if not signing.verify(known, signature, payload):
        raise InvalidDocument("commit_bad_signature", commit=short)
    return commit.author


def _first(
    checker: Checker, state: State, commit: commits.Commit, signer: str
) -> list[StafettError]:
    """A log's first commit: opened or imported, by the coordinator it names."""
    short = commit.hash[:7]
    if commit.action not in FIRST_ACTIONS:
        return [InvalidDocument("commit_not_first", commit=short)]
    profile = checker.document(f"{commit.hash}:{PROFILE}", PROFILE)
    members = checker.document(f"{commit.hash}:{MEMBERS}", MEMBERS)
    if isinstance(profile, LogProfile) and profile.coordinator != signer:
        return [InvalidDocument("commit_not_coordinator", commit=short)]
    if isinstance(members, MemberList):
        _take_members(state, members)
    else:  # opened before the verifier joined: the child and the one who opened it
        state.active = {signer} | {m.id for m in checker.latest.values() if m.role == "child"}
    state.coordinator = signer
    for entry in commit.entries:
        state.added_by[entry.path] = signer
        doc = _new(checker, commit, entry)
        if commit.action == "open" and doc is not None and doc.created_by != signer:
            return [InvalidDocument("commit_wrong_author", commit=short, file=entry.path)]
    return []


def _check_entry(
    checker: Checker,
    state: State,
    commit: commits.Commit,
    signer: str,
    entry: commits.Entry,
) -> StafettError | None:
    short, path = commit.hash[:7], entry.path
    coordinator = signer == state.coordinator
    kind = path.partition("/")[0] if "/" in path else ""
    if path in (PROFILE, MEMBERS):
        if entry.status != "M":
            return InvalidDocument("commit_forbidden_file", commit=short, file=path)
        return _check_root(checker, state, commit, signer, entry)
    if path in PLAIN_FILES or not kind or path.count("/") != 1 or not path.endswith(SUFFIX):
        return InvalidDocument("commit_forbidden_file", commit=short, file=shown_path(path))
    if kind in COORDINATOR_KINDS and not coordinator:
        return InvalidDocument("commit_not_coordinator", commit=short)
    if kind in FIRST_ONLY_KINDS:
        return InvalidDocument("commit_forbidden_file", commit=short, file=path)
    new = _new(checker, commit, entry)
    if entry.status == "A":
        if new is not None and new.created_by != signer:
            return InvalidDocument("commit_wrong_author", commit=short, file=path)
        return None
    old = checker.document(entry.old, path)
    author = old.created_by if old is not None else _adder(checker, state, commit, path)
    if new is not None and old is not None and new.created_by != old.created_by:
        return InvalidDocument("commit_wrong_author", commit=short, file=path)
    if signer == author or (author is None and coordinator):
        return None
    if author is None:  # nobody can say whose it was: only the coordinator may
        return InvalidDocument("commit_not_author", commit=short, file=path)
    return _check_others(checker, commit, entry, (old, new), coordinator)


def _check_others(
    checker: Checker,
    commit: commits.Commit,
    entry: commits.Entry,
    versions: tuple[Document | None, Document | None],
    coordinator: bool,
) -> StafettError | None:
    """A change to someone else's document: the coordinator's, or an evaluation's."""
    short, path = commit.hash[:7], entry.path
    kind, (old, new) = path.partition("/")[0], versions
    same = _same(checker, entry)
    if kind == "voice" and same is False:
        return InvalidDocument("commit_voice_changed", commit=short, file=path)
    sound = old is not None  # quarantine is for damage: a sound text is not taken out
    if kind == "voice" and entry.status == "D" and (commit.action != "quarantine" or sound):
        return InvalidDocument("commit_voice_changed", commit=short, file=path)
    if coordinator:
        if commit.action in REENCRYPTING and kind not in COORDINATOR_KINDS and same is False:
            return InvalidDocument("commit_content_changed", commit=short, file=path)
        return None
    evaluated = commit.action == "evaluate" and kind == "measure" and entry.status == "M"
    if evaluated and (old is None or new is None or _only(old, new, {"status", "evaluate_by"})):
        return None  # an evaluation brings its measure's status and due date along
    return InvalidDocument("commit_not_author", commit=short, file=path)


def _adder(checker: Checker, state: State, commit: commits.Commit, path: str) -> str | None:
    """Who added a file this key cannot open: from this walk, else from the commit
    that added it before, which a check passed earlier (its author signed it)."""
    if path in state.added_by:
        return state.added_by[path]
    sha = commits.added(checker.log.path, path, commit.parents[0])
    return commits.read_commit(checker.log.path, sha).author if sha else None


def _same(checker: Checker, entry: commits.Entry) -> bool | None:
    """Whether a change kept the text as it was; None when this key cannot tell."""
    if entry.status != "M":
        return None if entry.status == "D" else True
    before, after = checker.plain(entry.old), checker.plain(entry.new)
    return None if before is None or after is None else before == after


def _check_root(
    checker: Checker,
    state: State,
    commit: commits.Commit,
    signer: str,
    entry: commits.Entry,
) -> StafettError | None:
    """The profile and the member list: the coordinator's, with two exceptions
    whose content is checked where it can be read: the receiver of the baton takes
    it, and a member sets the level."""
    short = commit.hash[:7]
    old = checker.document(entry.old, entry.path)
    new = checker.document(entry.new, entry.path)
    moved = isinstance(old, LogProfile) and isinstance(new, LogProfile)
    moved = moved and _coordinator(old) != _coordinator(new)
    if moved and commit.action != "accept-coordinator":
        return _not_coordinator(short)
    if isinstance(old, MemberList) and isinstance(new, MemberList) and _rekeyed(old, new):
        return InvalidDocument("commit_key_changed", commit=short)
    if signer == state.coordinator:
        return None
    if commit.action == "accept-coordinator" and signer == state.pending:
        return None if _baton_taken(state, signer, old, new) else _not_coordinator(short)
    if commit.action == "level" and entry.path == PROFILE:
        if isinstance(old, LogProfile) and isinstance(new, LogProfile):
            return None if _only(old, new, {"level"}) else _not_coordinator(short)
        return None
    return _not_coordinator(short)


def _baton_taken(state: State, signer: str, old: Document | None, new: Document | None) -> bool:
    """The receiver's accept changes who holds the baton and the two roles only
    (unchecked where this key cannot read the versions)."""
    if isinstance(old, LogProfile) and isinstance(new, LogProfile):
        taken = replace(old, coordinator=signer, coordinator_pending=None)
        return new.to_data() == taken.to_data()
    if isinstance(old, MemberList) and isinstance(new, MemberList):
        roles = {state.coordinator: "professional", signer: "coordinator"}
        expected = [
            replace(m, role=roles.get(m.id, m.role)) if m.active else m for m in old.members
        ]
        return list(new.members) == expected
    return True


def _rekeyed(old: MemberList, new: MemberList) -> bool:
    """Whether a member's recorded keys change: a signing key once recorded, and
    the recipient, are that person's for good (both come from one age secret), so
    a new key in an old entry would let its holder sign as that member."""
    after = {m.id: m for m in new.members}
    return any(
        m.id in after
        and any(
            mine and theirs and mine != theirs
            for mine, theirs in (
                (m.signing_key, after[m.id].signing_key),
                (m.recipient, after[m.id].recipient),
            )
        )
        for m in old.members
    )


def _coordinator(doc: Document | None) -> str:
    return doc.coordinator if isinstance(doc, LogProfile) else ""


def _not_coordinator(short: str) -> StafettError:
    return InvalidDocument("commit_not_coordinator", commit=short)


def _only(old: Document, new: Document, fields: set[str]) -> bool:
    """Whether the two versions differ in no field but `fields`."""
    before, after = old.to_data(), new.to_data()
    return all(
        before.get(k) == after.get(k) for k in before.keys() | after.keys() if k not in fields
    )


def _new(checker: Checker, commit: commits.Commit, entry: commits.Entry) -> Document | None:
    return checker.document(entry.new, entry.path) if entry.new else None


def _apply(checker: Checker, state: State, commit: commits.Commit, signer: str) -> None:
    """What a commit that broke no rule changes in the state."""
    for entry in commit.entries:
        if entry.status == "A":
            state.added_by[entry.path] = signer
        elif entry.status == "D":
            state.added_by.pop(entry.path, None)
        if entry.path == MEMBERS:
            members = checker.document(entry.new, MEMBERS)
            if isinstance(members, MemberList):
                _take_members(state, members)
            else:
                _members_from_message(checker, state, commit)
        elif entry.path == PROFILE:
            profile = checker.document(entry.new, PROFILE)
            if isinstance(profile, LogProfile):
                state.coordinator = profile.coordinator
                state.pending = profile.coordinator_pending or ""
            elif commit.action == "accept-coordinator":
                state.coordinator, state.pending = signer, ""
            elif commit.action == "pass-coordinator":
                state.pending = _subject(checker, commit)


def _take_members(state: State, members: MemberList) -> None:
    state.active = {m.id for m in members.current}
    state.roles = {m.id: m.role for m in members.members}
    for m in members.members:
        if m.signing_key:
            state.keys.setdefault(m.id, m.signing_key)


def _members_from_message(checker: Checker, state: State, commit: commits.Commit) -> None:
    """A member list this key cannot open: its commit message says who came or left."""
    subject = _subject(checker, commit)
    if commit.action == "add-member" and subject:
        state.active.add(subject)
    elif commit.action == "remove-member":
        state.active.discard(subject)


def _subject(checker: Checker, commit: commits.Commit) -> str:
    short = commit.subject
    return next((i for i in checker.latest if short and i.startswith(short)), "")


def _role(checker: Checker, state: State, member_id: str) -> str:
    if member_id in state.roles:
        return state.roles[member_id]
    member = checker.member(member_id)
    return member.role if member else ""


def _handle(checker: Checker, member_id: str) -> str:
    member = checker.member(member_id)
    return member.handle if member else ids.short(member_id)


def shown_path(path: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in path[:120])
