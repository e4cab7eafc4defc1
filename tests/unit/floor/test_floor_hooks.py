"""The hook knows the floor (ADR 0020): sandbox bypass denied, floor_denied recorded after a
permission error on a protected path, floor state recorded at session start."""

from __future__ import annotations

import json
import os

import pytest

from tests.conftest import ledger_records, run_hook
from tests.support.payloads import claude_pre


def _decision(p):
    out = json.loads(p.stdout) if p.stdout.strip() else {}  # bytes are fine for json
    return out.get("hookSpecificOutput", {}).get("permissionDecision"), out


@pytest.mark.parametrize("tool_input,denied", [
    ({"command": "ls", "dangerouslyDisableSandbox": True}, True),
    ({"command": "cat README.md", "dangerouslyDisableSandbox": "true"}, True),
    ({"command": "ls", "dangerouslyDisableSandbox": False}, False),
    ({"command": "ls"}, False),
    ({"command": "jq '.sandbox.excludedCommands += [\"*\"]' cfg.json > out.json"}, True),
    ({"command": "echo '{\"sandbox\":{\"allowUnsandboxedCommands\":true}}' > ~/.srt-settings.json"}, True),
    ({"command": "gemini --settings security.toolSandboxing=false"}, True),
    ({"command": "codex --sandbox danger-full-access"}, True),
    ({"command": "unset HOOKGATE_FLOOR_BROKER; hookgate status"}, True),
    ({"command": "git status"}, False),
])
def test_sandbox_bypass_is_a_self_protection_denial(project, tool_input, denied):
    p = run_hook(claude_pre(project, "Bash", tool_input), cwd=str(project))
    decision, out = _decision(p)
    assert (decision == "deny") == denied, p.stdout + p.stderr
    if denied:
        assert "0020" in out["hookSpecificOutput"]["permissionDecisionReason"]


def _post(project, stderr, event="PostToolUse"):
    d = claude_pre(project, "Bash", {"command": "python3 run.py"}, event=event)
    d["tool_response"] = {"stdout": "", "stderr": stderr, "interrupted": False}
    return d


@pytest.mark.parametrize("stderr,hits", [
    ("cat: .env: Permission denied", [".env"]),
    ("Traceback...\nPermissionError: [Errno 13] Permission denied: 'secrets/token.txt'", ["secrets/token.txt"]),
    ("bash: .git/hookgate/ledger.jsonl: Read-only file system", [".git/hookgate/ledger.jsonl"]),
    ("cat: README.md: Permission denied", []),
    ("all good", []),
])
def test_post_tool_use_records_floor_denied(project, stderr, hits):
    p = run_hook(_post(project, stderr), cwd=str(project))
    assert p.returncode == 0, p.stderr
    rec = ledger_records(project)[-1]
    assert rec.get("floor_denied", []) == hits
    if hits:
        msg = json.loads(p.stdout)["hookSpecificOutput"]["additionalContext"]
        assert hits[0] in msg and "0020" in msg
    else:
        assert "floor" not in (p.stdout.decode() if isinstance(p.stdout, bytes) else p.stdout)


def test_session_start_records_the_floor_state(project):
    d = {"session_id": "s1", "transcript_path": "", "cwd": str(project), "hook_event_name": "SessionStart",
         "source": "startup"}
    run_hook(d, cwd=str(project))
    assert ledger_records(project)[-1]["floor"] == {"hookgate_run": False, "native": None, "strict": False, "on": False}
    os.makedirs(project / ".claude", exist_ok=True)
    (project / ".claude" / "settings.json").write_text(
        json.dumps({"sandbox": {"enabled": True, "allowUnsandboxedCommands": False}}))
    run_hook(d, cwd=str(project))
    assert ledger_records(project)[-1]["floor"] == {"hookgate_run": False, "native": True, "strict": True, "on": True}
    run_hook(d, cwd=str(project), env={"HOOKGATE_FLOOR": "1"})
    assert ledger_records(project)[-1]["floor"]["hookgate_run"] is True
