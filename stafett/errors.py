"""One error tree for everything a user can fix, so the CLI has one place to catch.

Messages are looked up in the catalogue by key and never include case data
(names, free text): only field names, file names, ids and handles.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from stafett.i18n import DEFAULT_LANGUAGE, text


class ExitCode(IntEnum):
    """Exit codes of the CLI; documented in README.md."""

    OK = 0
    ERROR = 1
    USAGE = 2
    INVALID = 3
    NO_ACCESS = 4
    CONFLICT = 5
    NOT_FOUND = 6


class StafettError(Exception):
    """Something the user can fix; the message says what and where."""

    exit_code = ExitCode.ERROR

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self, lang: str = DEFAULT_LANGUAGE) -> str:
        params = dict(self.params)
        if "what" in params:
            params["what"] = text(f"ui.kind.{params['what']}", lang)
        for key, value in params.items():
            if isinstance(value, StafettError):  # the reason behind this one
                params[key] = value.message(lang)
        return text(self.key, lang, **params)

    def __str__(self) -> str:
        return self.message()


class UsageError(StafettError):
    """A value given on the command line or to the API is not acceptable."""

    exit_code = ExitCode.USAGE


class InvalidDocument(StafettError):
    """A stored document or file is corrupt, unexpected or breaks its schema."""

    exit_code = ExitCode.INVALID


class NoAccess(StafettError):
    """The caller's key cannot open what was asked for."""

    exit_code = ExitCode.NO_ACCESS


class Conflict(StafettError):
    """The request clashes with what exists: a duplicate, an ambiguous id, a lock."""

    exit_code = ExitCode.CONFLICT


class NotFound(StafettError):
    """An id, handle or file that was named does not exist."""

    exit_code = ExitCode.NOT_FOUND


# The whole log is at fault, not one document: no document is skipped for these.
LOG_DAMAGE = (
    "git_broken",
    "git_stalled",
    "head_moved",
    "log_too_many_files",
    "history_rewound",
    "log_unverified",
)
