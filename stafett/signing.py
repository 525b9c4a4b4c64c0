"""Ed25519 signing keys derived from a person's age secret.

One secret gives two independent keys (HKDF-SHA256 with a fixed, versioned info
string), so any age identity, passphrase-wrapped or a plain age-keygen file, is a
complete stafett identity. Commit signing itself builds on this (SSHSIG).
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

INFO = b"stafett/v1/signing-key"


def signing_key(age_secret: str) -> Ed25519PrivateKey:
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(
        age_secret.strip().upper().encode("ascii")
    )
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key_line(age_secret: str) -> str:
    public = signing_key(age_secret).public_key()
    raw = public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return raw.decode("ascii")


# SSHSIG (OpenSSH PROTOCOL.sshsig), the signature format git verifies for
# gpg.format=ssh: an Ed25519 signature over a blob that binds namespace and hash.
MAGIC = b"SSHSIG"
NAMESPACE = b"git"
HASH = b"sha512"
BEGIN = "-----BEGIN SSH SIGNATURE-----"
END = "-----END SSH SIGNATURE-----"


def sign(age_secret: str, message: bytes) -> str:
    """An armored SSH signature of `message`, as git puts in a commit's gpgsig."""
    key = signing_key(age_secret)
    raw_public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    signature = key.sign(_signed_blob(message))
    blob = (
        MAGIC
        + (1).to_bytes(4, "big")
        + _string(_string(b"ssh-ed25519") + _string(raw_public))
        + _string(NAMESPACE)
        + _string(b"")
        + _string(HASH)
        + _string(_string(b"ssh-ed25519") + _string(signature))
    )
    encoded = base64.b64encode(blob).decode("ascii")
    lines = [encoded[i : i + 70] for i in range(0, len(encoded), 70)]
    return "\n".join([BEGIN, *lines, END])


def verify(public_key_line: str, armored: str, message: bytes) -> bool:
    """True when `armored` is a valid git-namespace SSHSIG of `message` by that key."""
    try:
        blob = base64.b64decode("".join(armored.strip().splitlines()[1:-1]), validate=True)
        if not blob.startswith(MAGIC) or blob[6:10] != (1).to_bytes(4, "big"):
            return False
        fields, _ = _read_strings(blob, 10, 5)
        public, namespace, _reserved, hash_name, signature = fields
        if namespace != NAMESPACE or hash_name != HASH:
            return False
        (key_type, raw_public), _ = _read_strings(public, 0, 2)
        (sig_type, raw_signature), _ = _read_strings(signature, 0, 2)
        expected = _raw_public(public_key_line)
        if key_type != b"ssh-ed25519" or sig_type != b"ssh-ed25519" or raw_public != expected:
            return False
        Ed25519PublicKey.from_public_bytes(raw_public).verify(raw_signature, _signed_blob(message))
    except (ValueError, IndexError, InvalidSignature, binascii.Error):
        return False
    return True


def _signed_blob(message: bytes) -> bytes:
    digest = hashlib.sha512(message).digest()
    return MAGIC + _string(NAMESPACE) + _string(b"") + _string(HASH) + _string(digest)


def _raw_public(public_key_line: str) -> bytes:
    kind, data = public_key_line.split()[:2]
    (key_type, raw), _ = _read_strings(base64.b64decode(data), 0, 2)
    if kind != "ssh-ed25519" or key_type != b"ssh-ed25519":
        raise ValueError("not an Ed25519 key")
    return raw


def _string(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def _read_strings(data: bytes, offset: int, count: int) -> tuple[list[bytes], int]:
    out = []
    for _ in range(count):
        size = int.from_bytes(data[offset : offset + 4], "big")
        if offset + 4 + size > len(data):
            raise ValueError("truncated")
        out.append(data[offset + 4 : offset + 4 + size])
        offset += 4 + size
    return out, offset
