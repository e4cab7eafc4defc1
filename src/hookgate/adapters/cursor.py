"""Cursor adapter (docs/platforms.md §2; tests/realclients/; ADR 0010).

Events: ``preToolUse`` (every tool; Write/StrReplace/Delete/EditNotebook/ApplyPatch and
payloads without ``tool_name``), ``beforeShellExecution``, ``beforeMCPExecution``,
``beforeReadFile`` (decided); ``afterFileEdit`` (a write that slipped past: recorded as a
violation and reported to the agent on its next call); ``sessionStart``, ``sessionEnd``,
``stop`` (recorded). ``preToolUse`` for Shell/MCP tools is recorded only: the same call is
decided once, at ``beforeShellExecution``/``beforeMCPExecution``, where Cursor enforces ``ask``.

Rendering, only shapes measured to work (``permission`` + ``user_message`` + ``agent_message``):
- allow → no output, exit 0 (never ``permission: "allow"``: hookgate never widens permissions);
- warn → ``agent_message`` only;
- checkpoint → ``permission: "ask"`` on shell/MCP (``can_ask``); elsewhere the chain has
  already turned it into a block carrying the approval instructions;
- block → ``permission: "deny"`` + ``user_message`` + ``agent_message``;
- bad input / internal error on a guard event → exit 2 with a one-line stderr reason (denies
  in Cursor; the wiring also sets ``failClosed: true``).
"""

from __future__ import annotations

from hookgate.state import jsonio as json
import os

from hookgate.core import event as ev
from hookgate.state.paths import is_under
from hookgate.adapters.base import BadInput, dumps, load_json_object, make_event, render_failure  # noqa: F401 - the shared failure shape
from hookgate.adapters.base import cap as _cap

PLATFORM = "cursor"
ADR = "adr/0010-cursor-and-gemini-adapters.md"

PHASE_OF = {
    "preToolUse": ev.PRE,
    "beforeShellExecution": ev.PRE,
    "beforeMCPExecution": ev.PRE,
    "beforeReadFile": ev.PRE,
    "afterFileEdit": ev.POST,
    "postToolUse": ev.POST,
    "postToolUseFailure": ev.POST,
    "afterShellExecution": ev.POST,
    "afterMCPExecution": ev.POST,
    "sessionStart": ev.SESSION_START,
    "sessionEnd": ev.SESSION_END,
    "stop": ev.OTHER_PHASE,
}

# the events the installer wires (all documented in Cursor's hooks docs; an unknown name voids
# the whole hooks.json) and the ones among them that guard (failClosed: true)
WIRED_EVENTS = (
    "preToolUse", "beforeShellExecution", "beforeMCPExecution", "beforeReadFile",
    "afterFileEdit", "sessionStart", "sessionEnd", "stop",
)
GUARD_EVENTS = frozenset(("preToolUse", "beforeShellExecution", "beforeMCPExecution", "beforeReadFile"))
DOCUMENTED_EVENTS = frozenset(PHASE_OF) | frozenset((
    "subagentStart", "subagentStop", "beforeSubmitPrompt", "preCompact", "afterAgentResponse",
    "afterAgentThought", "beforeTabFileRead", "afterTabFileEdit", "workspaceOpen",
))

TOOL_KIND = {
    "Shell": ev.SHELL,
    "Write": ev.WRITE,
    "Delete": ev.WRITE,
    "StrReplace": ev.EDIT,
    "Edit": ev.EDIT,
    "MultiEdit": ev.EDIT,
    "EditNotebook": ev.EDIT,
    "ApplyPatch": ev.EDIT,
    "Read": ev.READ,
    "LS": ev.READ,
    "Grep": ev.SEARCH,
    "Glob": ev.SEARCH,
    "WebFetch": ev.WEB,
    "WebSearch": ev.WEB,
    "CallMcpTool": ev.MCP,
}
_WRITE_KEYS = ("file_path", "path", "target_file", "target_notebook", "notebook_path", "filePath")
_ASK_CAPS = ev.Capabilities(can_ask=True, can_block=True, can_message=True)
_PRE_CAPS = ev.Capabilities(can_ask=False, can_block=True, can_message=True)
_READ_CAPS = ev.Capabilities(can_ask=False, can_block=True, can_message=False)
_POST_CAPS = ev.Capabilities(can_ask=False, can_block=False, can_message=False)
_SESSION_CAPS = ev.Capabilities(can_ask=False, can_block=False, can_message=True)


