"""ADR 0012: what an approval is bound to, and when ``approve`` refuses."""

from __future__ import annotations

import time

import pytest

from tests.unit.approvals.helpers import (
    CI_FILE, approval_id, approve_on_pty, classify, edit_request, hook, human_env, on_pty, prefer_queue, request,
    shell_pre, write_pre,
)
from tests.conftest import run_cli


@pytest.fixture
def queued(project):
    prefer_queue(project)
    r = hook("claude-code", write_pre("claude-code", project, CI_FILE, "on: push\n"), project)
    return approval_id(r)


@pytest.mark.parametrize("changed", [
    lambda p: write_pre("claude-code", p, CI_FILE, "on: [push, pull_request]\n"),  # other content
    lambda p: write_pre("claude-code", p, ".github/workflows/release.yml", "on: push\n"),  # other path
    lambda p: shell_pre("claude-code", p, f"cat > {CI_FILE}"),  # other tool
])
def test_an_approval_does_not_cover_a_changed_action(project, queued, changed):
    rc, out = approve_on_pty(project, queued)
    assert rc == 0, out
    r = hook("claude-code", changed(project), project)
    assert classify("claude-code", r) in ("deny", "exit2-deny")
    assert request(project, queued)["status"] == "approved"  # still unspent, for the approved action
    assert classify("claude-code", hook("claude-code", write_pre("claude-code", project, CI_FILE, "on: push\n"),
                                        project)) == "allow"


def test_same_action_from_another_platform_matches(project, queued):
    """The digest is platform-neutral: what was approved is the action, not the client."""
    assert approve_on_pty(project, queued)[0] == 0
    assert classify("gemini-cli", hook("gemini-cli", write_pre("gemini-cli", project, CI_FILE, "on: push\n"),
                                       project)) == "allow"


def test_approve_refuses_a_request_whose_action_changed_while_shown(project, queued, monkeypatch):
    from hookgate.approvals import store

    state = str(project / ".git" / "hookgate")
    shown = store.load(state, queued)["digest"]
    edit_request(project, queued, digest="0" * 64)
    with pytest.raises(store.ApprovalError) as e:
        store.answer(state, queued, approve=True, by="t", now=time.time(), digest=shown)
    assert e.value.code == 5
    assert store.load(state, queued)["status"] == "pending"


def test_approve_refuses_after_expiry(project, queued):
    edit_request(project, queued, expires=time.time() - 1)
    rc, out = approve_on_pty(project, queued)
    assert rc == 4 and "expired" in out
    assert request(project, queued)["status"] == "expired"
    # and the retry asks again, under a new id
    r = hook("claude-code", write_pre("claude-code", project, CI_FILE, "on: push\n"), project)
    assert approval_id(r) != queued


def test_an_approval_expires_unused(project, queued):
    assert approve_on_pty(project, queued)[0] == 0
    edit_request(project, queued, expires=time.time() - 1)
    r = hook("claude-code", write_pre("claude-code", project, CI_FILE, "on: push\n"), project)
    assert classify("claude-code", r) == "deny" and approval_id(r) != queued
    assert request(project, queued)["status"] == "expired"


def test_approve_refuses_without_a_terminal(project, queued):
    r = run_cli("approvals", "approve", queued, cwd=project, env=human_env(), input="y\n")
    assert r.returncode == 2 and "not a terminal" in r.stderr
    assert request(project, queued)["status"] == "pending"


def test_maintainer_flag_approves_without_a_terminal(project, queued):
    r = run_cli("approvals", "approve", queued, "--yes-i-am-human", cwd=project, env=human_env())
    assert r.returncode == 0, r.stderr
    assert "--yes-i-am-human" in request(project, queued)["approved_by"]


@pytest.mark.parametrize("var", ["CLAUDECODE", "CURSOR_AGENT", "GEMINI_CLI"])
def test_approve_refuses_inside_an_agents_shell_even_on_a_pty(project, queued, var):
    rc, out = on_pty(["approvals", "approve", queued, "--yes-i-am-human"], project, env=human_env(**{var: "1"}))
    assert rc == 3 and "AI agent" in out
    assert request(project, queued)["status"] == "pending"


def test_approve_refuses_under_an_agent_process(project, queued, tmp_path):
    """A pseudo-terminal the agent made itself (its env scrubbed) is still under the agent."""
    fake_agent = tmp_path / "claude"
    fake_agent.write_text("#!/bin/sh\n\"$@\"\n")  # stays the parent, as node stays under `claude`
    fake_agent.chmod(0o755)
    import subprocess

    from tests.conftest import HOOKGATE

    r = subprocess.run([str(fake_agent), "script", "-qc", f"{HOOKGATE} approvals approve {queued}", "/dev/null"],
                       cwd=project, env=human_env(), input=b"y\n", capture_output=True, timeout=60)
    assert b"runs under an AI agent" in r.stdout + r.stderr
    assert request(project, queued)["status"] == "pending"


@pytest.mark.parametrize("first,second", [("approve", "approve"), ("approve", "deny"), ("deny", "approve")])
def test_a_request_is_answered_once(project, queued, first, second):
    def answer(how):
        if how == "approve":
            return run_cli("approvals", "approve", queued, "--yes-i-am-human", cwd=project, env=human_env())
        return run_cli("approvals", "deny", queued, cwd=project, env=human_env())

    assert answer(first).returncode == 0
    r = answer(second)
    assert r.returncode == 1 and "already" in r.stderr


def test_unknown_and_malformed_ids(project, queued):
    for bad in ("deadbeef", "../../x", "ZZZZZZZZ"):
        r = run_cli("approvals", "show", bad, cwd=project, env=human_env())
        assert r.returncode == 1, r.stdout


def test_window_is_capped_by_project_max(project, queued):
    (project / ".hookgate" / "hooks" / "self-protection.yaml").write_text(
        "policy:\n  approvals:\n    prefer_queue: true\n    max_window: 30m\n")
    r = run_cli("approvals", "approve", queued, "--for", "2h", "--yes-i-am-human", cwd=project, env=human_env())
    assert r.returncode == 1 and "max_window" in r.stderr
