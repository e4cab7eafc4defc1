"""ADR 0006: self-protection routes, table-driven, through the hot path's handle()."""

from __future__ import annotations

import json
import os

import pytest

from hookgate.core.hook import handle
from tests.support.payloads import claude_pre


def _decide(project, home, tool, tool_input):
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", ""), "CLAUDE_PROJECT_DIR": str(project)}
    out, err, code = handle("claude-code", json.dumps(claude_pre(project, tool, tool_input)).encode(), env)
    if code == 2:
        return "deny"
    if not out:
        return "allow"
    hso = json.loads(out)["hookSpecificOutput"]
    return hso.get("permissionDecision") or "warn"


TOOL_CASES = [
    ("Write", {"file_path": "{P}/.hookgate/rollout.yaml", "content": "x"}, "deny"),
    ("Write", {"file_path": "{P}/.hookgate/hooks/write-guard.yaml", "content": "x"}, "deny"),
    ("Edit", {"file_path": "{P}/.claude/settings.json", "old_string": "a", "new_string": "b"}, "deny"),
    ("Edit", {"file_path": "{P}/.claude/settings.local.json", "old_string": "a", "new_string": "b"}, "deny"),
    ("Write", {"file_path": "{H}/.claude/settings.json", "content": "{}"}, "deny"),
    ("Write", {"file_path": "{P}/.cursor/hooks.json", "content": "{}"}, "deny"),
    ("Write", {"file_path": "{H}/.cursor/hooks.json", "content": "{}"}, "deny"),
    ("Write", {"file_path": "{P}/.gemini/settings.json", "content": "{}"}, "deny"),
    ("Write", {"file_path": "{H}/.gemini/settings.json", "content": "{}"}, "deny"),
    ("Write", {"file_path": "{P}/.git/hookgate/ledger.jsonl", "content": "{}"}, "deny"),
    ("MultiEdit", {"file_path": "{P}/.git/hookgate/config.json", "edits": []}, "deny"),
    ("Write", {"file_path": "{P}/src/../.hookgate/rollout.yaml", "content": "x"}, "deny"),
    ("Write", {"file_path": "{H}/.local/share/hookgate/venv/bin/hookgate", "content": "x"}, "deny"),
    ("mcp__fs__delete_file", {"path": "{P}/.claude/settings.json"}, "deny"),
    # allowed neighbours
    ("Read", {"file_path": "{P}/.hookgate/rollout.yaml"}, "allow"),
    ("Write", {"file_path": "{P}/.claude/agents/reviewer.md", "content": "x"}, "allow"),
    ("Write", {"file_path": "{P}/.claude/commands/x.md", "content": "x"}, "allow"),
    ("Write", {"file_path": "{P}/docs/hookgate.md", "content": "x"}, "allow"),
    ("Write", {"file_path": "{P}/settings.json", "content": "x"}, "allow"),
    ("Write", {"file_path": "{P}/.git/config", "content": "x"}, "deny"),  # write-guard git-code (ADR 0021)
]


@pytest.mark.parametrize("tool,tool_input,expected", TOOL_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(TOOL_CASES)])
def test_tool_routes(project, home, tool, tool_input, expected):
    inp = {k: (v.replace("{P}", str(project)).replace("{H}", str(home)) if isinstance(v, str) else v) for k, v in tool_input.items()}
    assert _decide(project, home, tool, inp) == expected


def test_worktree_git_file_that_locates_the_state_dir_is_protected(tmp_path, home):
    """Rewriting a worktree's `.git` file would move the state dir (ledger, approvals) to a
    place the agent prepared; it is protected like the state dir itself."""
    main = tmp_path / "main"
    (main / ".git" / "worktrees" / "wt").mkdir(parents=True)
    (main / ".git" / "worktrees" / "wt" / "commondir").write_text("../..\n")
    wt = tmp_path / "wt"
    wt.mkdir()
    (wt / ".git").write_text(f"gitdir: {main / '.git' / 'worktrees' / 'wt'}\n")
    assert _decide(wt, home, "Write", {"file_path": str(wt / ".git"), "content": "gitdir: /tmp/fake\n"}) == "deny"
    assert _decide(wt, home, "Bash", {"command": "echo 'gitdir: /tmp/fake' > .git"}) == "deny"
    commondir = main / ".git" / "worktrees" / "wt" / "commondir"
    assert _decide(wt, home, "Write", {"file_path": str(commondir), "content": "/tmp/fake\n"}) == "deny"
    # and the state dir of the worktree is the main checkout's common dir
    assert _decide(wt, home, "Write", {"file_path": str(main / ".git" / "hookgate" / "ledger.jsonl"), "content": "x"}) == "deny"
    assert _decide(wt, home, "Write", {"file_path": str(wt / "notes.txt"), "content": "x"}) == "allow"


def test_symlink_to_protected_file_is_that_file(project, home):
    (project / ".claude").mkdir()
    (project / ".claude" / "settings.json").write_text("{}")
    os.symlink(project / ".claude" / "settings.json", project / "innocent.json")
    assert _decide(project, home, "Write", {"file_path": str(project / "innocent.json"), "content": "{}"}) == "deny"
    os.symlink(project / ".claude", project / "cfgdir")
    assert _decide(project, home, "Write", {"file_path": str(project / "cfgdir" / "settings.json"), "content": "{}"}) == "deny"


