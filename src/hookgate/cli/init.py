"""``hookgate init``: give a project its own ``.hookgate/rollout.yaml``."""

from __future__ import annotations

import os
import shutil

import typer

from hookgate.core import config
from hookgate.state import paths
from hookgate.cli._common import PROJECT_HELP, fail, project_root
from hookgate.state.resources import data_path


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init(
        force: bool = typer.Option(False, "--force", help="Overwrite an existing .hookgate/rollout.yaml."),
        project: str = typer.Option("", "--project", metavar="DIR", help=PROJECT_HELP),
    ) -> None:
        """Write .hookgate/rollout.yaml (the shipped default) and compile the config."""
        root = project_root()  # `--project` is consumed by cli.run for every command
        cfg_dir = paths.config_dir(root)
        target = os.path.join(cfg_dir, "rollout.yaml")
        if os.path.exists(target) and not force:
            raise fail(f"{target} exists (use --force to overwrite)")
        os.makedirs(os.path.join(cfg_dir, "hooks"), exist_ok=True)
        shutil.copyfile(data_path("rollout.yaml"), target)
        state = paths.state_dir(root)
        try:
            compiled = config.compile_config(root)
        except Exception as e:  # noqa: BLE001
            raise fail(f"config does not compile: {e}") from None
        config.write_cache(state, compiled, config.signature(config.project_sources(root)))
        typer.echo(f"wrote {target}")
        typer.echo(f"state dir: {state}")
        typer.echo("commit .hookgate/ with the repository; promote hooks with `hookgate rollout promote`.")
