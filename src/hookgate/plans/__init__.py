"""Plans as checkable claims (ADR 0024). CLI side (off the hot path) except ``running``.

- ``model``: a plan and a finding, as data;
- ``load``: strict loading of ``.hookgate/plans/<id>.toml`` (stdlib ``tomllib``): unknown
  keys, duplicate keys/ids and wrong types are refused with file, line and key;
- ``globs``: claim patterns (``*``, ``?``, ``[...]``, ``**``): normalising, matching a path,
  and whether two patterns can match one path;
- ``graph``: the dependency graph over all plans — unknown dependencies, self-dependency,
  cycles (named), write-claim overlaps between plans no dependency path orders — iterative
  throughout (a 1,000-plan cycle does not recurse);
- ``validators``: per-type checks, a registry like the hook registry plus the
  ``hookgate.plan_validators`` entry-point group;
- ``state``: which plans run, are done or abandoned, and the disputes, in
  ``<state>/plans/state.json`` (flock + atomic rewrite);
- ``running``: the hot path's view — which plan a session carries, and whether a write is
  inside its claims (stdlib only, no ``re``).

Importing this package imports nothing.
"""
