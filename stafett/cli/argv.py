"""The one option read before click parses a command line: the entry point needs
`--lang` for a message about the agent, the CLI for its errors, the agent for the
key a request names. Standard library only, for the entry point's start-up."""

from __future__ import annotations


def option_value(args: list[str], name: str) -> str | None:
    """The value of `name` given as `name VALUE` or `name=VALUE`, if any."""
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None
