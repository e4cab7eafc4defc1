"""Hook payloads of every platform, in each platform's own measured shape (the golden payloads
under platforms/<name>/golden/ are the reference). The one place tests build them (issue 19).

- ``claude_pre``: a Claude Code PreToolUse (or any Claude event) for one tool call;
- ``shell_pre`` / ``write_pre``: a shell command / a file write on any of the seven platforms,
  with the agent-controllable fields (cwd, transcript path, Gemini's dir_path) as arguments
  (ADR 0018: they may describe the action, never decide the project);
- ``post_of``: the post-event that follows a pre-event when the tool ran;
- ``action_pre``: the same action (write, edit, read, grep, shell, mcp-write, mcp-read) in every
  platform's own tool and argument names (the parity tables);
- ``cursor_event``: a Cursor envelope for any of its events;
- ``encode``: bytes as the platform writes them to the hook's stdin.
"""

from __future__ import annotations

import json
import os

PLATFORMS = ("claude-code", "cursor", "gemini-cli", "codex", "copilot-cli", "qwen-code", "opencode")


def encode(payload) -> bytes:
    if isinstance(payload, bytes):
        return payload
    if isinstance(payload, str):
        return payload.encode("utf-8")
    return json.dumps(payload).encode("utf-8")


def claude_pre(project, tool: str, tool_input: dict, session: str = "s1", event: str = "PreToolUse",
               cwd=None, tool_use_id: str = "toolu_test", permission_mode: str = "default") -> dict:
    return {
        "session_id": session,
        "transcript_path": "",
        "cwd": str(cwd if cwd is not None else project),
        "permission_mode": permission_mode,
        "hook_event_name": event,
        "tool_name": tool,
        "tool_input": tool_input,
        "tool_use_id": tool_use_id,
    }


def claude_event(project, session: str, event: str, tool=None, tool_input=None, mode: str = "default") -> dict:
    """A Claude Code event with or without a tool (SessionStart, Stop, UserPromptSubmit, …)."""
    p = {"session_id": session, "transcript_path": "", "cwd": str(project), "permission_mode": mode,
         "hook_event_name": event}
    if tool:
        p.update(tool_name=tool, tool_input=tool_input, tool_use_id=f"toolu_{session}")
    return p


def cursor_event(project, event: str, conversation: str = "conv-v", **fields) -> dict:
    return {"conversation_id": conversation, "generation_id": "g", "hook_event_name": event, "cursor_version": "2.4",
            "workspace_roots": [str(project)], **fields}


def shell_pre(platform: str, project, command: str, session: str = "s1", tool_use_id: str = "toolu_1",
              cwd=None, transcript: str = "", dir_path: str = "") -> dict:
    """A shell command on *platform*. *cwd* (default: the project), *transcript* and Gemini's
    *dir_path* are what the model may put in a payload."""
    p = str(project)
    c = str(cwd) if cwd is not None else p
    if platform == "claude-code":
        return {"session_id": session, "transcript_path": transcript, "cwd": c, "permission_mode": "default",
                "hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": command},
                "tool_use_id": tool_use_id}
    if platform == "cursor":
        return {"conversation_id": session, "generation_id": "g1", "model": "m", "hook_event_name": "beforeShellExecution",
                "cursor_version": "2.4.0", "workspace_roots": [p], "user_email": None,
                "transcript_path": transcript or None, "command": command, "cwd": dir_path or c, "sandbox": False}
    if platform == "gemini-cli":
        inp = {"command": command}
        if dir_path:
            inp["dir_path"] = dir_path
        return {"session_id": session, "transcript_path": transcript, "cwd": c, "hook_event_name": "BeforeTool",
                "timestamp": "2026-11-23T10:00:00.000Z", "tool_name": "run_shell_command", "tool_input": inp}
    return _more_pre(platform, c, session, tool_use_id, "shell", command, "", transcript=transcript)


