"""Data flow of file names through pipes and substitutions (ADR 0007, ADR 0008).

What a command *prints*, when the lines it prints are file names, so that
``find . -name '*.txt' | grep -v x | xargs rm``, ``for f in $(find src)``, ``ls -t | tail -n +6 |
xargs rm`` and ``find … | while read f; do …; done`` are judged by what can reach the consumer
instead of as unknown input.

A *stream* is a list of fields ``(text, kind)``, each standing for some of the lines:

- find's pattern ``BASE/$(find)[/NAME]`` (UNRES): any path under BASE (named like NAME);
- a glob (``*``, ``.*``, ``logs/*.log``) for the names ``ls`` prints, resolved in the cwd of
  the consumer (``ls DIR`` prints bare names, which the consumer opens relative to its cwd);
- a literal.

``None`` is an unknown stream (any line at all: ``cat list.txt``, ``sed 's/^/x/'``).
Filters that only drop or reorder whole lines, by position or by exclusion (``grep -v``,
``sort``, ``uniq``, ``head``/``tail`` by lines, ``tac``, ``shuf``, ``tee``, ``cat``, ``pv``,
``tr`` between newline and NUL, ``awk 'NR>5'``, ``sed '1d'``/``'/x/d'``, ``xargs grep -L``)
pass a stream through; every other program makes it unknown. A filter that *picks* lines by
their content (``grep env``, ``grep -l KEY``, ``awk '/x/'``) makes it unknown too: it can pick
the one protected file out of a listing that is otherwise "the whole project" (ADR 0008).
"""

from __future__ import annotations

import os

from hookgate.shell.shellstate import has, opts, values
from hookgate.shell.words import GLOB, LIT, UNRES

_OUT_WRITES = frozenset((">", ">>", ">|", "&>", "&>>"))


def _stdout(stmt):
    """'pipe' (stdout reaches the next stage), 'none' (stdout goes elsewhere) or 'mixed'
    (stderr joins it: error messages become lines)."""
    out = "pipe"
    for r in stmt.get("Redirs") or ():
        op = r.get("Op")
        n = (r.get("N") or {}).get("Value")
        if op in ("&>", "&>>"):
            return "none"
        if op in _OUT_WRITES or op == ">&":
            if n in (None, "1"):
                out = "none"
            elif n == "2" and op == ">&":
                return "mixed"
    return out


_PLAIN_WRAPPERS = {"sudo": "ugpChDrtUT", "nice": "n", "nohup": "", "command": "", "stdbuf": "ioe", "ionice": "cnpt",
                   "time": "fo", "doas": "uC"}


_PASS = object()


def _gate(stmt):
    """``_PASS`` when ``stmt``'s stdout is its output lines; else its stream: ``[]`` (stdout
    goes to a file) or None (not a statement, negated, stderr mixed in)."""
    if not isinstance(stmt, dict) or stmt.get("Negated"):
        return None
    how = _stdout(stmt)
    return [] if how == "none" else None if how == "mixed" else _PASS


def call_fields(w, stmt, st, depth):
    """The argv of a simple command, after plain wrappers (``sudo find …``), or None."""
    cmd = stmt.get("Cmd") or {}
    if cmd.get("Type") != "CallExpr":
        return None
    fields: list = []
    for word in cmd.get("Args") or ():
        fields += w.fields(word, st.copy(), depth, quiet=True)
    while fields and fields[0][1] == LIT and os.path.basename(fields[0][0]) in _PLAIN_WRAPPERS:
        sv = _PLAIN_WRAPPERS[os.path.basename(fields[0][0])]
        _, rest = opts(fields[1:], sv, (), posix=True)
        if rest == fields[1:] and fields[1:2] and fields[1][0].startswith("-"):
            return None
        fields = rest
    if not fields or fields[0][1] != LIT:
        return None
    return fields


# --- sources ------------------------------------------------------------------------------
_FIND_PRINTERS = frozenset(("-exec", "-execdir", "-ok", "-okdir", "-ls", "-fls", "-fprint", "-fprint0",
                            "-fprintf", "-files0-from"))
_PRINTF_OK = frozenset("pTtAaCcsmMugUGinkbyYdD%")


