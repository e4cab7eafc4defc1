"""Per-type plan validators: a registry like the hook registry (ADR 0002, ADR 0024).

A validator is a module with:

- ``TYPE``: the ``plan.type`` it checks; ``DESCRIPTION``: one line for ``plan check --help``;
- ``check(plan, ctx) -> iterable[Finding]``: one plan of its type;
- optionally ``check_all(plans, ctx) -> iterable[Finding]``: every plan of its type at once
  (checks between plans, e.g. migrations must be totally ordered).

Built-ins are listed in ``VALIDATORS``; a project (or a package it installs) adds types
through the ``hookgate.plan_validators`` entry-point group, each entry point naming a module
(``name = "pkg.module"``). An entry point cannot replace a built-in type, and one that fails
to import is a finding, not a crash. ``common`` runs for every plan whatever its type.
"""

from __future__ import annotations

import importlib
import os

from hookgate.plans.model import ERROR, WARNING, Finding, Plan

VALIDATORS: dict[str, str] = {
    "refactor": "hookgate.plans.validators.refactor",
    "feature": "hookgate.plans.validators.feature",
    "migration": "hookgate.plans.validators.migration",
    "docs": "hookgate.plans.validators.docs",
}
ENTRY_POINT_GROUP = "hookgate.plan_validators"
REQUIRED_NAMES = ("TYPE", "DESCRIPTION", "check")
WALK_CAP = 20000  # directory entries visited to prove a pattern matches nothing


def registry() -> tuple[dict, list[Finding]]:
    """``{type: module}`` (built-ins, then entry points) and the problems found loading them."""
    mods: dict = {}
    problems: list[Finding] = []
    for name, modname in VALIDATORS.items():
        mods[name] = importlib.import_module(modname)
    try:
        from importlib.metadata import entry_points

        eps = list(entry_points(group=ENTRY_POINT_GROUP))
    except Exception as e:  # noqa: BLE001 - broken metadata must not hide the built-ins
        eps = []
        problems.append(Finding("validator-error", f"cannot list {ENTRY_POINT_GROUP} entry points: {e}"))
    for ep in sorted(eps, key=lambda e: e.name):
        if ep.name in VALIDATORS:
            problems.append(Finding("validator-error", f"entry point {ep.name} = {ep.value!r} would replace the "
                                    f"built-in {ep.name!r} validator; pick another type name"))
            continue
        try:
            mod = ep.load()
        except Exception as e:  # noqa: BLE001 - a project's plugin must not crash the check
            problems.append(Finding("validator-error", f"plan validator {ep.name} = {ep.value!r} failed to load: "
                                    f"{type(e).__name__}: {e}"))
            continue
        missing = [n for n in REQUIRED_NAMES if not hasattr(mod, n)]
        if missing:
            problems.append(Finding("validator-error", f"plan validator {ep.name} = {ep.value!r} lacks "
                                    f"{', '.join(missing)}"))
            continue
        mods[ep.name] = mod
    return mods, problems


class Context:
    """What a validator may look at: the project root, every plan, the graph, and helpers."""

    def __init__(self, root: str, plans: list[Plan], graph):
        self.root = root
        self.plans = plans
        self.by_id = {p.id: p for p in plans}
        self.graph = graph
        self._matches: dict[str, bool] = {}

    def finding(self, plan: Plan, code: str, message: str, key: str = "", severity: str = ERROR) -> Finding:
        return Finding(code, f"{plan.id}: {message}", (plan.id,), plan.file, plan.line_of(key) if key else 0,
                       key, severity)

    def ordered(self, a: str, b: str) -> bool:
        return self.graph.ordered_ids(a, b)

    def matches_something(self, pattern: str) -> bool:
        """Whether some existing file or directory is covered by *pattern* (bounded walk from
        its literal prefix; a walk too large to finish counts as a match)."""
        hit = self._matches.get(pattern)
        if hit is None:
            hit = self._matches[pattern] = _matches_something(self.root, pattern)
        return hit


def _matches_something(root: str, pattern: str) -> bool:
    from hookgate.plans import globs

    segs = globs.segments(pattern)
    prefix = globs.literal_prefix(segs)
    base = os.path.join(root, *prefix) if prefix else root
    if len(prefix) == len(segs):
        return os.path.lexists(base)
    if not os.path.isdir(base):
        return False
    if prefix and globs.match(pattern, "/".join(prefix)):
        return True  # src/oauth/** covers the directory src/oauth itself
    seen = 0
    todo = [base]
    while todo:
        d = todo.pop()
        try:
            with os.scandir(d) as it:
                entries = list(it)
        except OSError:
            continue
        for e in entries:
            seen += 1
            if seen > WALK_CAP:
                return True
            rel = os.path.relpath(e.path, root).replace(os.sep, "/")
            if globs.match(pattern, rel):
                return True
            if e.name != ".git" and e.is_dir(follow_symlinks=False):
                todo.append(e.path)
    return False


def run(plans: list[Plan], ctx: Context) -> list[Finding]:
    """Every validator over every plan: ``common`` for all, the type's own for its plans."""
    from hookgate.plans.validators import common

    mods, found = registry()
    by_type: dict[str, list[Plan]] = {}
    for p in plans:
        found.extend(common.check(p, ctx))
        mod = mods.get(p.type)
        if mod is None:
            found.append(ctx.finding(p, "unknown-type", f"plan.type {p.type!r} has no validator (known: "
                                     f"{', '.join(sorted(mods))}; a project adds one through the "
                                     f"{ENTRY_POINT_GROUP} entry point)", "plan.type"))
            continue
        by_type.setdefault(p.type, []).append(p)
        found.extend(_safe(mod, "check", p.type, p, ctx))
    for t, group in sorted(by_type.items()):
        if hasattr(mods[t], "check_all"):
            found.extend(_safe(mods[t], "check_all", t, group, ctx))
    return found


def _safe(mod, fn: str, type_: str, arg, ctx) -> list[Finding]:
    try:
        out = list(getattr(mod, fn)(arg, ctx) or ())
    except Exception as e:  # noqa: BLE001 - fail closed: a crashing validator is a finding
        ids = (arg.id,) if isinstance(arg, Plan) else tuple(p.id for p in arg)
        return [Finding("validator-error", f"the {type_!r} validator crashed: {type(e).__name__}: {e}", ids)]
    bad = [f for f in out if not isinstance(f, Finding)]
    if bad:
        return [Finding("validator-error", f"the {type_!r} validator returned {type(bad[0]).__name__}, not Finding")]
    return out


__all__ = ["ERROR", "WARNING", "Context", "Finding", "registry", "run"]
