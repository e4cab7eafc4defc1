"""Where each agent's hook wiring lives, what hookgate writes there, and how hookgate's own
entries are recognised (ADR 0011).

Marker: a handler is hookgate's when its ``command`` splits (shell words) into
``<abs path>/hookgate hook --platform <this platform>`` — any install path, so an old or
moved install (a stale path) is recognised and replaced; Gemini entries also carry the name
``hookgate:<Event>``. Nothing else is ever touched.
"""

from __future__ import annotations

import json
import os
import shlex
from collections import namedtuple

from hookgate.state.resources import data_path
from hookgate.errors import HookgateError

PLATFORMS = ("claude-code", "cursor", "gemini-cli", "codex", "copilot-cli", "qwen-code", "opencode")
SCOPES = ("project", "user")
PLACEHOLDER = "${HOOKGATE_COMMAND}"

Target = namedtuple("Target", "platform scope path")

Plan = namedtuple("Plan", "target before after backup_new restore removed added")
Plan.__doc__ = """One file's change. before/after: bytes or None (absent); backup_new: write the
one-time backup; restore: the backup's bytes are being put back (delete the backup after)."""


class Refusal(HookgateError):
    """A settings file hookgate will not rewrite; str() names the path and why."""


def read_bytes(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


# platform -> (settings dir, file name, template path parts, layout)
#   layout "nested": hooks.<Event> = [{matcher?, hooks: [handler]}]   (Claude Code, Gemini CLI)
#   layout "flat":   hooks.<event> = [handler]                        (Cursor, Copilot CLI)
#   layout "plugin": a whole file hookgate writes (OpenCode's JS plugin, ADR 0023)
SPEC = {
    "claude-code": (".claude", "settings.json", ("platforms", "claude-code", "settings.json"), "nested"),
    "cursor": (".cursor", "hooks.json", ("platforms", "cursor", "hooks.json"), "flat"),
    "gemini-cli": (".gemini", "settings.json", ("platforms", "gemini-cli", "settings.json"), "nested"),
    "codex": (".codex", "hooks.json", ("platforms", "codex", "hooks.json"), "nested"),
    "copilot-cli": (os.path.join(".github", "hooks"), "hookgate.json", ("platforms", "copilot-cli", "hooks.json"), "flat"),
    "qwen-code": (".qwen", "settings.json", ("platforms", "qwen-code", "settings.json"), "nested"),
    "opencode": (os.path.join(".opencode", "plugin"), "hookgate.js", ("platforms", "opencode", "hookgate.js"), "plugin"),
}
# user-scope directory where it differs from the project one (relative to HOME)
USER_DIR = {
    "copilot-cli": os.path.join(".copilot", "hooks"),
    "opencode": os.path.join(".config", "opencode", "plugin"),
}
TIMEOUT_UNIT = {"claude-code": "s", "cursor": "s", "gemini-cli": "ms", "codex": "s", "copilot-cli": "s",
                "qwen-code": "s", "opencode": "s"}
TIMEOUT_KEY = {"copilot-cli": "timeoutSec"}
VERSIONED = frozenset(("cursor", "copilot-cli"))  # files that carry "version": 1


def expand_platforms(names) -> list[str]:
    out: list[str] = []
    for n in names:
        for p in (PLATFORMS if n == "all" else (n,)):
            if p not in PLATFORMS:
                raise ValueError(f"unknown platform {p!r} (choose from {', '.join(PLATFORMS)}, all)")
            if p not in out:
                out.append(p)
    return out


def target(platform: str, scope: str, home: str, project_root: str) -> Target:
    d, name, _, _ = SPEC[platform]
    if scope == "user":
        d = USER_DIR.get(platform, d)
        if platform == "opencode" and os.environ.get("XDG_CONFIG_HOME"):
            return Target(platform, scope, os.path.join(os.environ["XDG_CONFIG_HOME"], "opencode", "plugin", name))
    root = home if scope == "user" else project_root
    return Target(platform, scope, os.path.join(root, d, name))


def layout(platform: str) -> str:
    return SPEC[platform][3]


def quote_command(command: str) -> str:
    return shlex.quote(command)


def template(platform: str, command: str) -> dict:
    """The wiring for *platform* with the absolute path of the installed ``hookgate``."""
    if not os.path.isabs(command):
        raise ValueError(f"the hook command must be an absolute path, got {command!r}")
    with open(data_path(*SPEC[platform][2]), encoding="utf-8") as f:
        text = f.read()
    q = json.dumps(quote_command(command))[1:-1]  # shell-quoted, then JSON-escaped
    return json.loads(text.replace(PLACEHOLDER, q))


def command_argv(handler) -> list[str] | None:
    if not isinstance(handler, dict) or not isinstance(handler.get("command"), str):
        return None
    try:
        return shlex.split(handler["command"])
    except ValueError:
        return None


# the launcher, and the static thin client beside it that install wires when present (ADR 0025)
COMMAND_NAMES = ("hookgate", "hookgate-client")


def is_ours(handler, platform: str) -> bool:
    argv = command_argv(handler)
    if argv and len(argv) == 4 and os.path.basename(argv[0]) in COMMAND_NAMES and argv[1:] == ["hook", "--platform", platform]:
        return True
    if platform == "claude-code" and is_server_handler(handler, platform):  # ADR 0025
        return True
    name = handler.get("name") if isinstance(handler, dict) else None
    return platform == "gemini-cli" and isinstance(name, str) and name.startswith("hookgate:")


def registered_path(handler) -> str:
    argv = command_argv(handler)
    return argv[0] if argv else ""


def our_handlers(doc: dict, platform: str) -> dict[str, list[dict]]:
    """hookgate's handlers in a settings document, by event name."""
    out: dict[str, list[dict]] = {}
    for ev_name, entries in (doc.get("hooks") or {}).items():
        for entry in entries if isinstance(entries, list) else ():
            handlers = entry.get("hooks") if layout(platform) == "nested" and isinstance(entry, dict) else [entry]
            for h in handlers if isinstance(handlers, list) else ():
                if is_ours(h, platform):
                    out.setdefault(ev_name, []).append(h)
    return out


def has_our_wiring(path: str, platform: str) -> bool:
    data = read_bytes(path)
    if data is None:
        return False
    try:
        return bool(our_handlers(json.loads(data), platform))
    except (ValueError, AttributeError, TypeError):
        return False


def hook_command() -> str:
    """The ``hookgate`` the wiring names: this venv's, else the one on PATH."""
    import shutil
    import sys

    here = os.path.join(os.path.dirname(sys.executable), "hookgate")
    if os.path.exists(here):
        return here
    return shutil.which("hookgate") or here


def is_server_handler(handler, platform: str) -> bool:
    """hookgate's own http door or ``serve start`` handler (recognised for re-install/uninstall)."""
    if platform != "claude-code" or not isinstance(handler, dict):
        return False
    if handler.get("type") == "http":
        url = handler.get("url")
        if not isinstance(url, str) or not url.startswith("http://127.0.0.1:"):
            return False
        port, _, path = url[len("http://127.0.0.1:"):].partition("/")
        return port.isdigit() and path == "v1/hook/claude-code"
    argv = command_argv(handler) or []
    return len(argv) >= 3 and os.path.basename(argv[0]) in COMMAND_NAMES and argv[1:3] == ["serve", "start"]


def accepted_paths(command: str) -> set:
    """This hookgate as a wired path: the launcher, or the thin client beside it (ADR 0025)."""
    d = os.path.dirname(os.path.realpath(command))
    return {os.path.realpath(command), os.path.join(d, "hookgate"), os.path.join(d, "hookgate-client")}
