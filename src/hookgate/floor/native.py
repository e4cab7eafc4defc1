"""The agents' own sandboxes as the floor, written by ``hookgate install`` (ADR 0020).

From the same plan as ``hookgate run`` (``floor.plan``):

- **Claude Code** (settings file of the chosen scope): ``sandbox.enabled``,
  ``sandbox.failIfUnavailable``, ``sandbox.allowUnsandboxedCommands: false``; every masked path
  as a literal absolute ``sandbox.filesystem.denyRead`` entry; home credential files as
  ``sandbox.credentials.files`` ``{path, mode: "deny"}``; every block-tier path and hookgate's
  config, state dir, installation and every agent's wiring as literal absolute
  ``sandbox.filesystem.denyWrite`` entries (no globs: Linux skips them; what exists is
  expanded; ``hookgate install`` creates the state dir and ``.hookgate/`` first). Keys and
  entry shapes are those of the Claude Code 2.1.330 schema.
- **Gemini CLI**: ``security.toolSandboxing: true`` and the deny-tier patterns in
  ``.geminiignore`` (its tool sandbox masks ignored paths).
- **Cursor**: the deny-tier patterns in ``.cursorignore`` (its sandbox honours it; no key
  denies a path in ``sandbox.json``).
- **Codex**: a permission profile in ``config.toml`` (``floor.codex``; the lists of
  :func:`codex_entries`).

Ownership: JSON arrays cannot carry a marker, so what hookgate set is recorded beside the
settings file in ``<file>.hookgate-floor.json`` (each key's previous value, each entry
appended, each container created). Install removes the recorded entries and adds the
current ones (twice → same bytes); uninstall removes them, restores the previous values and
drops containers it created — with the wiring's backup rule this gives back the original
bytes. In ignore files hookgate's lines sit between marker comments.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import sys

from hookgate.floor.plan import Plan
from hookgate.installer import merge, targets

SIDECAR_SUFFIX = ".hookgate-floor.json"
BEGIN = "# >>> hookgate floor (adr/0020-the-floor.md) - managed by `hookgate install`; edit the policy, not these lines"
BEGIN_JOINED = BEGIN + " [+newline]"
BEGIN_CREATED = BEGIN + " [created]"
END = "# <<< hookgate floor <<<"
IGNORE_FILES = {"gemini-cli": ".geminiignore", "cursor": ".cursorignore"}

_SIDECARS: dict[str, bytes | None] = {}


# --- what each platform gets ------------------------------------------------------------


def own_places(plan: Plan) -> list[str]:
    """hookgate's own places that exist, as literal absolute paths. Absent ones are left out:
    the sandbox would plant an empty placeholder there while a command runs (an empty
    ``settings.local.json`` or ``.git/commondir`` breaks the agent or git); ``hookgate
    install`` creates the state dir and ``.hookgate/`` first, and the agents' own sandboxes
    already protect their settings files (ADR 0020)."""
    from hookgate.floor.plan import self_protected

    return self_protected(plan.project_root, plan.state_dir, plan.home)


def _uniq(items) -> list[str]:
    seen, out = set(), []
    for p in items:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def claude_entries(plan: Plan, settings_path: str, scope: str = "project") -> tuple[dict, dict]:
    """(scalar settings by dotted key, list entries by dotted key) for Claude Code. User-scope
    settings apply to every project: they get only the paths outside this project."""
    scalars = {"sandbox.enabled": True, "sandbox.failIfUnavailable": True, "sandbox.allowUnsandboxedCommands": False}
    masked = sorted(set(plan.mask_files + plan.mask_dirs))
    home = os.path.realpath(plan.home)
    creds = [p for p in masked if p.startswith(home.rstrip("/") + "/")]
    # the settings file being written and its ownership record exist once this install ran
    mine = [os.path.realpath(settings_path), os.path.realpath(sidecar_path(settings_path))]
    mine += [os.path.realpath(p) for p in plan.own_extra]
    deny_write = sorted(set(plan.read_only + masked + own_places(plan) + mine))  # sorted: same bytes every time
    if scope == "user":
        from hookgate.state.paths import is_under

        masked = [p for p in masked if not is_under(p, plan.project_root)]
        creds = [p for p in creds if not is_under(p, plan.project_root)]
        deny_write = [p for p in deny_write if not is_under(p, plan.project_root)]
    lists = {
        "sandbox.filesystem.denyRead": masked,
        "sandbox.filesystem.denyWrite": deny_write,
        "sandbox.credentials.files": [{"path": p, "mode": "deny"} for p in creds],
    }
    return scalars, {k: v for k, v in lists.items() if v}


def gemini_entries(plan: Plan, settings_path: str, scope: str = "project") -> tuple[dict, dict]:
    return {"security.toolSandboxing": True}, {}


ENTRIES = {"claude-code": claude_entries, "gemini-cli": gemini_entries}


def codex_entries(plan: Plan, config_path: str, scope: str = "project") -> tuple[list[str], list[str]]:
    """(``"none"`` paths, ``"read"`` paths) of Codex's permission profile (``floor.codex``):
    the same lists as Claude Code's ``denyRead`` and ``denyWrite``."""
    _scalars, lists = claude_entries(plan, config_path, scope)
    none = lists.get("sandbox.filesystem.denyRead") or []
    read = [p for p in lists.get("sandbox.filesystem.denyWrite") or [] if p not in none
            and p != os.path.realpath(sidecar_path(config_path))]
    return none, read


