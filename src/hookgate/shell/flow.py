"""The data flow of a command line: what a pipe carries and what a command prints.

- ``stream_of`` / ``through``: the stream a statement prints, symbolically (``streams`` has the
  sources and filters as tables), falling back to
- ``lines_of``: the lines it prints *now*, evaluated (``listing`` walks and reads,
  ``textprogs`` runs the text programs);
- ``subst_segs``: ``$(…)`` whose output is known enough.

The top of the shell's data-flow layer: ``expand``, ``redirs`` and the walk call it.
"""

from __future__ import annotations

import os

from hookgate.shell import textops
from hookgate.shell.words import GLOB, LIT, UNRES, Seg

# ``listing``, ``textprogs`` and ``streams`` are imported where they are needed: most
# commands never evaluate a pipeline (the hot path stays lean)


def lines_of(w, stmt, st, depth, stdin=None):
    """The lines ``stmt`` prints, evaluated now, or None. ``stdin``: the lines it reads."""
    from hookgate.shell.listing import MAX_LINES, _find_lines, _git_lines, _ls_lines, _tree_lines, split_lines
    from hookgate.shell.streams import _PASS, _gate, call_fields

    if _gate(stmt) is not _PASS or not isinstance(st.cwd, str):
        return None
    redirs = stmt.get("Redirs") or ()
    for r in redirs:
        op = r.get("Op")
        n = (r.get("N") or {}).get("Value")
        if op == "<" and n in (None, "0"):
            text = _word_file(w, r.get("Word"), st, depth)
            if text is None:
                return None
            stdin = split_lines(text)
        elif n == "2" and op in (">", ">>", ">&"):
            continue  # stderr elsewhere: not lines of stdout
        else:
            return None
    cmd = stmt.get("Cmd")
    if cmd is None:
        return stdin if redirs else None  # $(< list)
    t = cmd.get("Type")
    try:
        if t == "CallExpr":
            fields = call_fields(w, stmt, st, depth)
            if fields is None:
                return None
            name = os.path.basename(fields[0][0])
            if name not in EXACT or (name == "sed" and not _plain_sed(fields[1:])):
                w.lines_superset = True  # a listing that ignores some tests, `head -1`, `sed 1d` …
            if name == "find":
                return _find_lines(w, fields[1:], st.cwd)
            if name == "ls":
                return _ls_lines(w, fields[1:], st.cwd)
            if name == "tree":
                return _tree_lines(w, fields[1:], st.cwd)
            if name == "git":
                return _git_lines(w, fields[1:], st.cwd)
            from hookgate.shell.textprogs import PROGRAMS

            run = PROGRAMS.get(name)
            out = run(w, fields[1:], stdin, st) if run is not None else None
            if out is not None:
                # a line with a newline inside (an -0 item echoed) is several lines downstream
                out = [y for x in out for y in (x.split("\n") if "\n" in x else (x,))]
            return out if out is None or len(out) <= MAX_LINES else None
        if t == "BinaryCmd" and cmd.get("Op") == "|":
            left = lines_of(w, cmd.get("X"), st, depth, stdin)
            if left is None:
                return None
            return lines_of(w, cmd.get("Y"), st, depth, left)
    except textops.Unknown:
        return None
    return None


# programs whose concrete output is exactly what the real one prints (the others may print
# less than we list: `Walker.lines_superset`); sed only with `s`/`y` commands and no address
EXACT = frozenset(("ls", "cat", "echo", "printf", "seq", "grep", "egrep", "fgrep", "sed", "cut", "tr", "rev",
                   "dirname", "basename", "sort"))


def _plain_sed(args) -> bool:
    scripts = [t for t, k in args if k == LIT and not t.startswith("-")][:1] + \
        [args[i + 1][0] for i, (t, k) in enumerate(args[:-1]) if t in ("-e", "--expression")]
    return bool(scripts) and all(x.lstrip()[:1] in ("s", "y") and "\n" not in x and ";" not in x for x in scripts)


