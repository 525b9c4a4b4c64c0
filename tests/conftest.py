"""Fixtures: isolated git, real keys, and a CLI runner that runs the real program."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.world import World


@pytest.fixture(autouse=True, scope="session")
def isolated_git(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """No test may read the developer's git or stafett settings."""
    home = tmp_path_factory.mktemp("home")
    (home / "gitconfig").write_text("", encoding="utf-8")
    saved = dict(os.environ)
    os.environ.update(
        GIT_CONFIG_GLOBAL=str(home / "gitconfig"),
        GIT_CONFIG_NOSYSTEM="1",
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        LANG="C.UTF-8",
        STAFETT_AGENT_DIR=str(home / "no-agent"),
    )
    for name in (
        "STAFETT_STORE",
        "STAFETT_IDENTITY",
        "STAFETT_PASSPHRASE",
        "STAFETT_LANG",
        "LC_ALL",
        "EDITOR",
        "VISUAL",
    ):
        os.environ.pop(name, None)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)
