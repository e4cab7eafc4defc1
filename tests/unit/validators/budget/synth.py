"""Synthetic Claude Code / Gemini CLI transcripts with known totals (shared by tests and
``benchmarks/budget_transcript.py``). Line shapes follow docs/platforms.md §1.5/§3.5."""

from __future__ import annotations

import json


def claude_assistant(mid: str, rid: str, inp: int, out: int, cr: int = 0, cw: int = 0,
                     ts: str = "2026-11-23T10:00:00.000Z", text: str = "ok") -> str:
    return json.dumps({
        "parentUuid": "p", "isSidechain": False, "userType": "external", "cwd": "/w", "sessionId": "s",
        "version": "2.1.230", "type": "assistant", "requestId": rid, "uuid": "u", "timestamp": ts,
        "message": {"id": mid, "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                    "content": [{"type": "text", "text": text}], "stop_reason": None,
                    "usage": {"input_tokens": inp, "output_tokens": out,
                              "cache_creation_input_tokens": cw, "cache_read_input_tokens": cr}},
    }) + "\n"


def claude_user(text: str) -> str:
    return json.dumps({"type": "user", "message": {"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": "toolu_1", "content": text}]}, "timestamp": "2026-11-23T10:00:01.000Z"}) + "\n"


def claude_turn(i: int, pad: int = 0) -> tuple[str, tuple[int, int, int, int]]:
    """One turn: a message streamed as two lines (output grows 1 → final) + a tool result.
    Returns (text, counted (input, output, cache_read, cache_write))."""
    inp, out, cr, cw = 3 + i % 7, 50 + i % 13, 1000 + i % 101, 20 + i % 5
    mid, rid = f"msg_01{i:020d}", f"req_011{i:020d}"
    ts = f"2026-11-23T{10 + (i // 3600) % 10:02d}:{(i // 60) % 60:02d}:00.000Z"
    text = (claude_assistant(mid, rid, inp, 1, cr, cw, ts)
            + claude_assistant(mid, rid, inp, out, cr, cw, ts)
            + claude_user("x" * pad))
    return text, (inp, out, cr, cw)


def write_claude(path: str, turns: int, pad: int = 0, start: int = 0) -> list[int]:
    """Append *turns* turns; return the counted totals [input, output, cache_read, cache_write]."""
    tot = [0, 0, 0, 0]
    with open(path, "a", encoding="utf-8") as f:
        buf = []
        for i in range(start, start + turns):
            text, vals = claude_turn(i, pad)
            buf.append(text)
            for k in range(4):
                tot[k] += vals[k]
            if len(buf) >= 1000:
                f.write("".join(buf))
                buf = []
        f.write("".join(buf))
    return tot


def write_claude_big(path: str, target_bytes: int, pad: int = 2400) -> tuple[list[int], int]:
    """A transcript of about *target_bytes*: one block of turns written repeatedly with fresh
    ids (string replace, no per-line json) — fast enough for a 200 MB file in a test."""
    block_turns = 200
    block, vals = [], [0, 0, 0, 0]
    for i in range(block_turns):
        text, v = claude_turn(i, pad)
        block.append(text)
        for k in range(4):
            vals[k] += v[k]
    template = "".join(block)
    tot = [0, 0, 0, 0]
    n = 0
    written = 0
    with open(path, "w", encoding="utf-8") as f:
        while written < target_bytes:
            chunk = template.replace("msg_01", f"msg_{n:06d}_").replace("req_011", f"req_{n:06d}_")
            f.write(chunk)
            written += len(chunk)
            n += 1
            for k in range(4):
                tot[k] += vals[k]
    return tot, n * block_turns


def gemini_line(obj: dict) -> str:
    return json.dumps(obj) + "\n"


def gemini_message(mid: str, tokens: dict | None, ts: str = "2026-11-23T10:00:00.000Z", tool_calls=None) -> dict:
    m = {"id": mid, "timestamp": ts, "type": "gemini", "content": "done", "model": "gemini-2.5-pro", "thoughts": []}
    if tokens is not None:
        m["tokens"] = tokens
    if tool_calls:
        m["toolCalls"] = tool_calls
    return m
