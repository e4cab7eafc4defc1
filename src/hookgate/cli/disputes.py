"""``hookgate disputes list|show|resolve`` (ADR 0024).

A dispute is two plans whose write claims can cover one path while no dependency orders
them; ``plan check`` records it rather than ordering them silently. ``resolve`` (a human's
command: self-protection denies it from an agent's shell) picks the plan that goes first —
the other waits for it — and is recorded in the ledger.
"""

from __future__ import annotations

import json
import time
from typing import Annotated

import typer

from hookgate.cli._common import fail, project_root, state_dir

disputes_app = typer.Typer(help="Collisions between plans that no dependency orders (ADR 0024).",
                           no_args_is_help=True)


def _load(state: str) -> dict:
    from hookgate.plans import state as st

    try:
        return st.load(state)
    except st.CorruptState as e:
        raise fail(str(e), 1) from None


def _when(t) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(float(t))) if t else "?"


@disputes_app.command("list")
def list_(
    all_: Annotated[bool, typer.Option("--all", help="Also resolved and withdrawn disputes.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Open disputes (run `hookgate plan check` to find new ones)."""
    data = _load(state_dir(project_root()))
    rows = sorted((d for d in data["disputes"].values() if all_ or d.get("status") == "open"),
                  key=lambda d: (d.get("status") != "open", d.get("created", 0)))
    if as_json:
        typer.echo(json.dumps(rows, indent=2, sort_keys=True))
        return
    if not rows:
        typer.echo("no open disputes" if not all_ else "no disputes")
        return
    for d in rows:
        pats = d.get("patterns") or []
        what = ", ".join(f"{a} ∩ {b}" for a, b in pats[:2]) + (" …" if len(pats) > 2 else "")
        extra = f"  winner {d['winner']}" if d.get("status") == "resolved" else ""
        typer.echo(f"{d['id']}  {d['status']:<9} {' vs '.join(d['plans'])}  {what}{extra}")


@disputes_app.command("show")
def show(dispute: Annotated[str, typer.Argument(metavar="ID")],
         as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """One dispute: the plans, the colliding patterns, and its resolution."""
    data = _load(state_dir(project_root()))
    d = data["disputes"].get(dispute)
    if d is None:
        raise fail(f"no dispute {dispute!r} (`hookgate disputes list --all`)", 2)
    if as_json:
        typer.echo(json.dumps(d, indent=2, sort_keys=True))
        return
    a, b = d["plans"]
    typer.echo(f"dispute {d['id']}: {a} vs {b} ({d['status']}, opened {_when(d.get('created'))})")
    for x, y in d.get("patterns") or []:
        typer.echo(f"  {a} writes {x}  ∩  {b} writes {y}")
    if d["status"] == "resolved":
        typer.echo(f"  resolved {_when(d.get('resolved_at'))} by {d.get('resolved_by', '?')}: "
                   f"{d['winner']} first, {d['loser']} waits — {d.get('reason', '')}")
    elif d["status"] == "open":
        typer.echo(f"  resolve: hookgate disputes resolve {d['id']} --winner {a}|{b} --reason \"…\"")


@disputes_app.command("resolve")
def resolve(
    dispute: Annotated[str, typer.Argument(metavar="ID")],
    winner: Annotated[str, typer.Option(help="The plan that goes first; the other waits for it.")] = "",
    reason: Annotated[str, typer.Option(help="Why (recorded in the ledger).")] = "",
) -> None:
    """Order a dispute's two plans: WINNER first (a human's command; recorded in the ledger)."""
    from hookgate.cli.rollout_edit import who
    from hookgate.plans import ops

    if not winner:
        raise fail("disputes resolve: --winner PLAN is required", 2)
    root = project_root()
    try:
        d = ops.resolve_dispute(root, state_dir(root), dispute, winner, reason, who())
    except ops.PlanError as e:
        raise fail(f"disputes resolve: {e}", e.code) from None
    typer.echo(f"dispute {dispute} resolved: {d['winner']} first; {d['loser']} now waits for it")


def register(app: typer.Typer) -> None:
    app.add_typer(disputes_app, name="disputes")
