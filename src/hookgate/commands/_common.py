"""Shared helpers for CLI commands: where the project and its state are."""

from __future__ import annotations

import os

import typer

from hookgate import paths


def project_root(cwd: str | None = None) -> str:
    return paths.find_project_root(cwd or os.getcwd())


def state_dir(root: str | None = None) -> str:
    return paths.state_dir(root or project_root())


def fail(msg: str, code: int = 1) -> typer.Exit:
    typer.echo(f"hookgate: {msg}", err=True)
    return typer.Exit(code)
