"""The shell engine: what a shell command reads, writes, deletes and runs (ADR 0007).

    from hookgate.shell import analyse
    res = analyse("cp a .env && rm -f $(cat list)", cwd="/repo", home="/home/u")
    res.accesses       # [Access(path, mode, resolved, via, tool), …]
    res.indeterminate  # the command as a whole could not be analysed
    res.parse_error    # why (parse error, caps, eval of a non-literal string, …) or None
    res.commands       # executed simple commands: .argv (str or None per word), .name, .depth

Standard library only; the parser is the shfmt binary (mvdan/sh) spawned per command, except
for trivially tokenisable commands (pure-Python fast path, same tree).
"""

from __future__ import annotations

import os
import time

# parse and walk load on the first analysis, not with the package: a tool call that is not a
# shell command imports ``hookgate.shell.freevars`` (the classifier's well-known variables) and
# must not pay for the whole engine (ADR 0017's import budget)
_LAZY = {"_parse": ("hookgate.shell.parse", None), "Abort": ("hookgate.shell.walk", "Abort"),
         "Command": ("hookgate.shell.walk", "Command"), "State": ("hookgate.shell.walk", "State"),
         "Walker": ("hookgate.shell.walk", "Walker"),
         "bind_positional": ("hookgate.shell.walk", "bind_positional")}


def __getattr__(name):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    mod, attr = _LAZY[name]
    __import__(mod)
    import sys

    value = sys.modules[mod] if attr is None else getattr(sys.modules[mod], attr)
    globals()[name] = value
    return value


__all__ = ["analyse", "Analysis", "Command"]

TIME_CAP = 2.0
OVERRUN = "$(not analysed: a cap was reached)"


class Analysis:
    __slots__ = ("command", "accesses", "indeterminate", "parse_error", "commands", "fast_path", "reasons",
                 "assigned", "open_vars")

    def __init__(self, command, accesses, indeterminate, parse_error, commands, fast_path=False, reasons=()):
        self.command = command
        self.accesses = accesses
        self.indeterminate = indeterminate
        self.parse_error = parse_error
        self.commands = commands
        self.fast_path = fast_path
        self.reasons = reasons
        self.assigned = frozenset()  # every variable name the command may assign (freevars)
        self.open_vars = False  # a dynamic assignment: no variable is free

    def __repr__(self):
        return (f"Analysis(indeterminate={self.indeterminate}, parse_error={self.parse_error!r}, "
                f"accesses={self.accesses!r})")

    def to_json(self) -> dict:
        return {
            "command": self.command,
            "accesses": [
                {"path": a.path, "mode": a.mode, "resolved": a.resolved, "via": a.via, "tool": a.tool}
                for a in self.accesses
            ],
            "indeterminate": self.indeterminate,
            "parse_error": self.parse_error,
        }


def _capped(e) -> list:
    """Accesses of a command the parser gave up on. A syntax error (bash would not run it
    either) reads and writes nothing; a cap (size, NUL, substitutions, time, nesting) or a
    parser failure may hide any access: an unknown read and write (ADR 0021)."""
    from hookgate.core.event import Access
    from hookgate.shell import parse as _parse

    msg = str(e)
    if isinstance(e, _parse.ParseError) and msg.startswith("parse error"):
        return []
    return [Access(OVERRUN, "read", False, f"not analysed: {msg[:120]}", "shell"),
            Access(OVERRUN, "write", False, f"not analysed: {msg[:120]}", "shell")]


def _dedupe(items):
    seen = set()
    out = []
    for a in items:
        if a not in seen:
            seen.add(a)
            out.append(a)
    return out


