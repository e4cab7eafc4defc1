"""Per-session guard state for deny-workaround detection (ADR 0009).

``<state>/guard-sessions/<digest of session id>.json``::

    {"blocked": {"/abs/path": {"id": RECORD_ID, "route": "Write:Write.file_path", "hook": …}},
     "escalated": RECORD_ID or ""}

Read only when an access hit a rule (so the common allow path never opens it); rewritten
atomically only when something was blocked or a workaround was seen. One process serves
both guards, so the state is cached per (state dir, session) for the life of the process.
"""

from __future__ import annotations

from hookgate.state import jsonio as json
import os

try:
    from _sha256 import sha256
except ImportError:  # pragma: no cover
    from hashlib import sha256

DIR_NAME = "guard-sessions"
MAX_BLOCKED = 500
_CACHE: dict = {}


def _path(state_dir: str, session: str) -> str:
    h = sha256(session.encode("utf-8", "surrogatepass")).hexdigest()[:24]
    return os.path.join(state_dir, DIR_NAME, h + ".json")


def load(state_dir: str, session: str) -> dict:
    key = (state_dir, session)
    st = _CACHE.get(key)
    if st is not None:
        return st
    st = {"blocked": {}, "escalated": ""}
    try:
        with open(_path(state_dir, session), encoding="utf-8") as f:
            data = json.load(f)
        if isinstance(data, dict) and isinstance(data.get("blocked"), dict):
            st["blocked"] = data["blocked"]
            st["escalated"] = str(data.get("escalated") or "")
    except (OSError, ValueError):
        pass
    _CACHE[key] = st
    return st


def save(state_dir: str, session: str, st: dict) -> None:
    from hookgate.state import files

    blocked = st["blocked"]
    if len(blocked) > MAX_BLOCKED:
        for k in list(blocked)[: len(blocked) - MAX_BLOCKED]:
            del blocked[k]
    data = json.dumps({"blocked": blocked, "escalated": st["escalated"]}, sort_keys=True).encode()
    try:
        files.replace(_path(state_dir, session), data, fsync=False)
    except OSError:
        pass  # losing workaround state never blocks a decision
