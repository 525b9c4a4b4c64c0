"""A small world for tests: people with real age keys, a store, and the real CLI.

The CLI runs in this process through its real entry point, with an environment of
its own (variables, folder, streams, clock), as the agent runs it. A world made
with `processes=True` runs `python -m stafett` instead, for what only a real
process shows: the agent, crashes, terminals, concurrency.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from stafett import Store, history
from stafett.cli.context import Environment
from stafett.cli.entry import main
from stafett.clock import ENV_VAR, SYSTEM, from_environ
from stafett.crypto import Identity
from stafett.keys import load_identity

# The date the tests' story is told at, unless a test sets another: fixed, so no
# test depends on the day it runs.
STORY_DATE = date(2026, 3, 2)


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class World:
    def __init__(self, root: Path, *, processes: bool = False) -> None:
        self.root = root
        self.keys = root / "keys"
        self.store_path = root / "store"
        self.key_files: dict[str, Path] = {}
        self.processes = processes
        self.today: date | None = STORY_DATE

    def env(self, actor: str | None, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env["STAFETT_STORE"] = str(self.store_path)
        # What each person has verified lives in the world, so a copied world
        # carries it along and two worlds never share it.
        env["XDG_STATE_HOME"] = str(self.root / "state")
        if self.today is not None:
            env[ENV_VAR] = self.today.isoformat()
        if actor is not None:
            env["STAFETT_IDENTITY"] = str(self.key_files.get(actor, self.keys / f"{actor}.key"))
        env.update(extra)
        return env

    def run(
        self,
        actor: str | None,
        *args: str,
        code: int = 0,
        stdin: str | None = None,
        extra: dict[str, str] | None = None,
        **env: str,
    ) -> Result:
        """Run `stafett ARGS` as `actor`; fail loudly if the exit code is not `code`."""
        environ = self.env(actor, **(extra or {}), **env)
        run = _process if self.processes else _in_process
        result = run(list(args), environ, stdin)
        assert result.code == code, (
            f"stafett {' '.join(args)} exited {result.code}, wanted {code}\n"
            f"stdout: {result.out}\nstderr: {result.err}"
        )
        return result

    def person(
        self,
        handle: str,
        name: str,
        title: str,
        service: str | None = None,
        passphrase: str | None = None,
    ) -> Path:
        """A real key made by `stafett key new`: passphrase-wrapped when one is given,
        else a plain key file, as scripts and most tests use."""
        path = self.keys / (f"{handle}.identity.age" if passphrase else f"{handle}.key")
        args = ["--identity", str(path), "key", "new", "--name", name, "--role", title]
        if service:
            args += ["--service", service]
        if passphrase is None:
            self.run(None, *args, "--no-passphrase")
        else:
            self.run(None, *args, STAFETT_PASSPHRASE=passphrase)
        self.key_files[handle] = path
        return path

    def card(self, handle: str) -> Path:
        return self.keys / f"{handle}.card.yaml"

    def identity(self, handle: str) -> Identity:
        return load_identity(self.key_files[handle])

    def init(self, coordinator: str, municipality: str = "Testvik kommune") -> None:
        recovery = self.person("recovery", "Kommunens gjenoppretting", "nøkkel")
        self.run(
            coordinator,
            "init",
            str(self.store_path),
            "--municipality",
            municipality,
            "--recovery",
            load_identity(recovery).recipient,
        )

    def open_log(
        self,
        actor: str,
        child: str = "Åse Ødegård",
        born: str = "2016-04-12",
        concern: str | None = None,
        grade: int = 4,
        **env: str,
    ) -> str:
        """`stafett open` at Bjørkly skole; returns the new log's full id."""
        args = [
            "--json",
            "open",
            "--child-name",
            child,
            "--born",
            born,
            "--school",
            "Bjørkly skole",
            "--grade",
            str(grade),
        ]
        if concern is not None:
            args += ["--concern", concern]
        return str(self.run(actor, *args, extra=env).json()["id"])

    def consent(self, actor: str, log_id: str, given_by: str, services: str, *extra: str) -> str:
        """`stafett consent add` until 2030, the child heard; returns the consent id."""
        args = [
            "--json",
            "consent",
            "add",
            log_id[:6],
            "--given-by",
            given_by,
            "--services",
            services,
            "--until",
            "2030-12-31",
            "--child-heard",
            *extra,
        ]
        return str(self.run(actor, *args).json()["id"])

    def store(self, actor: str) -> Store:
        clock = from_environ(self.env(actor))
        return Store.open(
            self.store_path,
            identity=self.key_files[actor],
            clock=clock,
            state=self.root / "state" / "stafett",
        )

    def log_dir(self, log_id: str) -> Path:
        return self.store_path / "logs" / log_id

    def commit_foreign(
        self,
        log_id: str,
        files: dict[str, bytes | None],
        signer: str | None = None,
        message: str = "change",
    ) -> str:
        """Write files into a log and commit them with plain git, as someone who can
        write to the folder could: stafett reads committed state, so damage that
        counts is committed damage. None removes a file. With `signer` the commit is
        signed by that person's key as a member (a member with a valid key who
        writes what stafett would not); without, it is signed by nobody."""
        repo = self.log_dir(log_id)
        for rel, data in files.items():
            if data is None:
                (repo / rel).unlink()
            else:
                (repo / rel).parent.mkdir(parents=True, exist_ok=True)
                (repo / rel).write_bytes(data)
        if signer is not None:
            history.git(repo, "add", "-A", "--", *files)
            return self.commit_tree(
                log_id, history.git(repo, "write-tree").strip(), signer, message
            )
        who = ["-c", "user.name=x", "-c", "user.email=x@stafett.invalid"]
        for args in (["add", "-A", "."], [*who, "commit", "-q", "-m", message]):
            subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
        return history.head(repo) or ""

    def commit_tree(self, log_id: str, tree: str, signer: str, message: str = "change") -> str:
        """A tree made by hand, committed on the log's branch and signed by `signer`
        as the member they are."""
        identity = self.identity(signer)
        log = self.store(signer).log(log_id)
        author = next(m.id for m in log.members().members if m.recipient == identity.recipient)
        repo = self.log_dir(log_id)
        return history.commit_tree(repo, tree, message, author, identity.sign, SYSTEM.now())


def _in_process(args: list[str], environ: dict[str, str], stdin: str | None) -> Result:
    out, err = io.StringIO(), io.StringIO()
    environment = Environment(
        environ=environ,
        cwd=Path.cwd(),
        stdin=io.StringIO(stdin or ""),
        stdout=out,
        stderr=err,
    )
    code = main(args, environment)
    return Result(code, out.getvalue(), err.getvalue())


def _process(args: list[str], environ: dict[str, str], stdin: str | None) -> Result:
    proc = subprocess.run(
        [sys.executable, "-m", "stafett", *args],
        env=environ,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)
