"""OpenCode adapter (docs/platforms.md §7; tests/realclients/; ADR 0023).

OpenCode has no command hooks: ``hookgate install --platform opencode`` writes a small JS plugin
(``platforms/opencode/hookgate.js`` → ``.opencode/plugin/hookgate.js`` or
``~/.config/opencode/plugin/hookgate.js``) that runs ``hookgate hook --platform opencode`` for
``tool.execute.before`` and ``tool.execute.after`` and **throws with the reason** on a deny
(OpenCode hands the thrown message to the model as the tool result). The plugin fails closed:
a hook that cannot be started, exits non-zero, answers something unreadable or takes longer
than 30 s denies the call.

Payload (written by that plugin, so its shape is hookgate's own):
``{"hook_event_name": "tool.execute.before" | "tool.execute.after", "session_id", "call_id",
"tool", "args", "cwd"}`` — ``cwd`` is the plugin context's ``directory`` (where OpenCode runs,
set by OpenCode, not by the model). Tools: ``bash`` {command, workdir}, ``read`` {filePath},
``write`` {filePath, content}, ``edit`` {filePath, oldString, newString}, ``multiedit``
{filePath, edits}, ``patch``/``apply_patch`` {patchText}, ``list`` {path}, ``glob``/``grep``
{pattern, path, include}, ``webfetch``; others (MCP tools are ``<server>_<tool>``) by name.

Output (read by the plugin): allow → nothing; block (and checkpoint: no ask through a
plugin, so the chain makes it a deny with the approval-queue instructions) →
``{"decision": "deny", "reason": …}``; warn → ``{"decision": "warn", "message": …}`` (the
plugin appends it to the tool's output, which the model reads); bad input / internal error →
exit 2 with a one-line stderr reason (the plugin throws it).
"""

from __future__ import annotations

import os

from hookgate.core import event as ev
from hookgate.adapters.base import BadInput, dumps, load_json_object, make_event, render_failure  # noqa: F401 - the shared failure shape
from hookgate.adapters.base import cap as _cap

PLATFORM = "opencode"
ADR = "adr/0023-codex-copilot-qwen-opencode-adapters.md"
PLUGIN_MARKER = "// hookgate-managed-plugin"

PHASE_OF = {
    "tool.execute.before": ev.PRE,
    "tool.execute.after": ev.POST,
    "session.created": ev.SESSION_START,
    "session.deleted": ev.SESSION_END,
}

TOOL_KIND = {
    "bash": ev.SHELL,
    "write": ev.WRITE,
    "edit": ev.EDIT,
    "multiedit": ev.EDIT,
    "patch": ev.EDIT,
    "apply_patch": ev.EDIT,
    "read": ev.READ,
    "list": ev.READ,
    "glob": ev.SEARCH,
    "grep": ev.SEARCH,
    "webfetch": ev.WEB,
    "websearch": ev.WEB,
}
# OpenCode's own tools that touch no files; any other unknown tool (MCP tools are
# ``<server>_<tool>``) is judged as MCP: its path-looking arguments are accesses
BUILTIN_OTHER = frozenset(("todowrite", "todoread", "task", "skill", "question", "invalid", "batch", "lsp",
                           "codesearch", "plan_enter", "plan_exit"))
_PRE_CAPS = ev.Capabilities(can_ask=False, can_block=True, can_message=True)
_POST_CAPS = ev.Capabilities(can_ask=False, can_block=False, can_message=True)


def _str(v) -> str:
    return v if isinstance(v, str) else ""


