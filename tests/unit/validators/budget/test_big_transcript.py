"""A ~200 MB transcript: exact totals, and ≤ 5 ms added per decision after the first (ADR 0014)."""

from __future__ import annotations

import os
import statistics
import time

import pytest

from hookgate.validators import budget
from hookgate.core import engine
from hookgate import validators as registry
from hookgate.core.event import PRE, WRITE, Event

from . import synth

TARGET_MS = 5.0


@pytest.mark.slow
def test_200mb_transcript_exact_and_incremental_under_5ms(project, tmp_path, capsys):
    t = str(tmp_path / "big.jsonl")
    expected, _turns = synth.write_claude_big(t, 200 * 1024 * 1024)
    assert os.path.getsize(t) >= 200 * 1024 * 1024
    env = dict(os.environ)
    ev = Event(platform="claude-code", phase=PRE, event_name="PreToolUse", session_id="big", cwd=str(project),
               project_root=str(project), tool_kind=WRITE, tool_name="Write",
               tool_input={"file_path": str(project / "a.txt"), "content": ""}, raw={}, transcript_path=t)
    validators = registry.load_all()
    without = [m for m in validators if m.HOOK_ID != "budget"]
    state = engine.context_for(ev, env)["state_dir"]

    # the first calls catch up, each bounded in bytes and time (ADR 0018: no call runs past the
    # per-call deadline however big the transcript)
    from hookgate.validators.budget import transcript
    from hookgate.core.hook import DECIDE_S

    first = 0.0
    for _ in range(1 + os.path.getsize(t) // transcript.MAX_PER_CALL + 20):
        t0 = time.perf_counter()
        engine.decide(ev, env, validators)
        took = time.perf_counter() - t0
        first = max(first, took)
        st = budget.load_state(budget.state_path(state, "claude-code", "big"), "claude-code", "big")
        if st["offset"] >= os.path.getsize(t):
            break
    assert first < DECIDE_S, first
    st = budget.load_state(budget.state_path(state, "claude-code", "big"), "claude-code", "big")
    assert [budget.totals(st)[k] for k in budget.KINDS] == expected

    def measure(rounds: int, start: int) -> float:
        """Median over *rounds* of (decision with budget − decision without), one new turn each."""
        nonlocal expected
        diffs = []
        for i in range(rounds):
            more = synth.write_claude(t, 1, pad=2400, start=start + i)
            expected = [a + b for a, b in zip(expected, more)]
            t0 = time.perf_counter()
            engine.decide(ev, env, validators)
            with_budget = time.perf_counter() - t0
            t0 = time.perf_counter()
            engine.decide(ev, env, without)
            diffs.append((with_budget - (time.perf_counter() - t0)) * 1000)
        return statistics.median(diffs)

    added = measure(25, 900_000_000)
    if added > TARGET_MS:  # a load spike on the shared machine: measure once more
        added = min(added, measure(25, 950_000_000))
    st = budget.load_state(budget.state_path(state, "claude-code", "big"), "claude-code", "big")
    assert [budget.totals(st)[k] for k in budget.KINDS] == expected
    with capsys.disabled():
        print(f"\n[budget] 200 MB transcript: slowest catch-up decision {first * 1000:.0f} ms; "
              f"after that the budget adds {added:.2f} ms per decision (target <= {TARGET_MS} ms)")
    assert added <= TARGET_MS
