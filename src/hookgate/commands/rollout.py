"""``hookgate rollout``: show stages (read-only here; promote/demote live beside it)."""

from __future__ import annotations

import json

import typer

from hookgate.commands._common import project_root
from hookgate.commands.status import gather

rollout_app = typer.Typer(help="Rollout stages of hooks (monitor → warn → enforce).", no_args_is_help=True)


@rollout_app.command("show")
def show(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """The effective stage of every hook, per platform."""
    info = gather(project_root())
    if as_json:
        typer.echo(json.dumps({"rev": info["rollout_rev"], "global_stage_cap": info["global_stage_cap"],
                               "hooks": info["hooks"]}, indent=2, sort_keys=True))
        return
    typer.echo(f"rollout rev {info['rollout_rev']} from {', '.join(info['config_sources'])}")
    for h in info["hooks"]:
        plats = " ".join(f"{p}:{s}" for p, s in h["platforms"].items())
        typer.echo(f"  {h['hook']:<16} {h['stage']:<8} [{plats}]")


def register(app: typer.Typer) -> None:
    app.add_typer(rollout_app, name="rollout")
