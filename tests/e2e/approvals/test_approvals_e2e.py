"""ADR 0012 end to end, through the real ``hookgate hook`` and ``hookgate approvals`` commands on
every platform: checkpoint → pending id shown → approve on a pseudo-terminal → retry allowed
once → the next retry asks again; denial; native ask bookkeeping."""

from __future__ import annotations

import pytest

from hookgate.adapters import ADAPTERS
from tests.unit.approvals.helpers import (
    CI_FILE, approval_id, approve_on_pty, classify, hook, ledger, on_pty, post_of, prefer_queue, request,
    requests, shell_pre, write_pre,
)
from tests.conftest import run_cli
from tests.support.marks import quick_first

PLATFORMS = sorted(ADAPTERS)
DENIES = ("deny", "exit2-deny")

# checkpoints from two validators: the write guard's CI tier, and self-protection's
# indeterminate shell command
ACTIONS = {
    "ci-write": lambda platform, project, **kw: write_pre(platform, project, CI_FILE, "on: push\n", **kw),
    "indeterminate-shell": lambda platform, project, **kw: shell_pre(platform, project, 'read X; eval "$X"', **kw),
}


@pytest.mark.parametrize("what", sorted(ACTIONS))
@pytest.mark.parametrize("platform", quick_first(PLATFORMS))
def test_queue_approve_once_then_ask_again(project, platform, what):
    prefer_queue(project)  # Claude and Cursor shell could ask natively; this project prefers the queue
    make = ACTIONS[what]
    first = hook(platform, make(platform, project, session="agent-1"), project)
    assert classify(platform, first) in DENIES, first
    rid = approval_id(first)
    text = first.stdout.decode()
    assert f"hookgate approvals approve {rid}" in text and "continue with other work" in text
    req = request(project, rid)
    assert (req["status"], req["platform"], req["session"], req["route"]) == ("pending", platform, "agent-1", "queue")
    assert req["summary"] and req["age_seconds"] >= 0

    # the same action asked again (another session too) reuses the pending request
    again = hook(platform, make(platform, project, session="agent-2"), project)
    assert approval_id(again) == rid
    assert [r["id"] for r in requests(project) if r["status"] == "pending"] == [rid]

    rc, out = approve_on_pty(project, rid)
    assert rc == 0, out
    assert "Allow this exact action once?" in out and req["summary"][:40] in out
    assert request(project, rid)["status"] == "approved"

    retry = hook(platform, make(platform, project, session="agent-1"), project)
    assert classify(platform, retry) in ("allow", "warn"), retry
    rec = ledger(project)[-1]
    assert rec["kind"] == "decision" and rec["outcome"] in ("allow", "warn")
    assert rec["approval"] == "approved" and rec["approval_id"] == rid
    assert rec["approved_by"].endswith(")") and "terminal" in rec["approved_by"] and rec["approved_at"]
    assert request(project, rid)["status"] == "consumed"

    second = hook(platform, make(platform, project, session="agent-1"), project)
    assert classify(platform, second) in DENIES
    assert approval_id(second) != rid  # asks again: a new request

    changes = [r["change"] for r in ledger(project) if r["kind"] == "approval" and r["approval_id"] == rid]
    assert changes == ["created", "approved", "consumed"]


@pytest.mark.parametrize("platform", quick_first(PLATFORMS))
def test_window_approval_allows_repeats_until_it_ends(project, platform):
    prefer_queue(project)
    first = hook(platform, shell_pre(platform, project, 'read X; eval "$X"'), project)
    rid = approval_id(first)
    rc, out = approve_on_pty(project, rid, "--for", "10m")
    assert rc == 0, out
    for _ in range(3):
        assert classify(platform, hook(platform, shell_pre(platform, project, 'read X; eval "$X"'), project)) == "allow"
    req = request(project, rid)
    assert (req["status"], req["mode"], req["uses"]) == ("approved", "window", 3) and req["window_until"]


