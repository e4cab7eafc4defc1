"""Gemini CLI: token usage from the chat recording (docs/platforms.md §3.5).

``transcript_path`` is ``~/.gemini/tmp/<project>/chats/session-<time>-<id8>.jsonl``: a
metadata line, then message records (``{id, timestamp, type, content, tokens?, model?}``)
appended whole every time a message changes, plus ``{"$set": …}`` and ``{"$rewindTo": …}``
records. ``type: "gemini"`` messages carry ``tokens: {input, output, cached, thoughts, tool,
total}`` (promptTokenCount, candidatesTokenCount, cachedContentTokenCount, thoughtsTokenCount,
toolUsePromptTokenCount, totalTokenCount). We count each message id once (largest figures
win); ``$set`` records may repeat the whole history and are skipped; a rewind does not give
tokens back. Mapping: input = input − cached + tool, cache read = cached, output = output +
thoughts (thinking is billed as output), so the total equals ``totalTokenCount``.

Legacy recordings (``.json``, one pretty-printed object rewritten whole) are re-summed
whenever their size or mtime changes.
"""

from __future__ import annotations

from hookgate.state import jsonio as json
import os

from hookgate.validators.budget import state as budget
from hookgate.validators.budget import transcript

MARKER = b'"tokens"'


def _int(v) -> int:
    return v if type(v) is int and v > 0 else 0


def counts(tokens: dict) -> tuple:
    inp, cached = _int(tokens.get("input")), _int(tokens.get("cached"))
    return (
        max(inp - cached, 0) + _int(tokens.get("tool")),
        _int(tokens.get("output")) + _int(tokens.get("thoughts")),
        min(cached, inp) if inp else cached,
        0,
    )


def _message(obj):
    if not isinstance(obj, dict) or obj.get("type") != "gemini":
        return None
    tokens = obj.get("tokens")
    if not isinstance(tokens, dict):
        return None
    mid = obj.get("id")
    return (mid if isinstance(mid, str) and mid else None), counts(tokens), obj.get("timestamp")


def extract(line: bytes):
    return _message(json.loads(line))


def _legacy(st: dict, source: str) -> bool:
    try:
        s = os.stat(source)
    except OSError:
        if not st.get("missing"):
            st["missing"] = True
            return True
        return False
    sig = [s.st_size, s.st_mtime_ns]
    if st.get("source") == source and st.get("sig") == sig:
        return False
    from hookgate.state.paths import read_regular

    try:
        raw = read_regular(source, 64 * 1024 * 1024)  # ADR 0018: regular files only, bounded
        if raw is None:
            raise ValueError("not a readable regular file within 64 MiB")
        doc = json.loads(raw)
        msgs = doc.get("messages") if isinstance(doc, dict) else None
        if not isinstance(msgs, list):
            raise ValueError("no messages array")
    except (OSError, ValueError):
        st["malformed"] = st.get("malformed", 0) + 1
        st["sig"] = sig
        return True
    if st.get("source") not in (None, source):
        transcript._restart(st, "transcript path changed")
    seen = {}
    for m in msgs:
        got = _message(m)
        if got is None:
            continue
        key, vals, _ts = got
        key = key or f"#{len(seen)}"
        prev = seen.get(key)
        seen[key] = vals if prev is None else tuple(max(a, b) for a, b in zip(vals, prev))
    gen = [0, 0, 0, 0]
    for vals in seen.values():
        for i, v in enumerate(vals):
            gen[i] += v
    added = sum(gen) - sum(st["gen"])
    if added > 0:
        budget.add_series(st, budget.minute(None), added)
    # a rewrite never lowers what was already counted from this file
    st["gen"] = [max(a, b) for a, b in zip(gen, st["gen"])]
    st["messages"] = len(seen)
    st["source"], st["sig"] = source, sig
    st.pop("missing", None)
    return True


def refresh(path: str, event) -> dict:
    st = budget.load_state(path, event.platform, event.session_id)
    source = event.transcript_path or st.get("source") or ""
    if not source:
        return st
    if source.endswith(".json"):
        changed = _legacy(st, source)
    else:
        changed = transcript.scan(st, source, extract, MARKER)
    if changed:
        budget.save_state(path, st)
    return st
