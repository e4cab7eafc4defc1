"""Fixtures for the coordination tests (ADR 0013)."""

from __future__ import annotations

import json
import os


from tests.conftest import run_hook
from tests.support.payloads import claude_pre


def enforce(project, policy: str = "") -> None:
    """Project config that puts coordination in enforce (it ships in monitor)."""
    cfg = project / ".hookgate"
    cfg.mkdir(exist_ok=True)
    (cfg / "rollout.yaml").write_text('version: 1\nhooks:\n  coordination: {stage: "enforce"}\n')
    if policy:
        (cfg / "hooks").mkdir(exist_ok=True)
        (cfg / "hooks" / "coordination.yaml").write_text(policy)


def write(project, session: str, rel: str = "src/app.py", tool: str = "Write"):
    inp = {"file_path": str(project / rel), "content": "x\n"}
    if tool == "Edit":
        inp = {"file_path": str(project / rel), "old_string": "a", "new_string": "b"}
    return run_hook(claude_pre(project, tool, inp, session))


def bash(project, session: str, command: str):
    return run_hook(claude_pre(project, "Bash", {"command": command}, session))


def session_end(project, session: str):
    return run_hook({"session_id": session, "cwd": str(project), "hook_event_name": "SessionEnd", "reason": "exit"})


def outcome(proc) -> str:
    """allow | deny | ask, as Claude Code reads the hook's output."""
    from hookgate.adapters.claude_code import classify_output

    return classify_output(proc.stdout.decode(), proc.stderr.decode(), proc.returncode)


def reason(proc) -> str:
    out = proc.stdout.decode().strip()
    if not out:
        return proc.stderr.decode()
    return json.loads(out).get("hookSpecificOutput", {}).get("permissionDecisionReason", out)


def state_file(project) -> str:
    return os.path.join(str(project), ".git", "hookgate", "coordination", "state.json")
