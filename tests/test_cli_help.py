"""Every command explains itself, in bokmål, and `--help` works without a store or key.

The README's examples and docs/cli.md are checked against the same live command tree,
so neither can drift from the program (sqlite-utils checks its docs the same way).
"""

from __future__ import annotations

import io
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
import typer
from typer.core import TyperCommand, TyperGroup

from stafett.cli.app import MODULES, build_app, main
from stafett.cli.context import Environment
from tests.world import World

REPO = Path(__file__).parent.parent
# click wraps help to min(terminal width, 80) - 2: a fixed width makes the help the same
# on every machine and terminal.
HELP_COLUMNS = "80"
# Stands for "more here" in an example, so its positional count is not checked; right
# after an option it is only that option's value.
ELLIPSIS = "…"

Command = TyperCommand | TyperGroup


def _run_help(path: list[str]) -> tuple[int, str]:
    """`stafett PATH --help` in this process: a Python start per command would cost ~6 s.

    The one place that knows how the CLI is called in-process. click reads the
    terminal width from the process's own COLUMNS, not from the injected environment.
    """
    out = io.StringIO()
    environment = Environment(
        environ=dict(os.environ),
        cwd=Path.cwd(),
        stdin=io.StringIO(),
        stdout=out,
        stderr=sys.stderr,
    )
    with mock.patch.dict(os.environ, COLUMNS=HELP_COLUMNS):
        code = main([*path, "--help"], environment)
    return code, out.getvalue()


def _tree(
    group: TyperGroup, path: tuple[str, ...] = (), hidden: bool = False
) -> Iterator[tuple[tuple[str, ...], Command, bool]]:
    """Depth first, in the order `--help` lists them; below a hidden group all is hidden."""
    for name, command in group.commands.items():
        assert isinstance(command, TyperCommand | TyperGroup), name
        below = (*path, name)
        yield below, command, hidden or command.hidden
        if isinstance(command, TyperGroup):
            yield from _tree(command, below, hidden or command.hidden)


def _root() -> TyperGroup:
    root = typer.main.get_command(build_app())
    assert isinstance(root, TyperGroup)
    return root


ROOT = _root()
# Hidden commands too: git and `agent start` call them, so their --help must work.
EVERY = [((), ROOT), *((path, command) for path, command, _ in _tree(ROOT))]
VISIBLE = [((), ROOT), *((path, command) for path, command, hidden in _tree(ROOT) if not hidden)]


def _squeeze(text: str) -> str:
    """click rewraps help text, and may break a line after a hyphen."""
    return "".join(text.split())


def test_every_command_has_help() -> None:
    commands = [(" ".join(path), command.help or "") for path, command in VISIBLE[1:]]
    assert len(commands) >= 50
    assert [path for path, text in commands if not text.strip()] == []
    assert {path.split()[0] for path, _ in commands} == set(MODULES) - {"textconv", "merge-driver"}


@pytest.mark.parametrize(
    ("path", "command"), EVERY, ids=[" ".join(("stafett", *path)) for path, _ in EVERY]
)
def test_help_runs_for_every_command(path: tuple[str, ...], command: Command) -> None:
    code, out = _run_help(list(path))
    assert code == 0, out
    assert out.startswith(f"Usage: {' '.join(('stafett', *path))} "), out
    assert command.help, "a command without help text"
    assert _squeeze(command.help.partition("\f")[0]) in _squeeze(out)


def test_help_needs_no_store_or_key_as_a_program(tmp_path: Path) -> None:
    """The in-process runs above skip the entry point and the agent hand-off."""
    world = World(tmp_path, processes=True)
    assert world.run(None, "--help").out.startswith("Usage: stafett ")
    assert world.run(None, "measure", "add", "--help").out.startswith("Usage: stafett measure add ")


# The README's examples

FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
COMMAND_LINE = re.compile(r"(?:\w+=\S*\s+)*stafett(?:\s|$)")


def _examples(markdown: str) -> list[str]:
    """The `stafett ...` lines of the code blocks, a `\\` continuation joined to its line."""
    found = []
    for block in FENCE.findall(markdown):
        line = ""
        for raw in block.splitlines():
            line += raw.strip()
            if line.endswith("\\"):
                line = line[:-1] + " "
                continue
            line = line.removeprefix("$ ")
            if COMMAND_LINE.match(line):
                found.append(line)
            line = ""
    return found


def _argv(example: str) -> list[str]:
    """The arguments after `stafett`, as a shell passes them.

    Brackets mark an optional part of an example (`[--for kari]`); it is checked all the same.
    """
    words = shlex.split(example, comments=True)
    while words and re.fullmatch(r"\w+=.*", words[0]):
        words.pop(0)
    assert words[:1] == ["stafett"], example
    return [bare for word in words[1:] if (bare := word.strip("[]"))]


