"""``hookgate gate --plan ID`` (ADR 0024): every file a branch changed is inside the plan's write
claims. The plan's claims are the ones it started with (the run record: a plan edited since
does not widen a running plan's contract); a plan never started is checked against its file.

The changed files come from the merge gate (ADR 0022): ``git diff --name-status -M
BASE...REV``; a rename must have both its old and its new path inside the claims (it deletes
one and writes the other).
"""

from __future__ import annotations

from hookgate.errors import HookgateError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping


class PlanGateError(HookgateError):
    pass


def plan_patterns(root: str, state_dir: str, plan_id: str) -> tuple[list[str], str]:
    """(write patterns, where they came from)."""
    from hookgate.plans import load, state

    try:
        run = state.load(state_dir)["runs"].get(plan_id)
    except state.CorruptState as e:
        raise PlanGateError(str(e)) from None
    if run and run.get("write") is not None and run.get("status") in ("running", "done"):
        return list(run["write"]), f"the claims plan {plan_id} {'started' if run['status'] == 'running' else 'finished'} with"
    plans, _found = load.load_all(root)
    plan = next((p for p in plans if p.id == plan_id), None)
    if plan is None:
        raise PlanGateError(f"no plan {plan_id!r} (.hookgate/plans/<id>.toml)")
    return list(plan.write), f".hookgate/plans/{plan_id}.toml"


def check(changes, patterns) -> list[dict]:
    """Rows ``{status, path[, from]}`` of changes outside *patterns*."""
    from hookgate.plans.globs import match_any

    out = []
    for status, path, old in changes:
        bad_new = match_any(patterns, path) is None
        bad_old = bool(old) and match_any(patterns, old) is None
        if bad_new or bad_old:
            row = {"status": status, "path": path}
            if old:
                row["from"] = old
            out.append(row)
    return out


def run(cwd: str, state_dir: str, plan_id: str, env: Mapping[str, str], base: str = "", rev: str = "HEAD") -> dict:
    """``{"ok", "plan", "claims_from", "patterns", "base", "rev", "files", "outside": [...]}``;
    GateError (ADR 0022) when git cannot answer, PlanGateError when the plan cannot be found.
    *env*: the environment git runs with (the caller's)."""
    from hookgate.state import paths
    from hookgate.validators.coordination.gate import GateError, _verify, changed_files, default_base

    if not _verify(cwd, rev, env):
        raise GateError(f"unknown revision {rev!r}")
    base = base or default_base(cwd, env)
    if not _verify(cwd, base, env):
        raise GateError(f"unknown base {base!r}")
    root = paths.find_project_root(cwd)
    patterns, source = plan_patterns(root, state_dir, plan_id)
    changes = changed_files(cwd, base, rev, env)
    outside_rows = check(changes, patterns)
    return {"ok": not outside_rows, "plan": plan_id, "claims_from": source, "patterns": patterns, "base": base,
            "rev": rev, "files": len(changes), "outside": outside_rows}


def report_lines(res: dict) -> list[str]:
    if res["ok"]:
        return [f"gate: ok — all {res['files']} file(s) changed on {res['rev']} since {res['base']} are inside plan "
                f"{res['plan']}'s write claims"]
    out = [f"gate: {len(res['outside'])} of {res['files']} file(s) changed on {res['rev']} since {res['base']} are "
           f"outside plan {res['plan']}'s write claims ({res['claims_from']}: {', '.join(res['patterns']) or 'none'}):"]
    for row in res["outside"]:
        out.append(f"  {row['status']} {row['path']}" + (f" (renamed from {row['from']})" if row.get("from") else ""))
    out.append("Either the plan grows (a reviewed edit of .hookgate/plans/<id>.toml) or these changes leave the "
               "branch (adr/0024-plans.md)")
    return out
