"""The human/maintainer CLI (typer; off the hot path — ADR 0001).

Each command group lives in ``hookgate.cli.<module>`` and exposes ``register(app)``.
The list below is the registry: explicit, in help order.
"""

from __future__ import annotations

import importlib
import os
import sys

import typer

from hookgate.errors import HookgateError

COMMAND_MODULES = [
    "init",
    "status",
    "rollout",
    "audit",
    "doctor",
    "install",
    "replay",
    "locks",
    "gate",
    "worktree",
    "budget",
    "explain",
    "approvals",
    "config_cmd",
    "plan",
    "disputes",
    "state",
]

app = typer.Typer(
    name="hookgate",
    help="One hook executor for AI coding agents: guards, rollout stages, approvals, "
    "coordination, budgets and a hash-chained ledger.",
    epilog="Run 'hookgate COMMAND -h' (or 'hookgate help COMMAND') for a command's options.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from hookgate import __version__

        typer.echo(f"hookgate {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
    project: str = typer.Option("", "--project", metavar="DIR",
                                help="The project to work on (accepted before or after the command). Default: "
                                "the git repository around the current directory, else the current directory."),
) -> None:
    """hookgate — run `hookgate COMMAND -h` for a command's options."""


for _name in COMMAND_MODULES:
    importlib.import_module(f"hookgate.cli.{_name}").register(app)


def _usage_line(e: typer.TyperException) -> str:
    """One line for a usage error: where it happened, what was wrong, where help is."""
    ctx = getattr(e, "ctx", None)
    where = getattr(ctx, "command_path", "") or "hookgate"
    msg = e.format_message().strip().rstrip(".")  # typer already adds "Did you mean …?"
    return f"{where}: {msg} (see '{where} -h')"


def _is_help_request(e: BaseException) -> bool:
    """A group or command called without arguments: its help is the answer, not an error."""
    return any(c.__name__ == "NoArgsIsHelpError" for c in type(e).__mro__)


def _name_values(cmd) -> None:
    """Help shows `--since SINCE`, `-n N`, not typer's `--since <str>`: every option that takes
    a value and has no metavar gets its name in capitals (display only)."""
    for p in getattr(cmd, "params", ()):
        if getattr(p, "param_type_name", "") == "option" and not getattr(p, "is_flag", True) \
                and p.metavar is None and p.name:
            p.metavar = "N" if p.name == "n" else p.name.upper()
    for sub in (getattr(cmd, "commands", None) or {}).values():
        _name_values(sub)


def _command():
    cmd = typer.main.get_command(app)
    try:
        _name_values(cmd)
    except Exception:  # noqa: BLE001 - typer's internals moved: the plain help still works
        pass
    return cmd


def _take_project(argv: list[str]) -> tuple[list[str], str | None]:
    """Remove ``--project DIR`` / ``--project=DIR`` (before any ``--``) from *argv*; every command
    accepts it. Returns (argv, DIR or None); DIR "" means the value is missing."""
    out, project, i = [], None, 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            out.extend(argv[i:])
            break
        if a == "--project":
            project = argv[i + 1] if i + 1 < len(argv) else ""
            i += 2
            continue
        if a.startswith("--project="):
            project = a.split("=", 1)[1]
            i += 1
            continue
        out.append(a)
        i += 1
    return out, project


def run(argv: list[str]) -> int:
    argv, project = _take_project(list(argv))
    if project is not None:
        from hookgate.cli import _common

        if not project:
            typer.echo("hookgate: --project needs a directory (see 'hookgate -h')", err=True)
            return 2
        if not os.path.isdir(project):
            typer.echo(f"hookgate: --project {project}: no such directory", err=True)
            return 2
        _common.PROJECT_OVERRIDE = os.path.realpath(project)
    if argv[:1] == ["help"]:  # `hookgate help [COMMAND…]` is `hookgate [COMMAND…] --help`
        argv = [*argv[1:], "--help"]
    try:
        rv = _command()(args=argv, prog_name="hookgate", standalone_mode=False)
    except SystemExit as e:
        return int(e.code or 0) if not isinstance(e.code, str) else 1
    except typer.Exit as e:
        return e.exit_code
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("hookgate: aborted", err=True)
        return 130 if sys.exc_info()[0] is KeyboardInterrupt else 1
    except typer.TyperException as e:  # usage errors (typer's click), exit code 2
        code = getattr(e, "exit_code", 1)
        if _is_help_request(e):
            typer.echo(e.format_message().rstrip("\n"))
            return 0
        if code == 2:
            typer.echo(_usage_line(e), err=True)
        else:
            typer.echo(f"hookgate: {e.format_message().strip()}", err=True)
        return code
    except HookgateError as e:  # an error raised on purpose: its message, its exit code (ADR 0026)
        if os.environ.get("HOOKGATE_DEBUG"):
            raise
        typer.echo(f"hookgate: {e}", err=True)
        return e.exit_code
    except Exception as e:  # a bug of ours: one line (the traceback on request), never silence
        if os.environ.get("HOOKGATE_DEBUG"):
            raise
        typer.echo(f"hookgate: internal error: {type(e).__name__}: {e} (HOOKGATE_DEBUG=1 shows the traceback)",
                   err=True)
        return 1
    return rv if isinstance(rv, int) else 0
