"""A person's key file: an age X25519 identity, wrapped in age's passphrase format.

The wrapped file opens with the standard `age -d`. A plain key file as age-keygen
writes it is accepted too (scripts and tests). The public card lives beside the
key, in plain text, since it holds nothing secret.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from stafett import crypto
from stafett.clock import SYSTEM
from stafett.crypto import Identity
from stafett.errors import Conflict, NoAccess, NotFound, UsageError
from stafett.fsutil import write_atomic, write_text_atomic
from stafett.people import Card, card_text, make_card, read_card

Passphrase = str | Callable[[], str] | None


def default_identity_path(environ: Mapping[str, str] | None = None) -> Path:
    """The key in the user's config folder. Where the platform follows XDG, the
    command's own environment decides (an agent serves another environment than
    its own); elsewhere platformdirs does."""
    if environ is not None and sys.platform not in ("win32", "darwin"):
        xdg = environ.get("XDG_CONFIG_HOME", "").strip()
        home = environ.get("HOME", "").strip()
        if xdg or home:
            base = Path(xdg) if xdg else Path(home) / ".config"
            return base / "stafett" / "identity.age"
    from platformdirs import user_config_path

    return user_config_path("stafett", appauthor=False) / "identity.age"


def card_path(identity_path: Path) -> Path:
    return identity_path.with_name(identity_path.stem.split(".")[0] + ".card.yaml")


def new_key(
    path: Path,
    *,
    name: str,
    title: str,
    service: str | None = None,
    passphrase: str | None,
) -> Card:
    """Create a key and its card; refuse to overwrite either (a lost key loses access)."""
    card_file = card_path(path)
    for existing in (path, card_file):
        if existing.exists():
            raise Conflict("key_exists", file=str(existing))
    if passphrase is not None and len(passphrase) < 8:
        raise UsageError("passphrase_short")
    identity = crypto.generate()
    card = make_card(name=name, title=title, service=service, recipient=identity.recipient)
    card = Card(**{**card.__dict__, "signing_key": identity.signing_public_key()})
    key_text = crypto.key_file_text(identity, SYSTEM.now())
    if passphrase is None:
        write_text_atomic(path, key_text, private=True)
    else:
        write_atomic(path, crypto.wrap_with_passphrase(key_text.encode(), passphrase), private=True)
    write_text_atomic(card_file, card_text(card))
    return card


def load_identity(path: Path, passphrase: Passphrase = None) -> Identity:
    """Unlock a key file; a wrapped one costs 1.5-3 s of scrypt, so do it once."""
    try:
        data = path.read_bytes()
    except OSError:
        raise NotFound("identity_missing", file=str(path)) from None
    if crypto.is_age(data):
        if passphrase is None:
            raise NoAccess("passphrase_needed", file=path.name)
        secret = passphrase if isinstance(passphrase, str) else passphrase()
        data = crypto.unwrap_with_passphrase(data, secret)
    return crypto.parse_key_file(data.decode("utf-8", "replace"))


def show_card(path: Path) -> Card:
    """The public card beside the key (a bare age-keygen file has none)."""
    file = card_path(path)
    if not file.exists():
        raise NotFound("card_missing", file=file.name)
    return read_card(file)
