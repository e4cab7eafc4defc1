"""Budget hook cost on a large transcript (ADR 0014): ``.venv/bin/python benchmarks/budget_transcript.py``.

Builds a ~200 MB synthetic Claude Code transcript in a temp dir, then measures
1. the first decision (reads the whole file once),
2. incremental decisions — one new turn appended before each — as the extra time the
   budget validator adds to ``engine.decide`` (median of decide-with-budget minus
   decide-without-budget, both in-process, same event),
3. the real ``hookgate hook`` process with and without the transcript (informational;
   process start-up noise on a shared machine dominates).
Exit status 1 when the incremental cost is above the 5 ms target. ``--mb N`` changes the size.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "budget"))

import synth  # noqa: E402

from hookgate.validators import budget
from hookgate.core import engine  # noqa: E402
from hookgate import validators as registry  # noqa: E402
from hookgate.core.event import PRE, READ, Event  # noqa: E402

TARGET_MS = 5.0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=40)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="hookgate-budget-bench-")
    proj = os.path.join(tmp, "proj")
    os.makedirs(os.path.join(proj, ".git"))
    tpath = os.path.join(tmp, "transcript.jsonl")
    t = time.perf_counter()
    expected, turns = synth.write_claude_big(tpath, args.mb * 1024 * 1024)
    size = os.path.getsize(tpath)
    print(f"transcript: {size / 1e6:.1f} MB, {turns} turns, generated in {time.perf_counter() - t:.2f} s")

    env = dict(os.environ, HOME=tmp)
    event = Event(platform="claude-code", phase=PRE, event_name="PreToolUse", session_id="bench",
                  cwd=proj, project_root=proj, tool_kind=READ, tool_name="Read",
                  tool_input={"file_path": os.path.join(proj, "README.md")}, raw={},
                  transcript_path=tpath)
    all_validators = registry.load_all()
    without = [m for m in all_validators if m.HOOK_ID != "budget"]

    t = time.perf_counter()
    engine.decide(event, env, all_validators)
    first = time.perf_counter() - t
    state = budget.load_state(budget.state_path(engine.context_for(event, env)["state_dir"], "claude-code", "bench"),
                              "claude-code", "bench")
    got = budget.totals(state)
    exact = [got[k] for k in budget.KINDS] == expected
    print(f"first decision (full read): {first * 1000:.0f} ms; totals exact: {exact}")

    with_ms, without_ms, usage_ms = [], [], []
    for r in range(args.rounds):
        synth.write_claude(tpath, 1, pad=2400, start=10_000_000 + r)
        t = time.perf_counter()
        engine.decide(event, env, all_validators)
        with_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        engine.decide(event, env, without)
        without_ms.append((time.perf_counter() - t) * 1000)
    for r in range(args.rounds):
        synth.write_claude(tpath, 1, pad=2400, start=20_000_000 + r)
        t = time.perf_counter()
        budget.usage(event, engine.context_for(event, env)["state_dir"])
        usage_ms.append((time.perf_counter() - t) * 1000)
    added = statistics.median(with_ms) - statistics.median(without_ms)
    print(f"incremental decision: with budget {statistics.median(with_ms):.2f} ms, without "
          f"{statistics.median(without_ms):.2f} ms (medians of {args.rounds}, one new turn each)")
    print(f"budget adds {added:.2f} ms per decision after the first "
          f"(reader alone: median {statistics.median(usage_ms):.2f} ms, max {max(usage_ms):.2f} ms); target <= {TARGET_MS} ms")

    hook = os.path.join(os.path.dirname(sys.executable), "hookgate")
    def proc(transcript: str) -> float:
        payload = json.dumps({"session_id": "bench" if transcript else "bench-none", "transcript_path": transcript, "cwd": proj,
                              "hook_event_name": "PreToolUse", "tool_name": "Read",
                              "tool_input": {"file_path": os.path.join(proj, "README.md")}}).encode()
        t = time.perf_counter()
        subprocess.run([hook, "hook", "--platform", "claude-code"], input=payload, capture_output=True, env=env, check=False)
        return (time.perf_counter() - t) * 1000
    if os.path.exists(hook):
        a = statistics.median(proc(tpath) for _ in range(9))
        b = statistics.median(proc("") for _ in range(9))
        print(f"hook process: {a:.1f} ms with the transcript vs {b:.1f} ms without (ratio {a / b:.2f})")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0 if exact and added <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
