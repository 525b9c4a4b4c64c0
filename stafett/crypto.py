"""age encryption: the only module that imports pyrage.

Keys travel as strings (pyrage objects cannot be pickled and compare by identity);
the pyrage objects are built once per string and cached.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

import pyrage
from pyrage import x25519

from stafett.errors import InvalidDocument, NoAccess, UsageError

AGE_MAGIC = b"age-encryption.org/v1\n"
ARMOR_MAGIC = b"-----BEGIN AGE ENCRYPTED FILE-----"
SECRET_PREFIX = "AGE-SECRET-KEY-1"
RECIPIENT_PREFIX = "age1"


@dataclass(frozen=True)
class Identity:
    """A person's age X25519 key; `secret` never appears in repr or logs."""

    secret: str = field(repr=False)
    recipient: str
    _native: Any = field(repr=False, compare=False, hash=False, default=None)

    @property
    def native(self) -> Any:
        return self._native if self._native is not None else _identity(self.secret)

    def sign(self, payload: bytes) -> str:
        """An SSH signature (SSHSIG, namespace git) by the key derived from this secret."""
        from stafett.signing import sign

        return sign(self.secret, payload)

    def signing_public_key(self) -> str:
        """The OpenSSH public key of the Ed25519 key derived from this secret."""
        from stafett.signing import public_key_line

        return public_key_line(self.secret)


def generate() -> Identity:
    native = x25519.Identity.generate()
    return Identity(str(native), str(native.to_public()), native)


def identity_from_secret(secret: str) -> Identity:
    try:
        native = _identity(secret)
    except pyrage.IdentityError:
        raise NoAccess("key_file_corrupt") from None
    return Identity(secret, str(native.to_public()), native)


def parse_key_file(text: str) -> Identity:
    """Read a key file as age-keygen writes it: comments, then one secret key line."""
    secrets = [line.strip() for line in text.splitlines() if line.startswith(SECRET_PREFIX)]
    if len(secrets) != 1:
        raise NoAccess("key_file_corrupt")
    return identity_from_secret(secrets[0])


def key_file_text(identity: Identity, created: datetime) -> str:
    return (
        f"# created: {created.isoformat(timespec='seconds')}\n"
        f"# public key: {identity.recipient}\n"
        f"{identity.secret}\n"
    )


def is_age(data: bytes) -> bool:
    return data.startswith(AGE_MAGIC) or data.startswith(ARMOR_MAGIC)


def wrap_with_passphrase(plaintext: bytes, passphrase: str) -> bytes:
    return bytes(pyrage.passphrase.encrypt(plaintext, passphrase))


def unwrap_with_passphrase(data: bytes, passphrase: str) -> bytes:
    try:
        return bytes(pyrage.passphrase.decrypt(data, passphrase))
    except pyrage.DecryptError:
        raise NoAccess("wrong_passphrase") from None


def check_recipient(recipient: str) -> str:
    recipient = recipient.strip()
    try:
        _recipient(recipient)
    except (pyrage.RecipientError, ValueError):
        raise UsageError("bad_recipient") from None
    return recipient


def encrypt(plaintext: bytes, recipients: Iterable[str]) -> bytes:
    natives = [_recipient(r) for r in sorted(set(recipients))]
    if not natives:
        raise UsageError("no_recipients")
    return bytes(pyrage.encrypt(plaintext, natives))


def decrypt(ciphertext: bytes, identity: Identity, name: str = "") -> bytes:
    """Decrypt with decrypt_io, measured 2-10x faster than decrypt(bytes).

    decrypt_io raises OSError, not DecryptError, when the payload is damaged."""
    if not is_age(ciphertext):
        raise InvalidDocument("not_encrypted", file=name)
    out = io.BytesIO()
    try:
        pyrage.decrypt_io(io.BytesIO(ciphertext), out, [identity.native])
    except pyrage.DecryptError as exc:
        if "No matching keys" in str(exc):
            raise NoAccess("not_for_you", file=name) from None
        raise InvalidDocument("corrupt_file", file=name) from None
    except OSError:
        raise InvalidDocument("corrupt_file", file=name) from None
    return out.getvalue()


def can_decrypt(ciphertext: bytes, identity: Identity) -> bool:
    try:
        decrypt(ciphertext, identity)
    except NoAccess:
        return False
    return True


@lru_cache(maxsize=4096)
def _recipient(recipient: str) -> Any:
    return x25519.Recipient.from_str(recipient)


@lru_cache(maxsize=64)
def _identity(secret: str) -> Any:
    return x25519.Identity.from_str(secret)
