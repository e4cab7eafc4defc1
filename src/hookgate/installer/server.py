"""``hookgate install``'s decision-server part (ADR 0025).

- **Which command the command hooks run**: ``hookgate-client`` (the static thin client beside
  the launcher, shipped in the wheel) when it is there, else the Python launcher.
- **Claude Code, project scope**: PreToolUse, PostToolUse and PostToolUseFailure go to the
  server's ``http`` door with ``onFailure: "block"`` (a failed call blocks, measured in the real
  client); SessionStart and UserPromptSubmit start the server through the thin client when
  there is one (``serve start`` returns at once when it is up: the client's health check, no
  Python). The project dir is written literally into the header (Claude does not
  interpolate ``CLAUDE_PROJECT_DIR`` there), so user scope keeps the command hooks.
- **A user service where the platform has one**: a systemd ``--user`` unit when
  ``systemctl --user`` works, enabled and started; otherwise the server starts on demand
  (SessionStart hooks) and stops when idle.

The Claude wiring is a transform of the command-hook wiring hookgate writes anyway: every
entry it adds is recognised as hookgate's (``targets.is_ours``), so install twice gives the
same bytes and uninstall takes all of it out. ``--no-server`` writes the command-hook wiring
and no service.
"""

from __future__ import annotations

import copy
import os
import shlex
import shutil
import subprocess

from hookgate.installer import targets
from hookgate.installer.targets import is_server_handler  # noqa: F401 (re-exported)

HTTP_EVENTS = ("PreToolUse", "PostToolUse", "PostToolUseFailure")
START_EVENTS = ("SessionStart", "UserPromptSubmit")
IDLE_S = 28800  # a server started by a session hook stops after 8 h without a call
UNIT_PREFIX = "hookgate-serve-"


def client_command(launcher: str) -> str:
    """The command hooks' executable: hookgate-client beside *launcher* when it is there."""
    if os.path.basename(launcher) != "hookgate":
        return launcher
    c = os.path.join(os.path.dirname(launcher), "hookgate-client")
    return c if os.access(c, os.X_OK) and os.path.isfile(c) else launcher


def launcher_of(command: str) -> str:
    """The Python launcher for a wired command (hookgate-client → the hookgate beside it)."""
    if os.path.basename(command) == "hookgate-client":
        return os.path.join(os.path.dirname(command), "hookgate")
    return command


def default_port() -> int:
    from hookgate.server import runtime

    return runtime.default_port()


def http_handler(port: int, project: str, timeout: int) -> dict:
    return {"type": "http", "url": f"http://127.0.0.1:{port}/v1/hook/claude-code",
            "headers": {"X-Hookgate-Project-Dir": project}, "timeout": timeout, "onFailure": "block"}


def start_handler(command: str, port: int) -> dict:
    """``serve start`` on SessionStart and before every prompt, through *command*: the thin
    client when there is one — it answers from a socket health check when the server is up
    (about 1 ms, no Python) and execs the launcher only to start it (ADR 0025)."""
    return {"type": "command", "command": f"{shlex.quote(command)} serve start --port {port} --idle {IDLE_S}",
            "timeout": 15}


def claude_transform(doc: dict, command: str, port: int, project: str) -> dict:
    """*doc* (with hookgate's command-hook wiring in it) with the tool events on the http door
    and the server started by the session hooks."""
    doc = copy.deepcopy(doc)
    hooks = doc.get("hooks") or {}
    for ev in HTTP_EVENTS:
        for entry in hooks.get(ev) or []:
            if isinstance(entry, dict) and isinstance(entry.get("hooks"), list):
                entry["hooks"] = [http_handler(port, project, h.get("timeout", 30))
                                  if targets.is_ours(h, "claude-code") and h.get("type") == "command" else h
                                  for h in entry["hooks"]]
    start = start_handler(command, port)
    for entry in hooks.get("SessionStart") or []:
        if isinstance(entry, dict) and any(targets.is_ours(h, "claude-code") for h in entry.get("hooks") or []):
            entry["hooks"] = [copy.deepcopy(start)] + entry["hooks"]
            break
    hooks.setdefault("UserPromptSubmit", []).append({"hooks": [copy.deepcopy(start)]})
    doc["hooks"] = hooks
    return doc


def wired_port(doc: dict) -> int | None:
    """The port of hookgate's http door in a Claude settings doc, if wired."""
    for entries in (doc.get("hooks") or {}).values():
        for entry in entries if isinstance(entries, list) else ():
            for h in (entry.get("hooks") or []) if isinstance(entry, dict) else ():
                if is_server_handler(h, "claude-code") and h.get("type") == "http":
                    return int(h["url"][len("http://127.0.0.1:"):].partition("/")[0])
    return None


