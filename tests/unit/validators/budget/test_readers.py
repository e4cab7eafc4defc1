"""Transcript readers: exact totals, incremental reads, and every tolerated damage (ADR 0014)."""

from __future__ import annotations

import json
import os

import pytest

from hookgate.validators import budget
from hookgate.validators.budget import claude, cursor, gemini, transcript
from hookgate.core.event import Event

from . import synth


def _event(path: str, platform: str = "claude-code", session: str = "s1", name: str = "PreToolUse", raw=None) -> Event:
    return Event(platform=platform, phase="pre", event_name=name, session_id=session, cwd="/tmp",
                 project_root="/tmp", transcript_path=path, raw=raw or {})


def _totals(state_dir, path, platform="claude-code", session="s1"):
    st = budget.usage(_event(str(path), platform, session), str(state_dir))
    return [budget.totals(st)[k] for k in budget.KINDS], st


def test_streamed_duplicates_counted_once_with_max_output(tmp_path):
    t = tmp_path / "t.jsonl"
    expected = synth.write_claude(str(t), 50)
    got, st = _totals(tmp_path / "state", t)
    assert got == expected
    assert st["messages"] == 50
    assert budget.totals(st)["total_tokens"] == sum(expected)


def test_duplicate_with_smaller_later_figures_does_not_subtract(tmp_path):
    t = tmp_path / "t.jsonl"
    t.write_text(synth.claude_assistant("m1", "r1", 10, 90, 5, 1) + synth.claude_assistant("m1", "r1", 10, 30, 5, 1))
    got, _ = _totals(tmp_path / "state", t)
    assert got == [10, 90, 5, 1]


def test_same_message_id_other_request_counts_separately(tmp_path):
    t = tmp_path / "t.jsonl"
    t.write_text(synth.claude_assistant("m1", "r1", 1, 2) + synth.claude_assistant("m1", "r2", 1, 2))
    assert _totals(tmp_path / "state", t)[0] == [2, 4, 0, 0]


def test_lines_without_ids_counted_each(tmp_path):
    line = json.dumps({"type": "assistant", "message": {"usage": {"input_tokens": 3, "output_tokens": 4}}}) + "\n"
    t = tmp_path / "t.jsonl"
    t.write_text(line * 3)
    assert _totals(tmp_path / "state", t)[0] == [9, 12, 0, 0]


def test_incremental_reads_only_new_bytes(tmp_path, monkeypatch):
    t = tmp_path / "t.jsonl"
    first = synth.write_claude(str(t), 20)
    _totals(tmp_path / "state", t)
    size = os.path.getsize(t)
    second = synth.write_claude(str(t), 5, start=20)
    reads = []
    real_read = os.read
    monkeypatch.setattr(transcript.os, "read", lambda fd, n: reads.append(n) or real_read(fd, n))
    got, st = _totals(tmp_path / "state", t)
    assert got == [a + b for a, b in zip(first, second)]
    assert sum(reads) == os.path.getsize(t) - size  # nothing before the saved offset was read
    assert st["offset"] == os.path.getsize(t)


def test_partial_last_line_waits_for_its_end(tmp_path):
    t = tmp_path / "t.jsonl"
    whole = synth.claude_assistant("m1", "r1", 1, 1) + synth.claude_assistant("m2", "r2", 100, 200)
    cut = len(synth.claude_assistant("m1", "r1", 1, 1)) + 40
    t.write_text(whole[:cut])
    got, st = _totals(tmp_path / "state", t)
    assert got == [1, 1, 0, 0] and st["malformed"] == 0
    assert st["offset"] == len(synth.claude_assistant("m1", "r1", 1, 1))
    with open(t, "a") as f:
        f.write(whole[cut:])
    assert _totals(tmp_path / "state", t)[0] == [101, 201, 0, 0]


