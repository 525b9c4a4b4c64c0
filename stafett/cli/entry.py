"""The `stafett` program: hand the command to a running agent, or run it here.

Kept to the standard library so that a command the agent serves starts in tens of
milliseconds; the CLI proper is imported only when it runs in this process.
"""

from __future__ import annotations

import os
import sys


def main() -> int:
    args = sys.argv[1:]
    if os.environ.get("STAFETT_AGENT", "1") != "0":
        from stafett.agent import forward, forwardable

        if forwardable(args):
            from stafett import __version__

            reply = forward(args, os.environ, os.getcwd(), __version__)
            if reply is not None:
                sys.stdout.write(str(reply.get("out", "")))
                sys.stderr.write(str(reply.get("err", "")))
                return int(reply.get("code", 1))
    from stafett.cli.app import main as run_here

    return run_here(args)
