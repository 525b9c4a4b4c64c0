"""The `stafett` command: global options, sub-commands, and the one error handler."""

from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path
from typing import Annotated

import typer

from stafett.cli.context import Env, IdentityCache
from stafett.errors import ExitCode, StafettError
from stafett.i18n import pick_language, text

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
        typer.Option("--store", envvar="STAFETT_STORE", help="Lageret (mappen med store.yaml)."),
    ] = None,
    identity: Annotated[
        Path | None,
        typer.Option("--identity", envvar="STAFETT_IDENTITY", help="Nøkkelfilen din."),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Skriv data som JSON.")] = False,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Språk: nb (standard) eller en.")
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Vis full feilsporing.")] = False,
) -> None:
    """Stafettlogg i git: krypterte, versjonerte logger for barn og unge (BTI)."""
    ctx.obj = Env(
        store_path=store_path,
        identity_path=identity,
        json=json_out,
        lang=pick_language(lang),
        debug=debug,
        identities=ctx.obj if isinstance(ctx.obj, dict) else None,
    )


def main(argv: list[str] | None = None, identities: IdentityCache | None = None) -> int:
    """Run the CLI; expected failures print one plain sentence, never a traceback."""
    args = list(sys.argv[1:] if argv is None else argv)
    lang = pick_language(_option_value(args, "--lang"))
    debug = "--debug" in args
    command = typer.main.get_command(build_app(_command_word(args)))
    try:
        code = command.main(args=args, prog_name="stafett", standalone_mode=False, obj=identities)
    except StafettError as exc:
        if debug:
            traceback.print_exc()
        typer.echo(exc.message(lang), err=True)
        return int(exc.exit_code)
    except typer.Abort:
        return int(ExitCode.ERROR)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.TyperException as exc:
        exc.show()  # type: ignore[attr-defined]
        return int(getattr(exc, "exit_code", ExitCode.USAGE))
    except Exception as exc:
        if debug:
            traceback.print_exc()
        typer.echo(text("unexpected", lang, error=type(exc).__name__), err=True)
        return int(ExitCode.ERROR)
    return code if isinstance(code, int) else int(ExitCode.OK)


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


def _option_value(args: list[str], name: str) -> str | None:
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None
