"""The shell's execution state as the walk tracks it: the current directory, variables,
functions and the directory stack (``State``), one executed command (``Command``), the path
and positional-parameter helpers every program handler uses, and what a handler receives
(``Call``: one command invocation, the walker seen through the ``Walk`` interface; the option
parser ``opts`` with ``has``/``values``; the access modes). Below the walk and every handler:
imports only ``words``. (The handler interface lives here, not in ``commands``, so that
``git status`` loads ``gitcmd`` and not the simple programs' part of the table: ADR 0017.)"""

from __future__ import annotations

import os

from hookgate.shell.words import GLOB, LIT, UNKNOWN, UNRES, Alts, Opaque, alts_of


class Command:
    """One executed simple command (after unwrapping sudo/env/…)."""

    __slots__ = ("argv", "name", "depth", "wrappers")

    def __init__(self, argv, name, depth, wrappers=()):
        self.argv = argv
        self.name = name
        self.depth = depth
        self.wrappers = wrappers

    def __repr__(self):
        return f"Command(name={self.name!r}, argv={self.argv!r}, depth={self.depth})"


class Vars(dict):
    """name -> str | UNKNOWN | Opaque | glob tuple. Every name ever set, in any copy (subshells,
    branches, loop bodies), is recorded in the shared ``assigned`` set: a name there is never
    a free variable (``freevars``)."""

    __slots__ = ("assigned",)

    def __init__(self, items=(), assigned=None):
        super().__init__(items)
        self.assigned = set() if assigned is None else assigned

    def __setitem__(self, key, value):
        self.assigned.add(key)
        super().__setitem__(key, value)

    def update(self, other=(), **kw):  # type: ignore[override]
        for k, v in dict(other, **kw).items():
            self[k] = v

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def copy(self) -> Vars:
        return Vars(self, self.assigned)


class State:
    __slots__ = ("cwd", "vars", "funcs", "dirstack")

    def __init__(self, cwd, vars, funcs, dirstack=()):
        self.cwd = cwd  # str or UNKNOWN
        self.vars = vars if isinstance(vars, Vars) else Vars(vars)  # name -> str or UNKNOWN
        self.funcs = funcs  # name -> body stmt
        self.dirstack = dirstack

    def copy(self) -> State:
        return State(self.cwd, self.vars.copy(), dict(self.funcs), self.dirstack)

    def merge(self, others: list) -> None:
        """After branches: keep what all agree on, make the rest unknown."""
        for o in others:
            if o.cwd != self.cwd:
                self.cwd = UNKNOWN
            for k in set(o.vars) | set(self.vars):
                if o.vars.get(k, UNKNOWN) is not self.vars.get(k, UNKNOWN) and o.vars.get(k) != self.vars.get(k):
                    # one of the values (ADR 0021): `true && A=.e; cat "${A}nv"` may read .env
                    self.vars[k] = alts_of(k, (self.vars.get(k, UNKNOWN), o.vars.get(k, UNKNOWN)))
                elif isinstance(o.vars.get(k), Alts) and o.vars.get(k) is not self.vars.get(k):
                    self.vars[k] = alts_of(k, (self.vars.get(k, UNKNOWN), o.vars.get(k)))
            for k, v in o.funcs.items():
                self.funcs.setdefault(k, v)


    def take(self, branches: list) -> None:
        """After branches of which one always runs (``if … else``): what they agree on, one of
        their values where they disagree (``Alts``)."""
        first = branches[0]
        first.merge(branches[1:])
        self.cwd, self.dirstack = first.cwd, first.dirstack
        for k in set(self.vars) | set(first.vars):
            if k in first.vars:
                if self.vars.get(k, UNKNOWN) is not first.vars[k]:
                    self.vars[k] = first.vars[k]
            else:
                self.vars[k] = UNKNOWN
        self.funcs.update(first.funcs)


POSITIONAL = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "@", "*", "#")


def bind_positional(st: State, args) -> None:
    """``$1…$9``, ``$@``, ``$*``, ``$#`` for a function body or a ``sh -c`` script run with
    ``args`` (fields). Missing ones are empty, as in bash. A glob or unresolved argument may be
    several words (or none): it stands for its own position, and every later one is unknown."""
    known = True
    for i in range(9):
        key = str(i + 1)
        if not known:
            st.vars[key] = UNKNOWN
        elif i < len(args):
            t, k = args[i]
            st.vars[key] = t if k == LIT else (t, k) if k == GLOB else Opaque(t)
            known = k == LIT
        else:
            st.vars[key] = ""
    if not args:
        st.vars["@"] = st.vars["*"] = ""
    elif len(args) == 1:
        st.vars["@"] = st.vars["*"] = st.vars["1"]
    else:
        st.vars["@"] = st.vars["*"] = UNKNOWN
    st.vars["#"] = str(len(args)) if len(args) < 10 and all(k == LIT for _, k in args) else UNKNOWN


def positional_unknown(st: State) -> None:
    for k in POSITIONAL:
        st.vars[k] = UNKNOWN