SHELL_CASES = [
    ("echo x > .claude/settings.json", "deny"),
    ("echo x >> .hookgate/rollout.yaml", "deny"),
    ("cat /dev/null > ~/.claude/settings.json", "deny"),
    ("rm -rf .hookgate", "deny"),
    ("rm -rf .claude", "deny"),
    ("mv .cursor/hooks.json /tmp/x", "deny"),
    ("cp /tmp/evil.json .gemini/settings.json", "deny"),
    ("tee .claude/settings.local.json < /tmp/x", "deny"),
    ("sed -i s/a/b/ .claude/settings.json", "deny"),
    ("bash -c 'echo x > .hookgate/rollout.yaml'", "deny"),
    ("hookgate rollout promote write-guard", "deny"),
    ("hookgate rollout demote write-guard --to monitor", "deny"),
    ("hookgate approvals approve abc", "deny"),
    ("hookgate init --force", "deny"),
    ("hookgate install --platform all", "deny"),
    ("hookgate audit verify --repair", "deny"),
    ("hookgate hook --platform claude-code < x.json", "deny"),
    ("python -m hookgate rollout show", "deny"),
    ("python3 -c 'import hookgate.cli.app'", "deny"),
    ("env FOO=1 hookgate rollout promote x", "deny"),
    ("sudo hookgate uninstall", "deny"),
    ("script -qc 'hookgate rollout promote write-guard' /dev/null", "deny"),
    ("tmux new-session -d 'hookgate approvals approve abc --yes-i-am-human'", "deny"),
    ("printf 'hookgate init --force' > /tmp/a.sh && bash /tmp/a.sh", "deny"),
    ("python3 -c \"import subprocess; subprocess.run(['hookgate', 'rollout', 'demote', 'x'])\"", "deny"),
    ("grep -n 'hookgate status' README.md", "allow"),
    ("echo 'try hookgate explain'", "allow"),
    ("find . -type f -delete", "deny"),
    ("find .claude -name '*.json' | xargs rm", "deny"),
    ("find . -name '*.pyc' -delete", "allow"),
    ("hookgate lock append .claude/settings.json --record '{}'", "deny"),
    ("hookgate lock append .hookgate/rollout.yaml --record '{}'", "deny"),
    ("hookgate lock append tasks.jsonl --record '{\"a\": 1}'", "allow"),
    ("~/.local/share/hookgate/venv/bin/pip uninstall -y hookgate", "deny"),
    ("$HOME/.local/share/hookgate/venv/bin/python -m pip install evil", "deny"),
    ("~/.local/share/hookgate/venv/bin/hookgate status", "allow"),
    ("hookgate status", "allow"),
    ("hookgate explain 'rm -rf x'", "allow"),
    ("hookgate audit tail -n 5", "allow"),
    ("hookgate audit verify", "allow"),
    ("hookgate rollout status", "allow"),
    ("hookgate --version", "allow"),
    ("cat .hookgate/rollout.yaml", "allow"),
    ("cat .claude/settings.json | jq .hooks", "allow"),
    ("ls -la .claude .hookgate", "allow"),
    ("git status", "allow"),
    ("echo 'edit .hookgate/rollout.yaml by hand'", "allow"),
    ("grep -r hookgate README.md", "allow"),
]


@pytest.mark.parametrize("command,expected", SHELL_CASES, ids=[c[0] for c in SHELL_CASES])
def test_shell_routes(project, home, command, expected):
    assert _decide(project, home, "Bash", {"command": command}) == expected


def test_a_validator_decides_with_the_env_it_is_given_not_the_process_environment(project, home, tmp_path, monkeypatch):
    """The server decides for many clients (ADR 0025), each with its own environment: the
    server's runtime dir, its pgpass and its unit file are found from the call's env. Leak
    without it: the places named by this process's variables were protected instead, and the
    call's own pgpass (outside home) could be written."""
    call_cfg, call_run = tmp_path / "call-config", tmp_path / "call-run"
    proc_cfg, proc_run = tmp_path / "proc-config", tmp_path / "proc-run"
    cases = {
        ("Write", str(call_cfg / "hookgate" / "pgpass")): "deny",
        ("Read", str(call_cfg / "hookgate" / "pgpass")): "deny",
        ("Write", str(call_cfg / "systemd" / "user" / "hookgate-serve-0.service")): "deny",
        ("Read", str(call_run / "secret")): "deny",
        ("Write", str(proc_cfg / "hookgate" / "pgpass")): None,
        ("Read", str(proc_run / "secret")): None,
    }

    def decide(tool: str, path: str) -> str:
        env = {"HOME": str(home), "PATH": os.environ.get("PATH", ""), "CLAUDE_PROJECT_DIR": str(project),
               "XDG_CONFIG_HOME": str(call_cfg), "HOOKGATE_RUNTIME_DIR": str(call_run)}
        inp = {"file_path": path, "content": "x"} if tool == "Write" else {"file_path": path}
        out, err, code = handle("claude-code", json.dumps(claude_pre(project, tool, inp)).encode(), env)
        return "deny" if code == 2 else "allow" if not out else json.loads(out)["hookSpecificOutput"].get(
            "permissionDecision", "warn")

    for var in ("XDG_CONFIG_HOME", "HOOKGATE_RUNTIME_DIR"):
        monkeypatch.delenv(var, raising=False)
    without = {case: decide(*case) for case in cases}
    monkeypatch.setenv("XDG_CONFIG_HOME", str(proc_cfg))
    monkeypatch.setenv("HOOKGATE_RUNTIME_DIR", str(proc_run))
    assert {case: decide(*case) for case in cases} == without  # this process's variables change nothing
    for case, expected in cases.items():
        if expected:
            assert without[case] == expected, case