def _word_file(w, word, st, depth):
    fs = w.fields(word, st.copy(), depth, quiet=True) if word is not None else []
    if len(fs) != 1 or fs[0][1] != LIT:
        return None
    from hookgate.shell.listing import read_now

    return read_now(w, fs[0][0], st)


def stream_of(w, stmt, st, depth):
    """The stream ``stmt`` prints, or None when its lines may be anything."""
    from hookgate.shell.streams import _PASS, SOURCES, _gate, call_fields

    early = _gate(stmt)
    if early is not _PASS:
        return early
    cmd = stmt.get("Cmd") or {}
    t = cmd.get("Type")
    out = None
    if t == "CallExpr":
        fields = call_fields(w, stmt, st, depth)
        if fields is None:
            return None
        src = SOURCES.get(os.path.basename(fields[0][0]))
        out = src(fields[1:], st) if src is not None else None
    elif t == "BinaryCmd" and cmd.get("Op") == "|":
        left = stream_of(w, cmd.get("X"), st, depth)
        out = None if left is None else through(w, cmd.get("Y"), left, st, depth)
    elif t in ("Subshell", "Block"):
        return stream_of_stmts(w, cmd.get("Stmts"), st, depth)
    if out is None:
        # a content filter (`find . | grep x`), a list file (`cat list`), a rewrite
        # (`sed 's/…/…/'`): run it on what there is now (listing, ADR 0008 item 6)
        lines = lines_of(w, stmt, st, depth)
        if lines is not None:
            out = [(ln, LIT) for ln in lines]
    return out


def stream_of_stmts(w, stmts, st, depth):
    out: list = []
    for s in stmts or ():
        x = stream_of(w, s, st, depth)
        if x is None:
            return None
        out += x
    return out


def through(w, stmt, items, st, depth):
    """The stream after the filter ``stmt`` reads ``items``, or None."""
    from hookgate.shell.streams import _PASS, FILTERS, _gate, _xargs_selects, call_fields

    early = _gate(stmt)
    if early is not _PASS:
        return early
    if items and all(k == LIT for _, k in items):
        return None  # known lines: the filter is run on them (listing), exactly
    fields = call_fields(w, stmt, st, depth)
    if fields is None:
        return None
    name = os.path.basename(fields[0][0])
    if name == "xargs":
        return items if _xargs_selects(fields[1:]) else None
    ok = FILTERS.get(name)
    return items if ok is not None and ok(fields[1:]) else None


# --- command substitution -----------------------------------------------------------------
def subst_segs(w, p, st, depth, quoted, alone=False):
    """``$(…)`` whose output is known enough: ``$(pwd)``, ``$(dirname X)``, ``$(basename X)``,
    ``$(realpath X)``/``$(readlink -f X)`` (resolved now, like a symlink), or a stream of one
    item (``$(find …)``, ``$(ls -t | head -1)``). None: unknown."""
    from hookgate.shell.streams import call_fields

    stmts = p.get("Stmts") or []
    if len(stmts) != 1:
        return None
    s0 = stmts[0]
    cmd = s0.get("Cmd") or {}
    if cmd.get("Type") == "CallExpr" and not s0.get("Redirs") and not s0.get("Negated"):
        fields = call_fields(w, s0, st, depth)
        if fields is not None:
            v = _computed(w, os.path.basename(fields[0][0]), fields[1:], st)
            if v is not None:
                return [Seg(v, quoted, True, True)]
    w.lines_superset = False
    items = stream_of(w, s0, st, depth)
    concrete = items is not None and all(k == LIT for _, k in items)  # lines (listing), or literal words
    if items is not None and len(items) > 1 and not all(k == LIT for _, k in items):
        # several patterns (`ls DIR | tail -1`): what it prints now, when that can be run
        lines = lines_of(w, s0, st, depth)
        if lines is not None:
            items = [(x, LIT) for x in lines]
            concrete = True
    elif items is not None and len(items) == 1 and items[0][1] == UNRES and "$(find)" in items[0][0]:
        # find's pattern stays a pattern (ADR 0008 rule 5), unless find prints nothing now
        if lines_of(w, s0, st, depth) == []:
            items = []
    if items == []:
        return [Seg("", quoted, True, True)]  # prints nothing: no word unquoted, "" quoted
    if items is not None and len(items) > 1 and all(k == LIT for _, k in items):
        # several lines (a superset: `| tail -1` keeps any one of them): only a whole unquoted
        # word stands for "some of these names"; quoted, or next to other text, the word
        # depends on which lines come out — unknown
        if alone and not quoted and not any(c in t for t, _ in items for c in "*?["):
            return [Seg(" ".join(t for t, _ in items), False, True, True)]  # word-split into the names
        return None
    if items is None or len(items) != 1:
        return None
    text, kind = items[0]
    if kind == LIT and not alone and concrete and w.lines_superset:
        return None  # one line of a superset may be none: `dir/$(…)` could be `dir/` — unknown
    if kind == UNRES:
        return [Seg(text, quoted, False)]
    if kind == GLOB:
        return [Seg(text, False, True, False)]  # a name the glob matches, quoted or not
    return [Seg(text, quoted, True, True)]


