"""Codex's rollout file as the budget's source (ADR 0023, ADR 0014): each response's
last_token_usage counted once, a repeated token_count (same running total) adds nothing, other
lines are ignored, and totals equal Codex's own total_tokens."""

from __future__ import annotations

import json

from hookgate.validators import budget
from hookgate.core import event as ev
from hookgate.validators.budget import codex


def _tc(total, last, ts="2026-12-07T10:00:00.000Z"):
    return {"timestamp": ts, "type": "event_msg", "payload": {"type": "token_count", "info": {
        "total_token_usage": total, "last_token_usage": last, "model_context_window": 258400}}}


def _u(inp, cached, out, write=0):
    return {"input_tokens": inp, "cached_input_tokens": cached, "cache_write_input_tokens": write,
            "output_tokens": out, "reasoning_output_tokens": 0, "total_tokens": inp + out}


def test_rollout_token_counts(tmp_path):
    first, second = _u(100, 0, 20), _u(300, 80, 50, write=10)
    lines = [
        {"type": "session_meta", "payload": {"id": "s"}},
        _tc(first, first),
        _tc(first, first),  # repeated for a rate-limit update: same running total
        {"type": "response_item", "payload": {"type": "message", "content": "token_count"}},
        {"type": "event_msg", "payload": {"type": "token_count", "info": None}},
        _tc(_u(400, 80, 70, write=10), second),
    ]
    rollout = tmp_path / "rollout.jsonl"
    rollout.write_text("".join(json.dumps(x) + "\n" for x in lines) + 'not json "token_count"\n')
    e = ev.Event(platform="codex", phase=ev.PRE, event_name="PreToolUse", session_id="s", cwd=str(tmp_path),
                 project_root=str(tmp_path), tool_kind=ev.SHELL, transcript_path=str(rollout))
    st = budget.usage(e, str(tmp_path / "state"))
    tot = budget.totals(st)
    assert tot["total_tokens"] == 120 + 350  # Codex's own total_tokens, summed per response
    assert (tot["input_tokens"], tot["cache_read_tokens"], tot["cache_write_tokens"], tot["output_tokens"]) == (
        100 + 210, 80, 10, 70)
    assert st["messages"] == 2 and st["malformed"] == 1
    again = budget.usage(e, str(tmp_path / "state"))
    assert budget.totals(again) == tot  # nothing new: nothing added


def test_extract_ignores_other_lines():
    assert codex.extract(b'{"type":"event_msg","payload":{"type":"agent_message"}}') is None
    assert codex.extract(b'{"type":"turn_context","payload":{"token_count":1}}') is None
