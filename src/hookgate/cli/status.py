"""``hookgate status``: hooks, stages, ledger size, config refusals (read-only)."""

from __future__ import annotations

import json
import os

import typer

from hookgate.core import config, rollout
from hookgate.state import ledger, paths
from hookgate.cli._common import project_root
from hookgate.validators import KNOWN_HOOKS, VALIDATORS
from hookgate.adapters import PLATFORM_IDS


def gather(root: str) -> dict:
    state = paths.state_dir(root)
    cfg, refusal = config.load(root, state)
    refusal = refusal or config.refusal_status(state)
    lp = ledger.ledger_path(state)
    records = 0
    size = 0
    if os.path.exists(lp):
        size = os.path.getsize(lp)
        with open(lp, "rb") as f:
            records = sum(1 for _ in f)
    hooks = []
    for h in KNOWN_HOOKS:
        entry = cfg.get("hooks", {}).get(h, {})
        hooks.append(
            {
                "hook": h,
                "implemented": h in VALIDATORS,
                "stage": rollout.stage_for(cfg, h, ""),
                "platforms": {p: rollout.stage_for(cfg, h, p) for p in PLATFORM_IDS},
                "since": entry.get("since", ""),
            }
        )
    return {
        "project_root": root,
        "state_dir": state,
        "config_sources": config.project_sources(root) or ["(shipped defaults)"],
        "rollout_rev": cfg.get("rev", ""),
        "global_stage_cap": cfg.get("global_stage_cap"),
        "config_refusal": refusal,
        "ledger": {"path": lp, "records": records, "bytes": size},
        "hooks": hooks,
    }


def register(app: typer.Typer) -> None:
    @app.command("status")
    def status(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
        """Show hooks, their stages, the ledger size and any refused config (exit 1 if refused)."""
        info = gather(project_root())
        if as_json:
            typer.echo(json.dumps(info, indent=2, sort_keys=True))
            if info["config_refusal"]:
                raise typer.Exit(1)
            return
        typer.echo(f"project:   {info['project_root']}")
        typer.echo(f"state:     {info['state_dir']}")
        typer.echo(f"config:    {', '.join(info['config_sources'])} (rev {info['rollout_rev']})")
        if info["global_stage_cap"]:
            typer.echo(f"global stage cap: {info['global_stage_cap']}")
        if info["config_refusal"]:
            typer.echo(f"CONFIG REFUSED: {info['config_refusal']['error']}")
            typer.echo(f"  the last good config (rev {info['config_refusal'].get('last_good') or 'shipped defaults'}) "
                       "stays in force until the file is fixed; `hookgate config compile --check` re-checks it")
        lg = info["ledger"]
        typer.echo(f"ledger:    {lg['records']} records, {lg['bytes']} bytes ({lg['path']})")
        typer.echo("")
        typer.echo(f"{'hook':<16} {'stage':<8} per platform")
        for h in info["hooks"]:
            plats = ", ".join(f"{p}={s}" for p, s in h["platforms"].items() if s != h["stage"])
            note = "" if h["implemented"] else "  (not installed in this version)"
            typer.echo(f"{h['hook']:<16} {h['stage']:<8} {plats or '-'}{note}")
        if info["config_refusal"]:
            raise typer.Exit(1)
