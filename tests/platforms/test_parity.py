"""Parity table: the same action gets the same decision on all seven platforms (Claude Code,
Cursor, Gemini CLI, Codex, Copilot CLI, Qwen Code, OpenCode).

Each row is one action, expressed in each platform's own payload (docs/platforms.md §1.3, §2.3,
§3.3), run through the real ``hookgate hook`` command. Asserted per row: the ledger's verdicts
(hook, raw, effective, rule) and accesses (path, mode) are identical on all three platforms, and
each platform's rendered output is what that merged outcome must look like there (a checkpoint
is a native ask where the event can ask, else a deny). Rows with a known answer under the
shipped config also pin the outcome.
"""

from __future__ import annotations

import json
import os

import pytest

from conftest import ledger_records, run_hook
from hookgate.adapters import load

PLATFORMS = ("claude-code", "cursor", "gemini-cli", "codex", "copilot-cli", "qwen-code", "opencode")

# (id, action, argument, expected merged effective outcome or None = parity only)
ROWS = [
    ("write-ordinary", "write", "src/new.py", "allow"),
    ("write-hookgate-rollout", "write", ".hookgate/rollout.yaml", "block"),
    ("write-claude-settings", "write", ".claude/settings.json", "block"),
    ("write-claude-settings-local", "write", ".claude/settings.local.json", "block"),
    ("write-cursor-hooks", "write", ".cursor/hooks.json", "block"),
    ("write-gemini-settings", "write", ".gemini/settings.json", "block"),
    ("write-user-claude-settings", "write", "~/.claude/settings.json", "block"),
    ("write-dotdot-hookgate", "write", "src/../.hookgate/hooks/x.yaml", "block"),
    ("write-dotenv", "write", ".env", None),
    ("edit-ordinary", "edit", "src/app.py", "allow"),
    ("edit-hookgate-manifest", "edit", ".hookgate/hooks/write-guard.yaml", "block"),
    ("edit-gemini-user-settings", "edit", "~/.gemini/settings.json", "block"),
    ("read-readme", "read", "README.md", "allow"),
    ("read-hookgate-rollout", "read", ".hookgate/rollout.yaml", None),
    ("read-dotenv", "read", ".env", None),
    ("read-ssh-key", "read", "~/.ssh/id_rsa", None),
    ("grep-src", "grep", "src", "allow"),
    ("shell-git-status", "shell", "git status", "allow"),
    ("shell-cat-readme", "shell", "cat README.md", "allow"),
    ("shell-echo-claude-settings", "shell", "echo '{}' > .claude/settings.json", "block"),
    ("shell-rm-hookgate", "shell", "rm -rf .hookgate", "block"),
    ("shell-hookgate-promote", "shell", "hookgate rollout promote write-guard", "block"),
    ("shell-hookgate-status", "shell", "hookgate status", "allow"),
    ("shell-python-m-hookgate", "shell", "python3 -m hookgate install --platform all", "block"),
    ("shell-cat-dotenv", "shell", "cat .env", None),
    ("shell-eval-unknown", "shell", 'eval "$CMD"', None),
    ("mcp-write-hookgate", "mcp-write", ".hookgate/hooks/budget.yaml", "block"),
    ("mcp-read-readme", "mcp-read", "README.md", "allow"),
]


def _abs(project: str, home: str, rel: str) -> str:
    if rel.startswith("~/"):
        return os.path.join(home, rel[2:])
    return os.path.join(project, rel)