def _find(args, st):
    from hookgate.shell.findopts import _FIND_VAL, _find_split, find_patterns

    _, expr = _find_split(args)
    strip_name = False
    i = 0
    while i < len(expr):
        t, k = expr[i]
        if k != LIT:
            return None  # an unknown primary may be an action that prints anything
        if t in _FIND_PRINTERS:
            return None  # a program's output or a listing format: not bare paths
        if t == "-printf":
            if i + 1 >= len(expr) or expr[i + 1][1] != LIT:
                return None
            fmt = expr[i + 1][0]
            j = fmt.find("%")
            while j >= 0:
                d = fmt[j + 1 : j + 2]
                if d == "h":
                    strip_name = True  # the parent directories: still under BASE, not named NAME
                elif d not in _PRINTF_OK:
                    return None  # %f / %P / %l: names not relative to the consumer's cwd
                j = fmt.find("%", j + 2)
            i += 2
            continue
        i += 2 if t in _FIND_VAL else 1
    pats = find_patterns(args, st)
    if strip_name:
        pats = [p.split("/$(find)", 1)[0] + "/$(find)" for p in pats]
    return [(p, UNRES) for p in pats]


_LS_FLAGS = frozenset("1aAdtrScuUXvpFQhCxmbNqGkBHLZf")
_LS_VALUES = ("ignore", "hide", "width", "sort", "time", "time-style", "color", "quoting-style",
              "indicator-style", "block-size", "tabsize")
_LS_LONG_OK = frozenset(("--color", "--colour", "--all", "--almost-all", "--directory", "--reverse",
                         "--classify", "--literal", "--escape", "--quote-name", "--human-readable",
                         "--group-directories-first", "--hide", "--ignore", "--sort", "--time",
                         "--quoting-style", "--indicator-style", "--width", "--tabsize", "--file-type",
                         "--dereference", "--dereference-command-line", "--ignore-backups", "--show-control-chars",
                         "--hide-control-chars", "--zero"))


def _ls(args, st):
    o, ops = opts(args, "ITwp", _LS_VALUES)
    for k, _ in o:
        if k.startswith("--"):
            if k not in _LS_LONG_OK:
                return None
        elif k[1:] not in _LS_FLAGS and k not in ("-I", "-T", "-w"):
            return None  # -l/-s/-i/-n/-R…: columns or recursion, not bare names
    dots = has(o, "-a", "-A", "--all", "--almost-all")
    only_args = has(o, "-d", "--directory")
    contents = [("*", GLOB)] + ([(".*", GLOB)] if dots else [])
    if not ops:
        return list(contents)
    out: list = []
    for text, kind in ops:
        if kind == UNRES:
            return None
        out.append((text, kind))
        if only_args:
            continue
        if _glob_has_dir(text, st) if kind == GLOB else _maybe_dir(text, st):
            # a directory operand prints the bare names inside it
            for c in contents:
                if c not in out:
                    out.append(c)
    return out


def _glob_has_dir(pattern, st) -> bool:
    """Does the glob match a directory now (whose names ls would print)? Unknown → yes."""
    import itertools

    from hookgate.shell import boundglob

    cwd = st.cwd if isinstance(st.cwd, str) else None
    if cwd is None and not pattern.startswith("/"):
        return True
    try:
        for m in itertools.islice(boundglob.iglob(pattern, root_dir=None if pattern.startswith("/") else cwd), 200):
            if os.path.isdir(m if m.startswith("/") or cwd is None else os.path.join(cwd, m)):
                return True
    except (boundglob.GlobCap, OSError, ValueError, RecursionError):
        return True
    return False


def _maybe_dir(text, st) -> bool:
    cwd = st.cwd if isinstance(st.cwd, str) else None
    p = text if text.startswith("/") else (os.path.join(cwd, text) if cwd else None)
    if p is None:
        return True
    try:
        return os.path.isdir(p) or not os.path.lexists(p)
    except (OSError, ValueError):
        return True


_GREP_VALUES = "efmABCdD"
_GREP_LVALUES = ("regexp", "file", "max-count", "after-context", "before-context", "context", "include",
                 "exclude", "exclude-dir", "exclude-from", "color", "colour", "binary-files", "devices",
                 "directories", "label")


def _grep(args, st):
    """``grep -L`` prints the names of files among its operands (or under them, -r) that do
    not match. (``-l`` picks files by their content: unknown.)"""
    o, ops = opts(args, _GREP_VALUES, _GREP_LVALUES)
    if not has(o, "-L", "--files-without-match") or has(o, "-l", "--files-with-matches"):
        return None
    if has(o, "-c", "--count", "-H", "--with-filename", "-o", "-n", "-b"):
        return None
    if not values(o, "-e", "--regexp", "-f", "--file"):
        ops = ops[1:]
    recursive = has(o, "-r", "-R", "--recursive", "--dereference-recursive")
    if not ops:
        return [(_under(".", st), UNRES)] if recursive else []
    out = []
    for text, kind in ops:
        if kind == UNRES:
            return None
        out.append((_under(text, st), UNRES) if recursive and kind == LIT else (text, kind))
    return out


