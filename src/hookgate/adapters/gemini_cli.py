"""Gemini CLI adapter (docs/platforms.md §3; tests/realclients/; ADR 0010).

Events: ``BeforeTool`` (decided), ``AfterTool``, ``SessionStart``, ``SessionEnd`` (recorded).
Tools: write_file, replace, run_shell_command, read_file, read_many_files, grep_search
(old: search_file_content), glob, list_directory, mcp_*; old parameter spellings
(``absolute_path``, ``path``, ``directory``) are accepted. File paths are exactly what the
model sent — often relative to ``cwd`` — and are resolved against it (``dir_path`` for shell).

Rendering (stdout carries nothing but this JSON):
- allow → no output, exit 0 (never ``decision: "allow"``);
- warn → ``systemMessage`` (user) + ``hookSpecificOutput.additionalContext`` (agent);
- block → ``decision: "deny"`` + ``reason`` (to the agent, as the tool error) + ``systemMessage``;
- checkpoint → ``decision: "ask"`` only when native ask is opted in: it hangs headless
  ``gemini -p`` forever (tests/realclients/), so by default ``can_ask`` is False and the chain
  renders a checkpoint as a deny carrying the approval instructions;
- bad input / internal error on BeforeTool → exit 2 with a one-line stderr reason (Gemini
  turns non-JSON output with exit ≥ 2 into a deny).
"""

from __future__ import annotations

from hookgate.state import jsonio as json
import os

from hookgate.core import event as ev
from hookgate.adapters.base import BadInput, dumps, load_json_object, make_event, render_failure, tool_call  # noqa: F401 - the shared failure shape
from hookgate.adapters.base import cap as _cap

PLATFORM = "gemini-cli"
NATIVE_ASK_ENV = "HOOKGATE_GEMINI_NATIVE_ASK"  # "1": render checkpoints as decision "ask" (≥ 0.36, interactive)

PHASE_OF = {
    "BeforeTool": ev.PRE,
    "AfterTool": ev.POST,
    "SessionStart": ev.SESSION_START,
    "SessionEnd": ev.SESSION_END,
}
WIRED_EVENTS = ("BeforeTool", "AfterTool", "SessionStart", "SessionEnd")

TOOL_KIND = {
    "write_file": ev.WRITE,
    "replace": ev.EDIT,
    "edit": ev.EDIT,
    "run_shell_command": ev.SHELL,
    "read_file": ev.READ,
    "read_many_files": ev.READ,
    "list_directory": ev.READ,
    "grep_search": ev.SEARCH,
    "search_file_content": ev.SEARCH,
    "glob": ev.SEARCH,
    "web_fetch": ev.WEB,
    "google_web_search": ev.WEB,
}
_GLOB_CHARS = frozenset("*?[{")
_ASK_CAPS = ev.Capabilities(can_ask=True, can_block=True, can_message=True)
_PRE_CAPS = ev.Capabilities(can_ask=False, can_block=True, can_message=True)
_POST_CAPS = ev.Capabilities(can_ask=False, can_block=False, can_message=True)


def _first_str(inp: dict, *keys: str) -> tuple[str, str]:
    for k in keys:
        v = inp.get(k)
        if isinstance(v, str) and v:
            return k, v
    return "", ""


def _pattern(base: str, pat: str) -> str:
    return pat if pat.startswith("/") else base.rstrip("/") + "/" + pat


def tool_accesses(name: str, inp: dict, cwd: str):
    """Explicit accesses for the tools whose shape the shared analyser does not know; None for
    the rest (write_file, replace, read_file: ``file_path``/``absolute_path``/``path``)."""
    if name == "list_directory":
        key, d = _first_str(inp, "dir_path", "path", "directory")
        return [(d or ".", ev.MODE_READ, f"{name}.{key or 'dir_path'}", True)]
    if name in ("grep_search", "search_file_content", "glob"):
        key, base = _first_str(inp, "dir_path", "path", "directory")
        base = base or "."
        out = [(base, ev.MODE_READ, f"{name}.{key or 'dir_path'}", True)]
        base_abs = base if base.startswith("/") else os.path.normpath(os.path.join(cwd, base))
        pkeys = ("pattern",) if name == "glob" else ("include_pattern", "include")
        for k in pkeys:
            pat = inp.get(k)
            if isinstance(pat, str) and pat:
                out.append((_pattern(base_abs, pat), ev.MODE_READ, f"{name}.{k} glob", False))
        return out
    if name == "read_many_files":
        out = []
        for k in ("include", "paths"):
            items = inp.get(k)
            if isinstance(items, str):
                items = [items]
            for p in items or ():
                if not isinstance(p, str) or not p:
                    continue
                if _GLOB_CHARS & set(p):
                    out.append((_pattern(cwd, p), ev.MODE_READ, f"{name}.{k} glob", False))
                else:
                    out.append((p, ev.MODE_READ, f"{name}.{k}", True))
        if not out:
            out.append(("", ev.MODE_READ, f"{name} (no include)", False))
        return out
    return None


