"""Command table, part 3: find (-delete, -exec, -fprint) and xargs (what it feeds).

The files find prints are not listed: they stand as one unresolved absolute pattern
(``/repo/*.env``) that the guards match protected paths against.
"""

from __future__ import annotations

from hookgate.shell.shellstate import D, R, W_, Call, has, opts, values
from hookgate.shell.findopts import _FIND_VAL, _find_split, find_patterns
from hookgate.shell.words import LIT, UNRES

HANDLERS: dict = {}  # this module's part of the command table (``shell.table``)


def _find(c: Call) -> None:
    starts, expr = _find_split(c.args)
    pats = find_patterns(c.args, c.st)
    i = 0
    while i < len(expr):
        t = expr[i][0]
        if t == "-delete":
            for p in pats:
                c.raw(p, D, False, "find -delete")
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
                def symbolic(sub=sub):
                    for p in pats[:8]:
                        run_found(c, sub, "{}", (p, UNRES))
                    if len(pats) > 8:
                        run_found(c, sub, "{}", ("$(find)", UNRES))

                concrete = None
                if t in ("-exec", "-ok") and isinstance(c.st.cwd, str):
                    from hookgate.shell.listing import _find_lines

                    before = c.args[: len(c.args) - len(expr) + i]  # start points and the tests before it
                    concrete = lambda before=before: _find_lines(c.w, before, c.st.cwd)  # noqa: E731

                def each_line(lines, sub=sub):
                    for x in lines:
                        run_found(c, sub, "{}", (x, LIT))

                c.w.try_concrete(symbolic, concrete, each_line, set(pats))
            i = j + 1
            continue
        elif t in _FIND_VAL:
            i += 2
            continue
        i += 1


HANDLERS["find"] = _find


FOUND = "__hg_found"
_NOT_PROGRAMS = ("command", "builtin", "exec", "eval")


def run_found(c: Call, argv, marker: str, item) -> None:
    """Run ``argv`` (find -exec / xargs -I) with ``marker`` standing for each item — a field
    ``(text, kind)``: find's pattern (UNRES), a glob, a literal.

    A word equal to the marker is the item; inside a shell script string the marker becomes
    ``${__hg_found}``, a variable whose value is unknown but whose best text is the item, so
    ``sh -c 'cat {}'`` still reports a read of the pattern.
    """
    from hookgate.shell.words import Opaque

    text0, kind0 = item
    out = []
    for f in argv:
        text, kind = f
        if text == marker:
            out.append(item)
        elif marker in text and kind == LIT:
            if kind0 == LIT:
                out.append((text.replace(marker, text0), LIT))
            else:
                out.append((text.replace(marker, "${%s}" % FOUND), LIT))
        else:
            out.append(f)
    if out and out[0][0] in _NOT_PROGRAMS:  # find/xargs exec argv directly: no shell builtins
        out[0] = (out[0][0] + "-program", LIT)
    st = c.st.copy()
    st.vars[FOUND] = text0 if kind0 == LIT else Opaque(text0)
    c.run(out, st=st)


MAX_ITEMS = 64  # xargs -I runs its command once per item


