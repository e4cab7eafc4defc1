"""The validator interface (ADR 0002).

A validator is a module with these names (checked by ``tests/test_registry.py``):

- ``HOOK_ID``: its id in ``rollout.yaml``; ``ADR``: the ADR file its messages cite;
- ``PHASES``: the event phases it looks at (``event.PRE`` …);
- ``check(**context) -> Verdict``: called with keyword arguments, taking only the names it
  lists (pluggy/flake8 style), so new context never breaks an old validator;
- optionally ``compile_policy(shipped, project, allow_loosen) -> dict`` (runs when config is
  compiled, never per call) to merge a project's override into the shipped policy.
- optionally ``RUNS_LAST = True``: it runs after every other validator (its record keeps
  its place in chain order), so its ``denied`` covers validators later in the chain too — for
  side effects a denied call must not leave behind (coordination's lease, ADR 0013).

Context names a validator may take are exactly ``CONTEXT_NAMES``.
"""

from __future__ import annotations

TYPE_CHECKING = False

CONTEXT_NAMES = frozenset(
    (
        "event",  # event.Event
        "accesses",  # list[event.Access]
        "analysis",  # shell analysis (hookgate.shell) or None for non-shell tools
        "policy",  # this hook's compiled policy (dict)
        "config",  # the whole compiled config
        "stage",  # this hook's stage for this platform
        "denied",  # an earlier validator's effective verdict already blocks this call (bool;
        # for a RUNS_LAST validator: any other validator's)
        "state_dir",
        "project_root",
        "home",
        "record_id",  # the id of the ledger record this decision will be written as
        "notes",  # dict of extra record fields (engine.NOTE_FIELDS), e.g. workaround_of
        "env",  # the hook process's environment (the agent's; never the agent's own settings)
    )
)

if TYPE_CHECKING:  # pragma: no cover - typing only, never imported on the hot path
    from typing import Protocol

    from hookgate.core.event import Verdict

    class Validator(Protocol):
        HOOK_ID: str
        ADR: str
        PHASES: frozenset[str]

        def check(self, **context: object) -> Verdict: ...


def argnames(func) -> tuple[str, ...]:
    code = func.__code__
    return code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
