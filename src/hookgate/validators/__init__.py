"""The validator registry: hook id → module, in chain order (ADR 0002).

A validator is a module (see ``base.Validator``) imported only when the chain runs.
Adding a hook = one module + one line here + a manifest in ``hooks/`` + an ADR.
"""

from __future__ import annotations

import sys

VALIDATORS: dict[str, str] = {
    "self-protection": "hookgate.validators.self_protection",
    "read-guard": "hookgate.validators.read_guard",
    "write-guard": "hookgate.validators.write_guard",
    "coordination": "hookgate.validators.coordination.validator",
    "budget": "hookgate.validators.budget.validator",
}

# ids that rollout.yaml may name (later issues add their validators to VALIDATORS)
KNOWN_HOOKS = ("self-protection", "read-guard", "write-guard", "coordination", "budget")

# stage floor: these hooks cannot be configured below enforce
PINNED_ENFORCE = frozenset(("self-protection",))


def load(hook_id: str):
    return _module(VALIDATORS[hook_id])


def load_all() -> list:
    return [_module(m) for m in VALIDATORS.values()]


def _module(name: str):
    """``importlib.import_module`` without importing ``importlib`` (and ``warnings``) on every
    hook call (ADR 0017): the names here are absolute and fixed."""
    __import__(name)
    return sys.modules[name]


def analysis_hints(cfg, event, home: str, env: dict) -> tuple:
    """(may_read, flagged) for the shell analysis, from the guards' policies (each None when
    it does not apply); see ``validators.policy.hints``."""
    if getattr(event, "tool_kind", None) not in ("shell", "search", "mcp"):  # (ev.SHELL, ev.SEARCH, ev.MCP)
        return None, None  # what hints answers for them, without loading it (ADR 0017)
    from hookgate.validators.policy import hints

    return hints.read_predicate(cfg, event, home), hints.guard_predicate(cfg, event, home, env)