def _problem(argv: list[str]) -> str | None:
    """What `stafett ARGV` would be refused for, found by the CLI's own parsers.

    Nothing runs: groups parse as when invoked (so `handover LOG` still means `handover
    create LOG`), and a command's arguments only go through its option parser, so a
    placeholder such as LOG or age1... is not held to the value's type. Options of the
    root count only before the command word, where the CLI accepts them.
    """
    partial = "--help" in argv
    words: list[str] = []
    for arg in argv:
        if arg == ELLIPSIS and not (words and words[-1].startswith("-")):
            partial = True
        elif arg != "--help":
            words.append(arg)
    if not words:
        return None if partial else "stafett: a command is missing"
    argv = words
    group = ROOT
    try:
        ctx = group.make_context("stafett", argv)
        while True:
            # TyperGroup.parse_args leaves the command word here, where its invoke() reads it.
            words = [*ctx._protected_args, *ctx.args]
            if not words:
                return None if partial else f"{ctx.command_path}: a command is missing"
            name, command, argv = group.resolve_command(ctx, words)
            assert name is not None and command is not None
            if not isinstance(command, TyperGroup):
                break
            if not argv:
                return None if partial else f"{ctx.command_path} {name}: a command is missing"
            group = command
            ctx = group.make_context(name, argv, parent=ctx)
        ctx = command.context_class(command, info_name=name, parent=ctx)
        values, extra, _ = command.make_parser(ctx).parse_args(args=argv)
    except typer.TyperException as exc:
        return str(exc)
    if partial:
        return None
    if extra:
        return f"{ctx.command_path}: unexpected argument(s) {' '.join(extra)}"
    missing = [
        param.opts[0]
        for param in command.params
        if param.required and param.value_is_missing(values.get(param.name or ""))
    ]
    return f"{ctx.command_path}: missing {', '.join(missing)}" if missing else None


@pytest.mark.parametrize(
    ("example", "problem"),
    [
        ("stafett --json --store ~/stafett show 5wff", None),
        ("stafett show 5wff --json", "No such option: --json"),
        ("stafett shw 5wff", "No such command 'shw'"),
        ("stafett measure evalute 5wff 6zgk", "No such command 'evalute'"),
        ("stafett key show --outpt card.yaml", "No such option: --outpt"),
        ("stafett key show -x", "No such option: -x"),
        ("stafett access 5wff --for", "Option '--for' requires an argument"),
        ("stafett show 5wff 6zgk", "stafett show: unexpected argument(s) 6zgk"),
        ("stafett level set 5wff --why x", "stafett level set: missing level"),
        ("stafett coordinator pass 5wff", "stafett coordinator pass: missing --to"),
        ("stafett measure", "measure: a command is missing"),
        ("stafett measure …", None),
        ("stafett member add 5wff kari …", None),
        ("stafett level set 5wff 2 --why …", None),
        ("stafett show … --jsn", "No such option: --jsn"),
        ("stafett --help", None),
        ("stafett measure add --help", None),
        ("stafett access 5wff [--for kari]   # who can read, by name", None),
        ("$ stafett measure list <log>", None),
        ("STAFETT_STORE=x stafett level set LOG 2 --why '...'", None),
        (
            "stafett handover 5wff --to jonas --to-service S --transition T \\\n"
            "    --starts 2026-08-17 --include tiltak   # means handover create",
            None,
        ),
        ("stafett handover report 5wff 8fk2 -o out.html", None),
    ],
)
def test_the_readme_check_catches_what_the_cli_refuses(example: str, problem: str | None) -> None:
    """The check must fail where the CLI would, or a wrong README would pass it."""
    (line,) = _examples(f"```\n{example}\n```\n")
    found = _problem(_argv(line))
    assert found == problem if problem is None else found is not None and problem in found


def test_readme_examples_match_the_cli() -> None:
    """Every `stafett` line in the README's code blocks is one the CLI accepts."""
    examples = _examples((REPO / "README.md").read_text("utf-8"))
    assert len(examples) >= 40, "the README's examples were not found"
    wrong = [
        f"{example}\n  {problem}" for example in examples if (problem := _problem(_argv(example)))
    ]
    assert wrong == []


# docs/cli.md


def reference() -> str:
    """docs/cli.md's generated part, built here so the doc reads `--help` as the tests do."""
    parts = []
    for path, _ in VISIBLE:
        code, out = _run_help(list(path))
        assert code == 0, path
        text = "\n".join(line.rstrip() for line in out.strip("\n").splitlines())
        heading = "##" if len(path) <= 1 else "###"
        parts.append(f"{heading} {' '.join(('stafett', *path))}\n\n```\n{text}\n```\n")
    return "\n" + "\n".join(parts) + "\n"


def test_cli_reference_is_current() -> None:
    """docs/cli.md is generated with cog from the live `--help` and must not go stale."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "cogapp",
            "--check",
            "--diff",
            "--check-fail-msg=run `make docs`",
            "-n",
            "utf-8",
            "-I",
            str(REPO),
            str(REPO / "docs" / "cli.md"),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
