"""Skills' embedded shell commands (``!`cmd``` in a custom command or skill) through the real
Claude Code, offline (ADR 0020). They never reach PreToolUse; Claude Code >= 2.1.332 runs
``PreSkillShellCommand`` before each one, and ``hookgate install`` registers it when the
installed Claude knows it. Ground truth first: without hookgate the secret reaches the model.
On 2.1.330 (no such event) the command runs in the sandbox, so the floor still holds the read.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.e2e.realclients.clients import CLAUDE, CLAUDE_NEW, MessagesAPI, base_env, claude_binary, ensure_client, run_group

from tests.unit.floor.helpers import HOOKGATE, MARK, make_project, run_env  # noqa: E402

pytestmark = pytest.mark.realclient


def _run(spec, tmp_path, install_args, body):
    """(request bodies the model got as text, ledger records, claude's stdout)."""
    pkg = ensure_client(spec)
    base = str(tmp_path)
    home = os.path.join(base, "home")
    os.makedirs(home)
    root = make_project(base, home)
    env = run_env(home, base)
    bindir = os.path.join(base, "bin")
    os.makedirs(bindir)
    os.symlink(os.path.join(os.path.dirname(pkg), "claude-code-linux-x64", "claude"), os.path.join(bindir, "claude"))
    env["PATH"] = bindir + os.pathsep + env["PATH"]
    if install_args is not None:
        # --no-server: command hooks (the server's loopback port is shared by every test of this uid)
        r = subprocess.run([HOOKGATE, "install", "--platform", "claude-code", "--no-server", *install_args], cwd=root,
                           env=env,
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
    os.makedirs(os.path.join(root, ".claude", "commands"), exist_ok=True)
    with open(os.path.join(root, ".claude", "commands", "peek.md"), "w") as f:
        f.write(f"---\ndescription: peek\nallowed-tools: Bash(cat:*)\n---\nThe file says: !`{body}`\n")
    with MessagesAPI("NoSuchTool", {}) as api:
        e = base_env(home)
        e.update(PATH=env["PATH"], CLAUDE_CONFIG_DIR=os.path.join(home, ".claude"),
                 ANTHROPIC_BASE_URL=f"http://127.0.0.1:{api.port}", ANTHROPIC_API_KEY="sk-ant-fake",
                 DISABLE_TELEMETRY="1", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1", DISABLE_AUTOUPDATER="1")
        r = run_group([claude_binary(pkg), "-p", "/peek", "--permission-mode", "acceptEdits", "--output-format",
                       "stream-json", "--verbose"], root, e, 120)
    led = os.path.join(root, ".git", "hookgate", "ledger.jsonl")
    with open(led, encoding="utf-8") as f:
        recs = [json.loads(x) for x in f if x.strip()]
    return json.dumps(api.requests), recs, r.stdout


def test_sanity_without_hookgate_the_secret_reaches_the_model(tmp_path):
    sent, _recs, _out = _run(CLAUDE_NEW, tmp_path, None, "cat .env")
    assert MARK in sent


def test_pre_skill_shell_command_denies_a_protected_read(tmp_path):
    sent, recs, _out = _run(CLAUDE_NEW, tmp_path, ["--no-floor"], "cat .env")  # the hook alone
    assert MARK not in sent
    assert "blocked by hook: hookgate blocked this Bash call" in sent
    dec = [x for x in recs if x.get("event") == "PreSkillShellCommand"]
    assert dec and dec[0]["outcome"] == "block" and dec[0]["input"] == {"command": "cat .env"}, dec


def test_pre_skill_shell_command_lets_an_ordinary_command_run(tmp_path):
    sent, recs, _out = _run(CLAUDE_NEW, tmp_path, [], "cat README.md")
    assert "The file says: # demo project" in sent and "blocked by hook" not in sent
    assert [x["outcome"] for x in recs if x.get("event") == "PreSkillShellCommand"] == ["allow"]


def test_older_claude_without_the_event_the_floor_still_holds(tmp_path):
    """2.1.330: nothing registered (install says why), the command runs in Claude's sandbox."""
    sent, recs, out = _run(CLAUDE, tmp_path, [], "cat .env")
    assert MARK not in sent and MARK not in out
    assert "Permission denied" in out
    assert not [x for x in recs if x.get("event") == "PreSkillShellCommand"]