def test_malformed_lines_skipped_and_counted(tmp_path):
    t = tmp_path / "t.jsonl"
    t.write_text(
        synth.claude_assistant("m1", "r1", 1, 2)
        + '{"type":"assistant","message":{"usage":{"input_tokens": 5, \n'  # broken JSON
        + b"\xff\xfe\"usage\"\n".decode("latin-1")
        + '{"type":"assistant","message":{"usage":"nope"}}\n'
        + '{"type":"assistant","message":{"id":"m9","usage":{"input_tokens":-5,"output_tokens":"7"}},"requestId":"r9"}\n'
        + "\n\n"
        + synth.claude_assistant("m2", "r2", 10, 20)
    )
    got, st = _totals(tmp_path / "state", t)
    assert got == [11, 22, 0, 0]
    assert st["malformed"] == 2


def test_missing_transcript_keeps_totals(tmp_path):
    t = tmp_path / "t.jsonl"
    expected = synth.write_claude(str(t), 3)
    _totals(tmp_path / "state", t)
    t.unlink()
    got, st = _totals(tmp_path / "state", t)
    assert got == expected and st["missing"] is True
    got, st = _totals(tmp_path / "state", tmp_path / "never.jsonl", session="fresh")
    assert got == [0, 0, 0, 0]


@pytest.mark.parametrize("damage", ["truncate", "rotate", "rewrite-head", "shrink-regrow"])
def test_rotated_or_truncated_transcript_carries_totals(tmp_path, damage):
    t = tmp_path / "t.jsonl"
    first = synth.write_claude(str(t), 10)
    _totals(tmp_path / "state", t)
    if damage == "truncate":
        t.write_text("")
        new = synth.write_claude(str(t), 2, start=100)
    elif damage == "rotate":
        os.rename(t, tmp_path / "t.jsonl.1")
        new = synth.write_claude(str(t), 2, start=100)
    elif damage == "rewrite-head":  # same size or larger, different first bytes
        data = t.read_bytes()
        t.write_bytes(data.replace(b'"parentUuid": "p"', b'"parentUuid": "q"', 1))
        new = [0, 0, 0, 0]  # read again; its messages are still in the seen-key window
    else:  # shrink then regrow past the old offset
        t.write_text("")
        new = synth.write_claude(str(t), 30, start=100)
    got, st = _totals(tmp_path / "state", t)
    assert got == [a + b for a, b in zip(first, new)]
    assert st["restarts"] == 1 and st["last_restart"]


def test_corrupt_state_is_rebuilt(tmp_path):
    t = tmp_path / "t.jsonl"
    expected = synth.write_claude(str(t), 4)
    _, st = _totals(tmp_path / "state", t)
    p = budget.state_path(str(tmp_path / "state"), "claude-code", "s1")
    for junk in (b"{not json", b'{"v":1,"gen":[1,2],"carried":[0,0,0,0]}', b"[]"):
        with open(p, "wb") as f:
            f.write(junk)
        assert _totals(tmp_path / "state", t)[0] == expected


def test_session_names_are_safe_file_names(tmp_path):
    for s in ("../../etc/passwd", "", ".hidden", "a/b", "x" * 500):
        p = budget.state_path(str(tmp_path), "claude-code", s)
        assert os.path.dirname(os.path.dirname(p)) == os.path.join(str(tmp_path), "budget")
        assert len(os.path.basename(p)) < 140
    assert budget.safe_name("a/b") != budget.safe_name("a_b")


def test_series_is_bounded_and_sums_to_total(tmp_path):
    st = budget.new_state("claude-code", "s")
    for i in range(1000):
        budget.add_series(st, f"2026-11-23T{i // 60:02d}:{i % 60:02d}", 3)
    assert len(st["series"]) <= 240
    assert sum(n for _, n in st["series"]) == 3000


# --- Gemini CLI -------------------------------------------------------------------------------


