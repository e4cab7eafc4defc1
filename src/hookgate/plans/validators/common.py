"""Checks every plan gets, whatever its type (ADR 0024).

- ``checks.tests`` that match no file and that the plan does not claim to write (it could
  not create them) — an error: ``plan done`` would run nothing;
- a read claim that matches nothing — a warning (usually a typo);
- a write glob with wildcards that matches nothing yet — a warning (new files are fine, but a
  pattern that matches nothing also protects nothing);
- ``plan.agent`` that names no platform hookgate knows — a warning.
"""

from __future__ import annotations

from hookgate.plans import globs
from hookgate.plans.model import WARNING


def check(plan, ctx):
    out = []
    for t in plan.tests:
        if not ctx.matches_something(t) and not any(globs.overlap(t, w) for w in plan.write):
            out.append(ctx.finding(plan, "tests-missing", f"checks.tests {t!r} matches no file, and the plan "
                                   "does not claim to write it", "checks.tests"))
    for r in plan.read:
        if not ctx.matches_something(r):
            out.append(ctx.finding(plan, "matches-nothing", f"claims.read {r!r} matches no file", "claims.read",
                                   WARNING))
    for w in plan.write:
        if not globs.is_literal(w) and not ctx.matches_something(w):
            out.append(ctx.finding(plan, "matches-nothing", f"claims.write {w!r} matches no file yet",
                                   "claims.write", WARNING))
    if plan.agent:
        from hookgate.adapters import PLATFORM_IDS

        if plan.agent not in PLATFORM_IDS:
            out.append(ctx.finding(plan, "unknown-agent", f"plan.agent {plan.agent!r} is not a platform hookgate "
                                   f"knows ({', '.join(PLATFORM_IDS)})", "plan.agent", WARNING))
    return out
