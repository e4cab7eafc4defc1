"""The action a checkpoint holds, normalised and platform-neutral (ADR 0012).

An approval is bound to a digest of *what would happen*, not of the platform's JSON: the tool
kind plus the input that matters — command string, cwd and options for a shell command; the
absolute path plus a digest of the new content for a write or edit; the path for a read; the
whole input for anything else. Envelope fields (session, tool_use_id, description, timeout)
are left out, so the same action retried later matches, and any change to the command, the
path or the content does not.
"""

from __future__ import annotations

from hookgate.core.event import record


from hookgate.core import event as ev
from hookgate.state.paths import normalize
from hookgate.core.redact import digest, redact_text

TYPE_CHECKING = False
if TYPE_CHECKING:  # the type checker's view of the record; at run time record() builds it
    from typing import Any, NamedTuple

    class Action(NamedTuple):
        kind: str
        digest: str
        summary: str
else:
    Action = record("Action", "kind digest summary")
    Action.__doc__ = """kind: the event's tool kind; digest: sha256 of the normalised action;
    summary: one redacted line for humans (``approvals list``)."""

SUMMARY_MAX = 300
PATH_KEYS = ("file_path", "path", "target_file", "notebook_path", "absolute_path", "filePath", "target_notebook")
# envelope / presentation keys that do not change what the action does
NOISE_KEYS = frozenset(("description", "instruction", "timeout", "timeout_ms"))
# directory keys the adapters already folded into event.cwd
DIR_KEYS = frozenset(("dir_path", "directory", "working_directory"))
CONTENT_ALIASES = {"contents": "content"}


def _one_line(s: str) -> str:
    s = " ".join(str(s).split())
    return s if len(s) <= SUMMARY_MAX else s[: SUMMARY_MAX - 1] + "…"


def _path_of(inp: dict[str, Any]) -> tuple[str, str]:
    for k in PATH_KEYS:
        v = inp.get(k)
        if isinstance(v, str) and v:
            return k, v
    return "", ""


def action_of(event: ev.Event, home: str) -> Action:
    inp = event.tool_input if isinstance(event.tool_input, dict) else {}
    kind = event.tool_kind or ev.OTHER
    tool = event.tool_name or event.event_name or "action"
    if kind == ev.SHELL:
        cmd = inp.get("command")
        cmd = cmd if isinstance(cmd, str) else ""
        opts = {k: v for k, v in inp.items() if k != "command" and k not in NOISE_KEYS and k not in DIR_KEYS}
        material: dict[str, Any] = {"kind": kind, "command": cmd, "cwd": event.cwd, "opts": opts}
        summary = f"{tool}: {cmd} (in {event.cwd})"
        return Action(kind, digest(material), _one_line(redact_text(summary)))
    key, path = _path_of(inp)
    if kind in (ev.WRITE, ev.EDIT, ev.READ) and path:
        abs_path = normalize(path, event.cwd, home)
        if kind == ev.READ:
            material = {"kind": kind, "path": abs_path}
            return Action(kind, digest(material), _one_line(redact_text(f"{tool} {abs_path}")))
        body = {CONTENT_ALIASES.get(k, k): v for k, v in inp.items() if k != key and k not in NOISE_KEYS}
        content_digest = digest(body)
        material = {"kind": kind, "path": abs_path, "content": content_digest}
        text = body.get("content")
        if isinstance(text, str):
            what = f"{len(text.encode('utf-8', 'surrogatepass'))} bytes"
        elif isinstance(new := body.get("new_string"), str):
            old = body.get("old_string")
            what = f"replace {len(old) if isinstance(old, str) else 0} chars with {len(new)} chars"
        else:
            what = "change"
        summary = f"{tool} {abs_path} ({what}, content sha256 {content_digest[:12]})"
        return Action(kind, digest(material), _one_line(redact_text(summary)))
    material = {"kind": kind, "tool": event.tool_name, "cwd": event.cwd,
                "input": {k: v for k, v in inp.items() if k not in NOISE_KEYS}}
    shown = ", ".join(f"{k}={v}" for k, v in sorted(material["input"].items(), key=lambda kv: str(kv[0])))
    return Action(kind, digest(material), _one_line(redact_text(f"{tool} {shown}")))


# --- what the approver is shown (issue #16 item 7) ----------------------------------------------

PROPOSAL_MAX = 64 * 1024  # characters of command / content / strings kept for the approver


def _bounded(text: object, limit: int = PROPOSAL_MAX) -> tuple[str, bool]:
    if not isinstance(text, str):
        return "", False
    cut = len(text) > limit
    return redact_text(text[:limit]), cut


def proposal_of(event: ev.Event, home: str) -> dict[str, Any]:
    """The action in full for the human who approves it (``approvals show``): the command, or
    the write's path and new content, or the edit's strings; bounded and secrets redacted.
    Display only: the approval is bound to the digest, never to this."""
    inp = event.tool_input if isinstance(event.tool_input, dict) else {}
    kind = event.tool_kind or ev.OTHER
    if kind == ev.SHELL:
        cmd, cut = _bounded(inp.get("command"))
        return {"type": "command", "command": cmd, "cwd": event.cwd, "truncated": cut}
    key, path = _path_of(inp)
    if kind in (ev.WRITE, ev.EDIT) and path:
        abs_path = normalize(path, event.cwd, home)
        body = {CONTENT_ALIASES.get(k, k): v for k, v in inp.items() if k != key and k not in NOISE_KEYS}
        if isinstance(body.get("content"), str):
            content, cut = _bounded(body["content"])
            return {"type": "write", "path": abs_path, "content": content, "truncated": cut}
        given = body.get("edits")
        edits = given if isinstance(given, list) else [body]
        out: list[dict[str, Any]] = []
        cut_any = False
        for e in edits[:50]:
            if not isinstance(e, dict):
                continue
            old, c1 = _bounded(e.get("old_string"), PROPOSAL_MAX // 4)
            new, c2 = _bounded(e.get("new_string"), PROPOSAL_MAX // 4)
            cut_any = cut_any or c1 or c2
            out.append({"old_string": old, "new_string": new, "replace_all": bool(e.get("replace_all"))})
        if out:
            return {"type": "edit", "path": abs_path, "edits": out, "truncated": cut_any or len(edits) > 50}
    import json

    shown, cut = _bounded(json.dumps(inp, ensure_ascii=False, sort_keys=True, default=str))
    return {"type": "input", "tool": event.tool_name, "input": shown, "truncated": cut}
