"""Per-session token usage from the agents' own records (ADR 0014). Hot path: stdlib only.

One state file per (platform, session) under ``<state>/budget/<platform>/``: the transcript
it was read from (path, device/inode, the first bytes, the byte offset of the last complete
line), the running totals, a window of recently seen message keys (streamed messages repeat)
and a coarse series for ``hookgate budget show``. A call reads only the bytes appended since
the last call. Rewrites are atomic (temp + rename; no fsync: the state is a cache of the
transcript, see ``replace_cache``); two hooks racing on one session
both derive a consistent (offset, totals) pair from the same base, so no lock is needed for
transcript readers (the Cursor estimator, which accumulates per event, takes a short flock).

Readers, one module per platform (``READERS``): ``update(state, event) -> bool`` (changed).
"""

from __future__ import annotations

from hookgate.validators.budget.state import (  # noqa: F401 (the package's API)
    STATE_VERSION,
    KINDS,
    TOTAL,
    ALL_KINDS,
    KIND_LABELS,
    budget_dir,
    safe_name,
    state_path,
    new_state,
    load_state,
    save_state,
    replace_cache,
    now_iso,
    totals,
    add_series,
    minute,
    list_states,
)

READERS = {
    "claude-code": "hookgate.validators.budget.claude",
    "gemini-cli": "hookgate.validators.budget.gemini",
    "cursor": "hookgate.validators.budget.cursor",
    "codex": "hookgate.validators.budget.codex",  # ADR 0023
}


def usage(event, state_dir: str) -> dict | None:
    """Refresh and return the state of *event*'s session (None when the platform has no
    reader). Never raises for a bad transcript; raises only on an unwritable state dir."""
    mod_name = READERS.get(event.platform)
    if mod_name is None:
        return None
    import sys

    __import__(mod_name)  # not importlib: it pulls in warnings on every hook call (ADR 0017)
    reader = sys.modules[mod_name]
    path = state_path(state_dir, event.platform, event.session_id)
    return reader.refresh(path, event)
