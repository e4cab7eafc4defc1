"""End to end through the real ``hookgate hook`` (and ``hookgate budget show``): below, warn
and block on Claude Code and Gemini CLI payloads (ADR 0014)."""

from __future__ import annotations

import json
import os

import pytest

from tests.conftest import ledger_records, run_cli, run_hook
from tests.support.payloads import claude_pre

from tests.unit.validators.budget import synth

LIMIT = 1000


def _setup(project, stage: str | None = None, policy: str | None = None):
    hooks = project / ".hookgate" / "hooks"
    hooks.mkdir(parents=True, exist_ok=True)
    (hooks / "budget.yaml").write_text(policy or f"limits: {{total_tokens: {LIMIT}}}\nwarn_at: 0.8\nblock_at: 1.0\n")
    if stage:
        (project / ".hookgate" / "rollout.yaml").write_text(f'version: 1\nhooks:\n  budget: {{stage: "{stage}"}}\n')


def _claude_transcript(tmp_path, total: int, name: str = "t.jsonl"):
    """A transcript whose counted total is *total* (streamed twice, output grows)."""
    t = tmp_path / name
    inp, cr, cw = 10, total // 2, 5
    out = total - inp - cr - cw
    t.write_text(synth.claude_assistant("m1", "r1", inp, 1, cr, cw) + synth.claude_user("ok")
                 + synth.claude_assistant("m1", "r1", inp, out, cr, cw))
    return t


def _pre(project, transcript, tool="Write", tool_input=None, session="s1"):
    p = claude_pre(project, tool, tool_input if tool_input is not None else
                   {"file_path": str(project / "src" / "new.py"), "content": "x = 1\n"}, session)
    p["transcript_path"] = str(transcript)
    return p


def _budget_verdict(project):
    rec = [r for r in ledger_records(project) if r.get("kind") == "decision"][-1]
    return next(v for v in rec["verdicts"] if v["hook"] == "budget")


def test_below_warn_at_is_silent(project, tmp_path):
    _setup(project)
    r = run_hook(_pre(project, _claude_transcript(tmp_path, 500)), cwd=project)
    assert r.returncode == 0 and r.stdout == b"", r.stderr
    v = _budget_verdict(project)
    assert v["raw"] == "allow" and v["stage"] == "warn"


def test_over_warn_at_warns_with_figures(project, tmp_path):
    _setup(project)
    r = run_hook(_pre(project, _claude_transcript(tmp_path, 850)), cwd=project)
    assert r.returncode == 0
    out = json.loads(r.stdout)
    ctx = out["hookSpecificOutput"]["additionalContext"]
    assert "850 of 1,000 total tokens (85%)" in ctx and "adr/0014-budget.md" in ctx
    assert "permissionDecision" not in out["hookSpecificOutput"]
    assert _budget_verdict(project)["raw"] == "warn"


def test_over_block_at_in_shipped_warn_stage_only_warns(project, tmp_path):
    _setup(project)  # shipped stage: warn
    r = run_hook(_pre(project, _claude_transcript(tmp_path, 1200)), cwd=project)
    out = json.loads(r.stdout)
    assert "permissionDecision" not in out["hookSpecificOutput"]
    assert "would be blocked once enforced" in out["hookSpecificOutput"]["additionalContext"]
    v = _budget_verdict(project)
    assert v["raw"] == "block" and v["effective"] == "warn" and v["would_block"] is True