@pytest.mark.parametrize("platform", quick_first(PLATFORMS))
def test_denied_request_blocks_the_retry_with_the_humans_reason(project, platform):
    prefer_queue(project)
    rid = approval_id(hook(platform, write_pre(platform, project, CI_FILE, "on: push\n"), project))
    r = run_cli("approvals", "deny", rid, "--reason", "no CI changes this week", cwd=project)
    assert r.returncode == 0, r.stderr
    retry = hook(platform, write_pre(platform, project, CI_FILE, "on: push\n"), project)
    assert classify(platform, retry) in DENIES
    assert "no CI changes this week" in retry.stdout.decode() and rid in retry.stdout.decode()
    assert ledger(project)[-1]["approval"] == "denied"


def test_gemini_defaults_to_the_queue_without_any_setting(project):
    r = hook("gemini-cli", shell_pre("gemini-cli", project, 'read X; eval "$X"'), project)
    assert classify("gemini-cli", r) == "deny"  # never "ask": it would hang headless `gemini -p`
    rec = ledger(project)[-1]
    assert rec["approval"] == "queued" and rec["checkpoint_as_block"] is True


def test_cursor_write_cannot_ask_so_it_queues(project):
    r = hook("cursor", write_pre("cursor", project, CI_FILE, "on: push\n"), project)
    assert classify("cursor", r) == "deny"
    assert ledger(project)[-1]["checkpoint_as_block"] is True
    approval_id(r)


@pytest.mark.parametrize("platform,payload", [
    ("claude-code", lambda p: shell_pre("claude-code", p, 'read X; eval "$X"', tool_use_id="toolu_native")),
    ("claude-code", lambda p: write_pre("claude-code", p, CI_FILE, "on: push\n", tool_use_id="toolu_native")),
    ("cursor", lambda p: shell_pre("cursor", p, 'read X; eval "$X"')),
])
def test_native_ask_is_recorded_and_stays_unanswered_without_a_post_event(project, platform, payload):
    r = hook(platform, payload(project), project)
    assert classify(platform, r) == "ask"
    rec = ledger(project)[-1]
    assert rec["approval"] == "native-ask" and rec["outcome"] == "checkpoint"
    req = request(project, rec["approval_id"])
    assert (req["status"], req["route"]) == ("unanswered", "native")
    out = run_cli("approvals", "list", cwd=project).stdout
    assert rec["approval_id"] in out and "unanswered" in out


@pytest.mark.parametrize("match", ["tool_use_id", "digest"])
def test_claude_post_event_records_the_native_answer(project, match):
    pre = write_pre("claude-code", project, CI_FILE, "on: push\n", tool_use_id="toolu_A")
    assert classify("claude-code", hook("claude-code", pre, project)) == "ask"
    rid = ledger(project)[-1]["approval_id"]
    post = post_of("claude-code", pre)
    if match == "digest":
        post["tool_use_id"] = ""
    # a post-event of another session does not answer it
    hook("claude-code", dict(post, session_id="other"), project)
    assert request(project, rid)["status"] == "unanswered"
    hook("claude-code", post, project)
    req = request(project, rid)
    assert (req["status"], req["approved_by"]) == ("consumed", "human (native prompt)") and req["approved_at"]
    recs = ledger(project)
    assert any(r["kind"] == "approval" and r["change"] == "answered" and r["approval_id"] == rid for r in recs)
    assert recs[-1]["kind"] == "post" and recs[-1]["approved_by"] == "human (native prompt)"


def test_gemini_native_ask_is_opt_in_and_answered_by_after_tool(project):
    env = {"HOOKGATE_GEMINI_NATIVE_ASK": "1"}  # set in the hook entry's env in .gemini/settings.json
    pre = shell_pre("gemini-cli", project, 'read X; eval "$X"', session="g")
    r = hook("gemini-cli", pre, project, env=env)
    assert classify("gemini-cli", r) == "ask"
    rid = ledger(project)[-1]["approval_id"]
    hook("gemini-cli", post_of("gemini-cli", pre), project, env=env)
    assert request(project, rid)["approved_by"] == "human (native prompt)"


def test_declining_at_the_terminal_approves_nothing(project):
    prefer_queue(project)
    rid = approval_id(hook("claude-code", shell_pre("claude-code", project, 'read X; eval "$X"'), project))
    rc, out = on_pty(["approvals", "approve", rid], project, answer="n\n")
    assert rc == 1 and "not approved" in out
    assert request(project, rid)["status"] == "pending"
