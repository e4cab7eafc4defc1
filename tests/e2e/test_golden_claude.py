"""The golden Claude Code payloads through the real command (expected.json is the table)."""

from __future__ import annotations

import json

import pytest

from hookgate.adapters import golden
from hookgate.adapters import claude_code
from tests.conftest import ledger_records, run_hook

CASES = sorted(golden.expectations("claude-code").items())


@pytest.mark.parametrize("name,expected", CASES, ids=[c[0] for c in CASES])
def test_golden_payload(project, home, name, expected):
    data = golden.payload("claude-code", name, str(project), str(home))
    r = run_hook(data, cwd=project)
    out, err = r.stdout.decode(), r.stderr.decode()
    observed = claude_code.classify_output(out, err, r.returncode)
    assert golden.matches(expected, observed), (name, observed, out, err)
    if out.strip():
        obj = json.loads(out)  # stdout carries nothing but one JSON object
        assert isinstance(obj, dict)
        hso = obj.get("hookSpecificOutput", {})
        assert hso.get("permissionDecision") != "allow"  # never widen permissions
    if expected == "deny":
        obj = json.loads(out)
        reason = obj["hookSpecificOutput"]["permissionDecisionReason"]
        assert "adr/0006-self-protection.md" in reason
        assert "Do not retry" in reason
        assert obj["decision"] == "block"
    if expected == "bad":
        assert err.count("\n") == 1 and err.startswith("hookgate: denied:")
        assert "Traceback" not in err
    recs = ledger_records(project)
    assert recs, "every call lands in the ledger"


def test_allow_renders_no_decision(project):
    r = run_hook({"session_id": "s", "cwd": str(project), "hook_event_name": "PreToolUse",
                  "tool_name": "Write", "tool_input": {"file_path": str(project / "x.txt"), "content": "x"}}, cwd=project)
    assert r.returncode == 0 and r.stdout == b"" and r.stderr == b""
