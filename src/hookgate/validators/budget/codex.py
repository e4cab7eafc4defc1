"""Codex CLI: token usage from the session's rollout file (docs/platforms.md §4, ADR 0023).

``transcript_path`` is ``~/.codex/sessions/YYYY/MM/DD/rollout-<time>-<session>.jsonl``: one JSON
object per line. After every model response Codex appends
``{"type": "event_msg", "payload": {"type": "token_count", "info": {"total_token_usage": {…},
"last_token_usage": {…}}}}`` with ``input_tokens``, ``cached_input_tokens``,
``cache_write_input_tokens``, ``output_tokens`` (reasoning included), ``total_tokens``. We count
each response's ``last_token_usage`` once, keyed by the running ``total_token_usage`` (a
token_count repeated for a rate-limit update carries the same running total and adds nothing).
Mapping: input = input − cached − cache write, cache read = cached, cache write = cache write,
output = output, so the sum equals ``total_tokens``.
"""

from __future__ import annotations

from hookgate.state import jsonio as json

from hookgate.validators.budget import state as budget
from hookgate.validators.budget import transcript

MARKER = b'"token_count"'


def _int(v) -> int:
    return v if type(v) is int and v > 0 else 0


def counts(u: dict) -> tuple:
    inp, cached, write = _int(u.get("input_tokens")), _int(u.get("cached_input_tokens")), _int(u.get("cache_write_input_tokens"))
    return max(inp - cached - write, 0), _int(u.get("output_tokens")), min(cached, inp) if inp else cached, write


def extract(line: bytes):
    obj = json.loads(line)
    if not isinstance(obj, dict) or obj.get("type") != "event_msg":
        return None
    payload = obj.get("payload")
    if not isinstance(payload, dict) or payload.get("type") != "token_count":
        return None
    info = payload.get("info")
    if not isinstance(info, dict) or not isinstance(info.get("last_token_usage"), dict):
        return None
    total = info.get("total_token_usage")
    key = None
    if isinstance(total, dict):
        key = "total:" + ",".join(str(_int(total.get(k))) for k in (
            "input_tokens", "cached_input_tokens", "cache_write_input_tokens", "output_tokens", "total_tokens"))
    return key, counts(info["last_token_usage"]), obj.get("timestamp")


def refresh(path: str, event) -> dict:
    st = budget.load_state(path, event.platform, event.session_id)
    source = event.transcript_path or st.get("source") or ""
    if not source:
        return st
    if transcript.scan(st, source, extract, MARKER):
        budget.save_state(path, st)
    return st
