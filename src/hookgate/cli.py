"""The human/maintainer CLI (typer; off the hot path — ADR 0001).

Each command group lives in ``hookgate.commands.<module>`` and exposes ``register(app)``.
The list below is the registry: explicit, in help order.
"""

from __future__ import annotations

import importlib
import sys

import typer

COMMAND_MODULES = [
    "init",
    "status",
    "rollout",
    "audit",
    "doctor",
    "install",
    "replay",
    "locks",
    "budget",
    "explain",
    "approvals",
    "config_cmd",
    "plan",
    "disputes",
]

app = typer.Typer(
    name="hookgate",
    help="One hook executor for AI coding agents: guards, rollout stages, approvals, "
    "coordination, budgets and a hash-chained ledger.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from hookgate import __version__

        typer.echo(f"hookgate {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """hookgate — run `hookgate COMMAND --help` for a command's options."""


for _name in COMMAND_MODULES:
    importlib.import_module(f"hookgate.commands.{_name}").register(app)


def run(argv: list[str]) -> int:
    try:
        rv = app(args=argv, prog_name="hookgate", standalone_mode=False)
    except SystemExit as e:  # typer.Exit inside standalone_mode=False surfaces as an int
        return int(e.code or 0) if not isinstance(e.code, str) else 1
    except typer.Exit as e:
        return e.exit_code
    except typer.Abort:
        typer.echo("Aborted.", err=True)
        return 1
    except Exception as e:  # click usage errors and our own
        import click

        if isinstance(e, click.exceptions.Exit):
            return e.exit_code
        if isinstance(e, click.ClickException):
            e.show(file=sys.stderr)
            return e.exit_code
        if isinstance(e, click.exceptions.Abort):
            typer.echo("Aborted.", err=True)
            return 1
        raise
    return rv if isinstance(rv, int) else 0
