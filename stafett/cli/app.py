"""The `stafett` command: global options, sub-commands, and the one error handler."""

from __future__ import annotations

import contextlib
import importlib
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from stafett import history
from stafett.cli.argv import option_value
from stafett.cli.context import Env, Environment
from stafett.errors import ExitCode, StafettError
from stafett.i18n import pick_language, text
from stafett.render.text import visible

# First word of a command -> the module that registers it. A command imports and
# builds only its own module: building every command costs ~30 ms a call.
MODULES = {
    "key": "keys",
    "init": "store",
    "list": "store",
    "find": "store",
    "demo": "store",
    "people": "people",
    "open": "logs",
    "show": "logs",
    "history": "logs",
    "verify": "logs",
    "close": "logs",
    "quarantine": "logs",
    "level": "logs",
    "textconv": "logs",
    "member": "members",
    "concern": "records",
    "measure": "records",
    "meeting": "records",
    "voice": "records",
    "note": "records",
    "agent": "agent",
    "consent": "access",
    "coordinator": "access",
    "access": "access",
    "allowed-signers": "access",
    "handover": "handover",
    "export": "bundle",
    "import": "bundle",
    "report": "reports",
    "remote": "sync",
    "clone": "sync",
    "sync": "sync",
    "status": "sync",
    "conflicts": "sync",
    "resolve": "sync",
    "doctor": "sync",
    "merge-driver": "sync",
}
OPTIONS_WITH_VALUE = ("--store", "--identity", "--lang")


def build_app(command: str | None = None) -> typer.Typer:
    """The typer app with every command, or with only the module that has `command`."""
    app = typer.Typer(
        name="stafett",
        help="Stafettlogg i git: krypterte, versjonerte logger for barn og unge (BTI).",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )
    app.callback()(main_options)
    wanted = [MODULES[command]] if command in MODULES else sorted(set(MODULES.values()))
    for name in dict.fromkeys(wanted):
        importlib.import_module(f"stafett.cli.{name}").register(app)
    return app


def main_options(
    ctx: typer.Context,
    store_path: Annotated[
        Path | None,
        typer.Option("--store", help="Lageret (mappen med store.yaml); ellers STAFETT_STORE."),
    ] = None,
    identity: Annotated[
        Path | None,
        typer.Option("--identity", help="Nøkkelfilen din; ellers STAFETT_IDENTITY."),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Skriv data som JSON.")] = False,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Språk: nb (standard) eller en.")
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Vis full feilsporing.")] = False,
) -> None:
    """Stafettlogg i git: krypterte, versjonerte logger for barn og unge (BTI)."""
    io = ctx.obj if isinstance(ctx.obj, Environment) else Environment.from_process()
    env = Env(
        store_path=None,
        identity_path=None,
        json=json_out,
        lang=pick_language(lang, io.environ),
        debug=debug,
        io=io,
    )
    store_text = io.environ.get("STAFETT_STORE")
    identity_text = io.environ.get("STAFETT_IDENTITY")
    store_given = store_path or (Path(store_text) if store_text else None)
    identity_given = identity or (Path(identity_text) if identity_text else None)
    env.store_path = env.path(store_given) if store_given else None
    env.identity_path = env.path(identity_given) if identity_given else None
    ctx.obj = env
    ctx.call_on_close(env.report_damaged)


def main(argv: list[str] | None = None, environment: Environment | None = None) -> int:
    """Run the CLI in `environment` (the process's own when None); expected failures
    print one plain sentence, never a traceback."""
    io = environment or Environment.from_process()
    args = list(sys.argv[1:] if argv is None else argv)
    lang = pick_language(option_value(args, "--lang"), io.environ)
    command = typer.main.get_command(build_app(_command_word(args)))
    with _streams(io), history.environment(io.environ):
        try:
            code = command.main(args=args, prog_name="stafett", standalone_mode=False, obj=io)
        except Exception as exc:
            return _failed(exc, io, lang, "--debug" in args)
    return code if isinstance(code, int) else int(ExitCode.OK)


def _failed(exc: Exception, io: Environment, lang: str, debug: bool) -> int:
    """The one error handler: a plain sentence on stderr and the error's exit code."""
    if isinstance(exc, StafettError):
        if debug:
            traceback.print_exception(exc, file=io.stderr)
        io.stderr.write(visible(exc.message(lang)) + "\n")
        return int(exc.exit_code)
    if isinstance(exc, typer.Abort):
        return int(ExitCode.ERROR)
    if isinstance(exc, typer.Exit):
        return int(exc.exit_code)
    if isinstance(exc, typer.TyperException):
        exc.show(file=io.stderr)  # type: ignore[attr-defined]
        return int(getattr(exc, "exit_code", ExitCode.USAGE))
    if debug:
        traceback.print_exception(exc, file=io.stderr)
    io.stderr.write(text("unexpected", lang, error=type(exc).__name__) + "\n")
    return int(ExitCode.ERROR)


@contextlib.contextmanager
def _streams(io: Environment) -> Iterator[None]:
    """click writes its own help and usage errors to sys.stdout and sys.stderr;
    point those at this command's streams while it runs. Ours are written to
    `io` directly."""
    with contextlib.redirect_stdout(io.stdout), contextlib.redirect_stderr(io.stderr):
        yield


def _command_word(args: list[str]) -> str | None:
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in OPTIONS_WITH_VALUE:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None