def write_pre(platform: str, project, rel: str, content: str, session: str = "s1", tool_use_id: str = "toolu_1",
              cwd=None, transcript: str = "") -> dict:
    """A file write on *platform*: *rel* relative to the project, or absolute. Gemini gets the
    path as the model wrote it; the others an absolute path."""
    p = str(project)
    c = str(cwd) if cwd is not None else p
    path = os.path.join(p, rel)
    if platform == "claude-code":
        return {"session_id": session, "transcript_path": transcript, "cwd": c, "permission_mode": "acceptEdits",
                "hook_event_name": "PreToolUse", "tool_name": "Write", "tool_input": {"file_path": path, "content": content},
                "tool_use_id": tool_use_id}
    if platform == "cursor":
        return {"conversation_id": session, "generation_id": "g1", "model": "m", "hook_event_name": "preToolUse",
                "cursor_version": "2.4.0", "workspace_roots": [p], "user_email": None,
                "transcript_path": transcript or None, "tool_name": "Write",
                "tool_input": {"file_path": path, "contents": content},
                "tool_use_id": tool_use_id, "cwd": c, "agent_message": ""}
    if platform == "gemini-cli":
        return {"session_id": session, "transcript_path": transcript, "cwd": c, "hook_event_name": "BeforeTool",
                "timestamp": "2026-11-23T10:00:00.000Z", "tool_name": "write_file",
                "tool_input": {"file_path": rel, "content": content}}
    return _more_pre(platform, c, session, tool_use_id, "write", "", path, content, transcript=transcript)


def _more_pre(platform: str, p: str, session: str, tool_use_id: str, what: str, command: str, path: str,
              content: str = "", transcript: str = "") -> dict:
    """Codex, Copilot CLI, Qwen Code and OpenCode (ADR 0023): a shell command or a file write."""
    if platform == "codex":
        inp = ({"command": command} if what == "shell" else
               {"command": f"*** Begin Patch\n*** Add File: {path}\n+{content.rstrip()}\n*** End Patch\n"})
        return {"session_id": session, "transcript_path": transcript or None, "cwd": p, "hook_event_name": "PreToolUse",
                "model": "gpt-5.5", "permission_mode": "default", "turn_id": "t", "tool_use_id": tool_use_id,
                "tool_name": "Bash" if what == "shell" else "apply_patch", "tool_input": inp}
    if platform == "copilot-cli":
        tool, inp = ("Bash", {"command": command}) if what == "shell" else ("Write", {"path": path, "file_text": content})
        return {"hook_event_name": "PreToolUse", "session_id": session, "timestamp": "2026-12-07T10:00:00.000Z",
                "cwd": p, "tool_name": tool, "tool_input": inp}
    if platform == "qwen-code":
        tool, inp = (("run_shell_command", {"command": command}) if what == "shell"
                     else ("write_file", {"file_path": path, "content": content}))
        return {"session_id": session, "transcript_path": transcript, "cwd": p, "hook_event_name": "PreToolUse",
                "permission_mode": "yolo", "tool_use_id": tool_use_id, "tool_name": tool, "tool_input": inp}
    if platform == "opencode":
        tool, args = ("bash", {"command": command}) if what == "shell" else ("write", {"filePath": path, "content": content})
        return {"hook_event_name": "tool.execute.before", "session_id": session, "call_id": tool_use_id, "cwd": p,
                "tool": tool, "args": args}
    raise ValueError(platform)


def post_of(platform: str, pre: dict) -> dict:
    """The post-event that follows *pre* when the tool ran."""
    if platform == "claude-code":
        return dict(pre, hook_event_name="PostToolUse", tool_response={"stdout": "", "stderr": ""})
    if platform == "gemini-cli":
        return dict(pre, hook_event_name="AfterTool", tool_response={"llmContent": "ok"})
    if platform in ("codex", "copilot-cli", "qwen-code"):
        return dict(pre, hook_event_name="PostToolUse", tool_response={"output": ""})
    if platform == "opencode":
        return dict(pre, hook_event_name="tool.execute.after")
    raise ValueError(platform)


# --- one action in every platform's own names (the parity tables) ------------------------------


def _abs(project: str, home: str, rel: str) -> str:
    if rel.startswith("~/"):
        return os.path.join(home, rel[2:])
    return os.path.join(project, rel)


def action_pre(platform: str, action: str, arg: str, project: str, home: str) -> dict:
    """The platform's own hook payload for *action* on *arg* (a path relative to the project or
    ``~/…``; for ``shell``, the command)."""
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
    if platform in _MORE_ACTIONS:
        return _MORE_ACTIONS[platform](action, arg, p, project)
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


_MORE_ACTIONS = {"codex": _codex, "copilot-cli": _copilot, "qwen-code": _qwen, "opencode": _opencode}
