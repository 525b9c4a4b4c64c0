"""Ed25519 signing keys derived from a person's age secret.

One secret gives two independent keys (HKDF-SHA256 with a fixed, versioned info
string), so any age identity, passphrase-wrapped or a plain age-keygen file, is a
complete stafett identity. Commit signing itself builds on this (SSHSIG).
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
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
