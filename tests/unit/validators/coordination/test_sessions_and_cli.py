"""ADR 0013: session identity for `hookgate claim`, `lock run`, policy compile, globs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from hookgate.validators.coordination import globs, sessions
from hookgate.validators.coordination import validator as coord
from tests.conftest import HOOKGATE, run_cli

AGENT = r"""
import json, subprocess, sys
hookgate, project, session, target = sys.argv[1:5]
command = f"hookgate claim {target} --mode write --json"
payload = {"session_id": session, "cwd": project, "hook_event_name": "PreToolUse", "tool_name": "Bash",
           "tool_input": {"command": command}, "tool_use_id": "t"}
# the agent process runs its hook, then (as its Bash tool would) the command itself
h = subprocess.run([hookgate, "hook", "--platform", "claude-code"], input=json.dumps(payload).encode(),
                   capture_output=True, cwd=project)
assert h.returncode == 0, h.stderr
c = subprocess.run(["sh", "-c", f"{hookgate} claim {target} --mode write --json"], capture_output=True, text=True, cwd=project)
print(json.dumps({"rc": c.returncode, "out": c.stdout, "err": c.stderr}))
"""


def test_two_agents_at_once_each_claim_as_their_own_session(project):
    agents = [subprocess.Popen([sys.executable, "-c", AGENT, HOOKGATE, str(project), s, f"src/{s}.py"],
                               stdout=subprocess.PIPE, text=True) for s in ("agent-A", "agent-B")]
    results = []
    for a in agents:
        out, _ = a.communicate(timeout=120)
        results.append(json.loads(out.strip().splitlines()[-1]))
    for s, r in zip(("agent-A", "agent-B"), results):
        assert r["rc"] == 0, r
        got = json.loads(r["out"])
        assert got["session"] == s and got["found_by"] == "agent process"
        assert got["claims"][0]["rel"] == f"src/{s}.py" and got["claims"][0]["granted"]


def test_claim_without_any_trail_asks_for_a_session(project):
    r = run_cli("claim", "src/app.py", cwd=project)
    assert r.returncode == 2 and "--session" in r.stderr


def test_claim_takes_the_session_from_claude_env(project):
    r = run_cli("claim", "src/app.py", "--json", cwd=project, env={"CLAUDE_CODE_SESSION_ID": "env-sess"})
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert got["session"] == "env-sess" and got["found_by"] == "$CLAUDE_CODE_SESSION_ID"


def _trail(tmp_path, recs):
    state = str(tmp_path / "state")
    os.makedirs(os.path.join(state, "coordination"))
    with open(sessions.calls_path(state), "w") as f:
        for r in recs:
            f.write(json.dumps(r) + "\n")
    return state


@pytest.mark.parametrize(
    "my_chain,expected",
    [
        ([500, 400, 300, 100], "A"),  # agent A (pid 400) is my grandparent; B shares only tmux (100)
        ([700, 600, 300, 100], "B"),
        ([900, 100], None),  # both equally far: ambiguous (same command, same time)
    ],
)
def test_resolve_by_nearest_common_ancestor(tmp_path, my_chain, expected):
    now = time.time()
    state = _trail(tmp_path, [
        {"ts": now - 2, "session": "A", "platform": "claude-code", "cwd": "/p", "command": "hookgate claim x", "pids": [410, 400, 300, 100]},
        {"ts": now - 1, "session": "B", "platform": "claude-code", "cwd": "/p", "command": "hookgate claim x", "pids": [610, 600, 300, 100]},
    ])
    if expected is None:
        with pytest.raises(sessions.Unresolved, match="ambiguous"):
            sessions.resolve(state, {}, "/p", ("hookgate", "claim"), now=now, my_chain=my_chain)
    else:
        assert sessions.resolve(state, {}, "/p", ("hookgate", "claim"), now=now, my_chain=my_chain)[0] == expected


def test_resolve_ignores_stale_trail_and_prefers_env(tmp_path):
    now = time.time()
    state = _trail(tmp_path, [{"ts": now - 99999, "session": "old", "cwd": "/p", "command": "hookgate claim x", "pids": [1234]}])
    with pytest.raises(sessions.Unresolved):
        sessions.resolve(state, {}, "/p", ("hookgate", "claim"), now=now, my_chain=[1234])
    assert sessions.resolve(state, {"GEMINI_SESSION_ID": "g"}, "/p", now=now)[:2] == ("g", "gemini-cli")


def test_lock_run_holds_the_lock_while_the_command_runs(project):
    board = project / "tasks" / "board.json"
    board.parent.mkdir()
    board.write_text("{}")
    runner = subprocess.Popen([HOOKGATE, "lock", "run", "tasks/board.json", "--session", "s-run", "--",
                               "sh", "-c", "touch started; i=0; while [ ! -e go ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; "
                               "echo '{\"v\": 2}' > tasks/board.json; exit 3"], cwd=project)  # runs until the test says go
    try:
        deadline = time.monotonic() + 30
        while not (project / "started").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        r = subprocess.run([HOOKGATE, "lock", "append", "tasks/board.json", "--record", "{}", "--timeout", "200ms"],
                           cwd=project, capture_output=True, text=True, timeout=30)
        assert r.returncode == 75 and "hookgate lock run tasks/board.json" in r.stderr and "s-run" in r.stderr
        snap = json.loads(run_cli("locks", "list", "--json", cwd=project).stdout)
        assert [n["session"] for n in snap["locks"]] == ["s-run"]
    finally:
        (project / "go").touch()
        assert runner.wait(timeout=30) == 3  # the command's exit code
    assert board.read_text() == '{"v": 2}\n'


@pytest.mark.parametrize(
    "project_policy,allow_loosen,expect",
    [
        ({"coordination_files": ["a/*.log"]}, False, [".agents/**/*.jsonl", "tasks/*.json", "a/*.log"]),
        ({"coordination_files": ["a/*.log"]}, True, ["a/*.log"]),
        ({"on_conflict": "checkpoint"}, False, None),
    ],
)
def test_compile_policy(project_policy, allow_loosen, expect):
    out = coord.compile_policy(coord.DEFAULT_POLICY, project_policy, allow_loosen)
    if expect is not None:
        assert out["coordination_files"] == expect
    else:
        assert out["on_conflict"] == "checkpoint"


@pytest.mark.parametrize(
    "bad",
    [{"on_conflict": "yes"}, {"lease_ttl_seconds": True}, {"lease_ttl_seconds": -1}, {"coordination_files": "x"},
     {"surprise": 1}],
)
def test_compile_policy_refuses_bad_values(bad):
    with pytest.raises(ValueError):
        coord.compile_policy(coord.DEFAULT_POLICY, bad, False)


@pytest.mark.parametrize(
    "rel,pattern,hit",
    [
        (".agents/log.jsonl", ".agents/**/*.jsonl", True),
        (".agents/a/b/c.jsonl", ".agents/**/*.jsonl", True),
        (".agents/a/b/c.json", ".agents/**/*.jsonl", False),
        ("tasks/x.json", "tasks/*.json", True),
        ("tasks/sub/x.json", "tasks/*.json", False),
        ("src/tasks/x.json", "tasks/*.json", False),
        ("tasks/x.json", "./tasks/*.json", True),
        ("notes/a1.md", "notes/a[0-9].md", True),
        ("x/y/z", "**", True),
    ],
)
def test_globs(rel, pattern, hit):
    assert globs.match(rel, pattern) is hit


class _Cmd:
    def __init__(self, argv):
        self.argv, self.name, self.depth = tuple(argv), argv[0], 0


class _Analysis:
    def __init__(self, *cmds):
        self.commands = [_Cmd(c) for c in cmds]
        self.accesses = ()
        self.indeterminate = False


def test_writes_inside_hookgate_lock_run_to_its_file_are_sanctioned(project):
    """Should the shell engine unwrap `hookgate lock run FILE -- CMD`, CMD's write to FILE is the
    sanctioned route; a write to another coordination file is still blocked."""
    from hookgate.core import event as ev

    root = str(project)
    event = ev.Event("claude-code", ev.PRE, "PreToolUse", "s1", root, root, ev.SHELL, "Bash", {"command": "x"})
    analysis = _Analysis(["hookgate", "lock", "run", "tasks/a.json", "--", "python3", "edit.py"], ["python3", "edit.py"])
    state = str(project / ".git" / "hookgate")
    ok = coord.check(event, [ev.Access(f"{root}/tasks/a.json", "write", True, "open()", "python3")], analysis,
                     coord.DEFAULT_POLICY, state, root)
    assert ok.outcome == "allow"
    bad = coord.check(event, [ev.Access(f"{root}/tasks/b.json", "write", True, "open()", "python3")], analysis,
                      coord.DEFAULT_POLICY, state, root)
    assert bad.outcome == "block" and bad.rule == "coordination-file"
