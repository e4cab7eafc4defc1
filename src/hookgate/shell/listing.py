"""Concrete listings: what ``find B … | grep PAT`` prints *now* (ADR 0008 item 5).

A filter that picks lines by content (``grep FooBar``) makes a symbolic stream unknown
(``streams``): it could pick ``.env`` out of "every file under B". When the source is a plain
``find`` (or ``ls``) and every stage is one we can run ourselves — ``grep`` with its regex,
line filters that keep or reorder lines — the stage is evaluated against the file system the
way a glob is expanded: the result is the literal list of paths it prints. Bounded: at most
MAX_WALK entries walked and MAX_LINES lines; past that, unknown.

``re`` is imported here only (a content filter after find is rare on the hot path).
"""

from __future__ import annotations

import os

from hookgate.shell.commands import has, opts, values
from hookgate.shell.words import LIT

MAX_WALK = 20000
MAX_LINES = 500
_LOGIC = frozenset(("-o", "-or", "!", "-not", "(", ")", ","))
_ACTIONS = frozenset(("-exec", "-execdir", "-ok", "-okdir", "-ls", "-fls", "-fprint", "-fprint0", "-fprintf",
                      "-printf", "-files0-from"))


def lines_of(w, stmt, st, depth):
    """The lines ``stmt`` prints, evaluated now, or None."""
    from hookgate.shell.streams import _PASS, _gate, call_fields

    if _gate(stmt) is not _PASS or not isinstance(st.cwd, str):
        return None
    cmd = stmt.get("Cmd") or {}
    t = cmd.get("Type")
    if t == "CallExpr":
        fields = call_fields(w, stmt, st, depth)
        if fields is None:
            return None
        name = os.path.basename(fields[0][0])
        if name == "find":
            return _find_lines(fields[1:], st.cwd)
        if name == "ls":
            return _ls_lines(fields[1:], st.cwd)
        return None
    if t == "BinaryCmd" and cmd.get("Op") == "|":
        left = lines_of(w, cmd.get("X"), st, depth)
        if left is None:
            return None
        y = cmd.get("Y")
        if _gate(y) is not _PASS:
            return None
        fields = call_fields(w, y, st, depth)
        if fields is None:
            return None
        return _filter(os.path.basename(fields[0][0]), fields[1:], left)
    return None


def _find_lines(args, cwd):
    from hookgate.policy.globs import seg_match
    from hookgate.shell.findx import _FIND_VAL, _find_split

    starts, expr = _find_split(args)
    if any(k != LIT for _, k in starts) or any(k != LIT for _, k in expr):
        return None
    logic = any(t in _LOGIC for t, _ in expr)
    names, types, mind, maxd = [], "", 0, None
    i = 0
    while i < len(expr):
        t = expr[i][0]
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

    def keep(path: str, name: str, depth: int, is_dir: bool) -> bool:
        if depth < mind or (maxd is not None and depth > maxd):
            return False
        if types and not (("d" in types and is_dir) or (any(c in types for c in "fl") and not is_dir)):
            return False
        return all(seg_match(n, name.lower()) for n in names)

    for start, _ in starts:
        base = start if start.startswith("/") else os.path.join(cwd, start)
        if not os.path.lexists(base):
            continue
        if keep(start, os.path.basename(start.rstrip("/")) or start, 0, os.path.isdir(base)):
            out.append(start)
        prefix = start if start.endswith("/") else start + "/"
        for root, dirs, files in os.walk(base):
            rel = os.path.relpath(root, base)
            depth = 0 if rel == "." else rel.count("/") + 1
            if maxd is not None and depth >= maxd:
                dirs[:] = []
            for n, is_dir in [(d, True) for d in dirs] + [(f, False) for f in files]:
                seen += 1
                if seen > MAX_WALK:
                    return None
                if keep("", n, depth + 1, is_dir):
                    out.append(prefix + (n if rel == "." else rel + "/" + n))
                    if len(out) > MAX_LINES:
                        return None
    return out


