"""git textconv: key holders see decrypted YAML in `git log -p` and `git diff`.

Never enable `diff.stafett.cachetextconv`: git would store the plaintext in the
repository's notes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from stafett import crypto
from stafett.crypto import Identity
from stafett.errors import StafettError


def textconv(file: Path, identity: Callable[[], Identity]) -> str:
    data = file.read_bytes()
    if not data:
        return ""
    try:
        return crypto.decrypt(data, identity(), file.name).decode("utf-8", "replace")
    except StafettError as exc:
        return f"# {exc.message()}\n"
