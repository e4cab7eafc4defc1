"""Issue #16 item 11: the smaller things a newcomer trips over, through the real command."""

from __future__ import annotations

import json
import os

from tests.conftest import ledger_records, run_cli, run_hook
from tests.support.payloads import claude_pre


def _blocked_read(project, session="s1"):
    (project / ".env").write_text("SECRET=1\n")
    return run_hook(claude_pre(project, "Read", {"file_path": str(project / ".env")}, session=session), cwd=project)


def test_block_message_says_do_not_retry_once_and_no_double_instead(project):
    r = _blocked_read(project)
    reason = json.loads(r.stdout)["hookSpecificOutput"]["permissionDecisionReason"]
    assert reason.count("Do not retry") == 1, reason
    assert "Instead:" in reason and " instead" not in reason.split("Instead:", 1)[1].lower()
    w = run_hook(claude_pre(project, "Write", {"file_path": str(project / ".env"), "content": "X=1\n"}), cwd=project)
    reason = json.loads(w.stdout)["hookSpecificOutput"]["permissionDecisionReason"]
    assert reason.count("Do not retry") == 1 and " instead" not in reason.split("Instead:", 1)[1].lower(), reason


def test_audit_why_takes_a_prefix_and_tail_filters(project):
    _blocked_read(project, "sess-a")
    run_hook(claude_pre(project, "Read", {"file_path": str(project / "README.md")}, session="sess-b"), cwd=project)
    recs = [r for r in ledger_records(project) if r.get("kind") == "decision"]
    blocked = next(r for r in recs if r["outcome"] == "block")
    r = run_cli("audit", "why", blocked["id"][:6], cwd=project)
    assert r.returncode == 0 and blocked["id"] in r.stdout and "env-files" in r.stdout
    r = run_cli("audit", "why", "abc", cwd=project)
    assert r.returncode == 1 and "at least 4" in r.stderr
    def ids(*args):
        out = run_cli("audit", "tail", "--json", *args, cwd=project)
        assert out.returncode == 0, out.stderr
        return [json.loads(line)["id"] for line in out.stdout.splitlines()]
    assert ids("--rule", "env-files") == [blocked["id"]]
    assert ids("--rule", "read-guard/env-files") == [blocked["id"]]
    assert ids("--outcome", "block") == [blocked["id"]]
    assert ids("--session", "sess-b") == [r["id"] for r in recs if r["session"] == "sess-b"]
    assert ids("--tool", "read", "--since", "1h", "--kind", "decision") == [r["id"] for r in recs]
    assert ids("--since", "2000-01-01", "-r", "--kind", "decision") == [r["id"] for r in recs][::-1]
    assert ids("--since", "2999-01-01") == []


def test_audit_renders_approval_records(project):
    ci = project / ".github" / "workflows" / "ci.yml"
    ci.parent.mkdir(parents=True)
    pre = claude_pre(project, "Write", {"file_path": str(ci), "content": "on: push\n"})
    pre["permission_mode"] = "dontAsk"
    run_hook(pre, cwd=project)
    appr = next(r for r in ledger_records(project) if r.get("kind") == "approval")
    tail = run_cli("audit", "tail", "--kind", "approval", cwd=project).stdout
    assert f"request {appr['approval_id']} created" in tail and "ci.yml" in tail
    why = run_cli("audit", "why", appr["id"], cwd=project).stdout
    assert f"approval_id: {appr['approval_id']}" in why and "status: pending" in why


def test_promote_records_the_account_when_user_is_unset(project):
    assert run_cli("init", cwd=project).returncode == 0
    env = {k: v for k, v in os.environ.items() if k not in ("USER", "LOGNAME")}
    env["GIT_CONFIG_GLOBAL"] = os.devnull
    r = run_cli("rollout", "demote", "budget", "--to", "monitor", cwd=project, env=env)
    assert r.returncode == 0, r.stderr
    ch = [x for x in ledger_records(project) if x.get("kind") == "rollout_change"][-1]
    import pwd

    assert ch["who"].startswith(pwd.getpwuid(os.getuid()).pw_name) and "unknown" not in ch["who"]