def _str(v) -> str:
    return v if isinstance(v, str) else ""


def _cwd(obj: dict, env: dict, hint: str = "") -> str:
    """Cursor sends ``cwd`` on few events: else the workspace root holding *hint*, the first
    workspace root, ``CURSOR_PROJECT_DIR``, the hook's own cwd (project hooks run at the root)."""
    cwd = _str(obj.get("cwd"))
    if cwd:
        return os.path.abspath(cwd)
    roots = [r for r in obj.get("workspace_roots") or () if isinstance(r, str) and r]
    if hint and os.path.isabs(hint):
        for r in roots:
            if is_under(os.path.normpath(hint), os.path.normpath(r)):
                return os.path.normpath(r)
    if roots:
        return os.path.abspath(roots[0])
    return os.path.abspath(env.get("CURSOR_PROJECT_DIR") or env.get("CLAUDE_PROJECT_DIR") or os.getcwd())


def patch_paths(text: str) -> list[tuple[str, str]]:
    """(path, mode) for each file an ``*** Begin Patch`` body adds, updates, moves or deletes."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        for prefix, mode in (("*** Add File:", ev.MODE_WRITE), ("*** Update File:", ev.MODE_WRITE),
                             ("*** Delete File:", ev.MODE_DELETE), ("*** Move to:", ev.MODE_WRITE)):
            if line.startswith(prefix):
                p = line[len(prefix):].strip()
                if p:
                    out.append((p, mode))
    return out


def _infer_tool(inp: dict) -> str:
    """Field reports: write payloads sometimes arrive without ``tool_name``."""
    if "patch" in inp or any(isinstance(v, str) and "*** Begin Patch" in v for v in inp.values()):
        return "ApplyPatch"
    if "old_string" in inp or "new_string" in inp:
        return "StrReplace"
    if "command" in inp:
        return "Shell"
    if any(k in inp for k in _WRITE_KEYS):
        return "Write"  # unknown file tool: judged as the strictest (a write)
    raise BadInput("preToolUse payload has no tool_name and no recognisable tool_input")


def _tool_input(obj: dict, name: str) -> dict:
    inp = obj.get("tool_input")
    if isinstance(inp, str):  # beforeMCPExecution sends a JSON string
        try:
            inp = json.loads(inp) if inp.strip() else {}
        except ValueError:
            if "*** Begin Patch" in inp:
                return {"patch": inp}
            raise BadInput(f"{name} payload has a tool_input string that is not JSON") from None
    if inp is None:
        inp = {}
    if not isinstance(inp, dict):
        raise BadInput(f"{name} payload has a tool_input that is not an object")
    return inp


def _write_accesses(tool: str, inp: dict) -> list | None:
    """Explicit accesses where the shared analyser's Claude-shaped guess does not fit."""
    if tool == "ApplyPatch":
        text = next((v for v in (inp.get("patch"), inp.get("input"), inp.get("content")) if isinstance(v, str)), "")
        if not text:
            text = next((v for v in inp.values() if isinstance(v, str) and "*** Begin Patch" in v), "")
        found = patch_paths(text)
        if not found:  # cannot tell the target: an unresolved write, judged by its text
            return [(text[:2000] or "(empty patch)", ev.MODE_WRITE, "ApplyPatch body (no file header)", False)]
        return [(p, m, "ApplyPatch." + ("delete" if m == ev.MODE_DELETE else "file"), True) for p, m in found]
    mode = ev.MODE_DELETE if tool == "Delete" else ev.MODE_WRITE
    key = next((k for k in _WRITE_KEYS if k in inp), None)
    if key is None:
        return [("", mode, f"{tool} (no file path)", False)]
    return [(inp.get(key), mode, f"{tool}.{key}", True)]


