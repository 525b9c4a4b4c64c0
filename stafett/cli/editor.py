"""Writing longer text in the user's editor, keeping the plaintext off the disk
where the system allows it (/dev/shm is memory); the file is wiped afterwards."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from stafett.errors import UsageError


def edit_text(environ: Mapping[str, str], initial: str = "") -> str:
    editor = (
        environ.get("VISUAL")
        or environ.get("EDITOR")
        or ("notepad" if sys.platform == "win32" else "vi")
    )
    memory = Path("/dev/shm")
    folder = str(memory) if memory.is_dir() and os.access(memory, os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix="stafett-", dir=folder) as tmp:
        file = Path(tmp) / "tekst.txt"
        file.write_text(initial, encoding="utf-8")
        try:
            done = subprocess.run(
                [*shlex.split(editor, posix=os.name != "nt"), str(file)], check=False
            )
            text = file.read_text(encoding="utf-8")
        finally:
            size = file.stat().st_size if file.exists() else 0
            if size:
                file.write_bytes(b"\0" * size)
        if done.returncode != 0:
            raise UsageError("editor_failed")
    return text
