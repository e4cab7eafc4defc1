"""``type = "feature"``: new behaviour comes with tests (ADR 0024).

- it claims something to write;
- ``checks.tests`` is not empty;
- at least one of those tests is inside its write claims (the feature adds or extends it).
"""

from __future__ import annotations

from hookgate.plans import globs

TYPE = "feature"
DESCRIPTION = "new behaviour: names its tests and claims to write at least one of them"


def check(plan, ctx):
    out = []
    if not plan.write:
        out.append(ctx.finding(plan, "no-write-claims", "a feature claims nothing to write (claims.write)",
                               "claims.write"))
    if not plan.tests:
        out.append(ctx.finding(plan, "no-tests", "a feature must name the tests that check it (checks.tests)",
                               "checks.tests"))
    elif plan.write and not any(globs.overlap(t, w) for t in plan.tests for w in plan.write):
        out.append(ctx.finding(plan, "feature-without-test-claim", "none of its checks.tests is inside "
                               "claims.write: a feature adds or extends a test, so claim it", "claims.write"))
    return out