def parse(data: bytes, env: dict) -> ev.Event:
    obj = load_json_object(data)
    name = obj.get("hook_event_name")
    if not isinstance(name, str) or not name:
        raise BadInput("payload has no hook_event_name")
    phase = PHASE_OF.get(name, ev.OTHER_PHASE)
    cwd = obj.get("cwd")
    if not isinstance(cwd, str) or not cwd:
        cwd = env.get("GEMINI_CWD") or env.get("GEMINI_PROJECT_DIR") or os.getcwd()
    cwd = os.path.abspath(cwd)
    session = obj.get("session_id")
    session = session if isinstance(session, str) else ""
    tool_name, tool_kind, tool_input = "", ev.OTHER, {}
    extra: dict = {}
    caps = _POST_CAPS
    if phase in (ev.PRE, ev.POST):
        tool_name, tool_input = tool_call(obj, name)
        tool_kind = ev.MCP if tool_name.startswith("mcp_") else TOOL_KIND.get(tool_name, ev.OTHER)
        if tool_kind == ev.SHELL:
            _, d = _first_str(tool_input, "dir_path", "directory")
            if d:
                cwd = os.path.normpath(os.path.join(cwd, d))  # the command runs there
        else:
            acc = tool_accesses(tool_name, tool_input, cwd)
            if acc is not None:
                extra["accesses"] = acc
        if isinstance(obj.get("mcp_context"), dict):
            extra["mcp_server"] = obj["mcp_context"].get("server_name", "")
        if phase == ev.PRE:
            caps = _ASK_CAPS if env.get(NATIVE_ASK_ENV) == "1" else _PRE_CAPS
    return make_event(
        PLATFORM, obj, phase=phase, name=name, session=session, cwd=cwd, tool_kind=tool_kind,
        tool_name=tool_name, tool_input=tool_input, capabilities=caps, extra=extra, env=env,
    )




def render(event: ev.Event, decision) -> tuple[str, str, int]:
    outcome = decision.outcome
    if outcome == ev.ALLOW or not decision.message:
        return "", "", 0
    msg = _cap(decision.message)
    short = _cap(decision.message.split("\n", 1)[0])
    if event.phase == ev.PRE:
        if outcome == ev.BLOCK or (outcome == ev.CHECKPOINT and not event.capabilities.can_ask):
            out: dict = {"decision": "deny", "reason": msg, "systemMessage": short}
        elif outcome == ev.CHECKPOINT:
            out = {"decision": "ask", "reason": msg, "systemMessage": _cap(decision.reason or short)}
        else:
            out = {"systemMessage": short,
                   "hookSpecificOutput": {"hookEventName": "BeforeTool", "additionalContext": msg}}
        return dumps(out) + "\n", "", 0
    if event.phase == ev.POST:
        if outcome in (ev.BLOCK, ev.CHECKPOINT):
            return dumps({"decision": "deny", "reason": msg, "systemMessage": short}) + "\n", "", 0
        return dumps({"hookSpecificOutput": {"hookEventName": "AfterTool", "additionalContext": msg}}) + "\n", "", 0
    if event.phase == ev.SESSION_START:
        return dumps({"systemMessage": short,
                      "hookSpecificOutput": {"hookEventName": "SessionStart", "additionalContext": msg}}) + "\n", "", 0
    return "", "", 0




def classify_output(stdout: str, stderr: str, code: int) -> str:
    """What Gemini CLI does with this output (hookRunner: stdout, else stderr, is JSON-parsed;
    parsed JSON decides whatever the exit code; plain text: exit ≥ 2 denies)."""
    text = stdout.strip() or stderr.strip()
    obj = None
    if text:
        try:
            obj = json.loads(text)
        except ValueError:
            obj = None
    if isinstance(obj, dict):
        d = obj.get("decision")
        if d in ("deny", "block"):
            return "deny"
        if d == "ask":
            return "ask"
        if d in ("allow", "approve"):
            return "invalid"  # hookgate never says allow
        if d is not None:
            return "invalid"
        hso = obj.get("hookSpecificOutput") or {}
        if obj.get("systemMessage") or (isinstance(hso, dict) and hso.get("additionalContext")):
            return "warn"
        return "allow"
    if code == 0:
        return "allow" if not stdout.strip() else "invalid"  # plain text on stdout: allowed, with noise
    if code >= 2:
        return "exit2-deny" if text else "invalid"
    return "invalid"
