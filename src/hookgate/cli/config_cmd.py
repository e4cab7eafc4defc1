"""``hookgate config compile [--allow-loosen]``: compile the project's config now (ADR 0008/0009).

A project's ``.hookgate/hooks/*.yaml`` may only tighten the shipped guard policies; the hot
path refuses a loosening override (the last good config stays in force). A maintainer who
means it compiles here with ``--allow-loosen``; the result is cached for the current source
bytes, so the hot path uses it until the files change again. Agents cannot run this
(self-protection denies ``--allow-loosen`` and every non-read-only subcommand).
"""

from __future__ import annotations

import typer

from hookgate.core import config
from hookgate.cli._common import fail, project_root, state_dir

config_app = typer.Typer(help="Compile and check the project's hookgate config.", no_args_is_help=True)


@config_app.command("compile")
def compile_cmd(
    allow_loosen: bool = typer.Option(
        False, "--allow-loosen",
        help="Accept a project policy that loosens a shipped guard policy (maintainer decision).",
    ),
    check: bool = typer.Option(False, "--check", help="Only check; write nothing."),
) -> None:
    """Compile .hookgate/ into the state dir's config cache (exit 1 with the reason if refused)."""
    root = project_root()
    try:
        compiled = config.compile_config(root, allow_loosen=allow_loosen)
    except Exception as e:  # noqa: BLE001
        raise fail(f"config does not compile: {e}") from None
    if check:
        typer.echo(f"OK: config compiles (rev {compiled['rev']})")
        return
    config.write_cache(state_dir(root), compiled, config.signature(config.project_sources(root)))
    typer.echo(f"compiled rev {compiled['rev']}{' (loosening accepted)' if allow_loosen else ''}")


def register(app: typer.Typer) -> None:
    app.add_typer(config_app, name="config")
