"""find's command line as data: which options take a value, where the start points end
and the expression begins, and what a find selects as one unresolved pattern per start
point. Used by the find handler (``findx``), the listings and the streams."""

from __future__ import annotations

from hookgate.shell.words import LIT


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


_FILTER_LOGIC = frozenset(("-o", "-or", "!", "-not", "(", ")", ","))


def find_patterns(args, st) -> list:
    """What ``find ARGS`` selects, as one unresolved absolute word per start point.

    find prints dotfiles and descends into subdirectories, which a shell glob never does, so
    the result is not a glob: ``BASE/$(find)`` (any path under BASE — a guard must assume it
    may be ``.env``) or, with one ``-name P`` filter and no ``-o``/``!``, ``BASE/$(find)/P``
    (any directories, a file named like P). Every start point counts (``find src .env``)."""
    from hookgate.shell.shellstate import norm

    starts, expr = _find_split(args)
    names = [expr[i + 1][0] for i in range(len(expr) - 1) if expr[i][0] in ("-name", "-iname")]
    logic = any(f[0] in _FILTER_LOGIC for f in expr if f[1] == LIT)
    tail = ""
    if len(names) == 1 and not logic and names[0] and "/" not in names[0]:
        tail = "/" + names[0]
    out = []
    for text, kind in starts:
        if kind == LIT and text == "":
            continue  # `find "" …`: no such file, nothing found
        base = norm(text, st.cwd) if kind == LIT else None
        base = base if base is not None else text
        out.append(base.rstrip("/") + "/$(find)" + tail)
    return out