def test_gemini_jsonl_counts_each_message_once(tmp_path):
    t = tmp_path / "session-2026-11-23T10-00-abcd1234.jsonl"
    tok1 = {"input": 1000, "output": 50, "cached": 400, "thoughts": 30, "tool": 5, "total": 1085}
    tok2 = {"input": 2000, "output": 70, "cached": 0, "thoughts": 0, "tool": 0, "total": 2070}
    lines = [
        {"sessionId": "abcd1234-x", "projectHash": "h", "startTime": "2026-11-23T10:00:00Z", "lastUpdated": "x"},
        {"id": "u1", "timestamp": "2026-11-23T10:00:00Z", "type": "user", "content": [{"text": "hi"}]},
        synth.gemini_message("g1", None),  # recorded before its tokens arrived
        {"$set": {"lastUpdated": "y"}},
        synth.gemini_message("g1", tok1),  # re-appended with tokens
        synth.gemini_message("g1", tok1, tool_calls=[{"id": "c1", "name": "read_file"}]),  # and with tool calls
        synth.gemini_message("g2", tok2),
        {"$set": {"messages": [synth.gemini_message("g1", tok1), synth.gemini_message("g2", tok2)]}},
        {"$rewindTo": "g2"},
    ]
    t.write_text("".join(synth.gemini_line(x) for x in lines) + '{"id":"g3","type":"gemini","tokens":{"inp')
    got, st = _totals(tmp_path / "state", t, platform="gemini-cli")
    assert got == [1000 - 400 + 5 + 2000, 50 + 30 + 70, 400, 0]
    assert budget.totals(st)["total_tokens"] == 1085 + 2070
    assert st["messages"] == 2


def test_gemini_legacy_json_is_resummed(tmp_path):
    t = tmp_path / "session-old.json"
    doc = {"sessionId": "s", "messages": [synth.gemini_message("g1", {"input": 10, "output": 5, "cached": 0, "total": 15})]}
    t.write_text(json.dumps(doc, indent=2))
    assert _totals(tmp_path / "state", t, platform="gemini-cli")[0] == [10, 5, 0, 0]
    doc["messages"].append(synth.gemini_message("g2", {"input": 20, "output": 5, "cached": 10, "total": 25}))
    t.write_text(json.dumps(doc, indent=2) + " ")
    assert _totals(tmp_path / "state", t, platform="gemini-cli")[0] == [20, 10, 10, 0]


# --- Cursor -----------------------------------------------------------------------------------


def test_cursor_estimate_from_sizes_and_precompact(tmp_path):
    sd = str(tmp_path / "state")

    def send(name, **raw):
        return budget.usage(_event("", "cursor", "c1", name, dict(raw, hook_event_name=name)), sd)

    send("beforeSubmitPrompt", prompt="p" * 4000)
    send("preToolUse", tool_input={"command": "x" * 385})  # 400 characters of JSON
    st = send("postToolUse", tool_output="o" * 8000)
    assert st["estimate"] is True
    assert budget.totals(st)["input_tokens"] == 3000 and budget.totals(st)["output_tokens"] == 100
    st = send("preCompact", context_tokens=50000, context_window_size=200000, context_usage_percent=25)
    assert budget.totals(st)["input_tokens"] == 50000 and st["context_window_size"] == 200000
    st = send("stop", status="completed")  # not a sized event: unchanged
    assert budget.totals(st)["total_tokens"] == 50100


def test_claude_extract_ignores_other_line_types():
    assert claude.extract(b'{"type":"user","message":{"usage":{"input_tokens":5}}}') is None
    assert claude.extract(b'{"type":"summary","usage":{}}') is None
    with pytest.raises(ValueError):
        claude.extract(b'{"type": "assistant", "usage"')
    assert gemini.extract(b'{"id":"u","type":"user","tokens":{"input":3}}') is None
    assert cursor.apply(budget.new_state("cursor", "s"), "sessionEnd", {}) is False


def test_unwritable_state_dir_still_gives_figures(tmp_path):
    t = tmp_path / "t.jsonl"
    expected = synth.write_claude(str(t), 3)
    blocker = tmp_path / "state"
    blocker.write_text("a file where the state dir should be")
    got, st = _totals(blocker, t)
    assert got == expected and "save_error" in st
