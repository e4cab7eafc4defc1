"""The programs the engine runs itself on concrete lines (ADR 0008 item 6).

Each ``PROGRAMS[name](w, args, stdin, st)`` takes the argv after the program name, the lines on
its stdin (None: unknown) and the walker state, and returns the lines it prints — exact, or a
superset — or None (unknown). File operands are read through ``listing.read_now`` (only files
the read guard lets the agent read). The text work itself is in ``textops``.
"""

from __future__ import annotations

import os

from hookgate.shell import textops
from hookgate.shell.shellstate import has, opts, values
from hookgate.shell.listing import (MAX_LINES, _exec_output, _files_or_stdin, _glob_now, _ls_lines,
                                    split_lines)
from hookgate.shell.words import LIT

_GREP_OK = frozenset(("-v", "--invert-match", "-i", "-y", "--ignore-case", "-E", "--extended-regexp", "-F",
                      "--fixed-strings", "-G", "--basic-regexp", "-P", "--perl-regexp", "-w", "--word-regexp",
                      "-x", "--line-regexp", "-z", "--null-data", "-a", "--text", "-s", "--no-messages", "-Z",
                      "--null", "-e", "--regexp", "--color", "--colour", "-U", "--binary", "--line-buffered",
                      "-I", "-m", "--max-count", "-h", "--no-filename"))


def _grep(name, args, lines, w=None, st=None):
    """``grep`` run on ``lines`` (or its file operands): its regex, -v/-i/-w/-x/-E/-F/-P."""
    from hookgate.shell.streams import _GREP_LVALUES, _GREP_VALUES

    o, ops = opts(args, _GREP_VALUES, _GREP_LVALUES)
    if any(k not in _GREP_OK for k, _ in o) or has(o, "-z", "--null-data"):
        return None
    pats = [v for v in values(o, "-e", "--regexp")]
    if not pats:
        if not ops:
            return None
        pats, ops = [ops[0]], ops[1:]
    if w is not None and isinstance(getattr(st, "cwd", None), str):
        pats = [_glob_now(w, p, st.cwd) or p for p in pats]  # `grep \.[ch]` unquoted: no match, as is
    if any(k != LIT for _, k in pats):
        return None
    if ops:
        if w is None or (len(ops) > 1 and not has(o, "-h", "--no-filename")):
            return None  # several files: lines prefixed with the file name
        lines = _files_or_stdin(w, ops, lines, st)
        if lines is None:
            return None
    import re

    fixed = name == "fgrep" or has(o, "-F", "--fixed-strings")
    perl = has(o, "-P", "--perl-regexp")
    ere = name == "egrep" or has(o, "-E", "--extended-regexp")
    parts = []
    try:
        for text, _ in pats:
            for p in text.split("\n"):
                parts.append(re.escape(p) if fixed else p if perl else textops.posix_regex(p, ere))
        body = "|".join(f"(?:{p})" for p in parts)
        if has(o, "-w", "--word-regexp"):
            body = rf"(?<!\w)(?:{body})(?!\w)"
        if has(o, "-x", "--line-regexp"):
            body = rf"^(?:{body})$"
        if not fixed and not all(textops.tame_regex(p) for p in parts):
            return None  # could backtrack for ever on a long path: unknown, never a hung hook
        rx = textops.compile_regex(body, has(o, "-i", "-y", "--ignore-case"))
    except textops.Unknown:
        return None
    invert = has(o, "-v", "--invert-match")
    if lines is None:
        return None  # stdin not known (`grep x | nl` fed by the agent's shell)
    return [ln for ln in lines if bool(rx.search(ln)) != invert]


# --- the programs run on concrete lines: (w, args, stdin lines or None, st) → lines or None ---
def _p_grep(name):
    return lambda w, args, stdin, st: _grep(name, args, stdin, w, st)


def _p_pass(name):
    """Line filters that keep or reorder lines (``streams.FILTERS``): every line may come out
    (``head -1`` keeps a subset: all of them is a superset)."""

    def run(w, args, stdin, st):
        from hookgate.shell.streams import FILTERS

        ok = FILTERS.get(name)
        return stdin if stdin is not None and ok is not None and ok(args) else None

    return run