def tool_accesses(tool: str, kind: str, args: dict, cwd: str):
    """OpenCode's argument names (``filePath``, ``patchText``) as accesses; None for shell."""
    if kind in (ev.WRITE, ev.EDIT, ev.READ):
        if tool in ("patch", "apply_patch"):
            from hookgate.adapters.codex import patch_accesses

            return patch_accesses(args.get("patchText") if "patchText" in args else args.get("patch"))
        mode = ev.MODE_READ if kind == ev.READ else ev.MODE_WRITE
        key = next((k for k in ("filePath", "path", "file_path") if k in args), "")
        if tool == "list" and not key:
            return [(".", mode, "list.path", True)]
        if not key:
            return [("", mode, f"{tool} (no file path)", False)]
        return [(args.get(key), mode, f"{tool}.{key}", True)]
    if kind == ev.SEARCH:
        base = _str(args.get("path")) or "."
        out = [(base, ev.MODE_READ, f"{tool}.path", True)]
        base_abs = base if os.path.isabs(base) else os.path.normpath(os.path.join(cwd, base))
        for k in ("include",) + (("pattern",) if tool == "glob" else ()):
            pat = _str(args.get(k))
            if pat:
                out.append((pat if pat.startswith("/") else base_abs.rstrip("/") + "/" + pat,
                            ev.MODE_READ, f"{tool}.{k} glob", False))
        return out
    return None


def parse(data: bytes, env: dict) -> ev.Event:
    obj = load_json_object(data)
    name = obj.get("hook_event_name")
    if not isinstance(name, str) or not name:
        raise BadInput("payload has no hook_event_name")
    phase = PHASE_OF.get(name, ev.OTHER_PHASE)
    cwd = _str(obj.get("cwd")) or os.getcwd()  # the plugin runs hookgate in OpenCode's directory
    cwd = os.path.abspath(cwd)
    session = _str(obj.get("session_id"))
    tool, kind, args = "", ev.OTHER, {}
    extra: dict = {"tool_use_id": _str(obj.get("call_id"))}
    if phase in (ev.PRE, ev.POST):
        given_tool = obj.get("tool")
        if not isinstance(given_tool, str) or not given_tool:
            raise BadInput(f"{name} payload has no tool")
        tool = given_tool
        given_args = obj.get("args")
        if given_args is None and phase == ev.POST:
            given_args = {}
        if not isinstance(given_args, dict):
            raise BadInput(f"{name} payload for {tool} has no args object")
        args = given_args
        kind = TOOL_KIND.get(tool, ev.OTHER if tool in BUILTIN_OTHER else ev.MCP)
        if kind == ev.SHELL:
            wd = _str(args.get("workdir"))
            if wd:
                cwd = os.path.normpath(os.path.join(cwd, wd))  # the command runs there
        else:
            acc = tool_accesses(tool, kind, args, cwd)
            if acc is not None:
                extra["accesses"] = acc
    return make_event(
        PLATFORM, obj, phase=phase, name=name, session=session, cwd=cwd, tool_kind=kind,
        tool_name=tool, tool_input=args, capabilities=_PRE_CAPS if phase == ev.PRE else _POST_CAPS,
        extra=extra, env=env,
    )


def render(event: ev.Event, decision) -> tuple[str, str, int]:
    outcome = decision.outcome
    if outcome == ev.ALLOW or not decision.message:
        return "", "", 0
    msg = _cap(decision.message)
    if event.phase == ev.PRE and outcome in (ev.BLOCK, ev.CHECKPOINT):
        return dumps({"decision": "deny", "reason": msg}) + "\n", "", 0
    if event.phase in (ev.PRE, ev.POST):
        return dumps({"decision": "warn", "message": msg}) + "\n", "", 0
    return "", "", 0


def classify_output(stdout: str, stderr: str, code: int) -> str:
    """What hookgate's OpenCode plugin does with this output (``platforms/opencode/hookgate.js``:
    ``verdict``). Any other non-zero exit or unreadable stdout also denies there (fail closed),
    but is not a shape hookgate emits: reported as invalid."""
    import json

    if code == 2:
        return "exit2-deny" if stderr.strip() else "invalid"
    if code != 0:
        return "invalid"
    text = stdout.strip()
    if not text:
        return "allow"
    try:
        obj = json.loads(text)
    except ValueError:
        return "invalid"
    if not isinstance(obj, dict):
        return "invalid"
    d = obj.get("decision")
    if d == "deny":
        return "deny" if isinstance(obj.get("reason"), str) and obj["reason"] else "invalid"
    if d == "warn":
        return "warn" if isinstance(obj.get("message"), str) and obj["message"] else "invalid"
    return "invalid"
