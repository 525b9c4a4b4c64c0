"""A person's key file: an age X25519 identity, wrapped in age's passphrase format.

The wrapped file opens with the standard `age -d`. A plain key file as age-keygen
writes it is accepted too (scripts and tests). The public card lives beside the
key, in plain text, since it holds nothing secret.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from stafett import crypto
from stafett.clock import SYSTEM
from stafett.crypto import Identity
from stafett.errors import Conflict, NoAccess, NotFound, UsageError
from stafett.fsutil import write_atomic, write_text_atomic
from stafett.people import Card, card_text, make_card, person_by_recipient, read_card

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


def show_card(
    path: Path,
    identity: Callable[[], Identity],
    *,
    people: Callable[[], Sequence[Card]] = tuple,
    name: str | None = None,
    title: str | None = None,
    service: str | None = None,
) -> Card:
    """A complete card for the key in `path`, plain age-keygen files included: the
    recipient and the signing key derived from the key; name, title and service from
    the card beside the key, else from the people.yaml entry with this recipient,
    else from `name`, `title` and `service`. A passphrase-wrapped key's card was
    written with it, complete, by `new_key`, so showing it asks for no passphrase."""
    file = card_path(path)
    beside = read_card(file) if file.exists() else None
    if beside is not None and beside.signing_key and _is_wrapped(path):
        return beside
    unlocked = identity()
    if beside is not None and beside.recipient != unlocked.recipient:
        raise Conflict("card_not_for_key", file=file.name)
    known = beside or person_by_recipient(people(), unlocked.recipient)
    if known is None:
        if not name or not title:
            raise UsageError("card_needs_name")
        known = make_card(name=name, title=title, service=service, recipient=unlocked.recipient)
    return replace(known, signing_key=unlocked.signing_public_key())


def _is_wrapped(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return crypto.is_age(fh.read(len(crypto.ARMOR_MAGIC)))
    except OSError:
        raise NotFound("identity_missing", file=str(path)) from None