def payload(platform: str, action: str, arg: str, project: str, home: str) -> dict:
    """The platform's own hook payload for *action*."""
    p = _abs(project, home, arg) if action != "shell" else ""
    rel = arg if not arg.startswith("~/") else p  # Gemini: paths as the model sent them
    if platform == "claude-code":
        base = {"session_id": "parity", "transcript_path": "", "cwd": project, "permission_mode": "default",
                "hook_event_name": "PreToolUse", "tool_use_id": "toolu_parity"}
        tool, inp = {
            "write": ("Write", {"file_path": p, "content": "x = 1\n"}),
            "edit": ("Edit", {"file_path": p, "old_string": "a", "new_string": "b"}),
            "read": ("Read", {"file_path": p}),
            "grep": ("Grep", {"pattern": "TODO", "path": p}),
            "shell": ("Bash", {"command": arg, "description": "parity"}),
            "mcp-write": ("mcp__filesystem__write_file", {"path": p, "content": "x"}),
            "mcp-read": ("mcp__filesystem__read_file", {"path": p}),
        }[action]
        return {**base, "tool_name": tool, "tool_input": inp}
    if platform == "cursor":
        base = {"conversation_id": "parity", "generation_id": "g", "model": "m", "cursor_version": "2.4.21",
                "workspace_roots": [project], "user_email": None, "transcript_path": None}
        if action == "shell":
            return {**base, "hook_event_name": "beforeShellExecution", "command": arg, "cwd": project, "sandbox": False}
        if action == "read":
            return {**base, "hook_event_name": "beforeReadFile", "file_path": p, "content": "", "attachments": []}
        if action in ("mcp-write", "mcp-read"):
            tool = "write_file" if action == "mcp-write" else "read_file"
            inp = {"path": p, "content": "x"} if action == "mcp-write" else {"path": p}
            return {**base, "hook_event_name": "beforeMCPExecution", "tool_name": tool,
                    "tool_input": json.dumps(inp), "mcp_server_name": "filesystem", "command": "npx fs"}
        tool, inp = {
            "write": ("Write", {"file_path": p, "contents": "x = 1\n"}),
            "edit": ("StrReplace", {"file_path": p, "old_string": "a", "new_string": "b"}),
            "grep": ("Grep", {"pattern": "TODO", "path": p}),
        }[action]
        return {**base, "hook_event_name": "preToolUse", "tool_name": tool, "tool_input": inp,
                "tool_use_id": "t", "cwd": project}
    if platform in MORE_PAYLOADS:
        return MORE_PAYLOADS[platform](action, arg, p, project)
    base = {"session_id": "parity", "transcript_path": "", "cwd": project, "hook_event_name": "BeforeTool",
            "timestamp": "2026-11-23T10:00:00.000Z"}
    tool, inp = {
        "write": ("write_file", {"file_path": rel, "content": "x = 1\n"}),
        "edit": ("replace", {"file_path": rel, "instruction": "i", "old_string": "a", "new_string": "b"}),
        "read": ("read_file", {"file_path": rel}),
        "grep": ("grep_search", {"pattern": "TODO", "dir_path": rel}),
        "shell": ("run_shell_command", {"command": arg, "description": "parity"}),
        "mcp-write": ("mcp_filesystem_write_file", {"path": p, "content": "x"}),
        "mcp-read": ("mcp_filesystem_read_file", {"path": p}),
    }[action]
    return {**base, "tool_name": tool, "tool_input": inp}


def _codex(action: str, arg: str, p: str, project: str) -> dict:
    """Codex: files change through apply_patch; it has no read or search tool (the shell reads)."""
    base = {"session_id": "parity", "transcript_path": None, "cwd": project, "hook_event_name": "PreToolUse",
            "model": "gpt-5.5", "permission_mode": "default", "turn_id": "t", "tool_use_id": "call_parity"}
    header = "Add File" if action == "write" else "Update File"
    tool, inp = {
        "write": ("apply_patch", {"command": f"*** Begin Patch\n*** {header}: {p}\n+x = 1\n*** End Patch\n"}),
        "edit": ("apply_patch", {"command": f"*** Begin Patch\n*** {header}: {p}\n@@\n-a\n+b\n*** End Patch\n"}),
        "read": ("Bash", {"command": f"cat {p}"}),
        "grep": ("Bash", {"command": f"grep -r TODO {p}"}),
        "shell": ("Bash", {"command": arg}),
        "mcp-write": ("mcp__filesystem__write_file", {"path": p, "content": "x"}),
        "mcp-read": ("mcp__filesystem__read_file", {"path": p}),
    }[action]
    return {**base, "tool_name": tool, "tool_input": inp}


def _copilot(action: str, arg: str, p: str, project: str) -> dict:
    """Copilot CLI, PascalCase keys: Claude's envelope and tool names, Copilot's argument names."""
    base = {"hook_event_name": "PreToolUse", "session_id": "parity", "timestamp": "2026-12-07T10:00:00.000Z",
            "cwd": project}
    tool, inp = {
        "write": ("Write", {"path": p, "file_text": "x = 1\n"}),
        "edit": ("Edit", {"path": p, "old_str": "a", "new_str": "b"}),
        "read": ("Read", {"path": p}),
        "grep": ("Grep", {"pattern": "TODO", "paths": [p]}),
        "shell": ("Bash", {"command": arg, "description": "parity"}),
        "mcp-write": ("filesystem-write_file", {"path": p, "content": "x"}),
        "mcp-read": ("filesystem-read_file", {"path": p}),
    }[action]
    return {**base, "tool_name": tool, "tool_input": inp}


