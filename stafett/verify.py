"""`stafett verify`: every file decrypts, validates and sits where its id says.

A copy of a log may have been edited by hand or by a tool that knows nothing of
stafett; verify says what is wrong, file by file, without showing any content.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from stafett import crypto, history, signing
from stafett.documents import SUFFIX, Member, MemberList
from stafett.errors import InvalidDocument, NoAccess, StafettError
from stafett.fsutil import read_regular
from stafett.layout import ATTRIBUTES, MARKER_FILE, marker_text, parse_document

if TYPE_CHECKING:
    from stafett.log import Log

PLAIN_FILES = {".gitattributes", MARKER_FILE}
FIRST_ACTIONS = ("open", "import")  # a log's first commit: opened here, or imported


@dataclass(frozen=True)
class VerifyReport:
    log_id: str
    checked: int
    unreadable: int
    problems: tuple[StafettError, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_log(log: Log) -> VerifyReport:
    problems: list[StafettError] = []
    checked = unreadable = 0
    try:
        history.fsck(log.path)
    except StafettError as exc:
        problems.append(exc)
    if not history.is_clean(log.path):
        problems.append(InvalidDocument("uncommitted_changes", file=log.id))
    problems += [
        InvalidDocument("unexpected_git_state", file=log.short_id, thing=thing)
        for thing in history.odd_state(log.path)
    ]
    problems += [
        InvalidDocument("unexpected_git_setting", file=log.short_id, setting=setting)
        for setting in history.unexpected_settings(log.path)
    ]
    for file in sorted(log.path.rglob("*")):
        rel = file.relative_to(log.path)
        if rel.parts[0] == ".git" or file.is_dir():
            continue
        name = "".join(c if c.isprintable() else "?" for c in rel.as_posix())
        if file.is_symlink():
            problems.append(InvalidDocument("unexpected_file", file=name))
        elif name in PLAIN_FILES:
            problems.extend(_check_plain(log, name))
        elif not name.endswith(SUFFIX):
            problems.append(InvalidDocument("unexpected_file", file=name))
        else:
            try:
                plain = crypto.decrypt(read_regular(file, name), log.store.identity, name)
                parse_document(plain, name, log.id)
                checked += 1
            except NoAccess:
                unreadable += 1
            except StafettError as exc:
                problems.append(exc)
    problems += verify_history(log)
    return VerifyReport(log.id, checked, unreadable, tuple(problems))


def verify_history(log: Log) -> list[StafettError]:
    """Every commit signed by a member allowed to write at that point; membership
    changed only by the coordinator of the time. The member list at each change is
    read where the verifier's key opens it."""
    members = {m.id: m for m in log.members().members}
    problems: list[StafettError] = []
    active: set[str] = set()
    coordinator = pending = ""
    commits = list(reversed(history.log(log.path)))
    objects = history.read_commits(log.path, [c.hash for c in commits])
    for commit in commits:
        short = commit.hash[:7]
        try:
            signer = _signer(commit, members.get(commit.author), objects[commit.hash])
        except InvalidDocument as exc:
            problems.append(exc)
            continue
        action, _, rest = commit.message.partition(" ")
        kind, _, short_subject = rest.partition(" ")
        subject = _member_id(members, short_subject) if kind == "member" else ""
        touches_members = any(name == "members.yaml.age" for _, name in commit.files)
        if action in FIRST_ACTIONS and not coordinator:
            coordinator = signer.id
        elif signer.id not in active:
            problems.append(
                InvalidDocument("commit_not_member", commit=short, member=signer.id[:7])
            )
        elif action == "accept-coordinator" and subject == pending == signer.id:
            coordinator, pending = signer.id, ""
        elif touches_members and signer.id != coordinator:
            problems.append(InvalidDocument("commit_not_coordinator", commit=short))
        elif action == "pass-coordinator":
            pending = subject
        if touches_members:
            active = _active_at(log, commit.hash, active, action, subject or signer.id)
    return problems


def _signer(
    commit: history.Commit, author: Member | None, signed: tuple[bytes, str | None]
) -> Member:
    """The member who signed the commit. Authorship alone proves nothing: the author
    field is free text, so only a signature by that member's key counts."""
    payload, signature = signed
    if signature is None:
        raise InvalidDocument("commit_unsigned", commit=commit.hash[:7])
    if author is None or not author.signing_key:
        raise InvalidDocument("commit_unknown_signer", commit=commit.hash[:7])
    if not signing.verify(author.signing_key, signature, payload):
        raise InvalidDocument("commit_bad_signature", commit=commit.hash[:7])
    return author


def _active_at(log: Log, sha: str, before: set[str], action: str, subject: str) -> set[str]:
    """Who is a member after commit `sha`: from its member list where readable, else
    from what its message says."""
    try:
        data = history.git_bytes(log.path, "cat-file", "blob", f"{sha}:members.yaml.age")
        doc = parse_document(crypto.decrypt(data, log.store.identity), "members.yaml.age", log.id)
    except StafettError:
        if action in FIRST_ACTIONS:
            return {subject}
        if action == "add-member":
            return before | {subject}
        return before - {subject} if action == "remove-member" else before
    assert isinstance(doc, MemberList)
    return {m.id for m in doc.current}


def _member_id(members: dict[str, Member], short: str) -> str:
    return next((i for i in members if short and i.startswith(short)), "")


def _check_plain(log: Log, name: str) -> list[StafettError]:
    text = read_regular(log.path / name, name, 1 << 20).decode("utf-8", "replace")
    expected = ATTRIBUTES if name == ".gitattributes" else marker_text(log.id)
    return [] if text == expected else [InvalidDocument("unexpected_content", file=name)]


def allowed_signers(log: Log) -> str:
    """A file for git's gpg.ssh.allowedSignersFile: every member who ever signed.

    Principals are the pseudonymous member ids that stafett writes as commit authors.
    """
    lines = [
        f'{m.id} namespaces="git" {m.signing_key}' for m in log.members().members if m.signing_key
    ]
    return "".join(line + "\n" for line in lines)