@pytest.mark.parametrize(
    "tool, tool_input, denied",
    [
        ("Write", None, True),
        ("Edit", {"file_path": "src/app.py", "old_string": "hi", "new_string": "yo"}, True),
        ("Task", {"description": "more", "prompt": "go on"}, True),
        ("Bash", {"command": "rm -f src/app.py"}, True),
        ("Bash", {"command": "echo hi > notes.txt"}, True),
        ("Bash", {"command": "read X; eval \"$X\""}, True),  # indeterminate: not provably read-only
        ("Read", {"file_path": "README.md"}, False),
        ("Grep", {"pattern": "TODO", "path": "src"}, False),
        ("Glob", {"pattern": "**/*.py"}, False),
        ("Bash", {"command": "git status && ls -la src"}, False),
    ],
)
def test_over_block_at_enforced_denies_all_but_read_only(project, tmp_path, tool, tool_input, denied):
    _setup(project, stage="enforce")
    inp = tool_input
    if tool == "Edit":
        inp = dict(tool_input, file_path=str(project / "src" / "app.py"))
    if tool == "Read":
        inp = {"file_path": str(project / "README.md")}
    r = run_hook(_pre(project, _claude_transcript(tmp_path, 1500), tool, inp), cwd=project)
    assert r.returncode == 0, r.stderr
    v = _budget_verdict(project)
    if denied:
        out = json.loads(r.stdout)
        hso = out["hookSpecificOutput"]
        assert hso["permissionDecision"] == "deny", out
        reason = hso["permissionDecisionReason"]
        assert "1,500 of 1,000 total tokens (150%)" in reason
        assert ".hookgate/hooks/budget.yaml" in reason and "budget/over-budget" in reason
        assert v["raw"] == "block" and v["effective"] == "block"
    else:
        # the budget lets read-only calls through (other guards may still have their say)
        assert v["raw"] == "warn" and v["rule"] == "over-budget-read-only", v
        assert "budget/over-budget;" not in r.stdout.decode()


def test_incremental_growth_crosses_thresholds(project, tmp_path):
    _setup(project, stage="enforce")
    t = tmp_path / "t.jsonl"
    t.write_text(synth.claude_assistant("a", "r", 100, 100, 300, 0))  # 500
    assert run_hook(_pre(project, t), cwd=project).stdout == b""
    with open(t, "a") as f:
        f.write(synth.claude_assistant("b", "r", 100, 100, 100, 0)[:-30])  # partial: not yet counted
    assert run_hook(_pre(project, t), cwd=project).stdout == b""
    with open(t, "a") as f:
        f.write(synth.claude_assistant("b", "r", 100, 100, 100, 0)[-30:])  # 800 → warn
    assert "800 of 1,000" in json.loads(run_hook(_pre(project, t), cwd=project).stdout)["hookSpecificOutput"]["additionalContext"]
    with open(t, "a") as f:
        f.write(synth.claude_assistant("c", "r", 100, 100, 0, 0))  # 1000 → block
    hso = json.loads(run_hook(_pre(project, t), cwd=project).stdout)["hookSpecificOutput"]
    assert hso["permissionDecision"] == "deny" and "1,000 of 1,000" in hso["permissionDecisionReason"]


def test_no_transcript_means_no_budget_verdict(project):
    _setup(project, stage="enforce")
    r = run_hook(claude_pre(project, "Write", {"file_path": str(project / "a.txt"), "content": ""}), cwd=project)
    assert r.stdout == b"" and r.returncode == 0
    r = run_hook(_pre(project, "/nonexistent/t.jsonl"), cwd=project)
    assert r.stdout == b"" and r.returncode == 0


def test_per_platform_limit(project, tmp_path):
    _setup(project, stage="enforce", policy="limits: {total_tokens: 100000}\nplatforms:\n  claude-code: {limits: {output_tokens: 100}}\n")
    t = tmp_path / "t.jsonl"
    t.write_text(synth.claude_assistant("a", "r", 10, 150, 0, 0))
    hso = json.loads(run_hook(_pre(project, t), cwd=project).stdout)["hookSpecificOutput"]
    assert hso["permissionDecision"] == "deny" and "150 of 100 output tokens (150%)" in hso["permissionDecisionReason"]


def test_bad_project_policy_is_refused_with_path(project, tmp_path):
    _setup(project, policy="limits: {total_tokens: 1e6}\n")
    r = run_hook(_pre(project, _claude_transcript(tmp_path, 500)), cwd=project)
    assert r.returncode == 0
    err = [x for x in ledger_records(project) if x["kind"] == "config_error"]
    assert err and "budget.yaml" in err[0]["error"] and "limits.total_tokens" in err[0]["error"]


# --- Gemini CLI -------------------------------------------------------------------------------


