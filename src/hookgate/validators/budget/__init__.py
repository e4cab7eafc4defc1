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

from hookgate.state import jsonio as json
import os
import time

from hookgate.state.locks import atomic_write

STATE_VERSION = 1
# token kinds, in the order readers produce them; total_tokens is their sum
KINDS = ("input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens")
TOTAL = "total_tokens"
ALL_KINDS = KINDS + (TOTAL,)
KIND_LABELS = {
    "input_tokens": "input",
    "output_tokens": "output",
    "cache_read_tokens": "cache read",
    "cache_write_tokens": "cache write",
    "total_tokens": "total",
}

READERS = {
    "claude-code": "hookgate.validators.budget.claude",
    "gemini-cli": "hookgate.validators.budget.gemini",
    "cursor": "hookgate.validators.budget.cursor",
    "codex": "hookgate.validators.budget.codex",  # ADR 0023
}

_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def budget_dir(state_dir: str) -> str:
    return os.path.join(state_dir, "budget")


def safe_name(session: str) -> str:
    """A file name for *session*: itself when already safe, else a cleaned prefix + digest."""
    if session and len(session) <= 120 and all(c in _SAFE for c in session) and session[0] != ".":
        return session
    import hashlib

    clean = "".join(c if c in _SAFE else "_" for c in session[:60]).lstrip(".") or "session"
    return f"{clean}-{hashlib.sha256(session.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}"


def state_path(state_dir: str, platform: str, session: str) -> str:
    return os.path.join(budget_dir(state_dir), safe_name(platform), safe_name(session or "unknown") + ".json")


def new_state(platform: str, session: str) -> dict:
    return {
        "v": STATE_VERSION,
        "platform": platform,
        "session": session,
        "gen": [0, 0, 0, 0],  # counted from the current transcript generation
        "carried": [0, 0, 0, 0],  # counted from earlier generations (rotated/rewritten)
        "offset": 0,
        "messages": 0,
        "malformed": 0,
        "restarts": 0,
        "recent": {},
        "series": [],
        "estimate": False,
        "updated": "",
    }


def load_state(path: str, platform: str, session: str) -> dict:
    """The saved state, or a fresh one when missing, unreadable or of another version
    (a fresh state simply re-reads the transcript from the start)."""
    try:
        with open(path, "rb") as f:
            st = json.loads(f.read())
    except (OSError, ValueError):
        return new_state(platform, session)
    if not isinstance(st, dict) or st.get("v") != STATE_VERSION or not _valid_counts(st):
        return new_state(platform, session)
    return st


def _valid_counts(st: dict) -> bool:
    for k in ("gen", "carried"):
        v = st.get(k)
        if not isinstance(v, list) or len(v) != 4 or not all(type(x) is int and x >= 0 for x in v):
            return False
    return isinstance(st.get("offset"), int) and isinstance(st.get("recent"), dict) and isinstance(st.get("series"), list)


def save_state(path: str, st: dict) -> None:
    """Rewrite the state atomically. An unwritable state dir is not fatal: the figures in
    hand still decide this call, and the next call re-reads from the last saved offset."""
    st["updated"] = now_iso()
    try:
        replace_cache(path, json.dumps(st, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass"))
    except OSError as e:
        st["save_error"] = f"{type(e).__name__}: {e}"[:200]


def replace_cache(path: str, data: bytes) -> None:
    """Temp file + ``os.replace`` (readers never see a torn file) but no fsync: under load an
    fsync costs 5–20 ms on this machine, more than the whole per-call budget, and this state is
    a cache of the transcript — a file lost to a power cut is rebuilt by re-reading the
    transcript (ADR 0014)."""
    atomic_write(path, data, fsync=False)


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def totals(st: dict) -> dict:
    """Tokens by kind (carried + current generation) and their total."""
    gen, carried = st.get("gen") or [0] * 4, st.get("carried") or [0] * 4
    out = {k: gen[i] + carried[i] for i, k in enumerate(KINDS)}
    out[TOTAL] = sum(out[k] for k in KINDS)
    return out


def add_series(st: dict, bucket: str, n: int, cap: int = 240) -> None:
    """Consumption per minute bucket ("YYYY-MM-DDTHH:MM"); halves its resolution past *cap*."""
    if n <= 0:
        return
    series = st["series"]
    if series and series[-1][0] == bucket:
        series[-1][1] += n
        return
    if series and bucket < series[-1][0]:  # out-of-order timestamp: book it to the last bucket
        series[-1][1] += n
        return
    series.append([bucket, n])
    if len(series) > cap:
        merged = []
        for i in range(0, len(series), 2):
            pair = series[i : i + 2]
            merged.append([pair[0][0], sum(p[1] for p in pair)])
        st["series"] = merged


def minute(ts) -> str:
    if isinstance(ts, str) and len(ts) >= 16 and ts[4] == "-" and ts[10] == "T":
        return ts[:16]
    return time.strftime("%Y-%m-%dT%H:%M", time.gmtime())


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


def list_states(state_dir: str) -> list[dict]:
    """Every saved session state (CLI)."""
    root = budget_dir(state_dir)
    out = []
    try:
        platforms = sorted(os.listdir(root))
    except OSError:
        return out
    for p in platforms:
        d = os.path.join(root, p)
        try:
            names = sorted(os.listdir(d))
        except OSError:
            continue
        for n in names:
            if not n.endswith(".json") or n.startswith("."):
                continue
            st = load_state(os.path.join(d, n), p, n[:-5])
            if st.get("updated"):
                st["_path"] = os.path.join(d, n)
                out.append(st)
    return out