def ignore_lines(compiled: dict) -> list[str]:
    """gitignore lines for the read guard's deny tier (project-relative rules only)."""
    pol = (compiled.get("policies") or {}).get("read-guard") or {}
    out: list[str] = []
    negs: list[str] = []
    for r in pol.get("rules") or ():
        if r.get("tier_name") != "deny":
            continue
        for src in r.get("src") or ():
            if not src.startswith("~"):
                out.append(src)
        for src in r.get("src_exc") or ():
            if not src.startswith("~"):
                negs.append("!" + src)
    return _uniq(out + negs)


# --- JSON settings: dotted keys, recorded ownership ----------------------------------------


def _walk(doc: dict, dotted: str, create: bool, created: list[str]):
    """(container, last key) for *dotted*; creates missing objects when *create*."""
    parts = dotted.split(".")
    cur = doc
    for i, k in enumerate(parts[:-1]):
        nxt = cur.get(k)
        if nxt is None:
            if not create:
                return None, parts[-1]
            nxt = cur[k] = {}
            created.append(".".join(parts[: i + 1]))
        elif not isinstance(nxt, dict):
            raise merge.Refusal(f"{'.'.join(parts[:i + 1])} is not an object")
        cur = nxt
    return cur, parts[-1]


def add(doc: dict, scalars: dict, lists: dict) -> tuple[dict, dict]:
    """*doc* with the floor settings; and the record of what was set."""
    doc = copy.deepcopy(doc)
    created: list[str] = []
    set_: dict = {}
    added: dict = {}
    rec = {"version": 1, "set": set_, "added": added, "created": created}
    for key, value in scalars.items():
        cont, last = _walk(doc, key, True, created)
        set_[key] = {"had": last in cont, "was": cont.get(last)}
        cont[last] = value
    for key, entries in lists.items():
        cont, last = _walk(doc, key, True, created)
        cur = cont.get(last)
        if cur is None:
            cur = cont[last] = []
            created.append(key)
        elif not isinstance(cur, list):
            raise merge.Refusal(f"{key} is not a list")
        new = [e for e in entries if e not in cur]
        cur.extend(copy.deepcopy(new))
        added[key] = new
    return doc, rec


def strip(doc: dict, rec: dict | None) -> dict:
    """*doc* without what *rec* says hookgate set (previous values back)."""
    if not rec:
        return doc
    doc = copy.deepcopy(doc)
    for key, entries in (rec.get("added") or {}).items():
        cont, last = _walk(doc, key, False, [])
        if cont is None or not isinstance(cont.get(last), list):
            continue
        lst = cont[last]
        for e in entries:
            if e in lst:
                lst.remove(e)
    for key, prev in (rec.get("set") or {}).items():
        cont, last = _walk(doc, key, False, [])
        if cont is None:
            continue
        if prev.get("had"):
            cont[last] = prev.get("was")
        else:
            cont.pop(last, None)
    for key in sorted(rec.get("created") or (), key=lambda k: -k.count(".")):
        cont, last = _walk(doc, key, False, [])
        if cont is not None and cont.get(last) in ({}, []):
            del cont[last]
    return doc


