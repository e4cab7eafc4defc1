"""Bad input never crashes and never prints a traceback on stdout."""

from __future__ import annotations

import json

import pytest

from tests.conftest import HOOKGATE, ledger_records, run_hook
from tests.support.payloads import claude_pre


@pytest.mark.parametrize(
    "data",
    [b"", b"not json", b"[1,2,3]", b"null", b"42", b'"str"', b"\xff\xfe\x00garbage", b"{", b'{"a":' * 100000,
     json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Write"}).encode(),
     json.dumps({"hook_event_name": "PreToolUse", "tool_input": {}}).encode(),
     json.dumps({"tool_name": "Write", "tool_input": {}}).encode(),
     json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": "echo hi"}).encode()],
    ids=["empty", "text", "array", "null", "number", "string", "binary", "truncated", "deep", "no-input", "no-tool", "no-event", "input-not-object"],
)
def test_bad_stdin_denies_with_one_line(project, data):
    r = run_hook(data, cwd=project)
    assert r.returncode == 2
    assert r.stdout == b""
    err = r.stderr.decode()
    assert err.startswith("hookgate: denied:") and err.count("\n") == 1 and "Traceback" not in err
    assert any(rec["kind"] == "bad_input" for rec in ledger_records(project))


def test_unknown_platform_denies(project):
    import subprocess

    r = subprocess.run([HOOKGATE, "hook", "--platform", "nope"], input=b"{}", capture_output=True, cwd=project)
    assert r.returncode == 2 and r.stdout == b"" and b"unknown or missing --platform" in r.stderr
    r = subprocess.run([HOOKGATE, "hook"], input=b"{}", capture_output=True, cwd=project)
    assert r.returncode == 2 and r.stdout == b""


def test_unknown_tool_is_allowed_and_recorded(project):
    r = run_hook(claude_pre(project, "SomeFutureTool", {"x": 1}), cwd=project)
    assert r.returncode == 0 and r.stdout == b""
    assert ledger_records(project)[-1]["tool"] == "SomeFutureTool"


def test_ten_megabyte_payload_is_decided(project):
    big = "A" * (10 * 1024 * 1024)
    r = run_hook(claude_pre(project, "Write", {"file_path": str(project / ".hookgate" / "x.yaml"), "content": big}), cwd=project)
    assert r.returncode == 0
    assert json.loads(r.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"
    rec = ledger_records(project)[-1]
    assert len(json.dumps(rec)) < 20000  # content truncated in the ledger


def test_internal_error_in_enforced_validator_denies(project, monkeypatch):
    from hookgate.core import hook
    from hookgate.validators import self_protection

    def boom(**_):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(self_protection, "check", boom)
    monkeypatch.setattr(self_protection, "_ARGNAMES", (), raising=False)
    out, err, code = hook.handle("claude-code", json.dumps(claude_pre(project, "Write", {"file_path": str(project / "a"), "content": "x"})).encode(), {"HOME": str(project), "CLAUDE_PROJECT_DIR": str(project)})
    obj = json.loads(out)
    assert obj["hookSpecificOutput"]["permissionDecision"] == "deny"
    assert "kaboom" in obj["hookSpecificOutput"]["permissionDecisionReason"]
    rec = ledger_records(project)[-1]
    assert rec["validator_error"] is True


def test_crash_outside_validators_fails_closed(project, monkeypatch):
    from hookgate.core import engine, hook

    def boom(*a, **k):
        raise ValueError("engine broke")

    monkeypatch.setattr(engine, "decide_full", boom)
    out, err, code = hook.handle("claude-code", json.dumps(claude_pre(project, "Write", {"file_path": str(project / "a"), "content": "x"})).encode(), {"HOME": str(project), "CLAUDE_PROJECT_DIR": str(project)})
    assert code == 2 and out == "" and "engine broke" in err and err.count("\n") == 1
