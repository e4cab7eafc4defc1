"""Wiring checks for ``hookgate doctor`` (ADR 0011): is hookgate wired, once, with a live
path, the right timeout units and the fail-closed flags, in a file the agent will load?"""

from __future__ import annotations

import os

from hookgate.installer import merge, platform_checks, targets
from hookgate.installer.targets import has_our_wiring, our_handlers  # noqa: F401 (re-exported)

# events that must be wired, and the handler fields each platform needs there
REQUIRED = {
    "claude-code": ("PreToolUse", "PostToolUse", "PostToolUseFailure", "SessionStart", "SessionEnd"),
    "cursor": ("preToolUse", "beforeShellExecution", "beforeMCPExecution", "beforeReadFile",
               "afterFileEdit", "sessionStart", "sessionEnd", "stop"),
    "gemini-cli": ("BeforeTool", "AfterTool", "SessionStart", "SessionEnd"),
    "codex": ("PreToolUse", "PostToolUse", "SessionStart", "Stop"),
    "copilot-cli": ("PreToolUse", "PostToolUse", "SessionStart", "SessionEnd"),
    "qwen-code": ("PreToolUse", "PostToolUse", "SessionStart", "SessionEnd"),
}
MAX_SECONDS = 600
MIN_MS = 1000


def _problems(platform: str, doc: dict, command: str) -> list[str]:
    from hookgate.adapters import cursor

    ours = our_handlers(doc, platform)
    probs = []
    missing = [e for e in REQUIRED[platform] if e not in ours]
    if missing:
        probs.append(f"missing events: {', '.join(missing)}")
    is_server_handler = targets.is_server_handler

    def _starts(h):  # `serve start` beside the session hook is not a second decision (ADR 0025)
        return is_server_handler(h, platform) and h.get("type") != "http"

    dup = [e for e, hs in ours.items() if len([h for h in hs if not _starts(h)]) > 1]
    if dup:
        probs.append(f"duplicated on: {', '.join(sorted(dup))}")
    stale: dict[str, list[str]] = {}  # one line per stale path, naming its events
    for ev_name, hs in ours.items():
        for h in hs:
            path = targets.registered_path(h)
            if h.get("type") == "http":  # the server's door: no executable to check (ADR 0025)
                pass
            elif not (os.path.isabs(path) and os.access(path, os.X_OK)):
                stale.setdefault(f"stale path {path!r} (not an executable absolute path)", []).append(ev_name)
            elif command and os.path.realpath(path) not in targets.accepted_paths(command):
                stale.setdefault(f"stale path {path!r} (this hookgate is {command})", []).append(ev_name)
            t = h.get(targets.TIMEOUT_KEY.get(platform, "timeout"))
            if t is not None and (not isinstance(t, (int, float)) or isinstance(t, bool)):
                probs.append(f"{ev_name}: timeout {t!r} is not a number")
            elif t is not None and targets.TIMEOUT_UNIT[platform] == "s" and t > MAX_SECONDS:
                probs.append(f"{ev_name}: timeout {t} looks like milliseconds ({platform} counts seconds)")
            elif t is not None and targets.TIMEOUT_UNIT[platform] == "ms" and t < MIN_MS:
                probs.append(f"{ev_name}: timeout {t} looks like seconds ({platform} counts milliseconds)")
            if platform == "cursor" and ev_name in cursor.GUARD_EVENTS and h.get("failClosed") is not True:
                probs.append(f"{ev_name}: failClosed is not true (a crash or timeout would allow)")
            if platform == "claude-code" and ev_name == "PreToolUse" and h.get("onFailure") != "block":
                probs.append("PreToolUse: onFailure is not \"block\" (a crash or timeout would allow)")
    for what, evs in stale.items():
        probs.append(f"{', '.join(evs)}: {what}")
    if platform == "cursor":
        unknown = [e for e in (doc.get("hooks") or {}) if e not in cursor.DOCUMENTED_EVENTS]
        if unknown:
            probs.append(f"unknown Cursor event name(s) {', '.join(unknown)}: Cursor ignores the whole file")
    return probs


def wiring_checks(platform: str, home: str, project_root: str, command: str) -> list[tuple[str, bool, str]]:
    """One walk over the platform's wiring files (user and project scope), for every platform;
    then what each platform will really do with that wiring (``platform_checks``, ADR 0023)."""
    if platform == "opencode":  # a whole plugin file, not entries in a settings file
        return platform_checks.opencode_checks(home, project_root, command)
    results = []
    wired = []
    for scope in targets.SCOPES:
        t = targets.target(platform, scope, home, project_root)
        data = merge.read_bytes(t.path)
        if data is None:
            continue
        try:
            doc = merge.load(t.path, data)
        except merge.Refusal as e:
            results.append((f"wiring-{scope}", False, str(e)))
            continue
        if not our_handlers(doc, platform):
            continue
        wired.append(scope)
        probs = _problems(platform, doc, command)
        results.append((f"wiring-{scope}", not probs, "; ".join(probs) or f"hookgate wired in {t.path}"))
    if not wired and not results:
        results.append(("wiring", True, f"not wired in user or project scope (hookgate install --platform {platform})"))
    if platform in ("claude-code", "cursor"):
        note = double_wiring_note(home, project_root)
        if note:
            results.append(("claude-and-cursor", True, note))
    extra = platform_checks.EXTRA_CHECKS.get(platform)
    return results + extra(home, project_root, wired) if extra else results


def double_wiring_note(home: str, project_root: str) -> str:
    """Cursor also runs Claude Code hooks: say how the double call is avoided (ADR 0011)."""
    claude = [os.path.join(r, ".claude", n) for r in (project_root, home) for n in ("settings.json", "settings.local.json")]
    cursor_files = [os.path.join(r, ".cursor", "hooks.json") for r in (project_root, home)]
    c = [p for p in claude if has_our_wiring(p, "claude-code")]
    k = [p for p in cursor_files if has_our_wiring(p, "cursor")]
    if not (c and k):
        return ""
    return (f"warning: hookgate is wired for both Claude Code ({c[0]}) and Cursor ({k[0]}); Cursor also runs "
            "Claude Code hooks, so under Cursor the claude-code hook only records the call and the cursor "
            "hook decides it (one decision per call, ADR 0011)")
