"""Claude Code: token usage from the session transcript (docs/platforms.md §1.5).

``transcript_path`` (``~/.claude/projects/<project>/<session>.jsonl``) holds one JSON object
per line. Assistant lines carry ``message.usage`` with ``input_tokens``, ``output_tokens``,
``cache_creation_input_tokens`` and ``cache_read_input_tokens``; a streamed message is written
as several lines with the same ``message.id`` + ``requestId`` (the key we de-duplicate on,
keeping the largest ``output_tokens``). Lines without both ids are counted as they come.
"""

from __future__ import annotations

from hookgate.state import jsonio as json

from hookgate.validators.budget import state as budget
from hookgate.validators.budget import transcript

MARKER = b'"usage"'


def _int(v) -> int:
    return v if type(v) is int and v > 0 else 0


def extract(line: bytes):
    """(key, (input, output, cache read, cache write), timestamp) of an assistant line, None for
    any other line; raises ValueError when the line is not JSON."""
    obj = json.loads(line)
    if not isinstance(obj, dict) or obj.get("type") != "assistant":
        return None
    msg = obj.get("message")
    if not isinstance(msg, dict):
        return None
    u = msg.get("usage")
    if not isinstance(u, dict):
        return None
    vals = (
        _int(u.get("input_tokens")),
        _int(u.get("output_tokens")),
        _int(u.get("cache_read_input_tokens")),
        _int(u.get("cache_creation_input_tokens")),
    )
    mid, rid = msg.get("id"), obj.get("requestId")
    key = f"{mid}:{rid}" if isinstance(mid, str) and isinstance(rid, str) and mid and rid else None
    return key, vals, obj.get("timestamp")


def refresh(path: str, event) -> dict:
    st = budget.load_state(path, event.platform, event.session_id)
    source = event.transcript_path or st.get("source") or ""
    if not source:
        return st
    if transcript.scan(st, source, extract, MARKER):
        budget.save_state(path, st)
    return st
