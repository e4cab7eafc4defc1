"""Cursor and Gemini CLI adapters: parse tables, rendering, golden payloads through the real
command, afterFileEdit violations, and Claude wiring deferring to Cursor's (ADR 0010/0011)."""

from __future__ import annotations

import json
import os

import pytest

from tests.conftest import ledger_records, run_hook
from tests.support.payloads import cursor_event
from hookgate.core import event as ev
from hookgate.adapters import golden
from hookgate.cli.doctor import run_golden
from hookgate.adapters import ADAPTERS, base, cursor, gemini_cli, load


def test_registered():
    assert {"claude-code", "cursor", "gemini-cli"} <= set(ADAPTERS)


@pytest.mark.parametrize("platform", ["cursor", "gemini-cli", "claude-code"])
def test_golden_payloads_through_the_real_command(platform):
    results = run_golden(platform)
    assert len(results) == len(golden.expectations(platform))
    failed = [r for r in results if not r[1]]
    assert not failed, failed


def _cursor(obj, env=None):
    return cursor.parse(json.dumps(obj).encode(), env or {})


def _gemini(obj, env=None):
    return gemini_cli.parse(json.dumps(obj).encode(), env or {})


CURSOR_ROWS = [
    # (payload extras, phase, tool_kind, tool_name, (first access path, mode) or None)
    ({"hook_event_name": "preToolUse", "tool_name": "Write", "tool_input": {"file_path": "/w/a.py", "contents": "x"}},
     ev.PRE, ev.WRITE, "Write", None),
    ({"hook_event_name": "preToolUse", "tool_name": "Delete", "tool_input": {"file_path": "/w/a.py"}},
     ev.PRE, ev.WRITE, "Delete", ("/w/a.py", ev.MODE_DELETE)),
    ({"hook_event_name": "preToolUse", "tool_input": {"old_string": "a", "new_string": "b", "path": "/w/a.py"}},
     ev.PRE, ev.EDIT, "StrReplace", None),
    ({"hook_event_name": "preToolUse", "tool_input": {"patch": "*** Begin Patch\n*** Delete File: x.py\n*** End Patch"}},
     ev.PRE, ev.EDIT, "ApplyPatch", ("x.py", ev.MODE_DELETE)),
    ({"hook_event_name": "preToolUse", "tool_name": "EditNotebook", "tool_input": {"target_notebook": "/w/n.ipynb"}},
     ev.PRE, ev.EDIT, "EditNotebook", ("/w/n.ipynb", ev.MODE_WRITE)),
    ({"hook_event_name": "preToolUse", "tool_name": "Shell", "tool_input": {"command": "ls"}},
     ev.OTHER_PHASE, ev.SHELL, "Shell", None),
    ({"hook_event_name": "beforeShellExecution", "command": "ls", "cwd": "/w"}, ev.PRE, ev.SHELL, "Shell", None),
    ({"hook_event_name": "beforeMCPExecution", "tool_name": "write_file", "tool_input": "{\"path\": \"/w/x\"}",
      "mcp_server_name": "fs"}, ev.PRE, ev.MCP, "MCP:write_file", None),
    ({"hook_event_name": "beforeReadFile", "file_path": "/w/.env", "content": "SECRET=1",
      "attachments": [{"type": "rule", "file_path": "/w/r.mdc"}]}, ev.PRE, ev.READ, "Read", ("/w/.env", ev.MODE_READ)),
    ({"hook_event_name": "afterFileEdit", "file_path": "/w/a.py", "edits": []}, ev.POST, ev.WRITE, "Write", None),
    ({"hook_event_name": "sessionStart", "session_id": "c"}, ev.SESSION_START, ev.OTHER, "", None),
    ({"hook_event_name": "sessionEnd", "session_id": "c", "reason": "completed"}, ev.SESSION_END, ev.OTHER, "", None),
    ({"hook_event_name": "stop", "status": "completed"}, ev.OTHER_PHASE, ev.OTHER, "", None),
]


