"""Builtins that assign variables or positional parameters (ADR 0007).

``read`` binds what stdin carries: one name fed by a stream of file names
(``find … | while read f``, ``done < <(find …)``) takes the stream's item, a one-line
here-string its text; otherwise the names become unknown. ``mapfile``/``readarray``,
``printf -v``, ``getopts`` make their variables unknown. ``set -- …`` and ``shift`` change
the positional parameters (unknown unless they stay empty).
"""

from __future__ import annotations

from hookgate.shell.shellstate import Call, has, opts, values
from hookgate.shell.words import GLOB, LIT, UNKNOWN, Opaque

HANDLERS: dict = {}  # this module's part of the command table (``shell.table``)

_NAME = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _names(fields, c=None) -> list:
    """The variable names among ``fields``; a name known only at run time (``printf -v "$x"``)
    may be any variable: no variable is free after it (``freevars``)."""
    if c is not None and any(k != LIT for _, k in fields):
        c.w.dynamic_assignment()
    return [t for t, k in fields if k == LIT and t and all(c in _NAME for c in t) and not t[0].isdigit()]


def _read(c: Call) -> None:
    o, ops = opts(c.args, "adinNptu", ())
    st = c.st
    for a in values(o, "-a"):
        for n in _names([a], c):
            st.vars[n] = UNKNOWN
    names = _names(ops, c) or ["REPLY"]
    for n in names:
        st.vars[n] = UNKNOWN
    if len(names) != 1 or any(k != LIT for _, k in ops) or has(o, "-a", "-u", "-n", "-N", "-i"):
        return
    feed = c.feed
    if feed is None:
        return
    if feed.items is not None and len(feed.items) == 1:
        v = read_value(feed.items[0], has(o, "-r"))
        if v is not None:
            st.vars[names[0]] = v
    elif feed.text is not None and not has(o, "-d"):
        text = feed.text[:-1] if feed.text.endswith("\n") else feed.text
        if "\n" not in text and (has(o, "-r") or "\\" not in text):
            st.vars[names[0]] = text.strip(" \t")


def read_value(item, raw: bool):
    """The value ``read [-r] NAME`` gives one line of a stream (a field), or None: unknown.
    Leading and trailing blanks go; without -r a backslash quotes the next character (a
    trailing one joins the next line: unknown)."""
    t, k = item
    if k == GLOB:
        return (t, k)
    if k != LIT:
        return Opaque(t)
    t = t.strip(" \t")
    if raw or "\\" not in t:
        return t
    if t.endswith("\\") and not t.endswith("\\\\"):
        return None
    out = []
    i = 0
    while i < len(t):
        if t[i] == "\\" and i + 1 < len(t):
            out.append(t[i + 1])
            i += 2
            continue
        out.append(t[i])
        i += 1
    return "".join(out)


def _mapfile(c: Call) -> None:
    o, ops = opts(c.args, "dnOsuCc", ())
    if has(o, "-C"):
        c.w.dynamic_assignment()  # a callback run as code the walker does not see
    for n in _names(ops[-1:], c) or ["MAPFILE"]:
        c.st.vars[n] = UNKNOWN


def _printf(c: Call) -> None:
    o, _ = opts(c.args[:2], "v", (), posix=True)
    for n in _names(values(o, "-v"), c):
        c.st.vars[n] = UNKNOWN


def _getopts(c: Call) -> None:
    for n in _names(c.args[1:2], c) + ["OPTARG", "OPTIND"]:
        c.st.vars[n] = UNKNOWN


def _wait(c: Call) -> None:
    o, _ = opts(c.args, "p", ())
    for n in _names(values(o, "-p"), c):
        c.st.vars[n] = UNKNOWN


def _unset(c: Call) -> None:
    """``unset [-v|-f|-n] NAME…``: the variable is unset now (made unknown: ``${v-x}`` tells
    unset from empty), or the function is gone."""
    o, ops = opts(c.args, "", ())
    for n in _names(ops):
        if has(o, "-f"):
            c.st.funcs.pop(n, None)
        else:
            c.st.vars[n] = UNKNOWN


