"""The per-session budget state files (ADR 0014). Hot path: stdlib only.

See the package docstring for the layout; the readers (``claude``, ``gemini``, ``cursor``,
``codex``) and ``usage`` in ``__init__`` build on these helpers.
"""

from __future__ import annotations

from hookgate.state import jsonio as json
import os
import time

from hookgate.state import files

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
    files.replace(path, data, fsync=False)


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
