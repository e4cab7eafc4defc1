"""``type = "refactor"``: behaviour stays the same, so the tests prove it (ADR 0024).

- it claims something to write;
- ``checks.tests`` names the tests that must keep passing;
- it does not claim to write those tests: a refactor that edits the tests that check it
  proves nothing.
"""

from __future__ import annotations

from hookgate.plans import globs

TYPE = "refactor"
DESCRIPTION = "behaviour unchanged: names its tests and does not write them"


def check(plan, ctx):
    out = []
    if not plan.write:
        out.append(ctx.finding(plan, "no-write-claims", "a refactor claims nothing to write (claims.write)",
                               "claims.write"))
    if not plan.tests:
        out.append(ctx.finding(plan, "no-tests", "a refactor must name the tests that prove behaviour is "
                               "unchanged (checks.tests)", "checks.tests"))
    for t in plan.tests:
        w = next((w for w in plan.write if globs.overlap(t, w)), None)
        if w:
            out.append(ctx.finding(plan, "refactor-writes-tests", f"claims.write {w!r} covers its own test {t!r}: "
                                   "a refactor that edits the tests that check it proves nothing", "claims.write"))
    return out
