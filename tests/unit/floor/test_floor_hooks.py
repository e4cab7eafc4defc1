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
    ({"command": "codex exec -c sandbox_mode=workspace-write 'do it'"}, True),
    ({"command": "sed -i 's/hookgate/mine/' .codex/config.toml; echo 'default_permissions = \":workspace\"'"}, True),
    ({"command": "codex sandbox --permission-profile :workspace -- cat .env"}, True),
    ({"command": "jq '.sandbox.filesystem.disabled = true' s.json"}, True),
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


# --- floor_denied on every platform with a post-tool event (table-driven) -----------------------

ERR = "cat: .env: Permission denied"


def _codex_post(project):
    return {"session_id": "s1", "transcript_path": None, "cwd": str(project), "hook_event_name": "PostToolUse",
            "model": "gpt-5.5", "permission_mode": "default", "turn_id": "t1", "tool_use_id": "c1",
            "tool_name": "Bash", "tool_input": {"command": "sh run.sh"},
            "tool_response": f"Process exited with code 1\nOutput:\n{ERR}\n"}


def _cursor(project, event, **extra):
    return {"conversation_id": "c1", "generation_id": "g1", "model": "m", "hook_event_name": event,
            "cursor_version": "2.4.0", "workspace_roots": [str(project)], "user_email": None,
            "transcript_path": None, "cwd": str(project), **extra}


POST_CASES = {
    # platform, payload builder, agent told (the post output reaches the model)
    "claude-PostToolUse": ("claude-code", lambda p: dict(claude_pre(p, "Bash", {"command": "sh run.sh"}, event="PostToolUse"),
                                                         tool_response={"stdout": "", "stderr": ERR}), True),
    "claude-PostToolUseFailure": ("claude-code", lambda p: dict(claude_pre(p, "Bash", {"command": "sh run.sh"},
                                                                           event="PostToolUseFailure"), error=ERR), True),
    "gemini-AfterTool": ("gemini-cli", lambda p: {"session_id": "s1", "transcript_path": "", "cwd": str(p),
                                                  "hook_event_name": "AfterTool", "timestamp": "2026-12-07T00:00:00Z",
                                                  "tool_name": "run_shell_command", "tool_input": {"command": "sh run.sh"},
                                                  "tool_response": {"llmContent": f"Command: sh run.sh\nOutput: {ERR}\nExit Code: 1",
                                                                    "returnDisplay": ERR}}, True),
    "codex-PostToolUse": ("codex", _codex_post, True),
    "copilot-PostToolUse": ("copilot-cli", lambda p: dict(claude_pre(p, "Bash", {"command": "sh run.sh"}, event="PostToolUse"),
                                                          tool_response={"resultType": "failure", "textResultForLlm": ERR}), True),
    "qwen-PostToolUse": ("qwen-code", lambda p: dict(claude_pre(p, "run_shell_command", {"command": "sh run.sh"},
                                                                event="PostToolUse"), tool_response={"llmContent": ERR}), True),
    "qwen-PostToolUseFailure": ("qwen-code", lambda p: dict(claude_pre(p, "run_shell_command", {"command": "sh run.sh"},
                                                                       event="PostToolUseFailure"), error=ERR), True),
    "opencode-after": ("opencode", lambda p: {"hook_event_name": "tool.execute.after", "session_id": "s1", "call_id": "c1",
                                              "tool": "bash", "args": {"command": "sh run.sh"}, "cwd": str(p),
                                              "output": ERR}, True),
    "cursor-postToolUse": ("cursor", lambda p: _cursor(p, "postToolUse", tool_name="Shell", tool_use_id="u1",
                                                       tool_input={"command": "sh run.sh", "working_directory": str(p)},
                                                       tool_output=json.dumps({"stdout": "", "stderr": ERR, "exitCode": 1}),
                                                       duration=5), False),
    "cursor-postToolUseFailure": ("cursor", lambda p: _cursor(p, "postToolUseFailure", tool_name="Shell", tool_use_id="u1",
                                                              tool_input={"command": "sh run.sh"}, error_message=ERR,
                                                              failure_type="error", duration=5, is_interrupt=False), False),
    "cursor-afterShellExecution": ("cursor", lambda p: _cursor(p, "afterShellExecution", command="sh run.sh", output=ERR,
                                                               duration=5, sandbox=True), False),
}


@pytest.mark.parametrize("case", list(POST_CASES))
def test_floor_denied_on_every_platform(project, case):
    platform, build, told = POST_CASES[case]
    for clean in (True, False):  # the same payload without the permission error records nothing
        payload = build(project)
        if clean:
            payload = json.loads(json.dumps(payload).replace("Permission denied", "No such file or directory"))
        n = len(ledger_records(project))
        p = run_hook(payload, platform, cwd=str(project))
        assert p.returncode == 0, p.stderr
        out = p.stdout.decode() if isinstance(p.stdout, bytes) else p.stdout
        new = ledger_records(project)[n:]
        hits = [r["floor_denied"] for r in new if "floor_denied" in r]
        if clean:
            assert hits == [] and "operating system refused" not in out, (new, out)
            continue
        assert hits == [[".env"]], new
        if told:
            assert "The operating system refused access to .env" in out and "0020" in out, out
