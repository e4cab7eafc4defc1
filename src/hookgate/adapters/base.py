"""The adapter interface (ADR 0002). Platforms differ only here.

An adapter is a module with:

- ``PLATFORM``: its id; ``parse(data: bytes, env: dict) -> Event`` (raises ``BadInput``);
- ``render(event, decision) -> (stdout: str, stderr: str, exit_code: int)``;
- ``render_failure(reason: str, phase: str | None) -> (stdout, stderr, exit_code)``: the
  explicit deny used for bad input and internal errors (every platform fails open on a
  crash, so hookgate never crashes).
"""

from __future__ import annotations

from hookgate.state import jsonio as json
from hookgate.errors import HookgateError


class BadInput(HookgateError):
    """stdin that hookgate cannot decide on; str() is a one-line reason."""


# ADR 0018: parsing runs in C, where the deadline alarm cannot interrupt it, and its time grows
# with the number of values (a 32 MiB object of short keys takes ~10 s), not with the bytes.
# A hook payload holds a few fields; more separators than this outside strings is refused.
MAX_JSON_VALUES = 250_000


def too_many_values(data: bytes) -> int:
    """The number of ``,``/``:``/``[``/``{`` outside strings when it is above MAX_JSON_VALUES,
    else 0. Byte-level counts only (C speed): strings are cut out only for a payload whose raw
    count is already high (a big file's content full of commas is fine)."""
    n = data.count(b",") + data.count(b":")
    if n <= MAX_JSON_VALUES:
        return 0
    if data.count(b'"') > 2 * MAX_JSON_VALUES:
        return data.count(b'"') // 2
    parts = data.replace(b"\\\\", b"").replace(b'\\"', b"").split(b'"')
    outside = b"".join(parts[0::2])
    n = sum(outside.count(c) for c in (b",", b":", b"[", b"{"))
    return n if n > MAX_JSON_VALUES else 0


def load_json_object(data: bytes) -> dict:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise BadInput("empty stdin (expected the hook's JSON payload)")
    many = too_many_values(data)
    if many:
        raise BadInput(f"stdin JSON has about {many:,} values (more than {MAX_JSON_VALUES:,} cannot be decided in time)")
    try:
        obj = json.loads(data)
    except UnicodeDecodeError:
        raise BadInput("stdin is not UTF-8 JSON") from None
    except RecursionError:
        raise BadInput("stdin JSON is nested too deeply") from None
    except ValueError as e:
        raise BadInput(f"stdin is not valid JSON ({str(e).split(':')[0]})") from None
    if not isinstance(obj, dict):
        raise BadInput(f"stdin JSON is a {type(obj).__name__}, expected an object")
    return obj


MAX_TEXT = 9500  # Claude caps hook strings at 10,000 characters; the others take as much


def cap(s: str) -> str:
    """A message cut to what every platform shows whole."""
    return s if len(s) <= MAX_TEXT else s[: MAX_TEXT - 1] + "…"


def render_failure(reason: str, phase: str | None) -> tuple[str, str, int]:
    """The explicit deny for bad input and internal errors: exit 2 with one stderr line denies
    a pre-event on every platform measured (tests/realclients/); after the fact, exit 1 reports it."""
    from hookgate.core import event as ev

    line = " ".join(reason.split())[:1000]
    if phase in (None, ev.PRE):
        return "", f"hookgate: denied: {line}\n", 2
    return "", f"hookgate: {line}\n", 1


def tool_call(obj: dict, event_name: str) -> tuple[str, dict]:
    """(tool_name, tool_input) of a pre/post tool payload; BadInput when either is missing."""
    tool_name = obj.get("tool_name")
    if not isinstance(tool_name, str) or not tool_name:
        raise BadInput(f"{event_name} payload has no tool_name")
    tool_input = obj.get("tool_input")
    if not isinstance(tool_input, dict):
        raise BadInput(f"{event_name} payload for {tool_name} has no tool_input object")
    return tool_name, tool_input


def make_event(platform: str, obj: dict, *, phase, name, session, cwd, tool_kind, tool_name, tool_input,
               capabilities, extra, env: dict | None = None, workspace_roots=(), hint: str = ""):
    """The Event every adapter builds once it has read its payload. The project root (config,
    state, ledger) comes from what the platform controls — *workspace_roots* it listed, its
    project-dir env, the hook process's cwd (ADR 0018) — never from *cwd*, which the model may
    set and which is only where the tool runs. ``transcript_path`` is taken from the payload
    when it is a string (it is opened only as a bounded regular file: budget/transcript.py)."""
    import os

    from hookgate.core import event as ev
    from hookgate.state.paths import governed_root

    transcript = obj.get("transcript_path")
    root = governed_root(platform, os.environ if env is None else env, workspace_roots, hint)
    return ev.Event(
        platform=platform, phase=phase, event_name=name, session_id=session, cwd=cwd,
        project_root=root, tool_kind=tool_kind, tool_name=tool_name,
        tool_input=tool_input, raw=obj, capabilities=capabilities,
        transcript_path=transcript if isinstance(transcript, str) else "", extra=extra,
    )


def dumps(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def render_claude_shaped(event, decision, ask: bool, warn_summary: bool = False,
                         post_event_name: str = "PostToolUse") -> tuple[str, str, int]:
    """Claude Code's hook output, which Codex, Copilot CLI and Qwen Code speak too (ADR 0010,
    ADR 0023): a deny as ``permissionDecision: "deny"`` (plus the legacy ``decision: "block"``),
    a checkpoint as ``"ask"`` where the platform enforces it (*ask*) and as a deny elsewhere, a
    warn as ``additionalContext`` (with the first line as ``systemMessage`` too, *warn_summary*).
    After the fact: ``decision: "block"`` or context (*post_event_name* "" = the event's own
    name); at session start: context."""
    from hookgate.core import event as ev

    outcome = decision.outcome
    if outcome == ev.ALLOW or not decision.message:
        return "", "", 0
    msg = cap(decision.message)
    if event.phase == ev.PRE:
        if outcome == ev.BLOCK or (outcome == ev.CHECKPOINT and not ask):
            out = {"decision": "block", "reason": msg,
                   "hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny",
                                          "permissionDecisionReason": msg}}
        elif outcome == ev.CHECKPOINT:
            out = {"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "ask",
                                          "permissionDecisionReason": cap(decision.reason or msg),
                                          "additionalContext": msg}}
        elif warn_summary:
            out = {"systemMessage": cap(decision.message.split("\n", 1)[0]),
                   "hookSpecificOutput": {"hookEventName": "PreToolUse", "additionalContext": msg}}
        else:
            out = {"hookSpecificOutput": {"hookEventName": "PreToolUse", "additionalContext": msg}}
        return dumps(out) + "\n", "", 0
    if event.phase == ev.POST:
        if outcome in (ev.BLOCK, ev.CHECKPOINT):
            return dumps({"decision": "block", "reason": msg}) + "\n", "", 0
        name = post_event_name or event.event_name
        return dumps({"hookSpecificOutput": {"hookEventName": name, "additionalContext": msg}}) + "\n", "", 0
    if event.phase == ev.SESSION_START:
        return dumps({"hookSpecificOutput": {"hookEventName": "SessionStart", "additionalContext": msg}}) + "\n", "", 0
    return "", "", 0
