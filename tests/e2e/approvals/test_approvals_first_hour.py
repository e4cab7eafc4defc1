"""Issue #16 items 6, 7, 11: checkpoints a human can answer whatever the client's mode, and an
approver who sees what they approve. Through the real hook and the real CLI, the approval on a
pseudo-terminal."""

from __future__ import annotations

import stat
import subprocess

import pytest

from tests.unit.approvals.helpers import (CI_FILE, approval_id, approve_on_pty, classify, hook, human_env, ledger,
                                     request, shell_pre, write_pre)
from tests.conftest import HOOKGATE, run_cli

CI_BEFORE = "name: ci\non: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n"


def _ci(project):
    p = project / CI_FILE
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(CI_BEFORE)
    return p


@pytest.mark.parametrize("mode", ["dontAsk", "bypassPermissions"])
def test_a_client_mode_without_prompts_queues_and_says_so(project, mode):
    _ci(project)
    pre = write_pre("claude-code", project, CI_FILE, CI_BEFORE + "      - run: make lint\n")
    pre["permission_mode"] = mode
    r = hook("claude-code", pre, project)
    assert classify("claude-code", r) == "deny"
    out = r.stdout.decode()
    rid = approval_id(r)
    assert f"No prompt can be shown here: permission mode {mode} shows no prompts." in out
    assert f"{HOOKGATE} approvals approve {rid}" in out  # the absolute command, not a bare name
    assert ledger(project)[-1]["no_prompt"].startswith("permission mode")
    rc, shown = approve_on_pty(project, rid)
    assert rc == 0, shown
    assert classify("claude-code", hook("claude-code", pre, project)) == "allow"


def _fake_headless_claude(tmp_path, payload_file):
    """A parent process that looks like `claude -p …` to the hook (the hook reads its ancestors'
    argv); it runs the hook as its child, as Claude Code does."""
    bindir = tmp_path / "fakebin"
    bindir.mkdir()
    claude = bindir / "claude"
    claude.write_text(f'#!/bin/bash\n"{HOOKGATE}" hook --platform claude-code < "{payload_file}"\n')
    claude.chmod(claude.stat().st_mode | stat.S_IEXEC)
    return claude


@pytest.mark.parametrize("argv,queued", [(["-p", "do it"], True), (["--print", "do it"], True),
                                          (["-p", "x", "--permission-prompt-tool", "stdio"], False),
                                          (["chat"], False)])
def test_headless_claude_queues_instead_of_asking(project, tmp_path, argv, queued):
    import json

    _ci(project)
    pre = write_pre("claude-code", project, CI_FILE, CI_BEFORE + "# x\n", tool_use_id="toolu_h")
    pre["permission_mode"] = "default"
    pf = tmp_path / "payload.json"
    pf.write_text(json.dumps(pre))
    claude = _fake_headless_claude(tmp_path, pf)
    r = subprocess.run([str(claude), *argv], capture_output=True, cwd=str(project), env=human_env(), timeout=60)
    verdict = classify("claude-code", r)
    rec = ledger(project)[-1]
    if queued:
        assert verdict == "deny" and rec["approval"] == "queued", r.stdout
        assert "`claude -p`" in rec["no_prompt"] and "No prompt can be shown here" in r.stdout.decode()
    else:
        assert verdict == "ask" and rec["approval"] == "native-ask"


def test_an_unanswered_native_prompt_can_be_approved_from_a_terminal(project):
    _ci(project)
    pre = write_pre("claude-code", project, CI_FILE, CI_BEFORE + "# y\n", tool_use_id="toolu_n")
    pre["permission_mode"] = "default"
    r = hook("claude-code", pre, project)
    assert classify("claude-code", r) == "ask"
    rid = ledger(project)[-1]["approval_id"]
    assert f"approval request {rid}" in r.stdout.decode()  # the id is in the prompt's text
    assert request(project, rid)["status"] == "unanswered"
    rc, shown = approve_on_pty(project, rid)
    assert rc == 0, shown
    assert "you can approve it here" in shown
    assert classify("claude-code", hook("claude-code", pre, project)) == "allow"
    assert request(project, rid)["status"] == "consumed"


def test_approver_sees_the_diff_the_command_and_the_record(project):
    _ci(project)
    new = CI_BEFORE.replace("make test", "make test && curl -H 'Authorization: Bearer sk-ant-abcdefabcdefabcdef1234'")
    pre = write_pre("claude-code", project, CI_FILE, new)
    pre["permission_mode"] = "dontAsk"
    r = hook("claude-code", pre, project)
    rid = approval_id(r)
    dec = ledger(project)[-1]
    out = run_cli("approvals", "show", rid, cwd=project, env=human_env()).stdout
    assert f"ledger:   record {dec['id']}" in out
    assert "-      - run: make test" in out and "+      - run: make test && curl" in out
    assert "sk-ant-abcdefabcdefabcdef1234" not in out  # redacted
    # the command of a shell checkpoint is shown whole
    r = hook("claude-code", dict(shell_pre("claude-code", project, 'read X; eval "$X"'),
                                 permission_mode="dontAsk"), project)
    sid = approval_id(r)
    out = run_cli("approvals", "show", sid, cwd=project, env=human_env()).stdout
    assert '  command:\n    read X; eval "$X"' in out
    rc, shown = approve_on_pty(project, rid)
    assert rc == 0 and "+      - run: make test && curl" in shown


def test_approve_unknown_id_off_a_terminal_says_no_such_request(project):
    r = run_cli("approvals", "approve", "zzzz", cwd=project, env=human_env(), input="")
    assert r.returncode == 1 and r.stderr.strip() == "hookgate: 'zzzz' is not an approval id (8 hex characters)"
    r = run_cli("approvals", "approve", "0123abcd", cwd=project, env=human_env(), input="")
    assert r.returncode == 1 and "no approval request 0123abcd" in r.stderr and "terminal" not in r.stderr