def _p_cat(w, args, stdin, st):
    o, ops = opts(args, "", ())
    if o and not all(k in ("-u",) for k, _ in o):
        return None
    return _files_or_stdin(w, ops, stdin, st)


def _p_sort(w, args, stdin, st):
    from hookgate.shell.streams import _sort_filter

    o, ops = opts(args, "ktSTy", ("key", "field-separator", "buffer-size", "temporary-directory", "parallel",
                                  "batch-size", "sort", "compress-program", "random-source"))
    if not _sort_filter([a for a in args if a not in ops]):
        return None
    lines = _files_or_stdin(w, ops, stdin, st)
    return sorted(lines) if lines is not None else None  # (every line kept: a quoted $(…) counts them)


def _p_echo(w, args, stdin, st):
    if any(k != LIT for _, k in args):
        return None
    words = [t for t, _ in args]
    while words and words[0] in ("-n", "-E"):
        words = words[1:]
    if words and words[0].startswith("-") and set(words[0][1:]) <= set("neE"):
        if "e" in words[0] and any("\\" in x for x in words):
            return None
        words = words[1:]
    return split_lines(" ".join(words) + "\n")


_PRINTF_ESC = {"n": "\n", "t": "\t", "\\": "\\", "a": "\a", "r": "\r", '"': '"', "'": "'"}


def _p_printf(w, args, stdin, st):
    if not args or any(k != LIT for _, k in args):
        return None
    fmt, rest = args[0][0], [t for t, _ in args[1:]]
    if fmt.startswith("-"):
        return None
    out = []
    while True:
        i = 0
        used = 0
        while i < len(fmt):
            c = fmt[i]
            if c == "\\" and i + 1 < len(fmt):
                e = _PRINTF_ESC.get(fmt[i + 1])
                if e is None:
                    return None
                out.append(e)
                i += 2
            elif c == "%" and i + 1 < len(fmt):
                d = fmt[i + 1]
                if d == "%":
                    out.append("%")
                elif d == "s":
                    out.append(rest[used] if used < len(rest) else "")
                    used += 1
                else:
                    import re

                    m = re.compile(r"%([-0 +]?)(\d{0,3})([sdig])").match(fmt, i)
                    if not m:
                        return None
                    arg = rest[used] if used < len(rest) else ("" if m.group(3) == "s" else "0")
                    try:
                        val = arg if m.group(3) == "s" else int(arg) if m.group(3) in "di" else float(arg)
                    except ValueError:
                        return None
                    out.append(("%" + m.group(1) + m.group(2) + m.group(3)) % val)
                    used += 1
                    i = m.end()
                    continue
                i += 2
            else:
                out.append(c)
                i += 1
        rest = rest[used:]
        if not rest or not used:
            break
    return split_lines("".join(out))


def _p_seq(w, args, stdin, st):
    if not 1 <= len(args) <= 3 or any(k != LIT or not t.lstrip("-").isdigit() for t, k in args):
        return None
    n = [int(t) for t, _ in args]
    first, step, last = (1, 1, n[0]) if len(n) == 1 else (n[0], 1, n[1]) if len(n) == 2 else tuple(n)
    if step == 0 or (last - first) // step > MAX_LINES:
        return None
    return [str(k) for k in range(first, last + (1 if step > 0 else -1), step)]


def _p_sed(w, args, stdin, st):
    o, ops = opts(args, "el", ("expression", "line-length"))
    for k, _ in o:
        if k not in ("-e", "--expression", "-n", "--quiet", "--silent", "-E", "-r", "--regexp-extended", "-u",
                     "--unbuffered", "-s", "--separate", "--posix", "--debug"):
            return None  # -i (writes), -f (a script file), -z (NUL lines)
    scripts = values(o, "-e", "--expression")
    if not scripts:
        if not ops:
            return None
        scripts, ops = [ops[0]], ops[1:]
    if any(k != LIT for _, k in scripts):
        return None
    lines = _files_or_stdin(w, ops, stdin, st)
    if lines is None:
        return None
    return textops.sed([t for t, _ in scripts], has(o, "-E", "-r", "--regexp-extended"),
                       has(o, "-n", "--quiet", "--silent"), lines)