def norm(path: str, cwd) -> str | None:
    if not path.startswith("/"):
        if cwd is UNKNOWN:
            return None
        path = cwd + "/" + path
    p = os.path.normpath(path)
    if p.startswith("//"):
        p = "/" + p.lstrip("/")
    return p


# --- what a program handler receives (``shell.table``) ----------------------------------
R, W_, D, X = "read", "write", "delete", "exec"

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from collections.abc import Callable
    from typing import Any, Protocol

    class Walk(Protocol):
        """What a handler may use of the walker (``walk.Walker``) through ``Call.w``: a
        handler reaching for anything else fails the type check. Most handlers need only
        ``Call``'s own methods."""

        home: str
        env: dict[str, str]
        may_read: Any  # files the engine may read now (``listing.read_now``), or None
        flagged: Callable[[Any], bool] | None  # would a guard deny or ask about this access?
        hashed: dict[str, str]
        dotglob: bool
        globstar: bool
        changed_unknown: bool

        def emit(self, field: Any, mode: Any, via: Any, tool: Any, st: Any, allow_dir: Any = True) -> None: ...
        def add(self, path: Any, mode: Any, resolved: Any, via: Any, tool: Any) -> None: ...
        def run(self, fields: Any, st: Any, depth: int, feed: Any = None, wrappers: Any = ()) -> None: ...
        def script(self, text: str, st: Any, depth: int, why: str, feed: Any = None) -> None: ...
        def indeterminate(self, why: str) -> None: ...
        def dynamic_assignment(self, any_value: bool = True) -> None: ...
        def glob_options(self, text: str) -> None: ...
        def env_code(self, name: Any, value: Any, st: Any, depth: Any, others: Any = None) -> None: ...
        def try_concrete(self, run_symbolic: Any, concrete: Any, run_lines: Any, keep: Any = ()) -> None: ...
        def never_runs(self, body: Any) -> None: ...


class Call:
    """One command invocation as the table sees it: *w* is the walker, seen through the
    ``Walk`` interface above."""

    __slots__ = ("w", "name", "fields", "args", "st", "depth", "feed")

    def __init__(self, w: Walk, name, fields, st, depth, feed):
        self.w = w
        self.name = name
        self.fields = fields
        self.args = fields[1:]
        self.st = st
        self.depth = depth
        self.feed = feed

    def acc(self, field, mode, via) -> None:
        self.w.emit(field, mode, via, self.name, self.st)

    def raw(self, path, mode, resolved, via) -> None:
        self.w.add(path, mode, resolved, via, self.name)

    def cwd_field(self):
        cwd = self.st.cwd
        return (cwd, LIT) if isinstance(cwd, str) else (".", UNRES)

    def run(self, fields, feed=None, st=None) -> None:
        self.w.run(fields, st if st is not None else self.st.copy(), self.depth + 1, feed)

    def script(self, field, via, feed=None, st=None) -> None:
        text, kind = field
        if kind != LIT:
            self.w.indeterminate(f"{via} of a non-literal string ({text[:60]})")
            return
        self.w.script(text, st if st is not None else self.st.copy(), self.depth + 1, via, feed)

    def indeterminate(self, why: str) -> None:
        self.w.indeterminate(why)


def opts(args, sv="", lv=(), posix=False, optional_attached="", digits_attached=""):
    """Parse options. (list of (name, value field or None), operands).

    sv: short options taking a value; lv: long options taking a value (without ``--``);
    posix: options end at the first operand; optional_attached: short options whose value
    may only be attached (``-i.bak``). Combined short flags, ``--``, ``--x=v`` handled.
    """
    out: list[tuple[str, tuple[str, int] | None]] = []
    ops = []
    i, n = 0, len(args)
    while i < n:
        text, kind = args[i]
        i += 1
        if kind != LIT or len(text) < 2 or text[0] != "-":
            ops.append((text, kind))
            if posix:
                ops.extend(args[i:])
                break
            continue
        if text == "--":
            ops.extend(args[i:])
            break
        if text.startswith("--"):
            name, eq, val = text[2:].partition("=")
            if eq:
                out.append(("--" + name, (val, LIT)))
            elif name in lv and i < n:
                out.append(("--" + name, args[i]))
                i += 1
            else:
                out.append(("--" + name, None))
            continue
        j = 1
        while j < len(text):
            c = text[j]
            if c in digits_attached:
                k = j + 1
                while k < len(text) and text[k] in "0123456789abcdefxABCDEF":
                    k += 1
                out.append(("-" + c, (text[j + 1 : k], LIT) if k > j + 1 else None))
                j = k
                continue
            if c in optional_attached:
                out.append(("-" + c, (text[j + 1 :], LIT) if j + 1 < len(text) else None))
                break
            if c in sv:
                if j + 1 < len(text):
                    out.append(("-" + c, (text[j + 1 :], LIT)))
                elif i < n:
                    out.append(("-" + c, args[i]))
                    i += 1
                else:
                    out.append(("-" + c, None))
                break
            out.append(("-" + c, None))
            j += 1
    return out, ops


def has(o, *names) -> bool:
    return any(k in names for k, _ in o)


def values(o, *names):
    return [v for k, v in o if k in names and v is not None]
