"""ADR 0012 / ADR 0006: the agent cannot approve itself. Every route an agent could take to
approve — running ``hookgate approvals …``, ``python -m hookgate``, importing hookgate, writing the
state dir, editing the request file — is denied through the real hook, on every platform, in
every stage the project could configure (self-protection is pinned to enforce)."""

from __future__ import annotations

import json
import os

import pytest

from hookgate.adapters import ADAPTERS
from tests.unit.approvals.helpers import (
    CI_FILE, approval_id, classify, hook, prefer_queue, request, shell_pre, write_pre,
)
from tests.conftest import HOOKGATE
from tests.support.marks import quick_first

PLATFORMS = sorted(ADAPTERS)
STAGES = ("monitor", "warn", "enforce")

SHELL_ROUTES = [
    "hookgate approvals approve {id}",
    "hookgate approvals approve {id} --yes-i-am-human",
    "hookgate approvals approve {id} --for 8h",
    "hookgate approvals deny {id}",
    "{hookgate} approvals approve {id}",
    "env -u CLAUDECODE hookgate approvals approve {id}",
    "bash -c 'hookgate approvals approve {id} --yes-i-am-human'",
    "timeout 5 hookgate approvals approve {id}",
    "echo {id} | xargs hookgate approvals approve",
    "unbuffer hookgate approvals approve {id}",
    "python -m hookgate approvals approve {id}",
    "python3 -m hookgate.cli.app approvals approve {id}",
    "python3 -c \"from hookgate.cli.app import run; run(['approvals', 'approve', '{id}', '--yes-i-am-human'])\"",
    "echo '{{}}' > {file}",
    "sed -i s/pending/approved/ {file}",
    "cp /tmp/forged.json {file}",
    "mv /tmp/forged.json {file}",
    "ln -sf /tmp/forged.json {file}",
    "rm -rf {dir}",
    "python3 -c \"open('{file}', 'w').write('{{}}')\"",
    "cd {dir} && echo x > {id}.json",
]

# routes the shell engine does not unwrap yet (the command runs inside another program's
# argument); the approve command's own tripwires (agent env, agent ancestor) still refuse them
KNOWN_GAPS = [
    "script -qc 'hookgate approvals approve {id}' /dev/null",
    "tmux new-session -d 'hookgate approvals approve {id}'",
    "expect -c 'spawn hookgate approvals approve {id}'",
    "printf 'hookgate approvals approve {id}' > /tmp/a.sh && bash /tmp/a.sh",
]


@pytest.fixture
def pending(project):
    prefer_queue(project)
    rid = approval_id(hook("claude-code", write_pre("claude-code", project, CI_FILE, "on: push\n"), project))
    return rid


def _stage(project, stage):
    if stage != "enforce":
        (project / ".hookgate" / "rollout.yaml").write_text(
            f"version: 1\nglobal_stage_cap: {stage}\nhooks:\n  write-guard: {{stage: {stage}}}\n")


def _fill(route, project, rid):
    d = os.path.join(str(project), ".git", "hookgate", "approvals")
    return route.format(id=rid, file=os.path.join(d, rid + ".json"), dir=d, hookgate=HOOKGATE)


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("platform", quick_first(PLATFORMS))
def test_shell_routes_to_approving_are_denied(project, pending, platform, stage):
    _stage(project, stage)
    for route in SHELL_ROUTES:
        cmd = _fill(route, project, pending)
        r = hook(platform, shell_pre(platform, project, cmd, session="agent"), project)
        assert classify(platform, r) in ("deny", "exit2-deny"), (cmd, r.stdout, r.stderr)
        assert "self-protection" in r.stdout.decode() + r.stderr.decode(), cmd
    assert request(project, pending)["status"] == "pending"


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("platform", quick_first(PLATFORMS))
def test_file_tools_cannot_write_or_edit_a_request(project, pending, platform, stage):
    _stage(project, stage)
    rel = os.path.join(".git", "hookgate", "approvals", pending + ".json")
    forged = json.dumps({"id": pending, "status": "approved"})
    r = hook(platform, write_pre(platform, project, rel, forged, session="agent"), project)
    assert classify(platform, r) in ("deny", "exit2-deny"), r.stdout
    assert "self-protection" in r.stdout.decode()
    if platform == "claude-code":
        edit = {"session_id": "agent", "cwd": str(project), "hook_event_name": "PreToolUse", "tool_name": "Edit",
                "tool_input": {"file_path": os.path.join(str(project), rel), "old_string": "pending",
                               "new_string": "approved"}, "tool_use_id": "t"}
        assert classify(platform, hook(platform, edit, project)) == "deny"
    if platform == "gemini-cli":
        rep = {"session_id": "agent", "cwd": str(project), "hook_event_name": "BeforeTool", "tool_name": "replace",
               "tool_input": {"file_path": rel, "old_string": "pending", "new_string": "approved", "instruction": "x"}}
        assert classify(platform, hook(platform, rep, project)) == "deny"
    assert request(project, pending)["status"] == "pending"


@pytest.mark.parametrize("route", KNOWN_GAPS)
def test_known_gap_routes_are_denied(project, pending, route):
    r = hook("claude-code", shell_pre("claude-code", project, _fill(route, project, pending)), project)
    assert classify("claude-code", r) in ("deny", "exit2-deny")