def _p_awk(w, args, stdin, st):
    o, ops = opts(args, "F", ("field-separator",))
    if any(k not in ("-F", "--field-separator") for k, _ in o) or not ops or ops[0][1] != LIT:
        return None
    fs = values(o, "-F", "--field-separator")
    if fs and fs[-1][1] != LIT:
        return None
    files = ops[1:]
    if any(k == LIT and "=" in t and not t.startswith(("/", ".")) for t, k in files):
        return None  # var=value operands
    lines = _files_or_stdin(w, files, stdin, st)
    if lines is None:
        return None
    return textops.awk(ops[0][0], fs[-1][0] if fs else None, lines)


def _p_cut(w, args, stdin, st):
    o, ops = opts(args, "dfcb", ("delimiter", "fields", "characters", "bytes", "output-delimiter"))
    for k, v in o:
        if k not in ("-d", "--delimiter", "-f", "--fields", "-c", "--characters", "-b", "--bytes", "-s",
                     "--only-delimited", "--output-delimiter") or (v is not None and v[1] != LIT):
            return None
    f = values(o, "-f", "--fields")
    c = values(o, "-c", "--characters", "-b", "--bytes")
    if bool(f) == bool(c):
        return None
    d = values(o, "-d", "--delimiter")
    delim = d[-1][0] if d else "\t"
    if len(delim) != 1:
        return None
    od = values(o, "--output-delimiter")
    lines = _files_or_stdin(w, ops, stdin, st)
    if lines is None:
        return None
    if c and any(not x.isascii() for x in lines):
        return None  # -b counts bytes, -c characters (GNU: bytes too)
    return textops.cut(f[-1][0] if f else None, c[-1][0] if c else None, delim, has(o, "-s", "--only-delimited"),
                       od[-1][0] if od else None, lines)


def _p_tr(w, args, stdin, st):
    if stdin is None:
        return None
    o, ops = opts(args, "", ())
    flags = "".join(k[1:] for k, _ in o if not k.startswith("--"))
    if any(k.startswith("--") for k, _ in o) or set(flags) - set("ds") or not 1 <= len(ops) <= 2:
        return None
    if any(k != LIT for _, k in ops):
        return None
    text = "\n".join(stdin) + "\n" if stdin else ""
    out = textops.tr(ops[0][0], ops[1][0] if len(ops) > 1 else None, "d" in flags, "s" in flags, text)
    if len(stdin) > 1 and out.count("\n") + out.count("\0") < len(stdin):
        return None  # lines joined into one, in an order we may not know (find's): unknown
    return split_lines(out.replace("\0", "\n"))  # (an empty line is a line)