def _xargs(c: Call) -> None:
    o, ops = opts(c.args, "adEILnPsj", ("arg-file", "delimiter", "eof", "replace", "max-lines", "max-args",
                                     "max-procs", "max-chars", "process-slot-var"), posix=True,
                  optional_attached="eil")
    feed = c.feed
    for v in values(o, "-a", "--arg-file"):
        c.acc(v, R, "xargs --arg-file")
    unknown = [("$(xargs input)", UNRES)]
    arg_files = values(o, "-a", "--arg-file")
    if arg_files:
        from hookgate.shell.listing import read_now

        text = read_now(c.w, arg_files[-1][0], c.st) if len(arg_files) == 1 and arg_files[0][1] == LIT else None
        items = _xargs_items(o, None, text, unknown)
    elif feed is not None and feed.items is not None:
        items = _xargs_items(o, feed.items, None, unknown)  # bounded where they are made (streams, listing)
    elif feed is not None and feed.text is not None:
        items = _xargs_items(o, None, feed.text, unknown)
    else:
        items = unknown
    if c.name == "parallel" and any(t in (":::", "::::") for t, k in ops):
        # GNU parallel: `CMD ::: ARG…` runs CMD once per argument (`::::` FILE: lines of a file)
        i = next(j for j, (t, _) in enumerate(ops) if t in (":::", "::::"))
        args = [f for f in ops[i + 1:] if f[0] not in (":::", "::::", ":::+", "::::+")]
        if ops[i][0] == "::::":
            for f in args:
                c.acc(f, R, "parallel :::: file")
            args = unknown
        ops = ops[:i]
        items = args if len(args) <= MAX_TOKENS else unknown
        feed = None  # the arguments, not stdin
    cmd = ops or [("echo", LIT)]

    def concrete():
        """The arguments xargs makes of the lines its feed carries now (listing), or None."""
        lines = feed.concrete() if feed is not None and feed.concrete is not None and not arg_files else None
        got = None if lines is None else _xargs_items(o, [(x, LIT) for x in lines], None, None)
        return None if got is None else [t for t, _ in got]

    if cmd[0][0] in _NOT_PROGRAMS:  # not programs: xargs execs argv directly
        cmd = [(cmd[0][0] + "-program", LIT)] + list(cmd[1:])
    repl = values(o, "-I", "--replace", "-i")
    if c.name == "parallel" and not repl and any("{}" in t for t, _ in cmd):
        repl = [("{}", LIT)]  # parallel replaces {} without -I
    if repl or has(o, "-i"):
        r = repl[-1][0] if repl else "{}"

        def symbolic():
            if not items:  # nothing to run now: what the command names literally still counts
                c.w.never_runs(lambda: run_found(c, cmd, r, unknown[0]))
            for it in items if len(items) <= MAX_ITEMS else unknown:
                run_found(c, cmd, r, it)

        def each_line(lines):
            if not lines:  # nothing to run now: what the command names literally still counts
                c.w.never_runs(lambda: run_found(c, cmd, r, unknown[0]))
            for x in lines:
                run_found(c, cmd, r, (x, LIT))

        c.w.try_concrete(symbolic, concrete, each_line, {t for t, k in items if k != LIT})
    else:
        c.w.try_concrete(lambda: c.run(list(cmd) + list(items)), concrete,
                         lambda lines: c.run(list(cmd) + [(x, LIT) for x in lines]),
                         {t for t, k in items if k != LIT})


def _xargs_items(o, fields, text, unknown):
    """The arguments xargs makes of its input (``textops.xargs_tokens``): quotes and
    backslashes removed, blanks split (``echo '".env"' | xargs cat`` reads ``.env``); ``-0``/``-d``
    split on their delimiter. Fields that stand for names (a glob, find's pattern) pass as they
    are. Unknown past MAX_TOKENS or on an unmatched quote."""
    from hookgate.shell.textops import Unknown, xargs_tokens

    null = has(o, "-0", "--null")
    d = values(o, "-d", "--delimiter")
    if d and (d[-1][1] != LIT or len(d[-1][0].encode("utf-8").decode("unicode_escape")) != 1):
        return unknown
    delim = d[-1][0].encode("utf-8").decode("unicode_escape") if d else None
    lines = has(o, "-I", "-i", "--replace")  # -L still splits a line at blanks
    out: list = []
    try:
        if text is not None:
            out = [(t, LIT) for t in xargs_tokens(text, null, delim, lines)]
        elif fields is None:
            return unknown
        else:
            lit: list = []
            for f in fields:
                if f[1] == LIT:
                    lit.append(f[0])
                    continue
                out.append(f)
            if lit:
                joined = ("\0" if null else (delim or "\n")).join(lit) + ("\0" if null else (delim or "\n"))
                out += [(t, LIT) for t in xargs_tokens(joined, null, delim, lines)]
    except (Unknown, UnicodeError):
        return unknown
    if null or delim is not None:
        out = [(t, k) for t, k in out for t in (t.replace("\0", "\n").split("\n") if k == LIT else [t])]
    return out if len(out) <= MAX_TOKENS else unknown


MAX_TOKENS = 500
HANDLERS["xargs"] = _xargs
HANDLERS["parallel"] = _xargs