def _alias(c: Call) -> None:
    """``alias x='…'``/``enable -f lib x``: code (or builtins) the walker does not see may run
    later and assign any variable."""
    if any(k != LIT or "=" in t or (c.name == "enable" and t[:1] != "-") for t, k in c.args):
        c.w.dynamic_assignment()
    if c.name == "alias":
        # what an alias runs is analysed where it is defined (ADR 0021): with expand_aliases
        # (or in a shell that expands them) any later command line may run it
        for t, k in c.args:
            if k == LIT and "=" in t and not t.startswith("-"):
                c.script((t.split("=", 1)[1], LIT), f"alias {t.split('=', 1)[0]}")
            elif k != LIT:
                c.indeterminate("alias of a value that cannot be known")


def _hash(c: Call) -> None:
    """``hash -p PATH NAME``: NAME now runs PATH (ADR 0021)."""
    args = c.args
    for i, (t, k) in enumerate(args):
        if k == LIT and t == "-p" and i + 2 < len(args):
            path, name = args[i + 1], args[i + 2]
            if path[1] != LIT or name[1] != LIT:
                c.indeterminate("hash -p of a program that cannot be known")
            else:
                c.w.hashed[name[0]] = path[0]
            return


def _history(c: Call) -> None:
    """``fc``/``history``: commands re-run from the history list are not in the command's text."""
    args = [t for t, k in c.args]
    if c.name == "fc":
        if "-l" not in args:
            c.indeterminate("fc re-runs commands from the history list")
        return
    for i, t in enumerate(args):
        if t == "-s" and i + 1 < len(c.args):
            c.script((" ".join(a for a in args[i + 1:]), LIT), "history -s")  # (it may be re-run)
            return
        if t in ("-r", "-n") and i + 1 < len(c.args):
            c.acc(c.args[i + 1], "read", "history -r")
            c.indeterminate("history -r loads commands that may be re-run")
            return


def _let(c: Call) -> None:
    """``let x=1 y++``: the names it may assign are unknown now (arithmetic is not evaluated)."""
    import re

    for t, k in c.args:
        if k != LIT:
            c.w.dynamic_assignment(any_value=False)
            continue
        for n in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", t):
            c.st.vars[n] = UNKNOWN


def _set(c: Call) -> None:
    from hookgate.shell.shellstate import positional_unknown

    args = c.args
    i = 0
    while i < len(args):
        t, k = args[i]
        if k != LIT or t == "--" or t == "-" or t[:1] not in "-+":
            positional_unknown(c.st)  # set -- a b / set a b: new positional parameters
            return
        i += 2 if t in ("-o", "+o") else 1


def _shift(c: Call) -> None:
    from hookgate.shell.shellstate import POSITIONAL, positional_unknown

    if all(c.st.vars.get(k) == "" for k in POSITIONAL if k != "#"):
        return  # nothing to shift: they stay empty
    positional_unknown(c.st)


def _shopt(c: Call) -> None:
    for t, k in c.args:
        if k != LIT:
            c.w.dotglob = c.w.globstar = True  # an option named at run time: assume the widest
        else:
            c.w.glob_options(t)


HANDLERS["shopt"] = _shopt
HANDLERS["read"] = _read
HANDLERS["mapfile"] = HANDLERS["readarray"] = _mapfile
HANDLERS["printf"] = _printf
HANDLERS["getopts"] = _getopts
HANDLERS["wait"] = _wait
HANDLERS["let"] = _let
HANDLERS["unset"] = _unset
HANDLERS["alias"] = HANDLERS["enable"] = _alias
HANDLERS["hash"] = _hash
HANDLERS["fc"] = HANDLERS["history"] = _history
HANDLERS["set"] = _set
HANDLERS["shift"] = _shift
