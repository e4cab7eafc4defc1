"""Which plans run, are done or abandoned, and the disputes (ADR 0024). Stdlib only.

``<state>/plans/state.json`` (shared by every worktree of the repository, like the
coordination state)::

    {"v": 1,
     "runs": {"<plan id>": {"status": "running"|"done"|"abandoned", "session", "platform",
              "started", "finished", "digest", "file", "claims": [claim ids], "write": [...],
              "read": [...], "worktree", "by", "checks": {...}}},
     "disputes": {"<id>": {"id", "plans": [a, b], "patterns": [[x, y], …],
                  "status": "open"|"resolved"|"withdrawn", "created", "winner", "loser",
                  "reason", "resolved_by", "resolved_at"}}}

and, beside it, ``running.json`` — ``{session: {"plan", "write", "read"}}`` for running plans
only — which the coordination hook reads on the hot path (:mod:`hookgate.plans.running`).
Both change only in :func:`mutate`: exclusive ``flock`` on ``state.lock``, re-read, change,
atomic rewrite (temp + fsync + ``os.replace``); a run is a contract, so unlike leases it is
fsynced.
"""

from __future__ import annotations

import json
import os
import time

from hookgate.state import files
from hookgate.errors import HookgateError

DIR = "plans"
STATE_NAME = "state.json"
RUNNING_NAME = "running.json"
LOCK_NAME = "state.lock"
LOCK_TIMEOUT = 5.0


class CorruptState(HookgateError, ValueError):
    pass


def plans_state_dir(state_dir: str) -> str:
    return os.path.join(state_dir, DIR)


def state_path(state_dir: str) -> str:
    return os.path.join(state_dir, DIR, STATE_NAME)


def running_path(state_dir: str) -> str:
    return os.path.join(state_dir, DIR, RUNNING_NAME)


def empty() -> dict:
    return {"v": 1, "runs": {}, "disputes": {}}


def _parse(raw: bytes, path: str) -> dict:
    try:
        data = json.loads(raw)
    except ValueError as e:
        raise CorruptState(f"{path}: not JSON ({e})") from None
    if not isinstance(data, dict) or not isinstance(data.get("runs"), dict) or not isinstance(data.get("disputes"), dict):
        raise CorruptState(f"{path}: not a plans state document")
    return data


def load(state_dir: str) -> dict:
    """The current state (no lock). Missing → empty; unparsable → :class:`CorruptState` (a
    run is a contract: never silently dropped — a human moves the file aside)."""
    path = state_path(state_dir)
    try:
        with open(path, "rb") as f:
            return _parse(f.read(), path)
    except FileNotFoundError:
        return empty()


def running_index(data: dict) -> dict:
    out = {}
    for pid, run in sorted(data["runs"].items()):
        if run.get("status") == "running" and run.get("session"):
            out[run["session"]] = {"plan": pid, "write": run.get("write", []), "read": run.get("read", [])}
    return out


def mutate(state_dir: str, fn, timeout: float = LOCK_TIMEOUT):
    """Run ``fn(data)`` under the lock; save *data* (and the running index) if it changed."""
    with files.locked(os.path.join(plans_state_dir(state_dir), LOCK_NAME), timeout):
        path = state_path(state_dir)
        before = files.read(path)
        data = empty() if before is None else _parse(before, path)
        before = before or b""
        result = fn(data)
        after = json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False).encode("utf-8")
        if after != before:
            files.replace(path, after)
            idx = json.dumps(running_index(data), sort_keys=True, separators=(",", ":")).encode("utf-8")
            files.replace(running_path(state_dir), idx)
        return result


def dispute_id(a: str, b: str) -> str:
    import hashlib

    x, y = sorted((a, b))
    return "d-" + hashlib.sha256(f"{x}\0{y}".encode()).hexdigest()[:8]


def orders(data: dict) -> list[tuple[str, str]]:
    """``(winner, loser)`` of every resolved dispute: the loser waits for the winner."""
    return [(d["winner"], d["loser"]) for d in data["disputes"].values()
            if d.get("status") == "resolved" and d.get("winner") and d.get("loser")]


def finished(data: dict) -> frozenset:
    return frozenset(pid for pid, r in data["runs"].items() if r.get("status") in ("done", "abandoned"))


def now() -> float:
    return time.time()
