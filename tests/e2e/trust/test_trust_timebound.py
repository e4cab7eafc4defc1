"""ADR 0018: no input takes longer than the per-call deadline — payloads up to 32 MiB and
commands up to 64 KiB, through the real ``hookgate hook`` on every platform. Each case is the
worst shape found for one stage (JSON parsing, redaction, globbing, the shell engine, the
ledger); a case the hook cannot decide in time is denied by the deadline, never let through."""

from __future__ import annotations

import json
import time

import pytest

from hookgate.core.hook import DEADLINE_S, MAX_STDIN
from tests.support.marks import quick_first
from tests.e2e.trust.helpers import DENY, PLATFORMS, label, make_repo, platform_env, run, shell, write

K64 = 64 * 1024
MiB = 1024 * 1024


def search(platform: str, glob: str, root: str) -> dict:
    if platform == "claude-code":
        return {"session_id": "s", "cwd": root, "hook_event_name": "PreToolUse", "tool_name": "Grep",
                "tool_input": {"pattern": "x", "glob": glob}}
    if platform == "gemini-cli":
        return {"session_id": "s", "cwd": root, "hook_event_name": "BeforeTool", "tool_name": "glob",
                "tool_input": {"pattern": glob}}
    return {"conversation_id": "s", "hook_event_name": "preToolUse", "cwd": root, "workspace_roots": [root],
            "tool_name": "Grep", "tool_input": {"pattern": "x", "glob": glob}}


COMMANDS = {
    "KEY…KEY:": "echo " + "KEY" * (K64 // 3 - 5) + ":",
    "redirects": "echo x" + " > f" * (K64 // 4 - 4),
    "loop words": "for a in " + "x " * (K64 // 2 - 40) + "; do cat $a; done",
    "braces": "echo " + "{a,b}" * (K64 // 5 - 2),
    "nested $(": "echo " + "$(" * (K64 // 4) + "x" + ")" * (K64 // 4),
    "pipes": "|".join(["cat"] * (K64 // 4)),
    "url a.a.a": "curl " + "a." * (K64 // 2 - 10) + "://",
}


BIG = 32 * MiB - 4096
PAYLOADS = {  # built only for the case that runs
    "32 MiB content": lambda p, r: write(p, f"{r}/a.txt", r, r, content="x" * BIG),
    "32 MiB KEY…KEY:": lambda p, r: write(p, f"{r}/a.txt", r, r, content="KEY" * (BIG // 3) + ":"),
    "30 MiB glob": lambda p, r: search(p, "KEY" * (10 * MiB) + ":", r),
    # a value per 8 bytes: parsing alone would take ~10 s in C, where no alarm can interrupt it
    "4M values": lambda p, r: dict(write(p, f"{r}/a.txt", r, r), many=[0] * 4_000_000),
    **{f"command: {k}": (lambda p, r, c=c: shell(p, c, r, r)) for k, c in COMMANDS.items()},
}
# the time bound is the shared engine's (the deadline, the bounded stages): the quick loop runs
# every payload on Claude Code, the full run on every platform (tests/support/marks.quick_first)
CASES = [pytest.param(p.values[0], name, marks=p.marks) for p in quick_first(PLATFORMS) for name in PAYLOADS]


@pytest.mark.parametrize("platform,name", CASES)
def test_answered_within_the_deadline(tmp_path, home, platform, name):
    root = make_repo(tmp_path / "repo")
    data = json.dumps(PAYLOADS[name](platform, root), separators=(",", ":")).encode()
    assert len(data) <= MAX_STDIN
    env = platform_env(platform, root, str(home))
    t = time.monotonic()
    p = run(platform, data, env, cwd=root, timeout=60)
    took = time.monotonic() - t
    got = label(platform, p)
    assert took < DEADLINE_S + 0.5, (name, took, got, p.stderr[:200])  # + process start on a loaded machine
    assert got != "invalid" and b"Traceback" not in p.stderr, (got, p.stdout[:200], p.stderr[:200])
    if "deadline" in p.stderr.decode():
        assert got in DENY
