"""GitHub Copilot CLI adapter (docs/platforms.md §5; tests/realclients/; ADR 0023).

Wiring: ``.github/hooks/hookgate.json`` (repository — Copilot loads it only when the folder is
trusted, ``trusted_folders`` in ``~/.copilot/config.json``; doctor says so) and
``~/.copilot/hooks/hookgate.json`` (user), ``{"version": 1, "hooks": {"PreToolUse": [handler]}}``.

**Key spelling: PascalCase** (``PreToolUse``, ``PostToolUse``, ``SessionStart``, ``SessionEnd``).
Copilot chooses the payload and output protocol by how the event key is spelled (measured,
1.0.102): PascalCase gets Claude's payload (``hook_event_name``, ``session_id``, ``cwd``,
``tool_name`` mapped to Claude's names — ``bash``→``Bash``, ``view``→``Read``, ``create``→
``Write``, ``edit``→``Edit``, ``grep``→``Grep``, ``glob``→``Glob`` — and ``tool_input`` with
Copilot's own argument names: ``path``, ``file_text``, ``old_str``/``new_str``, ``paths``) and
honours Claude's output, forwarding the deny reason to the model. camelCase (``preToolUse``)
sends ``toolName``/``toolArgs`` without an event name and *ignores* Claude's output, so a
camelCase payload is refused here as bad input (a deny) rather than guessed at.

Rendering:
- allow → no output, exit 0;
- warn → ``hookSpecificOutput.additionalContext``;
- checkpoint → no native ask is relied on (``ask`` is unmeasured under PascalCase and denies
  under the cloud agent): ``can_ask`` is False, so the chain renders a deny carrying the
  approval-queue instructions;
- block → ``decision: "block"`` + ``hookSpecificOutput.permissionDecision: "deny"`` (measured);
- bad input / internal error → exit 2 with a one-line stderr reason (``preToolUse`` command
  hooks fail *closed* on a non-zero exit).
Copilot fails **open** on malformed output and on a timeout: stdout is only ever one JSON
object (``dumps``), and the wiring gives the hook 30 s, far above its deadline.
"""

from __future__ import annotations

import os

from hookgate.core import event as ev
from hookgate.adapters.base import BadInput, dumps, load_json_object, make_event, render_failure, tool_call  # noqa: F401 - the shared failure shape
from hookgate.adapters.base import render_claude_shaped

PLATFORM = "copilot-cli"
ADR = "adr/0023-codex-copilot-qwen-opencode-adapters.md"

PHASE_OF = {
    "PreToolUse": ev.PRE,
    "PostToolUse": ev.POST,
    "PostToolUseFailure": ev.POST,
    "SessionStart": ev.SESSION_START,
    "SessionEnd": ev.SESSION_END,
}
WIRED_EVENTS = ("PreToolUse", "PostToolUse", "SessionStart", "SessionEnd")

# Claude's names (PascalCase payloads) and Copilot's runtime names (in case a build passes them)
TOOL_KIND = {
    "Bash": ev.SHELL, "bash": ev.SHELL, "PowerShell": ev.SHELL, "powershell": ev.SHELL,
    "write_bash": ev.SHELL, "write_powershell": ev.SHELL,
    "Write": ev.WRITE, "create": ev.WRITE,
    "Edit": ev.EDIT, "edit": ev.EDIT, "str_replace_editor": ev.EDIT, "apply_patch": ev.EDIT,
    "Read": ev.READ, "view": ev.READ,
    "Grep": ev.SEARCH, "grep": ev.SEARCH, "rg": ev.SEARCH, "Glob": ev.SEARCH, "glob": ev.SEARCH,
    "WebFetch": ev.WEB, "web_fetch": ev.WEB,
}
# Copilot's own tools that touch no files; any other unknown tool (an MCP server's) is judged
# as MCP: its path-looking arguments are accesses
BUILTIN_OTHER = frozenset(("read_bash", "stop_bash", "list_bash", "read_powershell", "stop_powershell",
                           "list_powershell", "fetch_copilot_cli_documentation", "skill", "sql", "session_store_sql",
                           "read_agent", "list_agents", "write_agent", "task", "Agent", "report_intent",
                           "update_todo", "ask_user"))
_PRE_CAPS = ev.Capabilities(can_ask=False, can_block=True, can_message=True)
_POST_CAPS = ev.Capabilities(can_ask=False, can_block=False, can_message=True)