@pytest.mark.parametrize("extra,phase,kind,tool,access", CURSOR_ROWS)
def test_cursor_parse(extra, phase, kind, tool, access):
    obj = {"conversation_id": "c", "workspace_roots": ["/w"], "cursor_version": "2.4", **extra}
    e = _cursor(obj)
    assert (e.phase, e.tool_kind, e.tool_name, e.session_id) == (phase, kind, tool, "c")
    assert e.cwd == "/w"  # no cwd on most events: the workspace root
    if access:
        assert tuple(e.extra["accesses"][0][:2]) == access
    assert "content" not in e.tool_input  # a read file's content never reaches the ledger


def test_cursor_capabilities_ask_only_on_shell_and_mcp():
    base_obj = {"conversation_id": "c", "workspace_roots": ["/w"]}
    shell = _cursor({**base_obj, "hook_event_name": "beforeShellExecution", "command": "ls"})
    mcp = _cursor({**base_obj, "hook_event_name": "beforeMCPExecution", "tool_name": "t", "tool_input": "{}"})
    pre = _cursor({**base_obj, "hook_event_name": "preToolUse", "tool_name": "Write", "tool_input": {"file_path": "/w/x"}})
    read = _cursor({**base_obj, "hook_event_name": "beforeReadFile", "file_path": "/w/x"})
    assert shell.capabilities.can_ask and mcp.capabilities.can_ask
    assert not pre.capabilities.can_ask and not read.capabilities.can_ask


def test_cursor_cwd_fallbacks():
    e = _cursor({"hook_event_name": "beforeReadFile", "file_path": "/b/x", "workspace_roots": ["/a", "/b"]})
    assert e.cwd == "/b"
    e = _cursor({"hook_event_name": "beforeReadFile", "file_path": "/c/x"}, {"CURSOR_PROJECT_DIR": "/c"})
    assert e.cwd == "/c"


@pytest.mark.parametrize("data,needle", [
    (b"", "empty"), (b"[]", "list"), (b"{}", "hook_event_name"),
    (b'{"hook_event_name":"beforeShellExecution"}', "command"),
    (b'{"hook_event_name":"beforeMCPExecution","tool_name":"t","tool_input":"{nope"}', "not JSON"),
    (b'{"hook_event_name":"preToolUse","tool_input":{"x":1}}', "tool_name"),
    (b'{"hook_event_name":"beforeReadFile"}', "file_path"),
])
def test_cursor_bad_input(data, needle):
    with pytest.raises(base.BadInput, match=needle):
        cursor.parse(data, {})


def test_cursor_accepts_bom():
    e = cursor.parse(b"\xef\xbb\xbf" + json.dumps({"hook_event_name": "stop"}).encode(), {})
    assert e.event_name == "stop"


GEMINI_ROWS = [
    ("write_file", {"file_path": "src/a.py", "content": "x"}, ev.WRITE, None),
    ("replace", {"file_path": "a.py", "old_string": "a", "new_string": "b"}, ev.EDIT, None),
    ("read_file", {"absolute_path": "/w/a.py"}, ev.READ, None),
    ("read_many_files", {"include": ["a.py", "src/*.py"]}, ev.READ, ("a.py", ev.MODE_READ)),
    ("list_directory", {"path": "/w/src"}, ev.READ, ("/w/src", ev.MODE_READ)),
    ("list_directory", {"dir_path": "src"}, ev.READ, ("src", ev.MODE_READ)),
    ("grep_search", {"pattern": "x", "dir_path": "src"}, ev.SEARCH, ("src", ev.MODE_READ)),
    ("search_file_content", {"pattern": "x", "path": "/w"}, ev.SEARCH, ("/w", ev.MODE_READ)),
    ("glob", {"pattern": "*.py"}, ev.SEARCH, (".", ev.MODE_READ)),
    ("mcp_fs_write_file", {"path": "/w/x"}, ev.MCP, None),
    ("run_shell_command", {"command": "ls"}, ev.SHELL, None),
    ("web_fetch", {"prompt": "x"}, ev.WEB, None),
    ("write_todos", {}, ev.OTHER, None),
]


@pytest.mark.parametrize("tool,inp,kind,access", GEMINI_ROWS)
def test_gemini_parse(tool, inp, kind, access):
    e = _gemini({"hook_event_name": "BeforeTool", "session_id": "s", "cwd": "/w", "tool_name": tool, "tool_input": inp})
    assert (e.phase, e.tool_kind) == (ev.PRE, kind)
    assert not e.capabilities.can_ask  # default: a checkpoint becomes a deny (headless -p hangs on ask)
    if access:
        assert tuple(e.extra["accesses"][0][:2]) == access


