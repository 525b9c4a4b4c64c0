"""`stafett verify`: every file decrypts, validates and sits where its id says.

A copy of a log may have been edited by hand or by a tool that knows nothing of
stafett; verify says what is wrong, file by file, without showing any content.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from stafett import commits, crypto, history, rights, trust
from stafett.documents import SUFFIX, Document
from stafett.errors import InvalidDocument, NoAccess, StafettError
from stafett.fsutil import read_regular
from stafett.layout import ATTRIBUTES, MARKER_FILE, marker_text, parse_document

if TYPE_CHECKING:
    from stafett.log import Log

PLAIN_FILES = {".gitattributes", MARKER_FILE}


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
    parsed: dict[bytes, Document] = {}  # by plaintext: history holds most of them again
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
                parsed[plain] = parse_document(plain, name, log.id)
                checked += 1
            except NoAccess:
                unreadable += 1
            except StafettError as exc:
                problems.append(exc)
    problems += verify_history(log, parsed)
    return VerifyReport(log.id, checked, unreadable, tuple(problems))


def verify_history(log: Log, parsed: dict[bytes, Document] | None = None) -> list[StafettError]:
    """Every commit by the rights model (stafett.rights), and the history still
    containing what this user verified before. What the check found (which files
    are in doubt) is what later reads go by."""
    head = history.head(log.path)
    if head is None:
        return []
    seen = log.store.verified.get(log.id)
    outcome = rights.check(log, head, parsed=parsed)
    if seen is not None and not commits.contains(log.path, seen.head, head):
        rewound = InvalidDocument("history_rewound", log=log.short_id, commit=seen.head[:7])
        return [rewound, *outcome.problems]
    trust.verified(log, outcome)
    return list(outcome.problems)


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
