"""``type = "migration"``: schema/data migrations apply in one sequence (ADR 0024).

- it claims to write inside a migrations directory (a path segment containing ``migrat``,
  or ``alembic``);
- ``checks.tests`` is not empty;
- across plans: every two migration plans are ordered by a dependency path, even when they
  write different files — two unordered migrations race for the next revision number (or
  both branch off one head).
"""

from __future__ import annotations

from hookgate.plans import globs

TYPE = "migration"
DESCRIPTION = "writes a migrations directory, names its tests, and is ordered after every other migration"


def _in_migrations(pattern: str) -> bool:
    return any("migrat" in s.lower() or s.lower() == "alembic" for s in globs.segments(pattern))


def check(plan, ctx):
    out = []
    if not any(_in_migrations(w) for w in plan.write):
        out.append(ctx.finding(plan, "no-migration-claim", "a migration claims no path inside a migrations "
                               "directory (e.g. migrations/**, alembic/versions/**)", "claims.write"))
    if not plan.tests:
        out.append(ctx.finding(plan, "no-tests", "a migration must name the tests that apply it (checks.tests)",
                               "checks.tests"))
    return out


def check_all(plans, ctx):
    out = []
    ids = sorted(p.id for p in plans)
    by_id = {p.id: p for p in plans}
    # pairwise over migrations only; projects have few. Each pair is two bit tests.
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            if not ctx.ordered(a, b):
                out.append(ctx.finding(by_id[a], "migrations-unordered",
                                       f"migrations {a} and {b} are not ordered: migrations apply in sequence, "
                                       f"so make one depend on the other", "plan.depends_on"))
    return out
