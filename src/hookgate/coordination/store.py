"""The coordination state: leases and claims as data (ADR 0013). Stdlib only, hot path.

One small JSON document, ``<state>/coordination/state.json``::

    {"v": 1, "seq": 7,
     "leases": {"/abs/path": {"session", "platform", "since", "renewed", "expires", "via"}},
     "claims": [{"id", "path", "session", "platform", "mode", "priority", "ttl",
                 "requested", "refreshed", "granted", "expires"}]}

Times are Unix seconds (floats). Readers take no lock (the file is only ever replaced whole);
every change happens in :func:`mutate`: exclusive ``flock`` on ``state.lock`` (fail-fast),
re-read, change, atomic rewrite (temp + ``os.replace``; no fsync — leases are soft state
that a crash may drop but never tear).
"""

from __future__ import annotations

from hookgate import jsonio as json
import os
import time

from hookgate.locks import atomic_write, ensure_dir, flock_timeout, unlock

COORD_DIR = "coordination"
STATE_NAME = "state.json"
LOCK_NAME = "state.lock"
LOCK_TIMEOUT = 2.0


class CorruptState(ValueError):
    """state.json does not parse (it is only ever replaced whole, so this means tampering)."""


def coord_dir(state_dir: str) -> str:
    return os.path.join(state_dir, COORD_DIR)


def state_path(state_dir: str) -> str:
    return os.path.join(state_dir, COORD_DIR, STATE_NAME)


def empty() -> dict:
    return {"v": 1, "seq": 0, "leases": {}, "claims": []}


def _parse(raw: bytes, path: str) -> dict:
    try:
        data = json.loads(raw)
    except ValueError as e:
        raise CorruptState(f"{path}: not JSON ({e})") from None
    if not isinstance(data, dict) or not isinstance(data.get("leases"), dict) or not isinstance(data.get("claims"), list):
        raise CorruptState(f"{path}: not a coordination state document")
    return data


def load(state_dir: str) -> dict:
    """The current state (no lock). Missing → empty; unparsable → :class:`CorruptState`."""
    path = state_path(state_dir)
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        return empty()
    return _parse(raw, path)


def exists(state_dir: str) -> bool:
    return os.path.exists(state_path(state_dir))


def _dumps(data: dict) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def mutate(state_dir: str, fn, timeout: float = LOCK_TIMEOUT):
    """Run ``fn(data)`` under the state lock and save *data* if it changed; return fn's result.

    A corrupt state file is moved aside (``state.json.corrupt-<ts>``) and replaced by an empty
    state, so one bad byte cannot wedge every agent."""
    d = coord_dir(state_dir)
    ensure_dir(d)
    fd = os.open(os.path.join(d, LOCK_NAME), os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        flock_timeout(fd, timeout, os.path.join(d, LOCK_NAME))
        try:
            path = state_path(state_dir)
            try:
                with open(path, "rb") as f:
                    before = f.read()
                data = _parse(before, path)
            except FileNotFoundError:
                before, data = b"", empty()
            except CorruptState:
                os.replace(path, f"{path}.corrupt-{int(time.time())}")
                before, data = b"", empty()
            result = fn(data)
            after = _dumps(data)
            if after != before:
                atomic_write(path, after, fsync=False)
            return result
        finally:
            unlock(fd)
    finally:
        os.close(fd)


def next_id(data: dict, prefix: str) -> str:
    data["seq"] = int(data.get("seq", 0)) + 1
    return f"{prefix}{data['seq']}"
