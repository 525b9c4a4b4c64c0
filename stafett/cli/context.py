"""What every command gets: the chosen store, the caller's key, output settings.

The environment is read once here and injected, so tests need no monkeypatching
and the core never looks at os.environ.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stafett.errors import NoAccess, UsageError

if TYPE_CHECKING:
    from stafett.crypto import Identity
    from stafett.store import Store

IdentityCache = dict[str, tuple[int, "Identity"]]
LogArg = Annotated[str, typer.Argument(help="Loggens id (de første tegnene holder).")]


@dataclass
class Env:
    store_path: Path | None
    identity_path: Path | None
    json: bool
    lang: str
    debug: bool
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    identities: IdentityCache | None = None
    _identity: Identity | None = None

    @property
    def key_path(self) -> Path:
        from stafett.keys import default_identity_path

        return self.identity_path or default_identity_path()

    def passphrase(self) -> str:
        value = self.environ.get("STAFETT_PASSPHRASE")
        if value is not None:
            return value
        if not sys.stdin.isatty():
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
        if self.identities is None:
            return load_identity(path, self.passphrase)
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            return load_identity(path, self.passphrase)
        cached = self.identities.get(str(path))
        if cached is None or cached[0] != stamp:
            cached = (stamp, load_identity(path, self.passphrase))
            self.identities[str(path)] = cached
        return cached[1]

    def store(self) -> Store:
        from stafett.store import Store

        return Store.open(self.store_path or Path.cwd(), identity=self.identity)

    def out(self, text: str) -> None:
        typer.echo(text)

    def warn(self, text: str) -> None:
        typer.echo(text, err=True)


def env_of(ctx: typer.Context) -> Env:
    """The Env the main callback made; every command runs below it."""
    obj = ctx.find_root().obj
    assert isinstance(obj, Env), "commands run under the main callback"
    return obj


def option_text(value: str | None, field_name: str) -> str | None:
    """`@FILE` reads text from a file, as curl and gh do; anything else is the text."""
    if value is None or not value.startswith("@"):
        return value
    path = Path(value[1:]).expanduser()
    try:
        return path.read_text("utf-8")
    except OSError:
        raise UsageError("bad_minutes_file", file=path.name) from None