def parse(data: bytes, env: dict) -> ev.Event:
    obj = load_json_object(data)  # accepts a UTF-8 BOM (Windows)
    name = obj.get("hook_event_name")
    if not isinstance(name, str) or not name:
        raise BadInput("payload has no hook_event_name")
    phase = PHASE_OF.get(name, ev.OTHER_PHASE)
    session = _str(obj.get("conversation_id")) or _str(obj.get("session_id"))
    tool_name, tool_kind, tool_input, hint = "", ev.OTHER, {}, ""
    caps = _SESSION_CAPS if phase in (ev.SESSION_START, ev.SESSION_END) else _POST_CAPS
    extra: dict = {"tool_use_id": _str(obj.get("tool_use_id")), "generation_id": _str(obj.get("generation_id"))}
    cwd_override = ""
    if name == "preToolUse":
        inp = _tool_input(obj, name)
        tool_name = _str(obj.get("tool_name")) or _infer_tool(inp)
        tool_input = inp
        if tool_name.startswith("MCP:") or tool_name.startswith("mcp_"):
            tool_kind = ev.MCP
        else:
            tool_kind = TOOL_KIND.get(tool_name, ev.OTHER)
        caps = _PRE_CAPS
        if tool_kind in (ev.SHELL, ev.MCP) and obj.get("tool_name"):
            # decided once, at beforeShellExecution/beforeMCPExecution (which can ask): ADR 0010
            phase = ev.OTHER_PHASE
            extra["decided_at"] = "beforeShellExecution" if tool_kind == ev.SHELL else "beforeMCPExecution"
        elif tool_kind == ev.SHELL:
            cwd_override = _str(inp.get("working_directory"))
        elif tool_kind in (ev.WRITE, ev.EDIT) and (tool_name in ("ApplyPatch", "Delete") or not any(
                k in inp for k in ("file_path", "notebook_path", "absolute_path", "path"))):
            extra["accesses"] = _write_accesses(tool_name, inp)
        hint = next((inp[k] for k in _WRITE_KEYS if isinstance(inp.get(k), str)), "")
    elif name == "beforeShellExecution":
        command = obj.get("command")
        if not isinstance(command, str):
            raise BadInput("beforeShellExecution payload has no command string")
        tool_name, tool_kind, caps = "Shell", ev.SHELL, _ASK_CAPS
        tool_input = {"command": command}
        if "sandbox" in obj:
            tool_input["sandbox"] = obj["sandbox"]
    elif name == "beforeMCPExecution":
        inp = _tool_input(obj, name)
        tool = _str(obj.get("tool_name"))
        if not tool:
            raise BadInput("beforeMCPExecution payload has no tool_name")
        tool_name, tool_kind, tool_input, caps = "MCP:" + tool, ev.MCP, inp, _ASK_CAPS
        extra["mcp_server"] = _str(obj.get("mcp_server_name"))
    elif name in ("beforeReadFile", "afterFileEdit"):
        path = obj.get("file_path")
        if not isinstance(path, str) or not path:
            raise BadInput(f"{name} payload has no file_path")
        hint = path
        if name == "beforeReadFile":
            tool_name, tool_kind, caps = "Read", ev.READ, _READ_CAPS
            tool_input = {"file_path": path}  # never the file's content: it would land in the ledger
            acc = [(path, ev.MODE_READ, "beforeReadFile.file_path", True)]
            for a in obj.get("attachments") or ():
                if isinstance(a, dict) and isinstance(a.get("file_path"), str) and a["file_path"]:
                    acc.append((a["file_path"], ev.MODE_READ, f"beforeReadFile.attachments[{a.get('type', '')}]", True))
            if len(acc) > 1:
                tool_input["attachments"] = [x[0] for x in acc[1:]]
            extra["accesses"] = acc
        else:
            tool_name, tool_kind = "Write", ev.WRITE
            edits = obj.get("edits")
            tool_input = {"file_path": path, "edits": len(edits) if isinstance(edits, list) else 0}
    cwd = os.path.abspath(cwd_override) if cwd_override and os.path.isabs(cwd_override) else _cwd(obj, env, hint)
    if cwd_override and not os.path.isabs(cwd_override):
        cwd = os.path.normpath(os.path.join(cwd, cwd_override))
    return make_event(
        PLATFORM, obj, phase=phase, name=name, session=session, cwd=cwd, tool_kind=tool_kind,
        tool_name=tool_name, tool_input=tool_input, capabilities=caps, extra=extra, env=env,
        workspace_roots=obj.get("workspace_roots") if isinstance(obj.get("workspace_roots"), list) else (),
        hint=hint if isinstance(hint, str) else "",
    )