def _computed(w, name, args, st):
    from hookgate.shell.shellstate import norm

    if any(k != LIT for _, k in args):
        return None
    words = [t for t, _ in args]
    if name in ("dirname", "basename", "realpath", "readlink") and words[:1] == ["--"]:
        words = words[1:]
        if len(words) == 1:
            words = ["./" + words[0]] if words[0].startswith("-") else words
    if name in ("dirname", "basename", "realpath", "readlink") and not [a for a in words if not a.startswith("-")]:
        return ""  # no operand: an error, nothing printed
    if name in ("realpath", "readlink") and words.count("") == 1 and len(words) - 1 == len(
            [a for a in words if a.startswith("-")]):
        return ""  # `readlink -f ""`: an error, nothing printed
    if name == "pwd" and all(a in ("-L", "-P") for a in words) and isinstance(st.cwd, str):
        return os.path.realpath(st.cwd) if "-P" in words else st.cwd
    if name == "dirname" and len(words) == 1 and not words[0].startswith("-"):
        x = words[0].rstrip("/") or ("/" if words[0].startswith("/") else "")
        d = os.path.dirname(x)
        return d if d else ("/" if x.startswith("/") else ".")
    if name == "basename" and 1 <= len(words) <= 2 and not words[0].startswith("-"):
        x = words[0].rstrip("/")
        b = os.path.basename(x) if x else ("/" if words[0] else "")
        if len(words) == 2 and b.endswith(words[1]) and b != words[1]:
            b = b[: -len(words[1])]
        return b
    if name in ("realpath", "readlink"):
        flags = [a for a in words if a.startswith("-")]
        ops = [a for a in words if not a.startswith("-")]
        if len(ops) != 1 or not ops[0]:
            return None
        path = norm(ops[0], st.cwd)
        if path is None or any(a.mode in ("write", "delete") and (not a.resolved or a.path == path)
                               for a in w.accesses):
            return None  # the command may have changed the link before it is read
        if name == "readlink" and not any(f in ("-f", "-e", "-m", "--canonicalize", "--canonicalize-existing",
                                                "--canonicalize-missing") or (len(f) > 1 and f[1] != "-" and set(f[1:]) & set("fem"))
                                           for f in flags):
            try:
                target = os.readlink(path)  # the link's own text, now
                if not target.startswith("/") and os.path.dirname(path) != st.cwd:
                    return None  # relative to the link's directory, used relative to the cwd
                return target
            except OSError:
                return ""  # not a link: readlink prints nothing
            except ValueError:
                return None
        try:
            return os.path.realpath(path)
        except (OSError, ValueError):
            return None
    return None
