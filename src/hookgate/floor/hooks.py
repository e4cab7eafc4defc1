"""What the hook knows about the floor (ADR 0020). Hot path: stdlib only, bounded.

- PreToolUse: a Bash call with ``dangerouslyDisableSandbox: true``, or a command that names a
  sandbox-weakening setting, is a self-protection denial (:func:`sandbox_bypass`).
- PostToolUse: a command that failed with a permission error on a protected path is recorded
  as ``floor_denied`` and the agent is told why in one sentence (:func:`floor_denied`).
- SessionStart: whether a floor is on for this session is recorded (:func:`floor_state`).
"""

from __future__ import annotations

import os

from hookgate.core import event as ev

# settings keys that open or weaken an agent's sandbox (Claude Code, srt, Gemini, Codex)
WEAKENING_KEYS = (
    "dangerouslyDisableSandbox", "excludedCommands", "allowUnsandboxedCommands", "enableWeakerNestedSandbox",
    "allowNestedUserNamespaces", "enableWeakerNetworkIsolation", "failIfUnavailable", "toolSandboxing",
    "danger-full-access", "dangerously-bypass-approvals-and-sandbox", "HOOKGATE_FLOOR_BROKER",
    # Codex: a sandbox_mode anywhere in the profile's layer (or a -c override) drops the permission
    # profile; selecting another profile drops hookgate's "none" entries
    "sandbox_mode", "default_permissions", "permission-profile", "filesystem.disabled",
)
ERRORS = ("Permission denied", "Operation not permitted", "Read-only file system", "EACCES", "EROFS", "EPERM")
MAX_SCAN = 256 * 1024
RESULT_FIELDS = ("tool_response", "error", "llm_content", "output", "tool_output", "error_message", "toolResult")
MAX_HITS = 5
ADR = "adr/0020-the-floor.md"


def sandbox_bypass(event) -> str | None:
    """Why this call would run outside, or weaken, the agent's sandbox; else None."""
    ti = event.tool_input if isinstance(event.tool_input, dict) else {}
    flag = ti.get("dangerouslyDisableSandbox")
    if flag is True or (isinstance(flag, str) and flag.strip().lower() not in ("", "false", "0", "no")):
        return "dangerouslyDisableSandbox asks to run this command outside the sandbox that closes protected files"
    if event.tool_kind == ev.SHELL:
        cmd = ti.get("command")
        if isinstance(cmd, str):
            for key in WEAKENING_KEYS:
                if key in cmd:
                    return f"the command names the sandbox setting {key!r}, which would open or weaken the floor"
    return None


def _candidates(line: str) -> list[str]:
    out = []
    for sep in ("'", '"', "`", "\u2018", "\u2019"):
        line = line.replace(sep, " ")
    for part in line.replace(": ", " ").replace(":\t", " ").split():
        part = part.strip(",;()[]{}")
        if part and ("/" in part or part.startswith(".") or "." in part) and len(part) < 4096:
            out.append(part)
    return out


def _text(resp) -> str:
    if isinstance(resp, str):
        return resp[:MAX_SCAN]
    parts: list[str] = []
    n = 0
    stack = [resp]
    while stack and n < MAX_SCAN:
        x = stack.pop()
        if isinstance(x, str) and x[:1] in ("{", "[") and len(x) <= MAX_SCAN:
            from hookgate.state import jsonio as json

            try:  # a result carried as a JSON string (Cursor's tool_output)
                stack.append(json.loads(x))
                continue
            except ValueError:
                pass
        if isinstance(x, str):
            parts.append(x)
            n += len(x)
        elif isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x[:1000])
    return "\n".join(parts)[:MAX_SCAN]


def floor_denied(event, config: dict, project_root: str, state_dir: str, home: str, self_protected) -> list[str]:
    """Protected paths named in a permission error of this tool call's result.
    *self_protected(path)*: is this absolute path one of hookgate's own (self-protection's
    places, passed in by that validator so that this module stays below it)."""
    raw = event.raw if isinstance(event.raw, dict) else {}
    # where each platform puts a tool's result: Claude/Codex/Qwen/Copilot/Gemini ``tool_response``
    # (Gemini: ``llmContent``), failures ``error``; Cursor ``tool_output`` (a JSON string),
    # ``error_message``, ``output`` (afterShellExecution); OpenCode ``output``; camelCase ``toolResult``
    text = _text([raw.get(k) for k in RESULT_FIELDS])
    if not any(e in text for e in ERRORS):
        return []
    from hookgate.state.paths import both_forms
    from hookgate.validators.policy.guard import classifier

    pols = config.get("policies") or {}
    classes = [classifier(pols[k], project_root, home) for k in ("read-guard", "write-guard") if pols.get(k)]
    cwd = event.cwd or project_root
    hits: list[str] = []
    for line in text.splitlines():
        if not any(e in line for e in ERRORS):
            continue
        for cand in _candidates(line[:8192]):
            found = False
            for cls in classes:
                h = cls.classify_path(cand, ev.MODE_READ, cwd)
                if h is not None and h[1] == ev.BLOCK and h[3] == "path":
                    found = True
                    break
            if not found:
                for form in both_forms(cand, cwd, home):
                    if self_protected(form):
                        found = True
                        break
            if found and cand not in hits:
                hits.append(cand)
                if len(hits) >= MAX_HITS:
                    return hits
    return hits


def denied_message(hits: list[str]) -> str:
    return (f"The operating system refused access to {', '.join(hits)}: hookgate's floor closes protected files to "
            f"every program the agent runs ({ADR}); do not look for another way in — ask the user for what you need.")


def floor_state(event, env: dict, project_root: str, home: str) -> dict:
    """Whether a floor is on for this session: hookgate's own (``hookgate run``) and the
    platform's sandbox as its settings files configure it (highest precedence first)."""
    state = {"hookgate_run": env.get("HOOKGATE_FLOOR") == "1"}
    if event.platform == "claude-code":
        files = [os.path.join(project_root, ".claude", "settings.local.json"),
                 os.path.join(project_root, ".claude", "settings.json"),
                 os.path.join(home, ".claude", "settings.json")]
        state["native"] = _first(files, ("sandbox", "enabled"))
        state["strict"] = _first(files, ("sandbox", "allowUnsandboxedCommands")) is False
    elif event.platform == "gemini-cli":
        files = [os.path.join(project_root, ".gemini", "settings.json"), os.path.join(home, ".gemini", "settings.json")]
        state["native"] = _first(files, ("security", "toolSandboxing"))
    state["on"] = bool(state["hookgate_run"] or state.get("native") is True)
    return state


def _first(files: list[str], keys: tuple):
    from hookgate.state import jsonio as json

    for p in files:
        try:
            if os.path.getsize(p) > 4 * 1024 * 1024:
                continue
            with open(p, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError):
            continue
        cur = doc
        for k in keys:
            if not isinstance(cur, dict) or k not in cur:
                cur = None
                break
            cur = cur[k]
        if cur is not None:
            return cur
    return None
