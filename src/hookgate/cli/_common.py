"""Shared helpers for CLI commands: where the project and its state are."""

from __future__ import annotations

import os

import typer

from hookgate.state import paths


PROJECT_HELP = ("The project (default: the git repository around the current directory, else the current "
                "directory; never your home directory's parents). Every command accepts it.")

# set by `hookgate --project DIR …` (cli.run): the project every command works on
PROJECT_OVERRIDE: str = ""


def project_root(cwd: str | None = None) -> str:
    """``--project DIR`` if given, else the project of the current directory (ADR 0019)."""
    if PROJECT_OVERRIDE and cwd is None:
        return PROJECT_OVERRIDE
    return paths.find_project_root(cwd or os.getcwd())


def state_dir(root: str | None = None) -> str:
    return paths.state_dir(root or project_root())


def fail(msg: str, code: int = 1) -> typer.Exit:
    typer.echo(f"hookgate: {msg}", err=True)
    return typer.Exit(code)