def test_gemini_shell_dir_path_is_the_cwd():
    e = _gemini({"hook_event_name": "BeforeTool", "cwd": "/w", "tool_name": "run_shell_command",
                 "tool_input": {"command": "ls", "dir_path": "sub"}})
    assert e.cwd == "/w/sub"


def test_gemini_native_ask_is_opt_in():
    obj = {"hook_event_name": "BeforeTool", "cwd": "/w", "tool_name": "write_file", "tool_input": {"file_path": "x"}}
    assert _gemini(obj, {gemini_cli.NATIVE_ASK_ENV: "1"}).capabilities.can_ask


def _decision(outcome, message="m1\nm2", reason="r"):
    return ev.Decision(outcome, [], message, reason)


@pytest.mark.parametrize("outcome,klass", [("allow", "allow"), ("warn", "warn"), ("block", "deny"), ("checkpoint", "ask")])
def test_cursor_render_roundtrip(outcome, klass):
    e = _cursor({"hook_event_name": "beforeShellExecution", "command": "ls", "cwd": "/nonexistent-hg"})
    out, err, code = cursor.render(e, _decision(outcome))
    assert cursor.classify_output(out, err, code) == klass
    if out:
        obj = json.loads(out)
        assert "allow" not in json.dumps(obj.get("permission", ""))


def test_cursor_checkpoint_on_pre_tool_use_never_renders_ask():
    e = _cursor({"hook_event_name": "preToolUse", "tool_name": "Write", "tool_input": {"file_path": "/nonexistent-hg/x"},
                 "workspace_roots": ["/nonexistent-hg"]})
    out, err, code = cursor.render(e, _decision("checkpoint"))
    assert json.loads(out)["permission"] == "deny"


@pytest.mark.parametrize("outcome,klass,ask", [
    ("allow", "allow", False), ("warn", "warn", False), ("block", "deny", False),
    ("checkpoint", "deny", False), ("checkpoint", "ask", True),
])
def test_gemini_render_roundtrip(outcome, klass, ask):
    env = {gemini_cli.NATIVE_ASK_ENV: "1"} if ask else {}
    e = _gemini({"hook_event_name": "BeforeTool", "cwd": "/w", "tool_name": "write_file",
                 "tool_input": {"file_path": "x"}}, env)
    out, err, code = gemini_cli.render(e, _decision(outcome))
    assert gemini_cli.classify_output(out, err, code) == klass
    if out:
        json.loads(out)
        assert '"allow"' not in out


@pytest.mark.parametrize("platform", ["cursor", "gemini-cli"])
def test_failure_is_exit2_with_one_line(platform):
    out, err, code = load(platform).render_failure("boom\nsecond line", None)
    assert (out, code) == ("", 2) and err.count("\n") == 1
    assert load(platform).classify_output(out, err, code) == "exit2-deny"


@pytest.mark.parametrize("stdout,stderr,code,expected", [
    ('{"decision":"allow"}', "", 0, "invalid"), ("log\n{}", "", 0, "invalid"), ("", "x", 2, "exit2-deny"),
    ("", "", 2, "invalid"), ('{"decision":"deny","reason":"r"}', "", 1, "deny"), ("", "", 1, "invalid"),
])
def test_gemini_classify_matches_measured_client(stdout, stderr, code, expected):
    assert gemini_cli.classify_output(stdout, stderr, code) == expected


@pytest.mark.parametrize("stdout,code,expected", [
    ('{"permission":"allow"}', 0, "invalid"), ("", 2, "exit2-deny"), ("", 1, "invalid"),
    ('{"permission":"deny","agent_message":"a"}', 0, "deny"), ("not json", 0, "invalid"),
])
def test_cursor_classify_matches_measured_client(stdout, code, expected):
    assert cursor.classify_output(stdout, "", code) == expected


