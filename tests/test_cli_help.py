"""Every command explains itself, in bokmål, and `--help` works without a store or key."""

from __future__ import annotations

import typer

from stafett.cli.app import MODULES, build_app
from tests.world import World


def _commands(group: typer.core.TyperGroup, prefix: str = "") -> list[tuple[str, str]]:
    found = []
    for name, command in group.commands.items():
        path = f"{prefix} {name}".strip()
        if command.hidden:
            continue
        found.append((path, command.help or ""))
        if isinstance(command, typer.core.TyperGroup):
            found += _commands(command, path)
    return found


def test_every_command_has_help() -> None:
    root = typer.main.get_command(build_app())
    assert isinstance(root, typer.core.TyperGroup)
    commands = _commands(root)
    assert len(commands) >= 25
    assert [path for path, text in commands if not text.strip()] == []
    assert {path.split()[0] for path, _ in commands} == set(MODULES) - {"textconv"}


def test_help_runs_for_every_command(world: World) -> None:
    root = typer.main.get_command(build_app())
    assert isinstance(root, typer.core.TyperGroup)
    for path, _ in _commands(root)[:40]:
        out = world.run(None, *path.split(), "--help").out
        assert "Usage:" in out, path
