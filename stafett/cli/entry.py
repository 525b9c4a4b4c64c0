"""The `stafett` program: hand the command to a running agent, or run it here.

Kept to the standard library so that a command the agent serves starts in tens of
milliseconds; the CLI proper is imported only when it runs in this process.
"""

from __future__ import annotations

import os
import sys

from stafett.cli.argv import option_value

TYPE_CHECKING = False  # keep `typing` out of the start-up of a forwarded command
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from stafett.cli.context import Environment


def main(argv: list[str] | None = None, environment: Environment | None = None) -> int:
    """Run `argv` in `environment` (this process's own when None)."""
    args = list(sys.argv[1:] if argv is None else argv)
    environ = os.environ if environment is None else environment.environ
    if environ.get("STAFETT_AGENT", "1") != "0":
        reply = _forwarded(args, environ, environment)
        if reply is not None:
            out = sys.stdout if environment is None else environment.stdout
            err = sys.stderr if environment is None else environment.stderr
            out.write(str(reply.get("out", "")))
            err.write(str(reply.get("err", "")))
            return int(reply.get("code", 1))
    from stafett.cli.app import main as run_here

    return run_here(args, environment)


def _forwarded(
    args: list[str], environ: Mapping[str, str], environment: Environment | None
) -> dict[str, Any] | None:
    """The agent's reply, or None to run the command here: no agent answered, or
    what answered is not the user's own (said once, plainly, on stderr)."""
    from stafett.agent import Untrusted, forward, forwardable

    if not forwardable(args):
        return None
    from stafett import __version__

    cwd = os.getcwd() if environment is None else str(environment.cwd)
    try:
        return forward(args, environ, cwd, __version__)
    except Untrusted as exc:
        from stafett.i18n import pick_language, text
        from stafett.render.text import visible

        lang = pick_language(option_value(args, "--lang"), environ)
        err = sys.stderr if environment is None else environment.stderr
        err.write(visible(text("agent_untrusted", lang, folder=exc.folder)) + "\n")
        return None