def analyse(command: str, cwd: str, env=None, home: str | None = None, time_cap: float = TIME_CAP,
            may_read=None, flagged=None) -> Analysis:
    """Accesses and executed commands of ``command`` run by bash in ``cwd``. Never raises.

    ``may_read(path) -> bool``: files the engine may read now to know what a pipe carries
    (``cat list.txt | xargs rm``; ADR 0008 item 6) — the read guard's verdict, so no protected
    content reaches the analysis. None: never read. If the command itself writes a file that
    was read this way (or writes somewhere unresolved), it is analysed again without reading.

    ``flagged(access) -> bool``: would the guards deny or ask about this unresolved access?
    Where a loop or ``find -exec`` over a symbolic listing leaves such an access, the engine
    runs it over the files there are now instead (``Walker.try_concrete``)."""
    start = time.monotonic()
    env = dict(env or {})
    if home is None:
        home = env.get("HOME") or os.path.expanduser("~")
    cwd = os.path.normpath(cwd) if cwd and cwd.startswith("/") else (os.path.abspath(cwd) if cwd else "/")
    from hookgate.shell import parse as _parse

    try:
        tree, fast = _parse.parse(command, time_cap)  # once: every pass below walks this tree
    except _parse.ParseError as e:
        return Analysis(command, _capped(e), True, str(e), [])
    except Exception as e:  # noqa: BLE001 - the hot path must never crash
        return Analysis(command, _capped(e), True, f"parser failure: {type(e).__name__}: {e}", [])
    # the agent's environment (``freevars.environment``, ``HOME`` = home) is made from ``env``
    # by the Walker when the command first looks a variable up (``Walker.env``, expand.param)
    job = (command, tree, fast, cwd, env, home, start + time_cap, flagged)
    res = _analyse(job, may_read)
    if may_read is not None and res[1]:
        res = _analyse(job, None)
    return res[0]


def _analyse(job, may_read):
    """One pass with free variables (``freevars``); again without the names a pass resolved as
    free but saw assigned later (a loop body), or without any after a dynamic assignment in a
    loop (from the start, nothing known then)."""
    no_free: set | bool = set()
    for _ in range(3):
        res = _walk(job, may_read, no_free)
        w = res[2]
        if w.dynamic_in_loop and (w.any_assigned or w.free_used):
            return _walk(job, may_read, True, all_unknown=w.any_assigned)[:2]
        late = w.free_used & res[0].assigned
        if not late:
            return res[:2]
        no_free = no_free | late
    return _walk(job, may_read, True)[:2]


def _walk(job, may_read, no_free, all_unknown=False):
    from hookgate.shell.walk import Abort, State, Walker, bind_positional

    command, tree, fast, cwd, env, home, deadline, flagged = job
    w = Walker(home, deadline, command=command, env_from=env, may_read=may_read, flagged=flagged,
               no_free=no_free, all_unknown=all_unknown,
               src=b"" if fast else command.encode("utf-8", "surrogateescape"))
    st = State(cwd, {}, {})
    # the agent's shell runs the command with no arguments: $1…, $@ are empty (ADR 0007)
    bind_positional(st, [])
    error = None
    try:
        w.stmts(tree.get("Stmts") or [], st, 0)
    except Abort as e:
        error = str(e)
    except RecursionError:
        error = "syntax tree too deeply nested"
    except Exception as e:  # noqa: BLE001
        error = f"analysis failure: {type(e).__name__}: {e}"
    if error is not None:
        # a walk cut short (deadline, size or depth cap, internal error): what it did not see
        # may touch any file — indeterminate, and fail closed on protected scopes (ADR 0021);
        # before, the accesses seen so far were all the guards judged
        w.add(OVERRUN, "read", False, f"analysis stopped: {error}", "shell")
        w.add(OVERRUN, "write", False, f"analysis stopped: {error}", "shell")
    if error is None and w.reasons:
        error = w.reasons[0]
    result = Analysis(command, _dedupe(w.accesses), error is not None, error, w.commands, fast, tuple(w.reasons))
    result.assigned = frozenset(st.vars.assigned)
    result.open_vars = w.open_vars
    return result, bool(w.hook_reads) and _writes_read_file(w), w


def _writes_read_file(w) -> bool:
    """Does the command write or delete a file the engine read now, or write somewhere unknown?"""
    read = {os.path.realpath(p) for p in w.hook_reads} | set(w.hook_reads)
    for a in w.accesses:
        if a.mode in ("write", "delete"):
            if not a.resolved or not isinstance(a.path, str):
                return True
            for p in (a.path, os.path.realpath(a.path)):
                if p in read or (a.mode == "delete" and any(r.startswith(p.rstrip("/") + "/") for r in read)):
                    return True  # (a write to a directory names an entry in it, reported on its own)
    return False