def _ls_lines(args, cwd):
    from hookgate.shell.streams import _LS_FLAGS

    o, ops = opts(args, "", ())
    if ops or any(k.startswith("--") or k[1:] not in _LS_FLAGS for k, _ in o):
        return None
    dots = has(o, "-a", "-A")
    try:
        names = sorted(os.listdir(cwd))
    except OSError:
        return None
    if len(names) > MAX_LINES:
        return None
    return [n for n in names if dots or not n.startswith(".")]


def _filter(name, args, lines):
    from hookgate.shell.streams import FILTERS

    if name in ("grep", "egrep", "fgrep"):
        return _grep(name, args, lines)
    ok = FILTERS.get(name)
    return lines if ok is not None and ok(args) else None


_GREP_OK = frozenset(("-v", "--invert-match", "-i", "-y", "--ignore-case", "-E", "--extended-regexp", "-F",
                      "--fixed-strings", "-G", "--basic-regexp", "-P", "--perl-regexp", "-w", "--word-regexp",
                      "-x", "--line-regexp", "-z", "--null-data", "-a", "--text", "-s", "--no-messages", "-Z",
                      "--null", "-e", "--regexp", "--color", "--colour", "-U", "--binary", "--line-buffered",
                      "-I", "-m", "--max-count"))


def _grep(name, args, lines):
    """``grep`` run on ``lines`` (its regex, -v/-i/-w/-x/-E/-F/-P), or None."""
    from hookgate.shell.streams import _GREP_LVALUES, _GREP_VALUES

    o, ops = opts(args, _GREP_VALUES, _GREP_LVALUES)
    if any(k not in _GREP_OK for k, _ in o):
        return None
    pats = [v for v in values(o, "-e", "--regexp")]
    if not pats:
        if not ops:
            return None
        pats, ops = [ops[0]], ops[1:]
    if ops or any(k != LIT for _, k in pats):
        return None
    import re

    fixed = name == "fgrep" or has(o, "-F", "--fixed-strings")
    ere = name == "egrep" or has(o, "-E", "--extended-regexp", "-P", "--perl-regexp")
    parts = []
    for text, _ in pats:
        for p in text.split("\n"):
            parts.append(re.escape(p) if fixed else p if ere else _bre(p))
    if not fixed and not all(_tame_regex(p) for p in parts):
        return None  # could backtrack for ever on a long path: unknown, never a hung hook
    body = "|".join(f"(?:{p})" for p in parts)
    if has(o, "-w", "--word-regexp"):
        body = rf"(?<!\w)(?:{body})(?!\w)"
    if has(o, "-x", "--line-regexp"):
        body = rf"^(?:{body})$"
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a pattern Python reads differently from grep: unknown
            rx = re.compile(body, re.IGNORECASE if has(o, "-i", "-y", "--ignore-case") else 0)
    except (re.error, RecursionError, OverflowError, Warning):
        return None
    invert = has(o, "-v", "--invert-match")
    return [ln for ln in lines if bool(rx.search(ln)) != invert]


MAX_QUANTIFIERS = 4


def _tame_regex(p: str) -> bool:
    """No catastrophic backtracking: short, no quantified group (``(a+)+``), no back-reference,
    at most MAX_QUANTIFIERS quantifiers (``a*a*a*…`` is polynomial in their number)."""
    if len(p) > 256:
        return False
    quantifiers = 0
    i = 0
    while i < len(p):
        c = p[i]
        if c == "\\":
            if i + 1 < len(p) and p[i + 1].isdigit():
                return False
            i += 2
            continue
        if c in "*+{":
            quantifiers += 1
            if i and p[i - 1] == ")":
                return False
        elif c == "?" and i and p[i - 1] == ")":
            return False
        i += 1
    return quantifiers <= MAX_QUANTIFIERS


def _bre(p: str) -> str:
    """A POSIX basic regex → Python: ``\\( \\) \\{ \\} \\| \\+ \\?`` are operators, the bare
    characters are literals."""
    out = []
    i = 0
    while i < len(p):
        c = p[i]
        if c == "\\" and i + 1 < len(p):
            d = p[i + 1]
            out.append(d if d in "(){}|+?" else "\\" + d)
            i += 2
            continue
        out.append("\\" + c if c in "(){}|+?" else c)
        i += 1
    return "".join(out)
