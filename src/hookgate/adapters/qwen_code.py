"""Qwen Code adapter (docs/platforms.md §6; tests/realclients/; ADR 0023).

Wiring: ``.qwen/settings.json`` (project; loads only in a trusted folder when
``security.folderTrust.enabled``) / ``~/.qwen/settings.json`` (user), Claude's nested shape,
timeouts in **seconds** (0.24: values ≥ 1000 are still read as milliseconds).
Events: ``PreToolUse`` (decided), ``PostToolUse``, ``SessionStart``, ``SessionEnd`` (recorded).
Qwen Code is a Gemini CLI fork with Claude's hook protocol: the payload is Claude's envelope
(``hook_event_name``, ``session_id``, ``cwd``, ``tool_name``, ``tool_input``) around Gemini's
tool ids and parameters (``write_file``, ``edit``, ``read_file``, ``read_many_files``,
``run_shell_command``, ``grep_search``, ``glob``, ``list_directory``), so accesses are read the
way the Gemini adapter reads them; relative paths resolve against ``cwd``.

Rendering (Claude's shapes; measured to deny: ``hookSpecificOutput`` deny and block_both):
- allow → no output, exit 0 (never ``permissionDecision: "allow"``);
- warn → ``hookSpecificOutput.additionalContext``;
- checkpoint → ``permissionDecision: "ask"``: the TUI prompts; headless ``qwen -p`` and
  background subagents turn it into a deny (Qwen's documented fallback, never a hang);
- block → ``decision: "block"`` + ``hookSpecificOutput.permissionDecision: "deny"``;
- bad input / internal error → exit 2 with a one-line stderr reason (stderr goes to the model).
Exit 1, malformed output and timeouts fail **open** in Qwen; hookgate emits none of them.

``tools.executionSandbox`` (an operator-only Linux policy in user/system settings) disables
executable hooks entirely — ``hookgate install`` and ``doctor`` say so.
"""

from __future__ import annotations

import os

from hookgate.core import event as ev
from hookgate.adapters.base import BadInput, dumps, load_json_object, make_event, render_failure, tool_call  # noqa: F401 - the shared failure shape

PLATFORM = "qwen-code"
ADR = "adr/0023-codex-copilot-qwen-opencode-adapters.md"

PHASE_OF = {
    "PreToolUse": ev.PRE,
    "PostToolUse": ev.POST,
    "PostToolUseFailure": ev.POST,
    "SessionStart": ev.SESSION_START,
    "SessionEnd": ev.SESSION_END,
}
WIRED_EVENTS = ("PreToolUse", "PostToolUse", "SessionStart", "SessionEnd")

TOOL_KIND = {
    "write_file": ev.WRITE,
    "edit": ev.EDIT,
    "replace": ev.EDIT,
    "notebook_edit": ev.EDIT,
    "run_shell_command": ev.SHELL,
    "read_file": ev.READ,
    "read_many_files": ev.READ,
    "list_directory": ev.READ,
    "grep_search": ev.SEARCH,
    "glob": ev.SEARCH,
    "web_fetch": ev.WEB,
    "web_search": ev.WEB,
}
_PRE_CAPS = ev.Capabilities(can_ask=True, can_block=True, can_message=True)
_POST_CAPS = ev.Capabilities(can_ask=False, can_block=False, can_message=True)


def parse(data: bytes, env: dict) -> ev.Event:
    from hookgate.adapters.gemini_cli import tool_accesses

    obj = load_json_object(data)
    name = obj.get("hook_event_name")
    if not isinstance(name, str) or not name:
        raise BadInput("payload has no hook_event_name")
    phase = PHASE_OF.get(name, ev.OTHER_PHASE)
    cwd = obj.get("cwd")
    if not isinstance(cwd, str) or not cwd:
        cwd = env.get("QWEN_PROJECT_DIR") or os.getcwd()
    cwd = os.path.abspath(cwd)
    session = obj.get("session_id")
    session = session if isinstance(session, str) else ""
    tool_name, kind, tool_input = "", ev.OTHER, {}
    extra: dict = {"tool_use_id": obj.get("tool_use_id", "")}
    if phase in (ev.PRE, ev.POST):
        tool_name, tool_input = tool_call(obj, name)
        kind = ev.MCP if tool_name.startswith("mcp__") else TOOL_KIND.get(tool_name, ev.OTHER)
        if kind == ev.SHELL:
            d = tool_input.get("directory") or tool_input.get("dir_path")
            if isinstance(d, str) and d:
                cwd = os.path.normpath(os.path.join(cwd, d))  # the command runs there
        else:
            acc = tool_accesses(tool_name, tool_input, cwd)
            if acc is not None:
                extra["accesses"] = acc
    return make_event(
        PLATFORM, obj, phase=phase, name=name, session=session, cwd=cwd, tool_kind=kind,
        tool_name=tool_name, tool_input=tool_input, capabilities=_PRE_CAPS if phase == ev.PRE else _POST_CAPS,
        extra=extra, env=env,
    )


def render(event: ev.Event, decision) -> tuple[str, str, int]:
    from hookgate.adapters import claude_code

    return claude_code.render(event, decision)  # Claude's protocol, measured in Qwen 0.24.4


def classify_output(stdout: str, stderr: str, code: int) -> str:
    """What Qwen Code does with this output: Claude's rules, except that exit 2 denies only with
    a reason on stderr and any other non-zero exit fails open."""
    from hookgate.adapters import claude_code

    return claude_code.classify_output(stdout, stderr, code)
