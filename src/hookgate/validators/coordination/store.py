"""The coordination state: leases and claims as data (ADR 0013). Stdlib only, hot path.

One small JSON document, ``<state>/coordination/state.json``::

    {"v": 2, "seq": 7,
     "leases": {"src/app.py": {"session", "platform", "since", "renewed", "expires", "via",
                               "wt", "branch"}},
     "claims": [{"id", "path", "session", "platform", "mode", "priority", "ttl",
                 "requested", "refreshed", "granted", "expires", "wt", "branch"}],
     "preempted": [{"session", "claim", "path", "mode", "by", "by_platform", "by_mode", "at"}]}

Keys are repository-relative (``identity.key``; absolute for files outside the repository),
so every worktree meets every other's leases (ADR 0022); ``wt``/``branch`` say where the
holder works. Version 1 (keys were absolute paths, ADR 0013) is migrated on read — each key
re-based on the worktree it lies in, the original kept as ``state.json.v1`` — never dropped;
a version this hookgate does not know is refused (:class:`UnsupportedState`), never reset.

Times are Unix seconds (floats). Readers take no lock (the file is only ever replaced whole);
every change happens in :func:`mutate`: ``state.files.locked`` on ``state.lock`` (fail-fast),
re-read, change, ``state.files.replace`` (temp + ``os.replace``; no fsync — leases are soft state
that a crash may drop but never tear).
"""

from __future__ import annotations

from hookgate.state import jsonio as json
import os
import time

from hookgate.state import files
from hookgate.errors import HookgateError

COORD_DIR = "coordination"
STATE_NAME = "state.json"
LOCK_NAME = "state.lock"
LOCK_TIMEOUT = 2.0


VERSION = 2


class CorruptState(HookgateError, ValueError):
    """state.json does not parse (it is only ever replaced whole, so this means tampering)."""


class UnsupportedState(HookgateError, ValueError):
    """state.json was written by a newer hookgate: refused, never reset (it may hold leases)."""


def coord_dir(state_dir: str) -> str:
    return os.path.join(state_dir, COORD_DIR)


def state_path(state_dir: str) -> str:
    return os.path.join(state_dir, COORD_DIR, STATE_NAME)


def empty() -> dict:
    return {"v": VERSION, "seq": 0, "leases": {}, "claims": []}


def _parse(raw: bytes, path: str) -> dict:
    try:
        data = json.loads(raw)
    except ValueError as e:
        raise CorruptState(f"{path}: not JSON ({e})") from None
    if not isinstance(data, dict) or not isinstance(data.get("leases"), dict) or not isinstance(data.get("claims"), list):
        raise CorruptState(f"{path}: not a coordination state document")
    v = data.get("v", 1)
    if not isinstance(v, int) or isinstance(v, bool) or v < 1:
        raise CorruptState(f"{path}: bad format version {v!r}")
    if v > VERSION:
        raise UnsupportedState(
            f"{path} was written by a newer hookgate (format v{v}; this one reads v1-v{VERSION}); "
            "its leases are kept: upgrade hookgate here, or a human runs `hookgate locks release --all` "
            "to start over")
    if v == 1:
        _migrate_v1(data, os.path.dirname(os.path.dirname(path)))
    if not isinstance(data.get("preempted", []), list):
        raise CorruptState(f"{path}: 'preempted' is not a list")
    return data


def _migrate_v1(data: dict, state_dir: str) -> None:
    """ADR 0013 keyed leases and claims by absolute path; re-key each on the worktree it lies
    in (every worktree of this repository is a candidate). A path in no worktree stays
    absolute — it is still a lease, on a file outside the repository."""
    from hookgate.validators.coordination import identity

    common = identity.common_dir_of_state(state_dir)
    tops = [w["top"] for w in identity.worktrees(common)] if common else []
    leases = {}
    for p, lease in data["leases"].items():
        if not isinstance(lease, dict):
            raise CorruptState(f"lease {p!r} is not an object")
        k, top = identity.migrate_key(p, tops) if identity.is_abs_key(p) else (p, None)
        rec = dict(lease)
        if top:
            rec.update(identity.where(top))
        prev = leases.get(k)
        if prev is None or float(prev.get("expires", 0)) < float(rec.get("expires", 0)):
            leases[k] = rec  # two worktrees' leases on one file: the longer-lived one stands
    data["leases"] = leases
    for c in data["claims"]:
        if isinstance(c, dict) and isinstance(c.get("path"), str) and identity.is_abs_key(c["path"]):
            k, top = identity.migrate_key(c["path"], tops)
            c["path"] = k
            if top:
                c.update(identity.where(top))
    data["v"] = VERSION
    data["migrated_from"] = 1


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
    # ASCII escapes: a path that is not UTF-8 (a lone surrogate from surrogateescape) survives
    return json.dumps(data, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def mutate(state_dir: str, fn, timeout: float = LOCK_TIMEOUT):
    """Run ``fn(data)`` under the state lock and save *data* if it changed; return fn's result.

    A corrupt state file is moved aside (``state.json.corrupt-<ts>``) and replaced by an empty
    state, so one bad byte cannot wedge every agent."""
    with files.locked(os.path.join(coord_dir(state_dir), LOCK_NAME), timeout):
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
            if data.get("migrated_from") == 1 and before and not os.path.exists(path + ".v1"):
                files.replace(path + ".v1", before, fsync=False)  # what was migrated, kept
            files.replace(path, after, fsync=False)
        return result


def next_id(data: dict, prefix: str) -> str:
    data["seq"] = int(data.get("seq", 0)) + 1
    return f"{prefix}{data['seq']}"
