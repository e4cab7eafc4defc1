"""Tool input → Accesses (docs/architecture.md, "One tool call"). Validators see only these, never JSON.

Write/Edit → write access to the file; Read → read; Grep/Glob → read of the searched path
(and the glob as an unresolved pattern); shell → the shell engine (imported lazily, only
for shell events); MCP → path-looking arguments, mode from the tool's name.
"""

from __future__ import annotations

import os

from hookgate.core import event as ev
from hookgate.core.event import Access
from hookgate.state.paths import normalize

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from typing import Any

_PATH_KEYS = ("file_path", "notebook_path", "path", "absolute_path", "filepath", "filename", "file")
_MULTI_PATH_KEYS = ("paths", "file_paths", "files")
_MCP_SRC_DST = (("source", ev.MODE_READ), ("destination", ev.MODE_WRITE), ("target", ev.MODE_WRITE))
_MCP_WRITE_WORDS = ("write", "edit", "create", "move", "rename", "delete", "remove", "patch", "replace", "append", "insert", "upload", "mkdir", "copy")
MAX_PATH = 16384


def _path_access(value: object, mode: str, via: str, tool: str, cwd: str, home: str) -> Access:
    if not isinstance(value, str) or not value:
        return Access("", mode, False, via + " (missing)", tool)
    if "\x00" in value or len(value) > MAX_PATH:
        return Access(value[:200], mode, False, via + " (unusable path)", tool)
    p = value.replace("\\", "/") if ("\\" in value and "/" not in value) else value
    return Access(normalize(p, cwd, home), mode, True, via, tool)


def tool_accesses(event: ev.Event, home: str) -> list[Access]:
    """Accesses of a non-shell tool call."""
    kind, name, inp, cwd = event.tool_kind, event.tool_name, event.tool_input, event.cwd
    if kind in (ev.WRITE, ev.EDIT):
        key = "notebook_path" if "notebook_path" in inp and "file_path" not in inp else "file_path"
        for k in ("file_path", "notebook_path", "absolute_path", "path"):
            if k in inp:
                key = k
                break
        return [_path_access(inp.get(key), ev.MODE_WRITE, f"{name}.{key}", name, cwd, home)]
    if kind == ev.READ:
        key = next((k for k in _PATH_KEYS if k in inp), "file_path")
        out = [_path_access(inp.get(key), ev.MODE_READ, f"{name}.{key}", name, cwd, home)]
        for k in _MULTI_PATH_KEYS:
            if isinstance(inp.get(k), list):
                out.extend(_path_access(p, ev.MODE_READ, f"{name}.{k}", name, cwd, home) for p in inp[k])
        return out
    if kind == ev.SEARCH:
        out = []
        base = inp.get("path") or inp.get("dir_path") or inp.get("directory") or ""
        base_abs = normalize(base, cwd, home) if isinstance(base, str) and base else cwd
        out.append(Access(base_abs, ev.MODE_READ, True, f"{name}.path", name))
        for k in ("pattern", "glob", "include"):
            pat = inp.get(k)
            if not isinstance(pat, str) or not pat:
                continue
            if name == "Grep" and k == "pattern":
                continue  # a regex over content, not a file name
            pat_abs = pat if pat.startswith("/") else os.path.join(base_abs, pat)
            out.append(Access(pat_abs, ev.MODE_READ, False, f"{name}.{k} glob", name))
        return out
    if kind == ev.MCP:
        low = name.lower()
        tool_part = low.rsplit("__", 1)[-1]
        mode = ev.MODE_WRITE if any(w in tool_part for w in _MCP_WRITE_WORDS) else ev.MODE_READ
        if "delete" in tool_part or "remove" in tool_part:
            mode = ev.MODE_DELETE
        out = []
        for k in _PATH_KEYS:
            if k in inp:
                out.append(_path_access(inp[k], mode, f"{name}.{k}", name, cwd, home))
        for k in _MULTI_PATH_KEYS:
            if isinstance(inp.get(k), list):
                out.extend(_path_access(p, mode, f"{name}.{k}", name, cwd, home) for p in inp[k])
        for k, m in _MCP_SRC_DST:
            if k in inp:
                out.append(_path_access(inp[k], m if mode != ev.MODE_READ else ev.MODE_READ, f"{name}.{k}", name, cwd, home))
        return out
    return []


class NoCommand:
    """Analysis stand-in for a shell call without a command string: indeterminate."""

    accesses: tuple[Any, ...] = ()
    commands: tuple[Any, ...] = ()
    indeterminate = True
    parse_error = "shell tool call without a command string"


def shell_command(event: ev.Event) -> str | None:
    cmd = event.tool_input.get("command")
    return cmd if isinstance(cmd, str) else None


