"""ADR 0022 through the real Claude Code binary, offline: a real agent's `git reset --hard` is
not run while another (live) session holds uncommitted leased work in the checkout, and is run
once that work is committed (the can-fail twin: the same command, the guard's answer differs)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.e2e.realclients.clients import CLAUDE, MessagesAPI, base_env, claude_binary, ensure_client, run_group
from tests.conftest import run_cli, run_hook
from tests.support.payloads import claude_pre

pytestmark = pytest.mark.realclient

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid"}


def _git(cwd, *args):
    p = subprocess.run(["git", *args], cwd=str(cwd), capture_output=True, text=True, env=dict(os.environ, **GIT_ENV))
    assert p.returncode == 0, p.stderr
    return p.stdout


def _claude_bash(pkg, home, project, command, debug):
    with MessagesAPI("Bash", {"command": command, "description": "reset"}) as api:
        env = base_env(str(home))
        env.update(CLAUDE_CONFIG_DIR=os.path.join(str(home), ".claude"), ANTHROPIC_BASE_URL=f"http://127.0.0.1:{api.port}",
                   ANTHROPIC_API_KEY="sk-ant-fake", DISABLE_TELEMETRY="1",
                   CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1", DISABLE_AUTOUPDATER="1", NO_COLOR="1")
        argv = [claude_binary(pkg), "-p", "do the task", "--allowedTools", "Bash", "--output-format", "stream-json",
                "--verbose", "--include-hook-events", "--debug-file", str(debug)]
        r = run_group(argv, str(project), env, 120)
        assert api.requests, r.stderr[-2000:]
    return r


def test_real_claude_reset_is_refused_while_another_session_holds_uncommitted_work(tmp_path):
    pkg = ensure_client(CLAUDE)
    home, project = tmp_path / "home", tmp_path / "proj"
    home.mkdir()
    (project / "src").mkdir(parents=True)
    (project / "src" / "app.py").write_text("v1\n")
    _git(project, "init", "-q", "-b", "main")
    (project / ".hookgate").mkdir()
    (project / ".hookgate" / "rollout.yaml").write_text('version: 1\nhooks:\n  coordination: {stage: "enforce"}\n')
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "init")
    r = run_cli("install", "--platform", "claude-code", "--scope", "user", cwd=str(project), env={"HOME": str(home)})
    assert r.returncode == 0, r.stderr

    # session A (alive: no SessionEnd) leases src/app.py and changes it
    a = run_hook(claude_pre(project, "Write", {"file_path": str(project / "src" / "app.py"), "content": "A\n"}, "A"))
    assert a.returncode == 0 and b"deny" not in a.stdout
    (project / "src" / "app.py").write_text("A's unsaved work\n")

    r = _claude_bash(pkg, home, project, "git reset --hard && touch reset-ran", tmp_path / "d1.log")
    assert (project / "src" / "app.py").read_text() == "A's unsaved work\n", r.stdout[-3000:]
    assert not (project / "reset-ran").exists()
    assert "uncommitted work" in r.stdout and "session A" in r.stdout

    _git(project, "commit", "-qam", "A's work")  # committed: nothing of A's is lost any more
    r = _claude_bash(pkg, home, project, "git reset --hard && touch reset-ran", tmp_path / "d2.log")
    assert (project / "reset-ran").exists(), r.stdout[-3000:] + r.stderr[-2000:]
    recs = [json.loads(x) for x in (project / ".git" / "hookgate" / "ledger.jsonl").read_text().splitlines()]
    rules = [v.get("rule", "") for rec in recs if rec.get("kind") == "decision" and rec.get("tool") == "Bash"
             for v in rec["verdicts"] if v["hook"] == "coordination"]
    assert rules[0] == "scope-write" and rules[-1] != "scope-write", rules
