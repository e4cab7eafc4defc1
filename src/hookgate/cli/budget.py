"""``hookgate budget show``: token use per session, % of the limit, consumption over time.

Read-only (agents may run it): it shows what the budget hook last read from the transcripts
(as of the session's last hook call) and the limits of the compiled config (ADR 0014).
"""

from __future__ import annotations

import json

import typer

from hookgate.validators import budget
from hookgate.core import config
from hookgate.validators.budget import ALL_KINDS, KIND_LABELS, TOTAL
from hookgate.cli._common import fail, project_root, state_dir

budget_app = typer.Typer(help="Per-session token budgets (read from the agents' transcripts).", no_args_is_help=True)

BAR_WIDTH = 30
MAX_BARS = 12


def _policy(root: str, state: str) -> dict:
    compiled, _refusal = config.load(root, state)
    return (compiled.get("policies") or {}).get("budget") or {}


def _limits(policy: dict, platform: str) -> dict:
    return (policy.get("platforms") or {}).get(platform) or policy


def bars(series: list, max_bars: int = MAX_BARS) -> list[tuple[str, int]]:
    """Re-bucket the per-minute series into at most *max_bars* (label, tokens) rows."""
    if not series:
        return []
    step = -(-len(series) // max_bars)
    out = []
    for i in range(0, len(series), step):
        chunk = series[i : i + step]
        out.append((chunk[0][0], sum(int(c[1]) for c in chunk)))
    return out


def session_view(st: dict, policy: dict) -> dict:
    lim = _limits(policy, st.get("platform", ""))
    used = budget.totals(st)
    limits = lim.get("limits") or {}
    pct = {k: round(used.get(k, 0) * 100 / n, 1) for k, n in limits.items()}
    worst = max(pct.values()) if pct else 0.0
    status = "ok"
    if limits and worst >= lim.get("block_at", 1.0) * 100:
        status = "over budget (non-read-only tools blocked when enforced)"
    elif limits and worst >= lim.get("warn_at", 0.8) * 100:
        status = "warning"
    return {
        "platform": st.get("platform", ""),
        "session": st.get("session", ""),
        "estimate": bool(st.get("estimate")),
        "tokens": used,
        "limits": limits,
        "percent_of_limit": pct,
        "warn_at": lim.get("warn_at", 0.8),
        "block_at": lim.get("block_at", 1.0),
        "status": status,
        "messages": st.get("messages", 0),
        "malformed_lines": st.get("malformed", 0),
        "restarts": st.get("restarts", 0),
        "transcript": st.get("source", ""),
        "transcript_missing": bool(st.get("missing")),
        "updated": st.get("updated", ""),
        "series": [[b, n] for b, n in bars(st.get("series") or [], 10_000)],
    }


def _render(v: dict) -> list[str]:
    est = " (ESTIMATE)" if v["estimate"] else ""
    lines = [f"{v['platform']}  session {v['session']}{est}  — {v['status']}  (as of {v['updated']})"]
    for k in ALL_KINDS:
        n = v["tokens"].get(k, 0)
        lim = v["limits"].get(k)
        share = f"  {v['percent_of_limit'][k]:.1f}% of {lim:,}" if lim else ""
        if n or lim or k == TOTAL:
            lines.append(f"  {KIND_LABELS[k]:<12}{n:>15,}{share}")
    notes = []
    if v["malformed_lines"]:
        notes.append(f"{v['malformed_lines']} malformed line(s) skipped")
    if v["restarts"]:
        notes.append(f"transcript restarted {v['restarts']}x (earlier totals carried)")
    if v["transcript_missing"]:
        notes.append("transcript missing (last totals kept)")
    if notes:
        lines.append("  note: " + "; ".join(notes))
    rows = bars(v["series"])
    if rows:
        top = max(n for _, n in rows) or 1
        lines.append("  consumption over the session:")
        for label, n in rows:
            width = max(1, round(n * BAR_WIDTH / top)) if n else 0
            lines.append(f"    {label.replace('T', ' ')}  {'█' * width:<{BAR_WIDTH}} {n:,}")
    return lines


@budget_app.command("show")
def show(
    session: str = typer.Option("", "--session", help="Only this session (id or prefix)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Tokens per session by kind, % of the limit, and consumption over the session."""
    root = project_root()
    state = state_dir(root)
    policy = _policy(root, state)
    states = budget.list_states(state)
    if session:
        states = [s for s in states if str(s.get("session", "")).startswith(session)]
        if not states:
            raise fail(f"no budget data for session {session!r} (in {budget.budget_dir(state)})")
    views = sorted((session_view(s, policy) for s in states), key=lambda v: v["updated"], reverse=True)
    if as_json:
        typer.echo(json.dumps({"sessions": views}, indent=2, sort_keys=True))
        return
    if not views:
        typer.echo("no budget data yet (it appears after the first hook call of a session with a transcript)")
        return
    out = []
    for v in views:
        out.extend(_render(v))
        out.append("")
    typer.echo("\n".join(out).rstrip())


def register(app: typer.Typer) -> None:
    app.add_typer(budget_app, name="budget")
