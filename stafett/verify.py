"""`stafett verify`: every file decrypts, validates and sits where its id says.

A copy of a log may have been edited by hand or by a tool that knows nothing of
stafett; verify says what is wrong, file by file, without showing any content.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from stafett import crypto, history
from stafett.documents import SUFFIX
from stafett.errors import InvalidDocument, NoAccess, StafettError
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
    try:
        history.fsck(log.path)
    except StafettError as exc:
        problems.append(exc)
    if not history.is_clean(log.path):
        problems.append(InvalidDocument("uncommitted_changes", file=log.id))
    for file in sorted(log.path.rglob("*")):
        rel = file.relative_to(log.path)
        if rel.parts[0] == ".git" or file.is_dir():
            continue
        name = rel.as_posix()
        if file.is_symlink():
            problems.append(InvalidDocument("unexpected_file", file=name))
        elif name in PLAIN_FILES:
            problems.extend(_check_plain(log, name))
        elif not name.endswith(SUFFIX):
            problems.append(InvalidDocument("unexpected_file", file=name))
        else:
            try:
                plain = crypto.decrypt(file.read_bytes(), log.store.identity, name)
                parse_document(plain, name, log.id)
                checked += 1
            except NoAccess:
                unreadable += 1
            except StafettError as exc:
                problems.append(exc)
    return VerifyReport(log.id, checked, unreadable, tuple(problems))


def _check_plain(log: Log, name: str) -> list[StafettError]:
    text = (log.path / name).read_text("utf-8", "replace")
    expected = ATTRIBUTES if name == ".gitattributes" else marker_text(log.id)
    return [] if text == expected else [InvalidDocument("unexpected_content", file=name)]
