"""Doctor and install checks for Codex, Copilot CLI, Qwen Code and OpenCode (ADR 0023).

``checks.wiring_checks`` walks the wiring files of every platform; ``EXTRA_CHECKS[platform](home,
project_root, wired_scopes)`` → ``[(name, ok, detail)]`` adds what these four clients do with it,
``opencode_checks`` checks OpenCode's plugin file, and ``install_notes(platforms, home,
project_root, scope)`` → warnings to print after ``hookgate install``. Each check says what the platform will really do with the
wiring: hooks disabled by a setting, repository hooks that will not load in an untrusted folder,
a sandbox that turns hooks off, a hook the client will skip until trusted, a blind spot.
"""

from __future__ import annotations

import json
import os

from hookgate.installer import merge, targets

PLATFORMS = ("codex", "copilot-cli", "qwen-code", "opencode")

CODEX_BLIND_SPOT = ("note: Codex never hooks text written into a running exec session (write_stdin); only the "
                    "command that started the session is judged — keep hookgate's floor (`hookgate run`) or "
                    "Codex's own sandbox for what such a session does")
CODEX_TRUST = ("note: Codex skips non-managed hooks until they are trusted: open `/hooks` in Codex once and trust "
               "hookgate's entries (automation: `codex exec --dangerously-bypass-hook-trust`); project hooks also "
               "need the project's .codex layer trusted")
COPILOT_CLAUDE = ("note: Copilot CLI also runs the hooks in .claude/settings*.json; with hookgate's claude-code "
                  "wiring there too, each Copilot call is decided twice (same decision, two ledger records)")


def strip_comments(text: str) -> str:
    """JSON with ``//`` and ``/* */`` comments (Copilot's ``config.json`` starts with two comment
    lines; Qwen's settings allow them) → JSON; strings are left alone. One linear pass."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _read_json(path: str):
    """(doc or None, error or '') — lenient (comments allowed): a missing file is (None, '')."""
    data = merge.read_bytes(path)
    if data is None:
        return None, ""
    try:
        text = strip_comments(data.decode("utf-8-sig"))
        return (json.loads(text) if text.strip() else {}), ""
    except (UnicodeDecodeError, ValueError) as e:
        return None, f"{path}: not JSON ({str(e).splitlines()[0]})"


def _toml(path: str):
    data = merge.read_bytes(path)
    if data is None:
        return None, ""
    import tomllib

    try:
        return tomllib.loads(data.decode("utf-8", "replace")), ""
    except tomllib.TOMLDecodeError as e:
        return None, f"{path}: not valid TOML ({e})"


def _under_any(path: str, roots) -> bool:
    p = os.path.realpath(path)
    for r in roots:
        if not isinstance(r, str) or not r:
            continue
        r = os.path.realpath(os.path.expanduser(r))
        if p == r or p.startswith(r.rstrip("/") + "/"):
            return True
    return False


# --- per platform ---------------------------------------------------------------------------

def codex_checks(home: str, project_root: str, wired_scopes) -> list[tuple[str, bool, str]]:
    out = []
    codex_home = os.environ.get("CODEX_HOME") or os.path.join(home, ".codex")
    for path in (os.path.join(codex_home, "config.toml"), os.path.join(project_root, ".codex", "config.toml")):
        doc, err = _toml(path)
        if err:
            out.append(("codex-config", False, err + " (Codex will not start with it)"))
            continue
        feats = (doc or {}).get("features") or {}
        if isinstance(feats, dict) and (feats.get("hooks") is False or feats.get("codex_hooks") is False):
            out.append(("codex-hooks-enabled", False, f"{path}: [features] hooks = false — Codex runs no hooks, "
                                                      "hookgate is not consulted Fix: remove `hooks = false` from "
                                                      f"[features] in {path}"))
    if wired_scopes:
        out.append(("codex-hook-trust", True, CODEX_TRUST))
        out.append(("codex-exec-session", True, CODEX_BLIND_SPOT))
    return out


def copilot_trusted(home: str, project_root: str) -> bool | None:
    """Is *project_root* in Copilot's ``trusted_folders``? None when the config is unreadable."""
    copilot_home = os.environ.get("COPILOT_HOME") or os.path.join(home, ".copilot")
    doc, err = _read_json(os.path.join(copilot_home, "config.json"))
    if err:
        return None
    folders = (doc or {}).get("trusted_folders") or []
    return _under_any(project_root, folders if isinstance(folders, list) else [])


def copilot_checks(home: str, project_root: str, wired_scopes) -> list[tuple[str, bool, str]]:
    out = []
    for path in (os.path.join(home, ".copilot", "settings.json"), os.path.join(project_root, ".github", "copilot", "settings.json"),
                 os.path.join(project_root, ".github", "copilot", "settings.local.json")):
        doc, _ = _read_json(path)
        if isinstance(doc, dict) and doc.get("disableAllHooks") is True:
            out.append(("copilot-hooks-enabled", False, f"{path}: disableAllHooks is true — Copilot runs no hooks"))
    if "project" in wired_scopes:
        trusted = copilot_trusted(home, project_root)
        if not trusted:
            why = ("is not in trusted_folders of ~/.copilot/config.json" if trusted is False
                   else "cannot be confirmed as trusted (~/.copilot/config.json unreadable)")
            msg = (f"{project_root} {why}: Copilot loads repository hooks (.github/hooks/) only in trusted "
                   "folders, so hookgate's project wiring will not run until you trust the folder")
            if "user" in wired_scopes:
                out.append(("copilot-trusted-folder", True, "note: " + msg + " (the user-scope wiring still guards)"))
            else:
                out.append(("copilot-trusted-folder", False, msg + " Fix: trust the folder when Copilot asks (or add it to "
                            "trusted_folders in ~/.copilot/config.json), or `hookgate install --platform copilot-cli "
                            "--scope user`"))
    if wired_scopes and any(targets.has_our_wiring(os.path.join(r, ".claude", n), "claude-code")
                            for r in (project_root,) for n in ("settings.json", "settings.local.json")):
        out.append(("copilot-and-claude", True, COPILOT_CLAUDE))
    return out