def sidecar_path(settings_path: str) -> str:
    return settings_path + SIDECAR_SUFFIX


def read_sidecar(settings_path: str) -> dict | None:
    data = merge.read_bytes(sidecar_path(settings_path))
    if data is None:
        return None
    try:
        rec = json.loads(data)
    except ValueError:
        raise merge.Refusal(f"{sidecar_path(settings_path)}: unreadable; nothing was written") from None
    return rec if isinstance(rec, dict) else None


# --- Claude Code's PreSkillShellCommand: registered when the installed Claude knows it ------

SKILL_SHELL = "PreSkillShellCommand"
SKILL_SHELL_SINCE = (2, 1, 332)  # 2.1.331 does not know the event; 2.1.332 and 2.1.337 do (binary strings)


def claude_version(exe: str | None = None) -> tuple[tuple[int, int, int] | None, str]:
    """(version, what was asked) of the ``claude`` on PATH (``claude --version``)."""
    import re
    import subprocess

    exe = exe or shutil.which("claude")
    if not exe:
        return None, "no `claude` on PATH"
    try:
        r = subprocess.run([exe, "--version"], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"`{exe} --version` failed ({type(e).__name__})"
    m = re.match(r"\s*(\d+)\.(\d+)\.(\d+)", r.stdout or "")
    if not m:
        return None, f"`{exe} --version` printed no version"
    return (int(m[1]), int(m[2]), int(m[3])), exe


def knows_skill_shell(version) -> bool:
    return version is not None and tuple(version) >= SKILL_SHELL_SINCE


def skill_shell_note(version, where: str) -> str:
    v = ".".join(map(str, version)) if version else None
    if knows_skill_shell(version):
        return f"{SKILL_SHELL} registered (Claude Code {v} at {where} runs it before a skill's embedded shell command)"
    why = f"Claude Code {v} ({where}) does not know it" if v else f"the Claude Code version is unknown ({where})"
    return (f"{SKILL_SHELL} not registered: {why}, and an unknown hook event is reported as an invalid setting; "
            f"skills' embedded shell commands (!`cmd`) are not seen by the hook until Claude Code >= "
            f"{'.'.join(map(str, SKILL_SHELL_SINCE))} is installed and `hookgate install` runs again "
            "(or set disableSkillShellExecution: true)")


def _with_skill_shell(p: merge.Plan, command: str) -> merge.Plan:
    """*p* with hookgate's PreToolUse handler registered for PreSkillShellCommand as well."""
    doc = json.loads(p.after)
    pre = targets.template("claude-code", command)["hooks"]["PreToolUse"][0]["hooks"]
    doc.setdefault("hooks", {}).setdefault(SKILL_SHELL, []).append({"matcher": "*", "hooks": copy.deepcopy(pre)})
    after = merge.dump(doc)
    return p._replace(after=after, added=p.added + 1,
                      backup_new=merge.wants_backup(p.target.path, p.before, after, p.removed))


def plan_install(t: targets.Target, command: str, plan: Plan | None, skill_shell: bool = False) -> merge.Plan:
    """The wiring (ADR 0011, ``merge.plan_install``) plus the floor, for one settings file;
    *skill_shell*: also register PreSkillShellCommand (Claude Code >= 2.1.332)."""
    if t.platform not in ENTRIES:
        return merge.plan_install(t, command)
    old = read_sidecar(t.path)
    scalars, lists = ENTRIES[t.platform](plan, t.path, t.scope) if plan is not None else ({}, {})
    recs: list[dict] = []

    def transform(doc: dict) -> dict:
        try:
            doc, rec = add(strip(doc, old), scalars, lists)
        except merge.Refusal as e:
            raise merge.Refusal(f"{t.path}: {e}; nothing was written") from None
        recs.append(rec)
        return doc

    p = merge.plan_install(t, command, transform)
    if skill_shell and t.platform == "claude-code":
        p = _with_skill_shell(p, command)
    rec = recs[0] if recs else None
    empty = rec is None or not (rec["set"] or rec["added"] or rec["created"])
    _SIDECARS[t.path] = None if empty else (json.dumps(rec, indent=2, sort_keys=True) + "\n").encode()
    return p


def plan_uninstall(t: targets.Target) -> merge.Plan:
    """Take the floor out (previous values back), then the wiring (``merge.plan_uninstall``)."""
    if t.platform not in ENTRIES:
        return merge.plan_uninstall(t)
    rec = read_sidecar(t.path)
    _SIDECARS[t.path] = None
    return merge.plan_uninstall(t, (lambda doc: strip(doc, rec)) if rec else None)


def apply_sidecar(settings_path: str) -> None:
    """Write (or remove) the ownership record planned for *settings_path*."""
    from hookgate.state import files

    if settings_path not in _SIDECARS:
        return
    data = _SIDECARS.pop(settings_path)
    p = sidecar_path(settings_path)
    if data is None:
        try:
            os.unlink(p)
        except FileNotFoundError:
            pass
    else:
        files.replace(p, data, mode=0o644)


# --- ignore files -------------------------------------------------------------------------


def _without_block(text: str) -> tuple[str, bool]:
    """*text* without hookgate's block (and the newline it added); (text, found)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line in (BEGIN, BEGIN_JOINED, BEGIN_CREATED):
            try:
                j = lines.index(END, i)
            except ValueError:
                return text, False
            head, tail = lines[:i], lines[j + 1 :]
            if line == BEGIN_JOINED and head and head[-1] == "":
                head = head[:-1]
            if tail == [""] and line == BEGIN_JOINED:
                tail = []
            if tail == [""] and not head:
                tail = []
            out = "\n".join(head + tail) if head or tail else ""
            if line == BEGIN and head and tail == [""]:
                out = "\n".join(head) + "\n"
            return out, True
    return text, False


def block_text(text: str | None, lines: list[str] | None) -> str | None:
    """*text* (None: no file) with *lines* as hookgate's marked block at the end, or without
    the block when *lines* is None; None when the file should not exist (hookgate created it
    and nothing else is in it)."""
    base, _found = _without_block(text) if text is not None else ("", False)
    if lines is None:
        if text is None:
            return None
        if not base and _found and BEGIN_CREATED in text.split("\n"):
            return None  # hookgate created it
        return base
    block = "\n".join([BEGIN, *lines, END]) + "\n"
    if text is None or (base == "" and BEGIN_CREATED in text.split("\n")):
        return block.replace(BEGIN, BEGIN_CREATED, 1)
    if base == "":
        return block
    if base.endswith("\n"):
        return base + block
    return base + "\n" + block.replace(BEGIN, BEGIN_JOINED, 1)


def ignore_plan(path: str, lines: list[str] | None) -> tuple[bytes | None, bytes | None]:
    """(before, after) of an ignore file: *lines* as hookgate's block, or None to remove it."""
    before = merge.read_bytes(path)
    text = before.decode("utf-8", "surrogateescape") if before is not None else None
    after = block_text(text, lines)
    return before, (after.encode("utf-8", "surrogateescape") if after is not None else None)


# --- can the native floor start here? ------------------------------------------------------


def preflight(platform: str) -> tuple[bool, str]:
    """Whether *platform*'s own sandbox can start on this machine; else what to install."""
    if platform not in ("claude-code", "gemini-cli", "codex"):
        return True, ""
    if sys.platform == "darwin":
        return True, "macOS: Seatbelt (sandbox-exec) is built in"
    if sys.platform != "linux":
        return False, f"no supported sandbox on {sys.platform} (Linux needs bubblewrap; WSL2 works)"
    from hookgate.floor import bwrap

    missing = []
    if platform == "codex" and not shutil.which("bwrap"):
        return True, "Codex brings its own bubblewrap"
    if not shutil.which("bwrap"):
        missing.append("bubblewrap")
    if platform == "claude-code" and not shutil.which("socat"):
        missing.append("socat")
    if missing:
        return False, (f"missing {' and '.join(missing)}: install with `apt-get install {' '.join(missing)}` "
                       f"(Fedora: dnf install {' '.join(missing)}), then run `hookgate install` again")
    ok, why = bwrap.probe()
    return ok, why