def adapter_accesses(event: ev.Event, home: str) -> list[Access]:
    """Accesses an adapter already extracted from its platform's tool shape (``extra["accesses"]``:
    ``(path, mode, via[, resolved])`` items; e.g. Cursor ApplyPatch/Delete, Gemini list_directory)."""
    out = []
    for item in event.extra["accesses"]:
        path, mode, via = item[0], item[1], item[2]
        if len(item) > 3 and not item[3]:
            out.append(Access(path, mode, False, via, event.tool_name))
        else:
            out.append(_path_access(path, mode, via, event.tool_name, event.cwd, home))
    return out


def analyse(event: ev.Event, home: str, env: dict[str, Any], may_read: Any = None,
            flagged: Any = None) -> tuple[list[Access], Any]:
    """(accesses, shell analysis or None). The shell engine is imported only here.

    ``may_read(path)``: files the shell engine may read now to know what a pipe carries
    (``validators.policy.hints.read_predicate``: the read guard's policy)."""
    if event.phase not in (ev.PRE, ev.POST):
        return [], None
    if event.tool_kind != ev.SHELL and event.extra.get("accesses") is not None:
        return adapter_accesses(event, home), None
    if event.tool_kind == ev.SHELL:
        command = shell_command(event)
        from hookgate import shell

        if command is None:
            return [], NoCommand()
        else:
            # the agent's shell inherits the hook's environment: a variable the command never
            # assigns has this value, or none (shell.freevars)
            shell_env = dict(env or {})
            shell_env["HOME"] = home
            analysis = shell.analyse(command, event.cwd, env=shell_env, home=home, may_read=may_read,
                                     flagged=flagged)
        return list(analysis.accesses), analysis
    out = tool_accesses(event, home)
    if event.tool_kind == ev.MCP:
        # an MCP tool that runs a command (`command`/`cmd`/`script`): the command is analysed
        # as shell, like the Bash tool's (ADR 0021)
        for key in _MCP_COMMAND_KEYS:
            command = event.tool_input.get(key) if isinstance(event.tool_input, dict) else None
            if isinstance(command, str) and command.strip():
                from hookgate import shell

                shell_env = dict(env or {})
                shell_env["HOME"] = home
                analysis = shell.analyse(command, event.cwd, env=shell_env, home=home, may_read=may_read,
                                         flagged=flagged)
                return out + list(analysis.accesses), analysis
    if event.tool_kind == ev.SEARCH and may_read is not None:
        out += search_content_accesses(event, home, may_read)
    return out, None


_MCP_COMMAND_KEYS = ("command", "cmd", "script", "shell_command", "commandLine")
SEARCH_WALK_CAP = 20000


def search_content_accesses(event: ev.Event, home: str, may_read: Any) -> list[Any]:
    """A content search (Grep ``output_mode: content``) over a directory prints the matching
    lines of every file below it that ripgrep searches by default (not hidden): each such file
    the read guard protects is a read (ADR 0021) — ``secrets/db.txt`` under the project root is
    printed, ``.env`` (hidden) is not. Bounded: past SEARCH_WALK_CAP entries, the directory
    itself stands for the rest (an unresolved read of everything below it)."""
    inp = event.tool_input if isinstance(event.tool_input, dict) else {}
    mode = inp.get("output_mode")
    if mode != "content" and not inp.get("-A") and not inp.get("-B") and not inp.get("-C"):
        return []
    base = inp.get("path") or inp.get("dir_path") or inp.get("directory") or ""
    base_abs = normalize(base, event.cwd, home) if isinstance(base, str) and base else event.cwd
    if not isinstance(base_abs, str) or not os.path.isdir(base_abs):
        return []
    glob = inp.get("glob") if isinstance(inp.get("glob"), str) else None
    out = []
    seen = 0
    for root, dirs, files in os.walk(base_abs):
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in ("node_modules",)]
        for n in files:
            seen += 1
            if seen > SEARCH_WALK_CAP:
                out.append(Access(base_abs.rstrip("/") + "/$(find)", ev.MODE_READ, False,
                                  f"{event.tool_name} content search (past the walk cap)", event.tool_name))
                return out
            if n.startswith("."):
                continue
            p = os.path.join(root, n)
            if os.path.islink(p):
                continue  # ripgrep does not follow symlinks unless told to
            if glob and not _glob_hit(glob, n, os.path.relpath(p, base_abs)):
                continue
            if not may_read(p):
                out.append(Access(p, ev.MODE_READ, True, f"{event.tool_name} content search over {base_abs}",
                                  event.tool_name))
    return out


def _glob_hit(glob: str, name: str, rel: str) -> bool:
    import fnmatch

    pats = [glob]
    if "{" in glob and "}" in glob:
        head, _, rest = glob.partition("{")
        body, _, tail = rest.partition("}")
        pats = [head + b + tail for b in body.split(",")]
    return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(rel, p.lstrip("*/"))
               for p in pats)
