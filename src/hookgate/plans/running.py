"""The hot path's view of running plans (ADR 0024). Stdlib only, no ``re``, no ``json``.

``<state>/plans/running.json`` — ``{session: {"plan", "write": [patterns], "read": [...]}}`` —
is rewritten whole (atomically) by every ``plan start|done|abandon``; here it is only read:
one small file, only on the calls that need it (a write by a session, or ``hookgate plan
done`` from an agent's shell). A missing file means no plan runs; an unreadable one is
reported to the caller (:class:`Unreadable`), which fails closed.
"""

from __future__ import annotations

import os

from hookgate.errors import HookgateError

RUNNING = os.path.join("plans", "running.json")


class Unreadable(HookgateError, ValueError):
    pass


def index(state_dir: str) -> dict:
    try:
        with open(os.path.join(state_dir, RUNNING), "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        return {}
    except OSError as e:
        raise Unreadable(f"cannot read the running plans ({e.strerror or e})") from None
    from hookgate.state import jsonio

    try:
        data = jsonio.loads(raw)
    except ValueError:
        raise Unreadable("the running-plans index is not JSON") from None
    if not isinstance(data, dict):
        raise Unreadable("the running-plans index is not an object")
    return data


def carried(state_dir: str, session: str) -> dict | None:
    """The running plan *session* carries (``{"plan", "write", "read"}``), or None."""
    if not session:
        return None
    entry = index(state_dir).get(session)
    if entry is None:
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("write"), list):
        raise Unreadable(f"the running-plans entry of session {session} is malformed")
    return entry


def outside(entry: dict, rel_path: str) -> bool:
    """Whether a project-relative path is outside the plan's write claims."""
    from hookgate.plans.globs import match

    return not any(isinstance(p, str) and match(p, rel_path) for p in entry.get("write") or ())


ADR = "adr/0024-plans.md"


def outside_plan_verdict(session: str, rels, state_dir: str, hook_id: str = "coordination"):
    """The ``coordination`` hook's ``outside-plan`` verdict for a session's writes (project-
    relative paths), or None when the session carries no plan or every write is inside its
    claims. An unreadable index cannot be decided: a block that says so (fail closed)."""
    from hookgate.core import event as ev

    try:
        entry = carried(state_dir, session)
    except Unreadable as e:
        return ev.Verdict(hook_id, ev.BLOCK, "outside-plan", f"cannot tell whether this write is inside the running "
                          f"plan's claims: {e}", ADR, "ask the user to check <state>/plans/ (`hookgate plan status`)")
    if entry is None:
        return None
    out = [r for r in rels if outside(entry, r)]
    if not out:
        return None
    pid = entry.get("plan", "?")
    pats = ", ".join(str(p) for p in (entry.get("write") or [])[:6]) or "nothing"
    more = f" (and {len(out) - 1} more)" if len(out) > 1 else ""
    return ev.Verdict(
        hook_id, ev.BLOCK, "outside-plan",
        f"{out[0]}{more} is outside plan {pid}, which this session carries: its reviewed write claims are {pats}",
        ADR,
        f"stay inside the plan's claims; if the work needs this file, ask the user to add it to claims.write in "
        f".hookgate/plans/{pid}.toml and re-run `hookgate plan start {pid} --session {session}`",
        tuple(out),
    )