def _qwen(action: str, arg: str, p: str, project: str) -> dict:
    base = {"session_id": "parity", "transcript_path": "", "cwd": project, "hook_event_name": "PreToolUse",
            "timestamp": "2026-12-07T10:00:00.000Z", "permission_mode": "yolo", "tool_use_id": "t"}
    tool, inp = {
        "write": ("write_file", {"file_path": p, "content": "x = 1\n"}),
        "edit": ("edit", {"file_path": p, "old_string": "a", "new_string": "b"}),
        "read": ("read_file", {"file_path": p}),
        "grep": ("grep_search", {"pattern": "TODO", "path": p}),
        "shell": ("run_shell_command", {"command": arg, "description": "parity"}),
        "mcp-write": ("mcp__filesystem__write_file", {"path": p, "content": "x"}),
        "mcp-read": ("mcp__filesystem__read_file", {"path": p}),
    }[action]
    return {**base, "tool_name": tool, "tool_input": inp}


def _opencode(action: str, arg: str, p: str, project: str) -> dict:
    """What hookgate's OpenCode plugin sends (platforms/opencode/hookgate.js)."""
    tool, args = {
        "write": ("write", {"filePath": p, "content": "x = 1\n"}),
        "edit": ("edit", {"filePath": p, "oldString": "a", "newString": "b"}),
        "read": ("read", {"filePath": p}),
        "grep": ("grep", {"pattern": "TODO", "path": p}),
        "shell": ("bash", {"command": arg, "description": "parity"}),
        "mcp-write": ("filesystem_write_file", {"path": p, "content": "x"}),
        "mcp-read": ("filesystem_read_file", {"path": p}),
    }[action]
    return {"hook_event_name": "tool.execute.before", "session_id": "parity", "call_id": "c", "cwd": project,
            "tool": tool, "args": args}


MORE_PAYLOADS = {"codex": _codex, "copilot-cli": _copilot, "qwen-code": _qwen, "opencode": _opencode}


def can_ask(platform: str, action: str) -> bool:
    if platform in ("claude-code", "qwen-code"):
        return True
    if platform == "cursor":
        return action in ("shell", "mcp-write", "mcp-read")
    return False  # Gemini: native ask is opt-in (headless gemini -p hangs on it); Codex, Copilot, OpenCode: none


def rendered_class(platform: str, out) -> str:
    c = load(platform).classify_output(out.stdout.decode(), out.stderr.decode(), out.returncode)
    return {"exit2-deny": "deny"}.get(c, c)


def expected_class(merged: str, platform: str, action: str) -> str:
    return {"allow": "allow", "warn": "warn", "block": "deny",
            "checkpoint": "ask" if can_ask(platform, action) else "deny"}[merged]


def _merged(verdicts: list[dict]) -> str:
    rank = {"allow": 0, "warn": 1, "checkpoint": 2, "block": 3}
    return max((v["effective"] for v in verdicts), key=rank.get, default="allow")


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_same_decision_on_all_platforms(row, project, home):
    name, action, arg, expected = row
    (project / ".env").write_text("SECRET=1\n")
    seen = {}
    for platform in PLATFORMS:
        before = len(ledger_records(project))
        out = run_hook(payload(platform, action, arg, str(project), str(home)), platform, cwd=str(project))
        recs = [r for r in ledger_records(project)[before:] if r["kind"] == "decision"]
        assert len(recs) == 1, f"{platform}: expected one decision record, got {recs} / {out.stderr!r}"
        rec = recs[0]
        verdicts = sorted((v["hook"], v["raw"], v["effective"], v.get("rule", "")) for v in rec["verdicts"])
        accesses = sorted((a[0], a[1]) for a in rec.get("accesses", []))
        merged = _merged(rec["verdicts"])
        got = rendered_class(platform, out)
        assert got == expected_class(merged, platform, action), (platform, got, merged, out.stdout, out.stderr)
        if out.stdout.strip():
            json.loads(out.stdout)  # stdout carries nothing but JSON
        seen[platform] = (verdicts, accesses, merged)
    first = seen["claude-code"]
    for platform in PLATFORMS[1:]:
        assert seen[platform][0] == first[0], f"verdicts differ: claude-code {first[0]} vs {platform} {seen[platform][0]}"
        assert seen[platform][1] == first[1], f"accesses differ: claude-code {first[1]} vs {platform} {seen[platform][1]}"
    if expected is not None:
        assert first[2] == expected, f"{name}: expected {expected}, got {first[2]}"


def test_table_is_big_enough():
    assert len(ROWS) >= 20