# --- the user service ---------------------------------------------------------------------------


def systemd_user_available() -> bool:
    exe = shutil.which("systemctl")
    if not exe:
        return False
    try:
        r = subprocess.run([exe, "--user", "show-environment"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return r.returncode == 0


def unit_path(home: str) -> str:
    from hookgate.server import runtime

    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    return os.path.join(base, "systemd", "user", f"{UNIT_PREFIX}{runtime.key()}.service")


def unit_text(launcher: str, port: int) -> bytes:
    return (
        "# Written by `hookgate install` (ADR 0025); `hookgate uninstall --platform claude-code` removes it.\n"
        "[Unit]\n"
        "Description=hookgate decision server (ADR 0025)\n"
        "\n"
        "[Service]\n"
        "Type=simple\n"
        f"ExecStart={launcher} serve --port {port} --idle {IDLE_S}\n"
        "Restart=on-failure\n"
        "RestartSec=1\n"
        "\n"
        "[Install]\n"
        "WantedBy=default.target\n"
    ).encode()


def install_service(home: str, launcher: str, port: int, dry_run: bool) -> str:
    """Write and start the systemd --user unit where there is one; a line saying what happened."""
    if not systemd_user_available():
        return ("server: no systemd --user here: the server starts on demand (SessionStart) and stops "
                f"after {IDLE_S // 3600} h idle")
    path = unit_path(home)
    want = unit_text(launcher, port)
    try:
        with open(path, "rb") as f:
            have = f.read()
    except OSError:
        have = None
    if dry_run:
        return f"server: would {'leave unchanged' if have == want else 'write'} {path} and enable it"
    if have != want:
        from hookgate.state.locks import atomic_write

        os.makedirs(os.path.dirname(path), exist_ok=True)
        atomic_write(path, want, mode=0o644)
    name = os.path.basename(path)
    sc = shutil.which("systemctl") or "systemctl"
    for args in (["daemon-reload"], ["enable", "--now", name]):
        r = subprocess.run([sc, "--user", *args], capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            return f"server: systemctl --user {' '.join(args)} failed: {(r.stderr or r.stdout).strip()[:300]}"
    return f"server: {'unchanged' if have == want else 'written'}: {path} (systemd --user, enabled)"


def uninstall_service(home: str, dry_run: bool) -> str:
    path = unit_path(home)
    if not os.path.exists(path):
        return ""
    if dry_run:
        return f"server: would disable and remove {path}"
    sc = shutil.which("systemctl")
    if sc:
        subprocess.run([sc, "--user", "disable", "--now", os.path.basename(path)], capture_output=True, timeout=60)
    os.unlink(path)
    if sc:
        subprocess.run([sc, "--user", "daemon-reload"], capture_output=True, timeout=60)
    return f"server: removed {path}"


# --- doctor -------------------------------------------------------------------------------------


def status() -> tuple[bool, str]:
    """(up, one line): is this installation's server answering on its socket?"""
    from hookgate.server import runtime

    rt = runtime.paths()
    try:
        from hookgate.server.client import Conn

        c = Conn(rt["sock"], 1.0)
        try:
            ok = c.request("GET", "/v1/health")[0] == 200
        finally:
            c.close()
    except OSError:
        ok = False
    if not ok:
        return False, f"not running ({rt['sock']})"
    port = ""
    try:
        import json

        with open(rt["info"], encoding="utf-8") as f:
            info = json.load(f)
        port = f", pid {info.get('pid')}, loopback port {info.get('port')}"
    except (OSError, ValueError):
        pass
    return True, f"up ({rt['sock']}{port})"


def door(platform: str, handlers: dict) -> str:
    """Which door *platform*'s wiring uses, from its handlers {event: [handler]}."""
    pre = [h for ev in ("PreToolUse", "preToolUse", "BeforeTool") for h in handlers.get(ev, [])]
    if any(h.get("type") == "http" for h in pre):
        return "http door to the server (onFailure block: blocked while it is down)"
    names = {os.path.basename(targets.registered_path(h)) for hs in handlers.values() for h in hs}
    if "hookgate-client" in names:
        return "command hook via hookgate-client (the server when up, one-shot when down)"
    if names:
        return "command hook via the Python launcher (the server when up, one-shot when down)"
    return ""