def qwen_sandbox(home: str) -> str:
    """Where ``tools.executionSandbox`` is set (it disables executable hooks), or ''."""
    paths = [os.environ.get("QWEN_CODE_SYSTEM_SETTINGS_PATH") or "/etc/qwen-code/settings.json",
             os.environ.get("QWEN_CODE_SYSTEM_DEFAULTS_PATH") or "/etc/qwen-code/system-defaults.json",
             os.path.join(home, ".qwen", "settings.json")]
    for path in paths:
        data = merge.read_bytes(path)
        if data is None or b"executionSandbox" not in data:
            continue
        doc, err = _read_json(path)
        if err:
            return path  # mentioned in a file Qwen may still read (comments): assume it is on
        sb = ((doc or {}).get("tools") or {}).get("executionSandbox") if isinstance(doc, dict) else None
        if sb:
            return path
    return ""


def qwen_checks(home: str, project_root: str, wired_scopes) -> list[tuple[str, bool, str]]:
    out = []
    where = qwen_sandbox(home)
    if where:
        out.append(("qwen-execution-sandbox", False, f"{where}: tools.executionSandbox is set — Qwen Code disables "
                                                     "executable hooks under it, so hookgate never runs Fix: remove "
                                                     f"tools.executionSandbox from {where}, or guard this agent with "
                                                     "`hookgate run -- qwen`"))
    for path in (os.path.join(home, ".qwen", "settings.json"), os.path.join(project_root, ".qwen", "settings.json")):
        doc, _ = _read_json(path)
        if isinstance(doc, dict) and doc.get("disableAllHooks") is True:
            out.append(("qwen-hooks-enabled", False, f"{path}: disableAllHooks is true — Qwen Code runs no hooks"))
    user, _ = _read_json(os.path.join(home, ".qwen", "settings.json"))
    trust_on = isinstance(user, dict) and (((user.get("security") or {}).get("folderTrust") or {}).get("enabled") is True)
    if trust_on and "project" in wired_scopes:
        rules, _ = _read_json(os.path.join(home, ".qwen", "trustedFolders.json"))
        trusted = [k for k, v in (rules or {}).items() if v in ("TRUST_FOLDER", "TRUST_PARENT")] if isinstance(rules, dict) else []
        if not _under_any(project_root, trusted):
            ok = "user" in wired_scopes
            out.append(("qwen-trusted-folder", ok, f"{'note: ' if ok else ''}folder trust is on and {project_root} is "
                                                   "not trusted: Qwen Code loads project hooks (.qwen/settings.json) "
                                                   "only in trusted folders"))
    return out


def opencode_checks(home: str, project_root: str, command: str) -> list[tuple[str, bool, str]]:
    from hookgate.installer import plugin

    out = []
    for scope in targets.SCOPES:
        t = targets.target("opencode", scope, home, project_root)
        data = merge.read_bytes(t.path)
        if data is None:
            continue
        if not plugin.is_ours(data):
            out.append((f"wiring-{scope}", False, f"{t.path} is not hookgate's plugin (no marker line)"))
            continue
        path = plugin.registered_path(data)
        probs = []
        if not (os.path.isabs(path) and os.access(path, os.X_OK)):
            probs.append(f"stale path {path!r} (not an executable absolute path)")
        elif command and os.path.realpath(path) not in targets.accepted_paths(command):
            probs.append(f"stale path {path!r} (this hookgate is {command})")
        elif data != plugin.render("opencode", path):
            probs.append("the plugin differs from this hookgate's (edited, or an older version): reinstall")
        out.append((f"wiring-{scope}", not probs, "; ".join(probs) or f"hookgate plugin in {t.path}"))
    if not out:
        out.append(("wiring", True, "not wired in user or project scope (hookgate install --platform opencode)"))
    return out


EXTRA_CHECKS = {"codex": codex_checks, "copilot-cli": copilot_checks, "qwen-code": qwen_checks}


def install_notes(platforms, home: str, project_root: str, scope: str) -> list[str]:
    """Warnings ``hookgate install`` prints for what the agent will do with the new wiring."""
    notes = []
    if "qwen-code" in platforms:
        where = qwen_sandbox(home)
        if where:
            notes.append(f"warning: {where} sets tools.executionSandbox: Qwen Code disables executable hooks under "
                         "it, so hookgate will not run in Qwen Code")
    if "codex" in platforms:
        notes.append(CODEX_TRUST)
    if "copilot-cli" in platforms and scope == "project":
        if not copilot_trusted(home, project_root):
            notes.append(f"note: Copilot CLI loads .github/hooks/ only in trusted folders; trust {project_root} when "
                         "Copilot asks (or add it to trusted_folders in ~/.copilot/config.json)")
        notes.append("note: .github/hooks/hookgate.json names this machine's hookgate path, and Copilot denies every "
                     "tool call when a preToolUse hook cannot run (also in the cloud agent, which loads .github/hooks/): "
                     "commit it only where every contributor has hookgate there; otherwise prefer --scope user")
    return notes
