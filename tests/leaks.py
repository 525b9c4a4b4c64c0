"""Scan a log folder and every git object for plaintext that must not be there."""

from __future__ import annotations

import subprocess
from pathlib import Path

from stafett.crypto import is_age

PLAIN_BLOBS = (b"*.age binary diff=stafett\n", b"format_version: 1\nlog_id: ")


def git_objects(repo: Path) -> list[tuple[str, bytes]]:
    """Every object in the repository, decompressed, with its type."""
    out = subprocess.run(
        ["git", "cat-file", "--batch-all-objects", "--batch"],
        cwd=repo,
        capture_output=True,
        check=True,
    ).stdout
    objects, pos = [], 0
    while pos < len(out):
        header_end = out.index(b"\n", pos)
        _sha, kind, size = out[pos:header_end].split()
        start = header_end + 1
        objects.append((kind.decode(), out[start : start + int(size)]))
        pos = start + int(size) + 1
    return objects


def leaks(repo: Path, needles: list[str]) -> list[str]:
    """Where any needle occurs outside age files; an empty list means no leak."""
    encoded = [(n, n.encode("utf-8")) for n in needles]
    found = []
    for file in sorted(repo.rglob("*")):
        if file.is_file() and not file.name.endswith(".age"):
            data = file.read_bytes()
            found += [f"{file.relative_to(repo)}: {n}" for n, b in encoded if b in data]
    for i, (kind, obj) in enumerate(git_objects(repo)):
        found += [f"git {kind} {i}: {n}" for n, b in encoded if b in obj]
    return found


def plaintext_blobs(repo: Path) -> list[bytes]:
    """Blobs that are neither age files nor the two known plain files."""
    return [
        obj[:40]
        for kind, obj in git_objects(repo)
        if kind == "blob" and not is_age(obj) and not obj.startswith(PLAIN_BLOBS)
    ]
