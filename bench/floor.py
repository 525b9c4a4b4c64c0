"""The raw floor for a report: read every document file of every log, decrypt it
with pyrage.decrypt_io, and parse it with the C YAML loader, on all cores in
processes. Nothing else: no validation, no typed documents, no rows.

    python bench/floor.py STORE KEY [KIND,KIND,...]
"""

from __future__ import annotations

import io
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pyrage
from ruamel.yaml.cyaml import CSafeLoader

SUFFIX = ".yaml.age"
IDENTITY: list[object] = []


def start(secret: str) -> None:
    IDENTITY[:] = [pyrage.x25519.Identity.from_str(secret)]


def files(log: Path, kinds: set[str] | None) -> list[Path]:
    if kinds is None:
        return [p for p in log.rglob(f"*{SUFFIX}") if ".git" not in p.parts]
    roots = [log / f"{k}{SUFFIX}" for k in kinds if (log / f"{k}{SUFFIX}").exists()]
    return roots + [p for k in kinds for p in (log / k).glob(f"*{SUFFIX}")]


def read(batch: list[str], kinds: set[str] | None) -> int:
    count = 0
    for folder in batch:
        for path in files(Path(folder), kinds):
            out = io.BytesIO()
            pyrage.decrypt_io(io.BytesIO(path.read_bytes()), out, IDENTITY)
            loader = CSafeLoader(out.getvalue())
            try:
                loader.get_single_data()
            finally:
                loader.dispose()
            count += 1
    return count


def main() -> None:
    store, key = Path(sys.argv[1]), Path(sys.argv[2])
    kinds = set(sys.argv[3].split(",")) if len(sys.argv) > 3 else None
    secret = next(s for s in key.read_text().split() if s.startswith("AGE-SECRET-KEY-1"))
    logs = sorted(str(p) for p in (store / "logs").iterdir())
    size = max(1, len(logs) // ((os.cpu_count() or 1) * 8))
    batches = [logs[i : i + size] for i in range(0, len(logs), size)]
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    with ProcessPoolExecutor(mp_context=get_context(method), initializer=start,
                             initargs=(secret,)) as pool:  # fmt: skip
        total = sum(pool.map(read, batches, [kinds] * len(batches)))
    print(total)


if __name__ == "__main__":
    main()
