"""Concrete listings: what a pipeline prints *now* (ADR 0008 items 5 and 6).

A filter that picks lines by content (``grep FooBar``) or rewrites them (``sed 's/x/y/'``)
makes a symbolic stream unknown (``streams``). When the source is one we can evaluate now —
a plain ``find``/``ls`` (walked like a glob is expanded), a file the read guard lets the agent
read (``cat list.txt``, ``< list``, ``xargs -a list``, ``$(< list)``), literal words
(``echo``, ``printf``, ``seq``) — and every stage is one we can run ourselves (``grep`` with
its regex, the line filters, ``sed``/``awk``/``cut``/``tr``/``xargs dirname`` from
``textops``), the pipeline is evaluated and the result is the literal list of lines it prints.
Bounded: at most MAX_WALK entries walked, MAX_LINES lines, MAX_READ bytes per file; past
that, unknown.

A file is read only when ``Walker.may_read`` (the read guard's policy) allows it, so no
protected content becomes an access path in the ledger; if the command itself writes a file
read this way, ``shell.analyse`` analyses it again without reading (ADR 0008 item 6).

The programs run on the lines are in ``textprogs`` (argv → lines) and ``textops`` (the text
work); ``re`` is imported only there.
"""

from __future__ import annotations

import os

from hookgate.shell import textops
from hookgate.shell.shellstate import has, opts
from hookgate.shell.words import GLOB as _GLOB
from hookgate.shell.words import LIT

MAX_WALK = 20000
MAX_LINES = textops.MAX_LINES
MAX_READ = 65536
_LOGIC = frozenset(("-o", "-or", "!", "-not", "(", ")", ","))
_ACTIONS = frozenset(("-exec", "-execdir", "-ok", "-okdir", "-ls", "-fls", "-fprint", "-fprint0", "-fprintf",
                      "-printf", "-files0-from"))
_PSEUDO = ("/proc/", "/sys/", "/dev/")