def _paths(inp: dict) -> list[str]:
    v = inp.get("paths", inp.get("path"))
    if isinstance(v, str):
        return [v] if v else []
    return [p for p in v if isinstance(p, str) and p] if isinstance(v, list) else []


def tool_accesses(name: str, kind: str, inp: dict, cwd: str):
    """Accesses where Copilot's argument names differ from Claude's; None where the shared
    analyser already reads them (``path`` of view/create/edit)."""
    if kind == ev.SEARCH:
        bases = _paths(inp) or ["."]
        out = [(b, ev.MODE_READ, f"{name}.paths", True) for b in bases]
        for k in ("glob", "include") + (("pattern",) if name in ("Glob", "glob") else ()):
            pat = inp.get(k)
            if isinstance(pat, str) and pat:
                for b in bases:
                    base = b if os.path.isabs(b) else os.path.normpath(os.path.join(cwd, b))
                    out.append((pat if pat.startswith("/") else base.rstrip("/") + "/" + pat,
                                ev.MODE_READ, f"{name}.{k} glob", False))
        return out
    if name in ("apply_patch",):
        from hookgate.adapters.codex import patch_accesses

        text = next((v for v in inp.values() if isinstance(v, str) and "*** Begin Patch" in v), "")
        return patch_accesses(text)
    return None


def parse(data: bytes, env: dict) -> ev.Event:
    obj = load_json_object(data)
    name = obj.get("hook_event_name")
    if not isinstance(name, str) or not name:
        if "toolName" in obj or "toolArgs" in obj:
            raise BadInput("camelCase Copilot payload (toolName/toolArgs): hookgate is wired with the "
                           "PascalCase event keys (PreToolUse); reinstall with `hookgate install --platform copilot-cli`")
        raise BadInput("payload has no hook_event_name")
    phase = PHASE_OF.get(name, ev.OTHER_PHASE)
    cwd = obj.get("cwd")
    if not isinstance(cwd, str) or not cwd:
        cwd = os.getcwd()
    cwd = os.path.abspath(cwd)
    session = obj.get("session_id")
    session = session if isinstance(session, str) else ""
    tool_name, kind, tool_input = "", ev.OTHER, {}
    extra: dict = {}
    if phase in (ev.PRE, ev.POST):
        tool_name, tool_input = tool_call(obj, name)
        kind = TOOL_KIND.get(tool_name, ev.OTHER if tool_name in BUILTIN_OTHER else ev.MCP)
        if kind == ev.SHELL and not isinstance(tool_input.get("command"), str) and isinstance(tool_input.get("input"), str):
            tool_input = dict(tool_input, command=tool_input["input"])  # write_bash: text typed into a shell
        elif kind != ev.SHELL:
            acc = tool_accesses(tool_name, kind, tool_input, cwd)
            if acc is not None:
                extra["accesses"] = acc
    return make_event(
        PLATFORM, obj, phase=phase, name=name, session=session, cwd=cwd, tool_kind=kind,
        tool_name=tool_name, tool_input=tool_input, capabilities=_PRE_CAPS if phase == ev.PRE else _POST_CAPS,
        extra=extra, env=env,
    )


def render(event: ev.Event, decision) -> tuple[str, str, int]:
    return render_claude_shaped(event, decision, ask=False)


def classify_output(stdout: str, stderr: str, code: int) -> str:
    """What Copilot CLI does with this output from a PascalCase ``PreToolUse`` hook."""
    import json

    if code == 2:
        return "exit2-deny"  # denies, with or without stderr (the reason is not forwarded)
    if code != 0:
        return "invalid"  # fail-closed, but not a shape hookgate emits
    text = stdout.strip()
    if not text:
        return "allow"
    try:
        obj = json.loads(text)
    except ValueError:
        return "invalid"  # malformed output: Copilot fails open
    if not isinstance(obj, dict):
        return "invalid"
    hso = obj.get("hookSpecificOutput") or {}
    if not isinstance(hso, dict):
        return "invalid"
    top = obj.get("decision")
    pd = hso.get("permissionDecision", obj.get("permissionDecision"))
    if top not in (None, "approve", "block") or pd not in (None, "allow", "deny", "ask"):
        return "invalid"
    if top == "block" or pd == "deny":
        reason = obj.get("reason") or hso.get("permissionDecisionReason") or obj.get("permissionDecisionReason")
        return "deny" if reason else "invalid"
    if pd == "ask":
        return "ask"
    if pd == "allow" or top == "approve":
        return "invalid"  # hookgate never widens permissions
    if hso.get("additionalContext"):
        return "warn"
    return "allow"
