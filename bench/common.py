"""Shared helpers for the benchmarks: a fictional store, timing, and medians."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from stafett import Card, Log, Store
from stafett.keys import new_key


def make_store(root: Path) -> tuple[Path, Log]:
    """A store with one coordinator (plain key, as scripts use) and one open log."""
    nora = new_key(root / "nora.key", name="Nora Bench", title="lærer", passphrase=None)
    recovery = new_key(root / "recovery.key", name="Kommunen", title="nøkkel", passphrase=None)
    Store.init(root / "store", municipality="Benchvik", recovery=recovery.recipient, card=nora)
    store = Store.open(root / "store", identity=root / "nora.key", state=state_path(root))
    log = store.open_log(
        child_name="Åse Ødegård", born="2016-04-12", school="Bjørkly skole", grade=4
    )
    return root / "nora.key", log


def consented_person(root: Path, log: Log, handle: str, title: str, service: str) -> Card:
    """A professional in people.yaml whose service the child's consent covers."""
    card = new_key(
        root / f"{handle}.key",
        name=f"{handle.title()} Bench",
        title=title,
        service=service,
        passphrase=None,
    )
    log.store.add_person(card, handle)
    log.add_consent(given_by="åse", services=service, valid_until="2099-12-31", child_heard=True)
    return card


def stafett_env(root: Path, key: Path) -> dict[str, str]:
    """The environment of a user's machine: Python may cache bytecode. (This
    workplace sets PYTHONDONTWRITEBYTECODE, which makes every start compile
    stafett's modules anew and would measure that instead.)"""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(STAFETT_STORE=str(root / "store"), STAFETT_IDENTITY=str(key))
    env["XDG_STATE_HOME"] = str(state_path(root).parent)
    return env


def state_path(root: Path) -> Path:
    """Where the bench's user keeps what they verified: inside the bench's folder."""
    return root / "state" / "stafett"


def compile_package() -> None:
    import compileall

    import stafett

    compileall.compile_dir(str(Path(stafett.__file__).parent), quiet=1)


def timed(cmd: list[str], env: dict[str, str], stdin: bytes | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, input=stdin, capture_output=True, check=True)
    return time.perf_counter() - start


def stafett_cmd(*args: str) -> list[str]:
    exe = Path(sys.executable).with_name("stafett")
    return [str(exe), *args] if exe.exists() else [sys.executable, "-m", "stafett", *args]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def median(values: list[float]) -> float:
    return statistics.median(values)
