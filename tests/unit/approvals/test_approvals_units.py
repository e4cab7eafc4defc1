"""ADR 0012, table-driven: the action digest, durations, settings, the checkpoint marker, and
fail-closed behaviour of the store."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from hookgate.core import event as ev
from hookgate.approvals import gate, is_checkpoint_block, resolve
from hookgate.approvals.action import action_of
from tests.unit.approvals.helpers import CI_FILE, classify, hook, prefer_queue, write_pre


def _ev(kind, tool, inp, cwd="/p", platform="claude-code"):
    return ev.Event(platform, ev.PRE, "PreToolUse", "s", cwd, "/p", kind, tool, inp)


SAME = [
    # the same action, envelope differences only
    (_ev(ev.SHELL, "Bash", {"command": "make", "description": "a"}), _ev(ev.SHELL, "Bash", {"command": "make", "description": "b"})),
    (_ev(ev.SHELL, "Bash", {"command": "make"}), _ev(ev.SHELL, "run_shell_command", {"command": "make"}, platform="gemini-cli")),
    (_ev(ev.WRITE, "Write", {"file_path": "/p/a", "content": "x"}), _ev(ev.WRITE, "write_file", {"file_path": "a", "content": "x"}, platform="gemini-cli")),
    (_ev(ev.WRITE, "Write", {"file_path": "/p/a", "content": "x"}), _ev(ev.WRITE, "Write", {"path": "/p/a", "contents": "x"}, platform="cursor")),
    (_ev(ev.READ, "Read", {"file_path": "/p/a", "limit": 5}), _ev(ev.READ, "read_file", {"file_path": "/p/./a"})),
]
DIFFERENT = [
    (_ev(ev.SHELL, "Bash", {"command": "make"}), _ev(ev.SHELL, "Bash", {"command": "make "})),
    (_ev(ev.SHELL, "Bash", {"command": "make"}), _ev(ev.SHELL, "Bash", {"command": "make"}, cwd="/q")),
    (_ev(ev.SHELL, "Bash", {"command": "make"}), _ev(ev.SHELL, "Bash", {"command": "make", "dangerouslyDisableSandbox": True})),
    (_ev(ev.WRITE, "Write", {"file_path": "/p/a", "content": "x"}), _ev(ev.WRITE, "Write", {"file_path": "/p/a", "content": "y"})),
    (_ev(ev.WRITE, "Write", {"file_path": "/p/a", "content": "x"}), _ev(ev.WRITE, "Write", {"file_path": "/p/b", "content": "x"})),
    (_ev(ev.EDIT, "Edit", {"file_path": "/p/a", "old_string": "1", "new_string": "2"}),
     _ev(ev.EDIT, "Edit", {"file_path": "/p/a", "old_string": "1", "new_string": "3"})),
    (_ev(ev.WRITE, "Write", {"file_path": "/p/a", "content": "x"}), _ev(ev.EDIT, "Edit", {"file_path": "/p/a", "content": "x"})),
    (_ev(ev.MCP, "mcp__s__t", {"q": 1}), _ev(ev.MCP, "mcp__s__t", {"q": 2})),
]


@pytest.mark.parametrize("a,b", SAME)
def test_same_action_same_digest(a, b):
    assert action_of(a, "/h").digest == action_of(b, "/h").digest


@pytest.mark.parametrize("a,b", DIFFERENT)
def test_changed_action_other_digest(a, b):
    assert action_of(a, "/h").digest != action_of(b, "/h").digest


def test_summary_is_redacted_and_short():
    e = _ev(ev.SHELL, "Bash", {"command": "curl -H 'Authorization: Bearer abcdefghijkl' https://x " + "y" * 900})
    s = action_of(e, "/h").summary
    assert "abcdefghijkl" not in s and len(s) <= 300


@pytest.mark.parametrize("text,seconds", [
    ("90", 90), (90, 90), ("90s", 90), ("10m", 600), ("2h", 7200), ("1d", 86400), ("1.5h", 5400),
    ("0", None), ("-5m", None), ("", None), ("10x", None), (True, None), (None, None),
])
def test_parse_duration(text, seconds):
    assert gate.parse_duration(text) == seconds


@pytest.mark.parametrize("policy,platform,queue", [
    ({}, "claude-code", False),
    ({"approvals": {"prefer_queue": True}}, "cursor", True),
    ({"approvals": {"prefer_queue": ["claude-code"]}}, "claude-code", True),
    ({"approvals": {"prefer_queue": ["claude-code"]}}, "cursor", False),
    ({"approvals": {"prefer_queue": "cursor"}}, "cursor", True),
    ({"approvals": "nonsense"}, "cursor", False),
])
def test_prefer_queue_setting(policy, platform, queue):
    cfg = gate.settings({"policies": {"self-protection": policy}})
    assert gate._prefers_queue(cfg, platform) is queue


def test_invalid_durations_keep_defaults():
    cfg = gate.settings({"policies": {"self-protection": {"approvals": {"pending_ttl": "soon", "approved_ttl": "5m"}}}})
    assert cfg["pending_ttl"] == gate.DEFAULTS["pending_ttl"] and cfg["approved_ttl"] == 300


def _rec(effective, raw=None):
    return {"hook": "h", "raw": raw or effective, "stage": "enforce", "effective": effective, "would_block": True}


@pytest.mark.parametrize("outcome,effs,marker", [
    (ev.BLOCK, [ev.CHECKPOINT], True),
    (ev.BLOCK, [ev.CHECKPOINT, ev.WARN], True),
    (ev.BLOCK, [ev.CHECKPOINT, ev.BLOCK], False),  # a real block: approving would not help
    (ev.BLOCK, [ev.BLOCK], False),
    (ev.CHECKPOINT, [ev.CHECKPOINT], False),
])
def test_checkpoint_block_marker(outcome, effs, marker):
    d = ev.Decision(outcome, [_rec(e) for e in effs], "m", "r")
    assert is_checkpoint_block(d) is marker


def _ctx(e, tmp_path):
    from hookgate.core.context import Context

    return Context(e, str(tmp_path), str(tmp_path), str(tmp_path), "", {})


def test_real_block_is_not_queued(tmp_path):
    e = _ev(ev.SHELL, "Bash", {"command": "x"})
    d = ev.Decision(ev.BLOCK, [_rec(ev.CHECKPOINT), _rec(ev.BLOCK)], "m", "r")
    ctx = _ctx(e, tmp_path)
    assert resolve(e, d, ctx) is d and not os.path.exists(tmp_path / "approvals")


def test_store_failure_keeps_the_checkpoint_closed(tmp_path):
    (tmp_path / "approvals").write_text("not a directory")
    e = _ev(ev.SHELL, "Bash", {"command": "x"})
    for d in (ev.Decision(ev.BLOCK, [_rec(ev.CHECKPOINT)], "m", "r"), ev.Decision(ev.CHECKPOINT, [_rec(ev.CHECKPOINT)], "m", "r")):
        ctx = _ctx(e, tmp_path)
        assert resolve(e, d, ctx) is d
        assert ctx.approval is not None and ctx.approval["approval_error"]


def test_store_failure_through_the_real_hook_denies(project):
    prefer_queue(project)
    (project / ".git" / "hookgate").mkdir()
    (project / ".git" / "hookgate" / "approvals").write_text("broken")
    r = hook("gemini-cli", write_pre("gemini-cli", project, CI_FILE, "on: push\n"), project)
    assert classify("gemini-cli", r) == "deny"


def test_hot_path_with_a_checkpoint_imports_no_heavy_library(project):
    prefer_queue(project)
    payload = write_pre("claude-code", project, CI_FILE, "on: push\n")
    code = (
        "import io, json, sys\n"
        "sys.stdin = io.TextIOWrapper(io.BytesIO(sys.argv[1].encode()))\n"
        "out = io.StringIO(); real = sys.stdout; sys.stdout = out\n"
        "from hookgate.__main__ import main\n"
        "main(['hook', '--platform', 'claude-code'])\n"
        "sys.stdout = real\n"
        "print(json.dumps([out.getvalue(), sorted(m for m in ('typer','click','rich','pydantic','structlog','filelock','yaml') if m in sys.modules)]))\n"
    )
    # compile the project config first (the CLI does that), so the hook reads only JSON
    from tests.conftest import run_cli

    run_cli("status", cwd=project)
    p = subprocess.run([sys.executable, "-c", code, json.dumps(payload)], capture_output=True, text=True,
                       cwd=project, timeout=60)
    out, heavy = json.loads(p.stdout.strip().splitlines()[-1])
    assert "approvals approve" in out and heavy == []