def _under(text, st) -> str:
    from hookgate.shell.shellstate import norm

    base = norm(text, st.cwd)
    return (base if base is not None else text).rstrip("/") + "/$(find)"


def _echo(args, st):
    """``echo *.txt``: the words it prints, when each is one name (a glob or a literal)."""
    while args and args[0][1] == LIT and args[0][0] in ("-n", "-e", "-E", "-ne", "-en"):
        args = args[1:]
    if any(k == UNRES or (k == LIT and any(c in t for c in " \t\n")) for t, k in args):
        return None
    if not any(k == GLOB for _, k in args):
        return None  # all literal: the walker passes them as text
    return list(args)


def _git(args, st):
    """``git ls-files`` / ``git diff --name-only``: paths in the work tree, relative to cwd."""
    if not isinstance(st.cwd, str) or not args or args[0][1] != LIT:
        return None
    sub, rest = args[0][0], args[1:]
    if sub == "ls-files" or (sub in ("diff", "show", "log") and any(t == "--name-only" for t, _ in rest)):
        if any(t in ("-s", "--stage", "--debug", "-t", "-v", "--format", "--eol") for t, _ in rest):
            return None
        return [(st.cwd.rstrip("/") + "/$(find)", UNRES)]
    return None


SOURCES = {"find": _find, "ls": _ls, "grep": _grep, "egrep": _grep, "fgrep": _grep, "echo": _echo, "git": _git}


# --- filters ------------------------------------------------------------------------------
def _no_operands(ops) -> bool:
    return all(k == LIT and t == "-" for t, k in ops)


def _grep_filter(args) -> bool:
    o, ops = opts(args, _GREP_VALUES, _GREP_LVALUES)
    for k, _ in o:
        if k in ("-o", "--only-matching", "-n", "--line-number", "-b", "--byte-offset", "-H", "--with-filename",
                 "-c", "--count", "-l", "-L", "--files-with-matches", "--files-without-match", "-r", "-R",
                 "--recursive", "-T", "--initial-tab", "--label", "-u"):
            return False
    if not has(o, "-v", "--invert-match"):
        return False  # picks lines by content
    if not values(o, "-e", "--regexp", "-f", "--file"):
        ops = ops[1:]
    return _no_operands(ops)


def _sort_filter(args) -> bool:
    o, ops = opts(args, "ktSTy", ("key", "field-separator", "buffer-size", "temporary-directory", "parallel",
                                  "batch-size", "sort", "compress-program", "random-source"))
    if has(o, "--files0-from", "-o", "--output", "-c", "--check", "-C"):
        return False
    return _no_operands(ops)


def _uniq_filter(args) -> bool:
    o, ops = opts(args, "fsw", ("skip-fields", "skip-chars", "check-chars", "group", "all-repeated"))
    if has(o, "-c", "--count"):
        return False
    return _no_operands(ops)


def _head_filter(args) -> bool:
    args = [a for a in args if not (a[1] == UNRES and a[0][:1] == "-" and a[0][1:2] in "$`")]
    o, ops = opts(args, "n", ("lines",), digits_attached="0123456789")
    if has(o, "-c", "--bytes"):
        return False
    return _no_operands(ops)


def _tail_filter(args) -> bool:
    # `tail -$N` / `tail -n +5`: a count we may not know still keeps some of the lines
    rest = [a for a in args if not ((a[1] == LIT and a[0][:1] == "+" and a[0][1:].isdigit())
                                    or (a[1] == UNRES and a[0][:1] == "-" and a[0][1:2] in "$`"))]
    o, ops = opts(rest, "nsp", ("lines", "sleep-interval", "pid", "max-unchanged-stats"),
                  digits_attached="0123456789")
    if has(o, "-c", "--bytes"):
        return False
    return _no_operands(ops)


def _flags_only(sv="", lv=(), bad=()):
    def ok(args) -> bool:
        o, ops = opts(args, sv, lv)
        return not has(o, *bad) and _no_operands(ops)

    return ok


def _tee_filter(args) -> bool:
    return True  # its operands are writes (the walker judges them); stdout is the input


