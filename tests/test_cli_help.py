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


def test_every_command_in_the_readme_exists() -> None:
    """The README's examples cannot drift from the program."""
    from pathlib import Path

    root = typer.main.get_command(build_app())
    assert isinstance(root, typer.core.TyperGroup)
    known = {path for path, _ in _commands(root)}
    readme = (Path(__file__).parent.parent / "README.md").read_text("utf-8")
    used = set()
    code = [block for i, block in enumerate(readme.split("```")) if i % 2 == 1]
    for line in "\n".join(code).splitlines():
        words = line.strip().split()
        if len(words) >= 2 and words[0] == "stafett" and not words[1].startswith("-"):
            group = f"{words[1]} {words[2]}" if len(words) > 2 else words[1]
            used.add(group if group in known else words[1])
    assert len(used) >= 20
    assert sorted(used - known) == []
