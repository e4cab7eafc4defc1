"""The shell's execution state as the walk tracks it: the current directory, variables,
functions and the directory stack (``State``), one executed command (``Command``), and the
path and positional-parameter helpers every program handler uses. Below the walk and every
handler: imports only ``words``."""

from __future__ import annotations

import os

from hookgate.shell.words import GLOB, LIT, UNKNOWN, Alts, Opaque, alts_of


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

    def update(self, other=(), **kw):
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
