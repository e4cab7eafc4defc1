"""OpenAI Codex CLI adapter (docs/platforms.md §4; tests/realclients/; ADR 0023).

Wiring: ``.codex/hooks.json`` (project) / ``~/.codex/hooks.json`` (user), Claude's nested shape.
Events: ``PreToolUse`` (decided), ``PostToolUse`` (recorded), ``SessionStart``, ``Stop``.
Tools: ``Bash`` (shell and unified exec: ``tool_input.command``, a string — or an argv list
from older builds), ``apply_patch`` (``tool_input.command`` is the patch text: the files are
parsed out of its ``*** Add/Update/Delete File:`` / ``*** Move to:`` headers, relative to
``cwd``), ``mcp__<server>__<tool>``, other local tools by name. Codex has no read tool: reads go
through ``Bash`` and are judged by the shell engine.

Rendering, only shapes the real client accepts (its embedded ``pre-tool-use.command.output``
schema is ``additionalProperties: false``; output failing it is ignored and the tool runs):
- allow → no output, exit 0 (``permissionDecision: "allow"`` is valid only with
  ``updatedInput``; hookgate never rewrites);
- warn → ``hookSpecificOutput.additionalContext`` (model) + ``systemMessage`` (UI);
- checkpoint → Codex has **no ask** (``"ask"`` fails the hook and the call proceeds), so
  ``can_ask`` is False and the chain renders it as a deny carrying the approval-queue
  instructions (ADR 0012);
- block → ``decision: "block"`` + ``reason`` + ``hookSpecificOutput.permissionDecision:
  "deny"`` (measured to deny; the reason reaches the model);
- bad input / internal error on PreToolUse → exit 2 with a one-line stderr reason (denies;
  exit 2 with an *empty* stderr would not).

Known blind spot (doctor says so): text written into a running unified-exec session
(``write_stdin``) is never hooked — only the command that started the session is.
"""

from __future__ import annotations

import os

from hookgate.core import event as ev
from hookgate.adapters.base import BadInput, dumps, load_json_object, make_event, render_failure, tool_call  # noqa: F401 - the shared failure shape
from hookgate.adapters.base import render_claude_shaped

PLATFORM = "codex"
ADR = "adr/0023-codex-copilot-qwen-opencode-adapters.md"

PHASE_OF = {
    "PreToolUse": ev.PRE,
    "PostToolUse": ev.POST,
    "SessionStart": ev.SESSION_START,
    "SessionEnd": ev.SESSION_END,
}
WIRED_EVENTS = ("PreToolUse", "PostToolUse", "SessionStart", "Stop")

TOOL_KIND = {
    "Bash": ev.SHELL,
    "exec_command": ev.SHELL,
    "shell": ev.SHELL,
    "local_shell": ev.SHELL,
    "apply_patch": ev.EDIT,
    "Edit": ev.EDIT,
    "Write": ev.WRITE,
    "view_image": ev.READ,
    "web_search": ev.WEB,
}
_PATCH_TOOLS = frozenset(("apply_patch", "Edit", "Write"))
_PRE_CAPS = ev.Capabilities(can_ask=False, can_block=True, can_message=True)
_POST_CAPS = ev.Capabilities(can_ask=False, can_block=False, can_message=True)


def _shell_command(inp: dict) -> dict:
    """``tool_input`` with ``command`` as one string: older builds send an argv list
    (``["bash", "-lc", "…"]`` runs its script; anything else is joined as shell words)."""
    cmd = inp.get("command")
    if isinstance(cmd, list) and cmd and all(isinstance(w, str) for w in cmd):
        if len(cmd) == 3 and os.path.basename(cmd[0]) in ("bash", "sh", "zsh") and cmd[1] in ("-c", "-lc", "-l -c"):
            text = cmd[2]
        else:
            import shlex

            text = shlex.join(cmd)
        inp = dict(inp, command=text)
    elif not isinstance(cmd, str) and isinstance(inp.get("cmd"), str):
        inp = dict(inp, command=inp["cmd"])  # exec_command's own argument name
    return inp


def patch_accesses(text) -> list:
    from hookgate.adapters.cursor import patch_paths

    if not isinstance(text, str) or not text:
        return [("", ev.MODE_WRITE, "apply_patch (no patch text)", False)]
    found = patch_paths(text)
    if not found:  # cannot tell the target: an unresolved write, judged by its text
        return [(text[:2000], ev.MODE_WRITE, "apply_patch body (no file header)", False)]
    return [(p, m, "apply_patch." + ("delete" if m == ev.MODE_DELETE else "file"), True) for p, m in found]