def _gemini_pre(project, transcript, tool="write_file", tool_input=None):
    return {
        "session_id": "g-session-1", "transcript_path": str(transcript), "cwd": str(project),
        "hook_event_name": "BeforeTool", "timestamp": "2026-11-23T10:00:00Z", "tool_name": tool,
        "tool_input": tool_input if tool_input is not None else {"file_path": str(project / "n.txt"), "content": "x"},
    }


def _gemini_transcript(tmp_path, total):
    t = tmp_path / "session-2026-11-23T10-00-gsession.jsonl"
    tok = {"input": total - 100, "output": 60, "cached": 200, "thoughts": 40, "tool": 0, "total": total}
    t.write_text(synth.gemini_line({"sessionId": "g-session-1", "projectHash": "h"})
                 + synth.gemini_line(synth.gemini_message("g1", None))
                 + synth.gemini_line(synth.gemini_message("g1", tok)))
    return t


@pytest.mark.parametrize("total, expect", [(500, "allow"), (900, "warn"), (1300, "deny")])
def test_gemini_below_warn_block(project, tmp_path, total, expect):
    _setup(project, stage="enforce")
    r = run_hook(_gemini_pre(project, _gemini_transcript(tmp_path, total)), platform="gemini-cli", cwd=project)
    assert r.returncode == 0, r.stderr
    if expect == "allow":
        assert r.stdout.strip() in (b"", b"{}")
        return
    out = json.loads(r.stdout)
    if expect == "warn":
        assert "decision" not in out
        assert f"{total:,} of 1,000 total tokens" in out["hookSpecificOutput"]["additionalContext"]
    else:
        assert out["decision"] == "deny" and f"{total:,} of 1,000 total tokens" in out["reason"]
        # a read stays allowed so the agent can wrap up
        r = run_hook(_gemini_pre(project, tmp_path / "session-2026-11-23T10-00-gsession.jsonl", "read_file",
                                 {"file_path": str(project / "README.md")}), platform="gemini-cli", cwd=project)
        assert b'"deny"' not in r.stdout


# --- hookgate budget show ---------------------------------------------------------------------


def test_budget_show_text_and_json(project, tmp_path):
    _setup(project)
    t = tmp_path / "t.jsonl"
    synth.write_claude(str(t), 30)
    run_hook(_pre(project, t, session="sess-show"), cwd=project)
    r = run_cli("budget", "show", cwd=project)
    assert r.returncode == 0, r.stderr
    assert "session sess-show" in r.stdout and "of 1,000" in r.stdout and "█" in r.stdout
    r = run_cli("budget", "show", "--json", "--session", "sess", cwd=project)
    data = json.loads(r.stdout)["sessions"][0]
    assert data["tokens"]["total_tokens"] == sum(synth.write_claude(os.devnull, 30))
    assert data["limits"] == {"total_tokens": LIMIT} and data["estimate"] is False
    assert data["percent_of_limit"]["total_tokens"] > 100 and data["series"]
    r = run_cli("budget", "show", "--session", "nope", cwd=project)
    assert r.returncode != 0 and "no budget data" in r.stderr


# --- Cursor (estimate) ------------------------------------------------------------------------


def test_cursor_estimate_from_precompact_warns_and_says_estimated(project):
    _setup(project, stage="enforce")
    common = {"conversation_id": "cur-1", "generation_id": "g", "model": "m", "cursor_version": "2.4.21",
              "workspace_roots": [str(project)], "user_email": None, "transcript_path": None}
    r = run_hook(dict(common, hook_event_name="preCompact", trigger="auto", context_usage_percent=45,
                      context_tokens=900, context_window_size=2000, message_count=10, messages_to_compact=5,
                      is_first_compaction=True), platform="cursor", cwd=project)
    assert r.returncode == 0, r.stderr
    r = run_hook(dict(common, hook_event_name="beforeShellExecution", command="echo hi > out.txt", cwd=str(project),
                      sandbox=False), platform="cursor", cwd=project)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    text = json.dumps(out)
    assert "used estimated" in text and "of 1,000 total tokens" in text
    rec = [x for x in ledger_records(project) if x.get("event") == "beforeShellExecution"][-1]
    assert next(v for v in rec["verdicts"] if v["hook"] == "budget")["raw"] == "warn"