_NL = frozenset(("\n", "\\n", "\\012", "\012", "[\\n]", "\\r\\n"))
_NUL = frozenset(("\0", "\\0", "\\000", "\000", "[\\0]", "[\\000]"))


def _tr_filter(args) -> bool:
    if len(args) != 2 or any(k != LIT for _, k in args):
        return False
    a, b = args[0][0], args[1][0]
    return (a in _NL and b in _NUL) or (a in _NUL and b in _NL)


def _awk_filter(args) -> bool:
    """An awk program that only selects lines (``NR>5``, ``!seen[$0]++``, ``/x/ {print}``): no
    action, no call (``system(…)``), no string — so every line it prints is an input line."""
    o, ops = opts(args, "Fv", ("field-separator", "assign"))
    if has(o, "-f", "--file", "-i", "--include", "-e", "--source") or len(ops) != 1 or ops[0][1] != LIT:
        return False
    prog = ops[0][0].strip()
    for tail in ("{print}", "{ print }", "{print $0}", "{ print $0 }"):
        if prog.endswith(tail):
            prog = prog[: -len(tail)].strip()
            break
    return bool(prog) and not any(c in prog for c in "{};\"'|(`\n/~")


def _sed_filter(args) -> bool:
    """A sed script of addresses and ``p``/``d``/``q`` only (``sed -n '1,5p'``, ``sed '/x/d'``)."""
    o, ops = opts(args, "el", ("expression", "line-length"))
    if has(o, "-i", "--in-place", "-f", "--file"):
        return False
    scripts = [v for v in values(o, "-e", "--expression")]
    if not scripts:
        if not ops:
            return False
        scripts, ops = [ops[0]], ops[1:]
    if not _no_operands(ops):
        return False
    for text, kind in scripts:
        if kind != LIT or not _sed_selects(text):
            return False
    return True


def _sed_selects(script: str) -> bool:
    for cmd in script.replace("\n", ";").split(";"):
        cmd = cmd.strip()
        if not cmd:
            continue
        if cmd[-1] not in "pdqQ":
            return False
        addr = cmd[:-1].rstrip()
        if addr.startswith("/"):
            if cmd[-1] != "d" or addr.endswith("!"):
                return False  # /re/p, /re/!d: picks lines by content
            end = addr.find("/", 1)
            while end > 0 and addr[end - 1] == "\\":
                end = addr.find("/", end + 1)
            if end < 0 or addr[end + 1 :].strip(" ,0123456789$"):
                return False
            continue
        if any(c not in "0123456789$,~+ " for c in addr):
            return False
    return True


FILTERS = {
    "grep": _grep_filter, "egrep": _grep_filter, "fgrep": _grep_filter,
    "sort": _sort_filter, "uniq": _uniq_filter, "head": _head_filter, "tail": _tail_filter,
    "tac": _flags_only(bad=("-s", "--separator", "-r", "--regex")),
    "shuf": _flags_only("n", ("head-count", "random-source"), bad=("-e", "--echo", "-i", "--input-range", "-o", "--output")),
    "cat": _flags_only(bad=("-n", "-b", "-A", "-E", "-T", "-v", "-e", "-t", "--number", "--number-nonblank",
                            "--show-all", "--show-ends", "--show-tabs", "--show-nonprinting")),
    "pv": _flags_only("LsNiwHDaB", ("rate-limit", "size", "name", "interval", "width", "height", "delay-start",
                                    "buffer-size")),
    "tee": _tee_filter, "tr": _tr_filter, "awk": _awk_filter, "gawk": _awk_filter, "mawk": _awk_filter,
    "sed": _sed_filter,
}


def _xargs_selects(args) -> bool:
    """``xargs [opts] grep -L …``: prints the names among its input that do not match."""
    o, ops = opts(args, "adEILnPs", ("arg-file", "delimiter", "eof", "replace", "max-lines", "max-args",
                                     "max-procs", "max-chars", "process-slot-var"), posix=True,
                  optional_attached="eil")
    if has(o, "-I", "-i", "--replace", "-a", "--arg-file") or not ops or ops[0][1] != LIT:
        return False
    if os.path.basename(ops[0][0]) not in ("grep", "egrep", "fgrep"):
        return False
    go, _ = opts(ops[1:], _GREP_VALUES, _GREP_LVALUES)
    if not has(go, "-L", "--files-without-match") or has(go, "-l", "--files-with-matches"):
        return False
    return not has(go, "-r", "-R", "--recursive", "-c", "--count", "-o", "-n", "-b", "-H", "--with-filename")