def parse(data: bytes, env: dict) -> ev.Event:
    obj = load_json_object(data)
    name = obj.get("hook_event_name")
    if not isinstance(name, str) or not name:
        raise BadInput("payload has no hook_event_name")
    phase = PHASE_OF.get(name, ev.OTHER_PHASE)
    cwd = obj.get("cwd")
    if not isinstance(cwd, str) or not cwd:
        cwd = os.getcwd()  # Codex runs hooks in the session's cwd
    cwd = os.path.abspath(cwd)
    session = obj.get("session_id")
    session = session if isinstance(session, str) else ""
    tool_name, kind, tool_input = "", ev.OTHER, {}
    extra: dict = {"tool_use_id": obj.get("tool_use_id", ""), "turn_id": obj.get("turn_id", "")}
    if phase in (ev.PRE, ev.POST):
        tool_name, tool_input = tool_call(obj, name)
        kind = ev.MCP if tool_name.startswith("mcp__") else TOOL_KIND.get(tool_name, ev.OTHER)
        if kind == ev.SHELL:
            tool_input = _shell_command(tool_input)
            workdir = tool_input.get("workdir")
            if isinstance(workdir, str) and workdir:
                cwd = os.path.normpath(os.path.join(cwd, workdir))  # the command runs there
        elif tool_name in _PATCH_TOOLS:
            text = tool_input.get("command")
            if not isinstance(text, str):
                text = tool_input.get("patch") if isinstance(tool_input.get("patch"), str) else tool_input.get("input")
            extra["accesses"] = patch_accesses(text)
    return make_event(
        PLATFORM, obj, phase=phase, name=name, session=session, cwd=cwd, tool_kind=kind,
        tool_name=tool_name, tool_input=tool_input, capabilities=_PRE_CAPS if phase == ev.PRE else _POST_CAPS,
        extra=extra, env=env,
    )


def render(event: ev.Event, decision) -> tuple[str, str, int]:
    # no ask on Codex (the chain already made a checkpoint a block); a warn also as systemMessage
    return render_claude_shaped(event, decision, ask=False, warn_summary=True)


_PRE_TOP = frozenset(("continue", "decision", "hookSpecificOutput", "reason", "stopReason", "suppressOutput",
                      "systemMessage"))
_PRE_HSO = frozenset(("additionalContext", "hookEventName", "permissionDecision", "permissionDecisionReason",
                      "updatedInput"))


def classify_output(stdout: str, stderr: str, code: int) -> str:
    """What Codex does with this PreToolUse output (its embedded output schema, and the runtime
    rules on top of it): allow | warn | deny | exit2-deny | invalid (the tool runs)."""
    import json

    if code == 2:
        return "exit2-deny" if stderr.strip() else "invalid"  # exit 2 with empty stderr: the tool runs
    if code != 0:
        return "invalid"
    text = stdout.strip()
    if not text:
        return "allow"
    try:
        obj = json.loads(text)
    except ValueError:
        return "invalid"
    if not isinstance(obj, dict) or set(obj) - _PRE_TOP:
        return "invalid"  # additionalProperties: false
    if obj.get("continue") is False or "stopReason" in obj or obj.get("suppressOutput"):
        return "invalid"  # unsupported on PreToolUse: the hook fails, the call proceeds
    top = obj.get("decision")
    if top not in (None, "block"):
        return "invalid"  # "approve" is rejected at run time
    hso = obj.get("hookSpecificOutput")
    pd = None
    if hso is not None:
        if not isinstance(hso, dict) or set(hso) - _PRE_HSO or hso.get("hookEventName") != "PreToolUse":
            return "invalid"
        pd = hso.get("permissionDecision")
        if pd not in (None, "deny", "allow") or (pd == "allow" and hso.get("updatedInput") is None):
            return "invalid"  # "ask" fails the hook; "allow" needs updatedInput
        if pd is None and hso.get("updatedInput") is not None:
            return "invalid"
        if pd == "allow":
            return "invalid"  # a rewrite auto-approves; hookgate never widens permissions
    if top == "block" or pd == "deny":
        return "deny" if (obj.get("reason") or (hso or {}).get("permissionDecisionReason")) else "invalid"
    if obj.get("systemMessage") or (hso or {}).get("additionalContext"):
        return "warn"
    return "allow"