def _p_xargs(w, args, stdin, st):
    """``xargs [-n1] dirname|basename|echo``: what the program prints for the items."""
    o, ops = opts(args, "adEILnPs", ("arg-file", "delimiter", "eof", "replace", "max-lines", "max-args",
                                     "max-procs", "max-chars", "process-slot-var"), posix=True,
                  optional_attached="eil")
    for k, _ in o:
        if k not in ("-n", "--max-args", "-L", "--max-lines", "-0", "--null", "-d", "--delimiter", "-r",
                     "--no-run-if-empty", "-P", "--max-procs", "-x", "--exit", "-t", "--verbose", "-I", "-i",
                     "--replace"):
            return None
    if stdin is None:
        return None
    repl = values(o, "-I", "--replace", "-i")
    if repl or has(o, "-i"):
        marker = repl[-1][0] if repl else "{}"
        sep = "\0" if has(o, "-0", "--null") else "\n"
        items = textops.xargs_tokens(sep.join(stdin) + sep if stdin else "", has(o, "-0", "--null"), None, True)
        if not ops or any(k != LIT for _, k in ops):
            return None
        out = []
        for x in items:
            argv = [t.replace(marker, x) for t, _ in ops]
            got = _p_names(os.path.basename(argv[0]))(w, [(a, LIT) for a in argv[1:]], None, st) \
                if os.path.basename(argv[0]) in ("dirname", "basename") else \
                ([" ".join(argv[1:])] if os.path.basename(argv[0]) == "echo" else None)
            if got is None:
                return None
            out += got
        return out
    d = values(o, "-d", "--delimiter")
    if d and (d[-1][1] != LIT or len(d[-1][0]) != 1):
        return None
    sep = "\0" if has(o, "-0", "--null") else (d[-1][0] if d else "\n")  # the records, as xargs reads them
    items = textops.xargs_tokens(sep.join(stdin) + sep if stdin else "", has(o, "-0", "--null"),
                                 d[-1][0] if d else None)
    n = values(o, "-n", "--max-args", "-L", "--max-lines")
    one = bool(n) and n[-1] == ("1", LIT)
    prog = [t for t, k in ops] if all(k == LIT for _, k in ops) else None
    if not prog:
        prog = ["echo"]
    name, extra = os.path.basename(prog[0]), prog[1:]
    # with no input (an earlier stage may print less than we list), xargs still runs its
    # command once unless -r: its output joins the superset
    empty_run = not has(o, "-r", "--no-run-if-empty")
    if name == "echo" and not extra and not one and len(items) > 1:
        return None  # one line of every item, in an order we may not know: unknown
    if name in ("grep", "egrep", "fgrep") and _exec_output(prog + ["{}"]) == ("grep-l",):
        return items  # grep -l/-L over the items prints some of them
    if name == "ls":
        alone = _ls_lines(w, [(x, LIT) for x in extra], st.cwd) if empty_run else []  # `ls` with no operand
        if alone is None:
            return None
        lo, lops = opts([(x, LIT) for x in extra], "", ())
        if lops or has(lo, "-d") or any(k.startswith("--") or set(k[1:]) - set("1tSrUcuhA") for k, _ in lo):
            return None
        out = []
        for x in items:
            p = x if x.startswith("/") else os.path.join(st.cwd, x)
            if os.path.isdir(p):
                return None  # a directory's entries, under a header
            if os.path.lexists(p):
                out.append(x)
        return out + [x for x in alone if x not in out]
    if name == "echo" and not extra:
        return (items if one or len(items) < 2 else [" ".join(items)]) + ([""] if empty_run else [])
    if name == "dirname" and not extra:
        return [textops.dirname(x) for x in items]
    if name == "basename" and (not extra or extra in (["-a"], ["--multiple"])):
        if not one and not extra and len(items) > 1:
            return None  # `basename a b`: b is a suffix
        return [textops.basename(x) for x in items]
    return None


def _p_names(name):
    """``dirname X…`` / ``basename X [SUFFIX]``: computed from the operands."""

    def run(w, args, stdin, st):
        if not args or any(k != LIT or t.startswith("-") for t, k in args):
            return None
        words = [t for t, _ in args]
        if name == "dirname":
            return [textops.dirname(x) for x in words]
        if len(words) > 2:
            return None
        return [textops.basename(words[0], words[1] if len(words) == 2 else "")]

    return run


def _p_rev(w, args, stdin, st):
    o, ops = opts(args, "", ())
    if o:
        return None
    lines = _files_or_stdin(w, ops, stdin, st)
    return None if lines is None else [x[::-1] for x in lines]


def _p_comm(w, args, stdin, st):
    """``comm [-123] A B``: lines of A and B (a superset; the column tab goes in xargs' split)."""
    o, ops = opts(args, "", ("output-delimiter",))
    if any(k not in ("-1", "-2", "-3", "-12", "-13", "-23", "-123", "--check-order", "--nocheck-order") for k, _ in o):
        return None
    if len(ops) != 2:
        return None
    lines = []
    for f in ops:
        got = _files_or_stdin(w, [f], stdin, st)
        if got is None:
            return None
        lines += got
    # columns 2 and 3 are indented with one or two tabs, depending on the columns shown
    return [p + x for x in lines for p in ("", "\t", "\t\t")]


PROGRAMS = {
    "grep": _p_grep("grep"), "egrep": _p_grep("egrep"), "fgrep": _p_grep("fgrep"),
    "cat": _p_cat, "sort": _p_sort, "echo": _p_echo, "printf": _p_printf, "seq": _p_seq,
    "sed": _p_sed, "awk": _p_awk, "gawk": _p_awk, "mawk": _p_awk, "cut": _p_cut, "tr": _p_tr,
    "xargs": _p_xargs, "dirname": _p_names("dirname"), "basename": _p_names("basename"), "comm": _p_comm,
    "rev": _p_rev,
}
for _name in ("uniq", "head", "tail", "tac", "shuf", "pv", "tee"):
    PROGRAMS[_name] = _p_pass(_name)
