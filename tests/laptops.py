"""Laptops for the sync tests: each person with their own store and their own
memory of what they verified, syncing through a real bare repository. The story:
Åse (9) at Bjørkly skole. Nora, her teacher, holds the baton on her laptop; Kari,
the school nurse, joins from hers."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stafett.keys import load_identity
from tests.team import make_team
from tests.world import Result, World


@dataclass
class Laptop:
    world: World
    actor: str
    name: str

    @property
    def store(self) -> Path:
        return self.world.store_path if self.name == "main" else self.world.root / self.name

    def env(self) -> dict[str, str]:
        return {"STAFETT_STORE": str(self.store), "XDG_STATE_HOME": str(self.state)}

    @property
    def state(self) -> Path:
        return self.world.root / ("state" if self.name == "main" else f"state-{self.name}")

    def run(self, *args: str, code: int = 0) -> Result:
        return self.world.run(self.actor, *args, code=code, extra=self.env())

    def json(self, *args: str, code: int = 0) -> Any:
        return json.loads(self.run("--json", *args, code=code).out)

    def log_dir(self, log_id: str) -> Path:
        return self.store / "logs" / log_id

    def head(self, log_id: str) -> str:
        return git(self.log_dir(log_id), "rev-parse", "HEAD")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout.strip()


def join(world: World, actor: str, name: str, url: str) -> Laptop:
    """A second laptop: its own store for the same municipality, the log cloned."""
    laptop = Laptop(world, actor, name)
    recovery = load_identity(world.key_files["recovery"]).recipient
    world.run(
        actor,
        "init",
        str(laptop.store),
        "--municipality",
        "Testvik kommune",
        "--recovery",
        recovery,
        extra=laptop.env(),
    )
    laptop.run("clone", url)
    return laptop


def two_laptops(world: World, url: str) -> tuple[Laptop, Laptop, str]:
    """Nora's laptop with the log, pushed to `url`; Kari's laptop with a clone."""
    _, log_id = make_team(world)
    nora = Laptop(world, "nora", "main")
    nora.run("remote", "set", log_id[:6], url)
    nora.run("sync", log_id[:6])
    kari = join(world, "kari", "kari-laptop", url)
    return nora, kari, log_id


def measures(laptop: Laptop, log_id: str) -> dict[str, dict[str, Any]]:
    found = laptop.json("measure", "list", log_id[:6])
    return {m["measure"]["title"]: m["measure"] for m in found}