def split_lines(text: str) -> list:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def read_now(w, text: str, st):
    """The content of the file ``text`` names, read now, when the read guard allows the agent
    to read it, it is a regular file of at most MAX_READ bytes and not a pseudo file; "" when it
    does not exist (the command would read nothing). None: not read (unknown)."""
    from hookgate.shell.shellstate import norm

    may = getattr(w, "may_read", None)
    if may is None or not isinstance(st.cwd, str) or not text or "\0" in text:
        return None
    path = norm(text, st.cwd)
    if path is None or not w.unchanged(path):
        return None  # the command may have written it before reading it
    try:
        real = os.path.realpath(path)
    except (OSError, ValueError):
        return None
    if any(p.startswith(_PSEUDO) or p in ("/proc", "/sys", "/dev") for p in (path, real)):
        return None
    if not may(path) or (real != path and not may(real)):
        return None
    w.hook_reads.append(path)
    if real != path:
        w.hook_reads.append(real)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(real, flags | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return "" if not os.path.lexists(path) else None
    except (OSError, ValueError):
        return None
    try:
        import stat

        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_READ:
            return None
        now = os.stat(path)
        if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
            return None  # swapped under us
        chunks = []
        got = 0
        while got <= info.st_size:
            b = os.read(fd, info.st_size + 1 - got)
            if not b:
                break
            chunks.append(b)
            got += len(b)
        if got != info.st_size:
            return None  # changing, or a pseudo file with no size
    except OSError:
        return None
    finally:
        os.close(fd)
    return b"".join(chunks).decode("utf-8", "surrogateescape")


def _files_or_stdin(w, ops, stdin, st):
    """The lines of the file operands (``-``: stdin), or of stdin when there are none."""
    if not ops:
        return stdin
    out: list = []
    for text, kind in ops:
        if kind != LIT:
            return None
        if text == "-":
            if stdin is None:
                return None
            out += stdin
            continue
        content = read_now(w, text, st)
        if content is None:
            return None
        out += split_lines(content)
        if len(out) > MAX_LINES * 4:
            return None
    return out


def _find_lines(w, args, cwd):
    """What ``find ARGS`` prints now: the paths (``-print``/``-print0``), a ``-printf`` of
    ``%p %P %f %h``, or the output of a last ``-exec grep -l …``/``-exec basename {}`` (a
    subset of the paths, or their names). Tests we do not model are ignored: a superset.
    Memoised per command (a pipe's stream, its concrete feed and a loop's fallback all ask)."""
    cache = w.__dict__.setdefault("_find_cache", {})
    key = (tuple(args), cwd, len(w.changed), w.changed_unknown, w.dotglob, w.globstar)
    if key not in cache:
        got = _find_walk(w, args, cwd)
        cache[key] = None if got is None else tuple(got)
    got = cache[key]
    return None if got is None else list(got)


def _find_walk(w, args, cwd):
    from hookgate.state.globs import seg_match
    from hookgate.shell.findopts import _FIND_VAL, _find_split

    args = [_glob_now(w, f, cwd) for f in args]  # `-name *.txt` unquoted: bash expands it first
    if any(f is None for f in args):
        return None
    starts, expr = _find_split(args)
    if any(k != LIT for _, k in starts) or any(k != LIT for _, k in expr):
        return None
    logic = any(t in _LOGIC for t, _ in expr)
    names, types, mind, maxd = [], "", 0, None
    fmt = None  # -printf FORMAT
    action = None  # ("grep-l",) or ("basename",)
    i = 0
    while i < len(expr):
        t = expr[i][0]
        if t in ("-exec", "-ok") and action is None and fmt is None:
            j = i + 1
            sub = []
            while j < len(expr) and expr[j][0] not in (";", "+"):
                sub.append(expr[j][0])
                j += 1
            if _exec_test(sub):
                i = j + 1  # `-exec grep -q … {} \;` only tests (prints nothing): ignored, a superset
                continue
            action = _exec_output(sub)
            if action is None or j + 1 < len(expr):
                return None  # a program's output, or more after it
            break
        if t == "-printf" and fmt is None and i + 1 < len(expr):
            fmt = expr[i + 1][0]
            i += 2
            continue
        if t in _ACTIONS:
            return None
        if t in _FIND_VAL:
            v = expr[i + 1][0] if i + 1 < len(expr) else ""
            if t in ("-name", "-iname") and not logic:
                names.append(v.lower())
            elif t == "-type" and not logic:
                types = v
            elif t in ("-maxdepth", "-mindepth"):
                if not v.isdigit():
                    return None
                if t == "-maxdepth":
                    maxd = int(v)
                else:
                    mind = int(v)
            i += 2
            continue
        i += 1
    out: list = []
    seen = 0
    import fnmatch
    import re

    try:  # find's -name is fnmatch(3) on the base name (dotfiles included); one regex per pattern
        # (Python's fnmatch has no backslash escape: such a pattern uses the slower seg_match)
        name_rx = None if any("\\" in n for n in names) else [re.compile(fnmatch.translate(n), re.DOTALL) for n in names]
    except re.error:
        name_rx = None

    def keep(name: str, depth: int, is_dir: bool) -> bool:
        if depth < mind or (maxd is not None and depth > maxd):
            return False
        if types and not (("d" in types and is_dir) or (any(c in types for c in "fl") and not is_dir)):
            return False
        low = name.lower()
        if name_rx is not None:
            return all(rx.match(low) for rx in name_rx)
        return all(seg_match(n, low) for n in names)

    def emit(start: str, rel: str) -> bool:
        path = start if not rel else (start if start.endswith("/") else start + "/") + rel
        if fmt is not None:
            text = _printf_find(fmt, start, path, rel)
            if text is None:
                return False
            out.extend(split_lines(text.replace("\0", "\n")))
        elif action == ("basename",):
            out.append(os.path.basename(path.rstrip("/")) or path)
        else:
            out.append(path)  # -print, or grep -l: a subset of these
        return len(out) <= MAX_LINES

    follow = any(t in ("-L", "-follow") for t, _ in args[: len(args) - len(expr)] + expr if t != "-H")
    for start, _ in starts:
        if not start:
            continue  # `find ""`: no such file
        base = start if start.startswith("/") else os.path.join(cwd, start)
        if not w.unchanged(os.path.normpath(base)):
            return None  # the command wrote there already: not what there is now
        if not os.path.lexists(base):
            continue
        if keep(os.path.basename(start.rstrip("/")) or start, 0, os.path.isdir(base)) and not emit(start, ""):
            return None
        for root, dirs, files in os.walk(base, followlinks=follow):  # (MAX_WALK bounds a cycle)
            rel = os.path.relpath(root, base)
            depth = 0 if rel == "." else rel.count("/") + 1
            if maxd is not None and depth >= maxd:
                dirs[:] = []
            for n, is_dir in [(d, True) for d in dirs] + [(f, False) for f in files]:
                seen += 1
                if seen > MAX_WALK:
                    return None
                if keep(n, depth + 1, is_dir) and not emit(start, n if rel == "." else rel + "/" + n):
                    return None
    return out


def _glob_now(w, field, cwd):
    """A glob word that matches nothing now stays as it is (bash passes it on); one that
    matches something, or a word we cannot know, is None."""
    text, kind = field
    if kind == LIT:
        return field
    if kind != _GLOB:
        return None
    from hookgate.shell import boundglob

    if not w.unchanged(cwd):
        return None
    try:  # the first match decides (ADR 0027: a glob that stops); past the budget: unknown
        if next(boundglob.iglob(text, root_dir=None if text.startswith("/") else cwd, include_hidden=w.dotglob,
                                recursive=w.globstar, budget=boundglob.Budget(deadline=w.deadline)), None) is not None:
            return None
    except (boundglob.GlobCap, OSError, ValueError, RecursionError):
        return None
    return (text, LIT)


_FIND_PRINTF_ESC = {"n": "\n", "t": "\t", "0": "\0", "\\": "\\"}


def _printf_find(fmt: str, start: str, path: str, rel: str):
    """find's ``-printf`` for the directives that name the file; None for any other."""
    out = []
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c == "\\" and i + 1 < len(fmt):
            e = _FIND_PRINTF_ESC.get(fmt[i + 1])
            if e is None:
                return None
            out.append(e)
            i += 2
            continue
        if c == "%" and i + 1 < len(fmt):
            d = fmt[i + 1]
            if d == "p":
                out.append(path)
            elif d == "P":
                out.append(rel)
            elif d == "f":
                out.append(os.path.basename(path.rstrip("/")) or path)
            elif d == "h":
                h = os.path.dirname(path.rstrip("/"))
                out.append(h if h else ".")
            elif d == "%":
                out.append("%")
            else:
                return None
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _exec_test(sub: list) -> bool:
    """``grep -q …``/``test …``: an -exec that prints nothing (its status is a test)."""
    if not sub:
        return False
    name = os.path.basename(sub[0])
    if name in ("test", "[", "true", "false"):
        return True
    return name in ("grep", "egrep", "fgrep") and any(
        a in ("-q", "--quiet", "--silent") or (a[:1] == "-" and a[1:2] != "-" and "q" in a[1:]) for a in sub[1:])


def _exec_output(sub: list):
    """What ``-exec SUB`` prints for a found file, when it is a subset of the paths (``grep -l``)
    or their names (``basename {}``); None otherwise."""
    if not sub:
        return None
    name = os.path.basename(sub[0])
    if name in ("grep", "egrep", "fgrep") and any(a in ("-l", "--files-with-matches", "-L", "--files-without-match")
                                                  or (a[:1] == "-" and a[1:2] != "-" and "l" in a[1:].lower()
                                                      and set(a[1:]) <= set("lLisFEwxrRqZzIhay"))
                                                  for a in sub[1:]):
        if any(a[:1] == "-" and set(a[1:]) & set("cnobHA") and a[1:2] != "-" for a in sub[1:]):
            return None
        return ("grep-l",)
    if name == "basename" and sub[1:] == ["{}"]:
        return ("basename",)
    return None


def _ls_lines(w, args, cwd):
    """``ls [-aA1t…] [DIR|FILE…]``: the names it prints now (a directory's entries, a file's
    own name; with several directories, their ``DIR:`` headers too)."""
    from hookgate.shell.streams import _LS_FLAGS

    o, ops = opts(args, "", ())
    if any(k.startswith("--") or k[1:] not in _LS_FLAGS for k, _ in o) or any(k != LIT for _, k in ops):
        return None
    dots = has(o, "-a", "-A")
    only = has(o, "-d")
    out: list = []
    for text in [t for t, _ in ops] or ["."]:
        path = text if text.startswith("/") else os.path.join(cwd, text)
        if not w.unchanged(os.path.normpath(path)):
            return None
        if not os.path.lexists(path):
            continue
        if only or not os.path.isdir(path):
            out.append(text)
            continue
        try:
            names = sorted(os.listdir(path))
        except OSError:
            return None
        if len(ops) > 1:
            out += [text + ":", ""]
        if has(o, "-a"):
            names = [".", ".."] + names
        out += [n for n in names if dots or not n.startswith(".")]
        if len(out) > MAX_LINES:
            return None
    return out


def _tree_lines(w, args, cwd):
    """``tree -i -f [--noreport] [-a] [DIR]``: full paths, one per line, and the report line."""
    o, ops = opts(args, "LIPo", ())
    flags = {k for k, _ in o}
    if not {"-i", "-f"} <= flags or flags - {"-i", "-f", "-a", "--noreport", "-n", "-C"} or len(ops) > 1:
        return None
    start = ops[0][0] if ops else "."
    if ops and ops[0][1] != LIT:
        return None
    base = start if start.startswith("/") else os.path.join(cwd, start)
    if not w.unchanged(os.path.normpath(base)) or not os.path.isdir(base):
        return None
    out = [start]
    ndirs = nfiles = 0
    for root, dirs, files in os.walk(base):
        if "-a" not in flags:
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            files = [f for f in files if not f.startswith(".")]
        rel = os.path.relpath(root, base)
        for n in sorted(dirs) + sorted(files):
            out.append(start.rstrip("/") + "/" + (n if rel == "." else rel + "/" + n))
            if len(out) > MAX_LINES:
                return None
        ndirs += len(dirs)
        nfiles += len(files)
    if "--noreport" not in flags:
        out += ["", f"{ndirs} director{'y' if ndirs == 1 else 'ies'}, {nfiles} file{'' if nfiles == 1 else 's'}"]
    return out


def _git_lines(w, args, cwd):
    """``git ls-files`` (no options but ``-c``/``-z``/``--``): a superset — every file under the
    cwd outside ``.git``, relative to it (tracked files are some of them)."""
    if not args or args[0] != ("ls-files", LIT) or any(k != LIT for _, k in args):
        return None
    if any(t not in ("-c", "--cached", "-z", "--") for t, _ in args[1:]):
        return None
    if not w.unchanged(os.path.normpath(cwd)):
        return None
    out = []
    seen = 0
    for root, dirs, files in os.walk(cwd):
        dirs[:] = [d for d in dirs if d != ".git"]
        rel = os.path.relpath(root, cwd)
        for f in files:
            seen += 1
            out.append(f if rel == "." else rel + "/" + f)
            if len(out) > MAX_LINES or seen > MAX_WALK:
                return None
    return out
