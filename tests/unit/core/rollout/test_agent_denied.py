"""ADR 0006 + 0015: from an agent's shell, every mutating rollout/audit/replay command is denied
(end to end: Claude Code Bash payload → real `hookgate hook`, which needs the shell engine)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_hook
from tests.support.payloads import claude_pre

DENIED = [
    "hookgate rollout promote coordination",
    "hookgate rollout promote coordination --force --reason because",
    "hookgate rollout demote write-guard --to monitor",
    "hookgate rollout cap monitor",
    "hookgate rollout cap none",
    "hookgate audit label abc123 fp --note x",
    "hookgate replay --policy /tmp/x",
    "cd src && hookgate rollout promote budget",
]
ALLOWED = ["hookgate rollout status", "hookgate rollout status --json", "hookgate audit tail --unlabelled"]


def _decide(project, command: str) -> str:
    res = run_hook(claude_pre(project, "Bash", {"command": command}), cwd=str(project))
    if res.returncode == 2:
        return "deny"
    if not res.stdout.strip():
        return "allow"
    out = json.loads(res.stdout)
    return out.get("hookSpecificOutput", {}).get("permissionDecision") or "warn"


@pytest.mark.parametrize("command", DENIED)
def test_mutating_commands_are_denied_to_agents(project, command):
    assert _decide(project, command) == "deny"


@pytest.mark.parametrize("command", ALLOWED)
def test_read_only_commands_stay_allowed(project, command):
    assert _decide(project, command) == "allow"
