"""Claude Code adapter (docs/platforms.md §1; tests/realclients/).

Rendering (ADR 0003), only shapes the real client was measured to honour:
- allow → no output, exit 0 (never ``permissionDecision: "allow"``: it would widen permissions);
- warn → ``hookSpecificOutput.additionalContext``;
- checkpoint → ``permissionDecision: "ask"``;
- block → top-level ``decision: "block"`` + ``hookSpecificOutput.permissionDecision: "deny"``
  (a top-level ``decision`` other than approve/block would void the whole object);
- bad input / internal error on a pre-event → exit 2 with a one-line stderr reason.
"""

from __future__ import annotations

import os

from hookgate.core import event as ev
from hookgate.adapters.base import BadInput, dumps, load_json_object, make_event, render_failure, tool_call  # noqa: F401 - the shared failure shape
from hookgate.adapters.base import cap as _cap
from hookgate.adapters.base import render_claude_shaped

PLATFORM = "claude-code"

PHASE_OF = {
    "PreToolUse": ev.PRE,
    # a skill's or custom command's embedded shell command (``!`cmd```), which PreToolUse never
    # sees; Claude Code >= 2.1.332 (ADR 0020). Payload: tool_name Bash|PowerShell, tool_input.command
    "PreSkillShellCommand": ev.PRE,
    "PostToolUse": ev.POST,
    "PostToolUseFailure": ev.POST,
    "SessionStart": ev.SESSION_START,
    "SessionEnd": ev.SESSION_END,
}

TOOL_KIND = {
    "Bash": ev.SHELL,
    "PowerShell": ev.SHELL,
    "Monitor": ev.SHELL,
    "Write": ev.WRITE,
    "Edit": ev.EDIT,
    "MultiEdit": ev.EDIT,
    "NotebookEdit": ev.EDIT,
    "Read": ev.READ,
    "Grep": ev.SEARCH,
    "Glob": ev.SEARCH,
    "LSP": ev.SEARCH,
    "WebFetch": ev.WEB,
    "WebSearch": ev.WEB,
}

_PRE_CAPS = ev.Capabilities(can_ask=True, can_block=True, can_message=True)
_POST_CAPS = ev.Capabilities(can_ask=False, can_block=False, can_message=True)


def tool_kind(name: str) -> str:
    if name.startswith("mcp__"):
        return ev.MCP
    return TOOL_KIND.get(name, ev.OTHER)


def parse(data: bytes, env: dict) -> ev.Event:
    obj = load_json_object(data)
    name = obj.get("hook_event_name")
    if not isinstance(name, str) or not name:
        raise BadInput("payload has no hook_event_name")
    phase = PHASE_OF.get(name, ev.OTHER_PHASE)
    if phase == ev.PRE and env.get("CURSOR_VERSION"):
        from hookgate.adapters.cursor import defer_claude_hook

        if defer_claude_hook(obj, env):
            phase = ev.OTHER_PHASE  # Cursor running Claude hooks: hookgate's Cursor wiring decides (ADR 0011)
    cwd = obj.get("cwd")
    if not isinstance(cwd, str) or not cwd:
        cwd = env.get("CLAUDE_PROJECT_DIR") or os.getcwd()
    cwd = os.path.abspath(cwd)
    session = obj.get("session_id")
    session = session if isinstance(session, str) else ""
    tool_name = ""
    tool_input: dict = {}
    if phase in (ev.PRE, ev.POST):
        tool_name, tool_input = tool_call(obj, name)
    return make_event(
        PLATFORM, obj, phase=phase, name=name, session=session, cwd=cwd, tool_kind=tool_kind(tool_name) if tool_name else ev.OTHER,
        tool_name=tool_name, tool_input=tool_input, capabilities=_PRE_CAPS if phase == ev.PRE else _POST_CAPS, extra={"tool_use_id": obj.get("tool_use_id", "")},
        env=env,
    )




def render(event: ev.Event, decision) -> tuple[str, str, int]:
    if event.phase == ev.PRE and event.event_name == "PreSkillShellCommand" and decision.outcome != ev.ALLOW \
            and decision.message:
        return _render_skill_shell(decision.outcome, _cap(decision.message), decision), "", 0
    return render_claude_shaped(event, decision, ask=True, post_event_name="")




def _render_skill_shell(outcome: str, msg: str, decision) -> str:
    """PreSkillShellCommand's output (2.1.332+ schema: permissionDecision, its reason and
    nothing else in hookSpecificOutput): deny and ask both keep the command from running (a
    skill cannot wait for a prompt); a warning goes to the user as ``systemMessage``."""
    if outcome == ev.WARN:
        return dumps({"systemMessage": msg}) + "\n"
    pd = "deny" if outcome == ev.BLOCK else "ask"
    reason = msg if outcome == ev.BLOCK else _cap(decision.reason or msg)
    hso = {"hookEventName": "PreSkillShellCommand", "permissionDecision": pd, "permissionDecisionReason": reason}
    out = {"decision": "block", "reason": msg, "hookSpecificOutput": hso} if pd == "deny" else {"hookSpecificOutput": hso}
    return dumps(out) + "\n"


def classify_output(stdout: str, stderr: str, code: int) -> str:
    """What the real Claude Code does with this output: allow | warn | ask | deny | exit2-deny |
    invalid (the inverse of :func:`render`, used by ``hookgate doctor`` and the tests)."""
    import json

    if code == 2:
        return "exit2-deny" if stderr.strip() else "invalid"
    if code != 0:
        return "invalid"  # a non-blocking error: the tool runs
    text = stdout.strip()
    if not text:
        return "allow"
    if not text.startswith("{"):
        return "invalid"
    try:
        obj = json.loads(text)
    except ValueError:
        return "invalid"
    top = obj.get("decision")
    if top not in (None, "approve", "block"):
        return "invalid"  # voids the whole object in the real client
    hso = obj.get("hookSpecificOutput") or {}
    pd = hso.get("permissionDecision")
    if pd not in (None, "allow", "deny", "ask", "defer"):
        return "invalid"
    if top == "block" or pd == "deny":
        return "deny"
    if pd == "ask":
        return "ask"
    if pd == "allow":
        return "invalid"  # hookgate never widens permissions
    if hso.get("additionalContext"):
        return "warn"
    return "allow"