def test_after_file_edit_of_protected_path_is_a_violation_reported_once(project):
    target = str(project / ".hookgate" / "rollout.yaml")
    out = run_hook(cursor_event(project, "afterFileEdit", file_path=target, edits=[]), "cursor")
    assert out.returncode == 0 and out.stdout == b""
    kinds = [r["kind"] for r in ledger_records(project)]
    assert "violation" in kinds
    viol = [r for r in ledger_records(project) if r["kind"] == "violation"][0]
    assert viol["session"] == "conv-v" and viol["accesses"][0][0] == target
    # an ordinary edit is not a violation
    run_hook(cursor_event(project, "afterFileEdit", file_path=str(project / "src" / "app.py"), edits=[]), "cursor")
    assert [r["kind"] for r in ledger_records(project)].count("violation") == 1
    # the next guard call of that session reports it (deny once, with the report for the agent)
    read = cursor_event(project, "preToolUse", tool_name="Read", tool_input={"file_path": str(project / "README.md")})
    first = run_hook(read, "cursor")
    obj = json.loads(first.stdout)
    assert obj["permission"] == "deny" and viol["id"] in obj["agent_message"] and target in obj["agent_message"]
    assert "violation-reported" in [r["kind"] for r in ledger_records(project)]
    second = run_hook(read, "cursor")
    assert second.stdout == b"" and second.returncode == 0
    # another session is not told
    other = run_hook(cursor_event(project, "afterFileEdit", file_path=target, edits=[]) | {"conversation_id": "x"}, "cursor")
    assert other.returncode == 0
    assert run_hook(read, "cursor").stdout == b""


def test_pre_tool_use_shell_is_recorded_not_decided(project):
    out = run_hook(cursor_event(project, "preToolUse", tool_name="Shell", cwd=str(project),
                                   tool_input={"command": "echo x > .claude/settings.json"}), "cursor")
    assert out.stdout == b"" and out.returncode == 0
    assert ledger_records(project)[-1]["kind"] == "event"
    out = run_hook(cursor_event(project, "beforeShellExecution", command="echo x > .claude/settings.json",
                                   cwd=str(project)), "cursor")
    assert json.loads(out.stdout)["permission"] == "deny"


def _claude_under_cursor(project):
    return {"session_id": "s", "cwd": str(project), "hook_event_name": "PreToolUse", "tool_name": "Write",
            "tool_input": {"file_path": str(project / ".hookgate" / "x.yaml"), "content": "x"},
            "cursor_version": "2.4", "workspace_roots": [str(project)]}


def test_claude_wiring_defers_to_cursor_wiring_under_cursor(project):
    env = {"CURSOR_VERSION": "2.4", "CLAUDECODE": ""}
    # no Cursor wiring: the Claude wiring is the only guard, so it decides
    out = run_hook(_claude_under_cursor(project), "claude-code", env=env)
    assert load("claude-code").classify_output(out.stdout.decode(), out.stderr.decode(), out.returncode) == "deny"
    (project / ".cursor").mkdir()
    (project / ".cursor" / "hooks.json").write_text(json.dumps(
        {"version": 1, "hooks": {"preToolUse": [{"command": "/x/bin/hookgate hook --platform cursor"}]}}))
    out = run_hook(_claude_under_cursor(project), "claude-code", env=env)
    assert out.stdout == b"" and out.returncode == 0  # decided once, by the Cursor wiring
    assert ledger_records(project)[-1]["kind"] == "event"
    # inside Claude Code itself (CLAUDECODE=1) it always decides, even with CURSOR_* leaking in
    out = run_hook(_claude_under_cursor(project), "claude-code", env={"CURSOR_VERSION": "2.4", "CLAUDECODE": "1"})
    assert load("claude-code").classify_output(out.stdout.decode(), out.stderr.decode(), out.returncode) == "deny"


def test_gemini_relative_write_resolves_against_cwd(project):
    obj = {"session_id": "s", "cwd": str(project / "src"), "hook_event_name": "BeforeTool", "tool_name": "write_file",
           "tool_input": {"file_path": "../.gemini/settings.json", "content": "{}"}}
    out = run_hook(obj, "gemini-cli")
    assert json.loads(out.stdout)["decision"] == "deny"
    assert ledger_records(project)[-1]["accesses"][0][0] == str(project / ".gemini" / "settings.json")
    assert os.path.basename(str(project)) in out.stdout.decode()