def _first_line(s: str) -> str:
    return _cap(s.split("\n", 1)[0])


# Cursor reports some edits only after the fact: the core records a protected one as a
# violation and hands the session's next guard call its report (``core.cursor_violations``,
# ADR 0010); this adapter only renders that report.
AFTER_EDIT_EVENT = "afterFileEdit"


def render(event: ev.Event, decision, pending: str = "") -> tuple[str, str, int]:
    """*pending*: the report of this session's earlier violations, to deliver with a deny."""
    if event.event_name == AFTER_EDIT_EVENT:
        return "", "", 0
    outcome = decision.outcome
    msg = _cap(decision.message or "")
    if pending:
        text = pending if outcome != ev.BLOCK else pending + "\n" + msg
        out = {"permission": "deny", "user_message": _first_line(text), "agent_message": _cap(text)}
        return dumps(out) + "\n", "", 0
    if outcome == ev.ALLOW or not msg:
        return "", "", 0
    if event.phase == ev.PRE:
        if outcome == ev.BLOCK:
            out = {"permission": "deny", "user_message": _first_line(msg), "agent_message": msg}
        elif outcome == ev.CHECKPOINT and event.capabilities.can_ask:
            out = {"permission": "ask", "user_message": _cap(decision.reason or _first_line(msg)), "agent_message": msg}
        elif outcome == ev.CHECKPOINT:  # defensive: the chain turns this into a block already
            out = {"permission": "deny", "user_message": _first_line(msg), "agent_message": msg}
        else:  # warn: allowed, with a message for the agent
            out = {"agent_message": msg}
        return dumps(out) + "\n", "", 0
    if event.phase == ev.SESSION_START:
        return dumps({"additional_context": msg}) + "\n", "", 0
    return "", "", 0




def classify_output(stdout: str, stderr: str, code: int) -> str:
    """What Cursor does with this output: allow | warn | ask | deny | exit2-deny | invalid."""
    if code == 2:
        return "exit2-deny"  # Cursor blocks on exit 2, with or without stderr
    if code != 0:
        return "invalid"  # a hook failure: fail-open unless failClosed
    text = stdout.strip()
    if not text:
        return "allow"
    try:
        obj = json.loads(text)
    except ValueError:
        return "invalid"
    if not isinstance(obj, dict):
        return "invalid"
    perm = obj.get("permission")
    if perm == "deny":
        return "deny" if (obj.get("agent_message") or obj.get("user_message")) else "invalid"
    if perm == "ask":
        return "ask"
    if perm is not None:
        return "invalid"  # "allow" would widen permissions; anything else is not Cursor's
    if obj.get("agent_message") or obj.get("additional_context"):
        return "warn"
    return "allow"


def defer_claude_hook(obj: dict, env: dict) -> bool:
    """True when Cursor runs hookgate's *Claude Code* wiring (third-party hooks) while hookgate's
    own Cursor wiring is installed: the call is decided by the Cursor wiring, so the Claude
    one only records it (ADR 0011). Needs Cursor's payload envelope, Cursor's env, no
    ``CLAUDECODE`` (Claude Code sets it; a Cursor terminal's env could leak CURSOR_*)."""
    if env.get("CLAUDECODE") or not env.get("CURSOR_VERSION"):
        return False
    if "cursor_version" not in obj and "workspace_roots" not in obj:
        return False
    roots = [r for r in obj.get("workspace_roots") or () if isinstance(r, str)]
    roots.append(env.get("CURSOR_PROJECT_DIR") or "")
    home = env.get("HOME") or os.path.expanduser("~")
    files = [os.path.join(r, ".cursor", "hooks.json") for r in roots if r] + [os.path.join(home, ".cursor", "hooks.json")]
    from hookgate.state.paths import read_regular

    for f in files:
        data = read_regular(f, 1 << 20)  # a FIFO planted there cannot hang the hook (ADR 0018)
        if data is not None and b" hook --platform cursor" in data:
            return True
    return False
