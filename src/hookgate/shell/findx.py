"""Command table, part 3: find (-delete, -exec, -fprint) and xargs (what it feeds).

The files find prints are not listed: they stand as one unresolved absolute pattern
(``/repo/*.env``) that the guards match protected paths against.
"""

from __future__ import annotations

from hookgate.shell.commands import HANDLERS, D, R, W_, Call, has, opts, values
from hookgate.shell.words import LIT, UNRES


# --- find / xargs ------------------------------------------------------------------------
_FIND_VAL = frozenset("-name -iname -path -ipath -wholename -iwholename -regex -iregex -type -xtype -user -group -perm "
                      "-size -mtime -mmin -atime -amin -ctime -cmin -newer -anewer -cnewer -maxdepth -mindepth -uid "
                      "-gid -inum -links -samefile -fstype -printf -used -context -lname -ilname -regextype "
                      "-newermt -newerct -newerat -newerBt -D -O".split())


def _find_split(args):
    starts, expr = [], []
    i = 0
    while i < len(args) and args[i][0] in ("-H", "-L", "-P", "-D", "-O3", "-O2", "-O1", "-O0"):
        i += 2 if args[i][0] == "-D" else 1
    while i < len(args) and not (args[i][1] == LIT and (args[i][0][:1] in ("-", "(", "!", ")") and len(args[i][0]) >= 1)):
        starts.append(args[i])
        i += 1
    expr = args[i:]
    return starts or [(".", LIT)], expr


def find_pattern(args, st):
    """What ``find ARGS`` prints, as one unresolved absolute word for the guards.

    find prints dotfiles and descends into subdirectories, which a shell glob never does, so
    the result is not a glob: ``BASE/$(find)`` (any path under BASE — a guard must assume it
    may be ``.env``) or, with one ``-name P`` filter, ``BASE/$(find)/P`` (any directories, a
    file named like P)."""
    from hookgate.shell.walk import norm

    starts, expr = _find_split(args)
    names = [expr[i + 1][0] for i in range(len(expr) - 1) if expr[i][0] in ("-name", "-iname")]
    text, kind = starts[0]
    base = norm(text, st.cwd) if kind == LIT else None
    base = base if base is not None else text
    tail = "/" + names[0] if len(names) == 1 and "/" not in names[0] else ""
    return base.rstrip("/") + "/$(find)" + tail


def _find(c: Call) -> None:
    starts, expr = _find_split(c.args)
    pat = (find_pattern(c.args, c.st), UNRES)
    i = 0
    while i < len(expr):
        t = expr[i][0]
        if t == "-delete":
            c.raw(pat[0], D, False, "find -delete")
        elif t in ("-fprint", "-fprint0", "-fls", "-fprintf") and i + 1 < len(expr):
            c.acc(expr[i + 1], W_, f"find {t}")
            i += 2 if t != "-fprintf" else 3
            continue
        elif t == "-files0-from" and i + 1 < len(expr):
            c.acc(expr[i + 1], R, "find -files0-from")
        elif t in ("-exec", "-execdir", "-ok", "-okdir"):
            j = i + 1
            sub = []
            while j < len(expr) and expr[j][0] not in (";", "+"):
                sub.append(expr[j])
                j += 1
            if sub:
                run_found(c, sub, "{}", pat[0])
            i = j + 1
            continue
        elif t in _FIND_VAL:
            i += 2
            continue
        i += 1


HANDLERS["find"] = _find


FOUND = "__hg_found"
_NOT_PROGRAMS = ("command", "builtin", "exec", "eval")


def run_found(c: Call, argv, marker: str, pattern: str) -> None:
    """Run ``argv`` (find -exec / xargs -I) with ``marker`` standing for each found file.

    A word equal to the marker is the pattern (unresolved); inside a shell script string
    the marker becomes ``${__hg_found}``, a variable whose value is unknown but whose
    best text is the pattern, so ``sh -c 'cat {}'`` still reports a read of the pattern.
    """
    from hookgate.shell.walk import Opaque

    out = []
    for f in argv:
        text, kind = f
        if text == marker:
            out.append((pattern, UNRES))
        elif marker in text and kind == LIT:
            out.append((text.replace(marker, "${%s}" % FOUND), LIT))
        else:
            out.append(f)
    if out and out[0][0] in _NOT_PROGRAMS:  # find/xargs exec argv directly: no shell builtins
        out[0] = (out[0][0] + "-program", LIT)
    st = c.st.copy()
    st.vars[FOUND] = Opaque(pattern)
    c.run(out, st=st)


def _xargs(c: Call) -> None:
    o, ops = opts(c.args, "adEILnPs", ("arg-file", "delimiter", "eof", "replace", "max-lines", "max-args",
                                     "max-procs", "max-chars", "process-slot-var"), posix=True,
                  optional_attached="eil")
    feed = c.feed
    for v in values(o, "-a", "--arg-file"):
        c.acc(v, R, "xargs --arg-file")
    item_text = feed.pattern if (feed is not None and feed.pattern) else "$(xargs input)"
    if feed is not None and feed.text is not None and not feed.pattern:
        items = feed.text.split()
        if len(items) <= 16:
            item_fields = [(t, LIT) for t in items]
        else:
            item_fields = [(item_text, UNRES)]
    else:
        item_fields = [(item_text, UNRES)]
    cmd = ops or [("echo", LIT)]
    if cmd[0][0] in _NOT_PROGRAMS:  # not programs: xargs execs argv directly
        cmd = [(cmd[0][0] + "-program", LIT)] + list(cmd[1:])
    repl = values(o, "-I", "--replace", "-i")
    if repl or has(o, "-i"):
        r = repl[-1][0] if repl else "{}"
        if item_fields[0][1] == LIT:
            c.run([(f[0].replace(r, item_fields[0][0]), f[1]) for f in cmd])
        else:
            run_found(c, cmd, r, item_fields[0][0])
    else:
        c.run(list(cmd) + item_fields)


HANDLERS["xargs"] = _xargs
HANDLERS["parallel"] = _xargs
