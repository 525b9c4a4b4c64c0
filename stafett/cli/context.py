"""What every command gets: the outside world it runs in, the chosen store, the
caller's key, and the output settings.

The outside world (environment variables, working folder, standard streams,
whether they are terminals, the clock) is one `Environment` value passed to
`main`, as httpie does: the agent hands each request its client's environment,
and tests run the CLI in-process, without touching the process's own.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from stafett.clock import Clock, from_environ
from stafett.errors import NoAccess, UsageError
from stafett.render.text import damaged_text, json_text, visible
from stafett.values import utf8_text

if TYPE_CHECKING:
    from stafett.crypto import Identity
    from stafett.store import Store

IdentityCache = dict[str, tuple[int, "Identity"]]
LogArg = Annotated[str, typer.Argument(help="Loggens id (de første tegnene holder).")]


@dataclass
class Environment:
    """The world one command runs in; `identities` is an agent's cache of keys."""

    environ: Mapping[str, str]
    cwd: Path
    stdin: TextIO
    stdout: TextIO
    stderr: TextIO
    stdin_isatty: bool = False
    stderr_isatty: bool = False
    clock: Clock | None = None  # None: from STAFETT_NOW, else the system clock
    identities: IdentityCache | None = None

    @classmethod
    def from_process(cls) -> Environment:
        environ = dict(os.environ)
        return cls(
            environ=environ,
            cwd=Path.cwd(),
            stdin=sys.stdin,
            stdout=sys.stdout,
            stderr=sys.stderr,
            stdin_isatty=_isatty(sys.stdin),
            stderr_isatty=_isatty(sys.stderr),
        )


@dataclass
class Env:
    """One command's settings: the global options, resolved, and its Environment."""

    store_path: Path | None
    identity_path: Path | None
    json: bool
    lang: str
    debug: bool
    io: Environment
    _identity: Identity | None = None
    _stores: list[Store] = field(default_factory=list)

    @property
    def environ(self) -> Mapping[str, str]:
        return self.io.environ

    @property
    def clock(self) -> Clock:
        """Read when a command first needs it, so a bad STAFETT_NOW is reported by
        the one error handler like any other mistake."""
        if self.io.clock is None:
            self.io.clock = from_environ(self.environ)
        return self.io.clock

    @property
    def key_path(self) -> Path:
        from stafett.keys import default_identity_path

        return self.identity_path or default_identity_path(self.environ)

    def path(self, given: Path) -> Path:
        """A path as the user typed it, relative to the folder they typed it in."""
        expanded = given.expanduser()
        return expanded if expanded.is_absolute() else self.io.cwd / expanded

    def passphrase(self) -> str:
        value = self.environ.get("STAFETT_PASSPHRASE")
        if value is not None:
            return value
        if not self.io.stdin_isatty:
            raise NoAccess("no_tty_passphrase")
        return getpass.getpass("Passordfrase: " if self.lang == "nb" else "Passphrase: ")

    def identity(self) -> Identity:
        """Unlock the key once per process; a wrapped key costs seconds of scrypt."""
        if self._identity is None:
            self._identity = self._cached_identity()
        return self._identity

    def _cached_identity(self) -> Identity:
        """An agent passes a cache of unlocked keys; a changed key file is read anew."""
        from stafett.keys import load_identity

        path = self.key_path.resolve()
        cache = self.io.identities
        if cache is None:
            return load_identity(path, self.passphrase)
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            return load_identity(path, self.passphrase)
        cached = cache.get(str(path))
        if cached is None or cached[0] != stamp:
            cached = (stamp, load_identity(path, self.passphrase))
            cache[str(path)] = cached
        return cached[1]

    def store(self) -> Store:
        from stafett.store import Store
        from stafett.trust import default_state_path

        root = self.store_path or self.io.cwd
        state = default_state_path(self.environ)
        store = Store.open(root, identity=self.identity, clock=self.clock, state=state)
        self._stores.append(store)
        return store

    def report_damaged(self) -> None:
        """After the command, whatever it did: each damaged document it skipped."""
        seen: set[tuple[str, str]] = set()
        for store in self._stores:
            for found in store.damaged:
                if (found.log_id, found.path) not in seen:
                    seen.add((found.log_id, found.path))
                    self.warn(damaged_text(found, self.lang))

    def out(self, text: str) -> None:
        """Everything a command prints goes here or to `warn`: text from a log or a
        bundle was typed by someone, so control characters show, never act."""
        self.io.stdout.write(visible(text) + "\n")

    def warn(self, text: str) -> None:
        self.io.stderr.write(visible(text) + "\n")

    def emit(self, value: Any, human: str) -> None:
        """JSON for scripts with --json, else the text for people."""
        self.out(json_text(value) if self.json else human)


def env_of(ctx: typer.Context) -> Env:
    """The Env the main callback made; every command runs below it."""
    obj = ctx.find_root().obj
    assert isinstance(obj, Env), "commands run under the main callback"
    return obj


def emit(env: Env, value: Any, human: str) -> None:
    env.emit(value, human)


def option_text(env: Env, value: str | None) -> str | None:
    """`@FILE` reads text from a file, as curl and gh do; anything else is the text."""
    if value is None or not value.startswith("@"):
        return value
    path = env.path(Path(value[1:]))
    try:
        raw = path.read_bytes()
    except OSError:
        raise UsageError("bad_minutes_file", file=path.name) from None
    return utf8_text(raw, path.name)


def _isatty(stream: TextIO | None) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError):
        return False
