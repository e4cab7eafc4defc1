"""Bulk readers over a directory (ADR 0021): ``grep -r``, ``rg``, ``ag``, ``tar c``, ``zip -r``,
``cp -r``, ``rsync -r``, ``scp -r``, ``diff -r``.

A recursive reader prints or copies every file below its directory operands, so a protected
file there is read as surely as ``cat`` would read it. The directory is walked now (at most
WALK_CAP entries, the way the program walks it: ripgrep skips hidden files and does not
follow symlinks; grep, tar, zip, cp, rsync and diff take hidden files; grep's ``--include``/
``--exclude``/``--exclude-dir`` and rg's ``-g`` globs are applied), and each file the read
guard protects becomes a read — ``grep -rn TODO src`` stays allowed, ``grep -r KEY .`` next
to a ``.env`` is denied, ``grep -r KEY . --exclude=.env`` is allowed again. Output that names
files only (``-l``, ``-c``, ``-q``) reads no content. Past the cap the directory stands for
everything below it (an unresolved read), as before.
"""

from __future__ import annotations

import os

WALK_CAP = 20000
NAMES = frozenset(("grep", "egrep", "fgrep", "rg", "ag", "ack", "tar", "gtar", "bsdtar", "zip", "cp", "rsync", "scp",
                   "diff"))
_NO_CONTENT_GREP = frozenset(("-l", "-L", "-c", "-q", "--files-with-matches", "--files-without-match", "--count",
                              "--quiet", "--silent", "--files", "--type-list"))
_GREP_VAL = frozenset(("-e", "-f", "-m", "-A", "-B", "-C", "-d", "-D", "--regexp", "--file", "--max-count",
                       "--after-context", "--before-context", "--context", "--label", "--binary-files", "--devices",
                       "--directories", "--color", "--colour", "-g", "--glob", "--iglob", "-t", "-T", "--type",
                       "--type-not", "-j", "--threads", "-M", "--max-columns", "-E", "--encoding", "--max-depth",
                       "--sort", "--sortr", "--pre", "--pre-glob", "-r", "--replace", "--ignore-file", "-X"))


def _scan(args, short_vals: str, long_vals):
    """(flags set, {option: [values]}, operands) of a GNU-style argument list."""
    flags, vals, ops = set(), {}, []
    i = 0
    from hookgate.shell.words import GLOB, LIT

    while i < len(args):
        t, k = args[i]
        if k not in (LIT, GLOB) or not t.startswith("-") or t == "-":  # (`--exclude=.env*`: an option)
            ops.append(args[i])
            i += 1
            continue
        if t == "--":
            ops.extend(args[i + 1:])
            break
        if t.startswith("--"):
            name, eq, v = t.partition("=")
            if eq:
                vals.setdefault(name, []).append(v)
            elif name in long_vals and i + 1 < len(args):
                vals.setdefault(name, []).append(args[i + 1][0])
                i += 1
            flags.add(name)
            i += 1
            continue
        j = 1
        while j < len(t):
            ch = t[j]
            flags.add("-" + ch)
            if ch in short_vals:
                v = t[j + 1:]
                if not v and i + 1 < len(args):
                    v = args[i + 1][0]
                    i += 1
                vals.setdefault("-" + ch, []).append(v)
                break
            j += 1
        i += 1
    return flags, vals, ops


def extra(c) -> None:
    from hookgate.shell.words import LIT

    name = c.name
    if c.w.may_read is None or not isinstance(c.st.cwd, str):
        return
    args = c.args
    hidden, follow = True, False
    include, exclude, exclude_dir = [], [], []
    if name in ("grep", "egrep", "fgrep"):
        flags, vals, ops = _scan(args, "efmABCdD", ("--regexp", "--file", "--max-count", "--include", "--exclude",
                                                  "--exclude-dir", "--context", "--after-context",
                                                  "--before-context", "--binary-files", "--devices",
                                                  "--directories", "--label", "--color", "--colour"))
        if not flags & {"-r", "-R", "--recursive", "--dereference-recursive"} or flags & _NO_CONTENT_GREP:
            return
        follow = bool(flags & {"-R", "--dereference-recursive"})
        if not (vals.get("-e") or vals.get("--regexp") or vals.get("-f") or vals.get("--file")) and ops:
            ops = ops[1:]
        dirs = ops or [(".", LIT)]
        include, exclude, exclude_dir = vals.get("--include", []), vals.get("--exclude", []), vals.get("--exclude-dir", [])
    elif name in ("rg", "ag", "ack"):
        flags, vals, ops = _scan(args, "efgmABCtTjME", _GREP_VAL)
        if flags & _NO_CONTENT_GREP or flags & {"--files"}:
            return
        us = sum(1 for a, k in args if k == LIT and a.startswith("-") and not a.startswith("--")
                 for ch in a[1:] if ch == "u")
        hidden = bool(flags & {"--hidden", "-.", "--unrestricted"}) or us >= 2
        follow = bool(flags & {"-L", "--follow"})
        if not (vals.get("-e") or vals.get("--regexp") or vals.get("-f") or vals.get("--file")) and ops:
            ops = ops[1:]
        dirs = ops or [(".", LIT)]
        for g in vals.get("-g", []) + vals.get("--glob", []) + vals.get("--iglob", []):
            (exclude if g.startswith("!") else include).append(g.lstrip("!"))
    elif name in ("tar", "gtar", "bsdtar"):
        if not args:
            return
        first = args[0][0] if args[0][1] == LIT else ""
        flags, vals, ops = _scan(args[1:] if first and not first.startswith("-") else args,
                                 "fCbHKLNTVXg", ("--file", "--directory", "--exclude", "--exclude-from",
                                                 "--files-from", "--format", "--transform", "--owner", "--group",
                                                 "--mode", "--mtime", "--checkpoint-action", "--to-command",
                                                 "--use-compress-program", "--newer", "--after-date", "--label"))
        if first and not first.startswith("-"):
            flags |= {"-" + ch for ch in first}
        if not flags & {"-c", "--create", "-r", "--append", "-u", "--update"}:
            return
        base = (vals.get("-C") or vals.get("--directory") or [None])[-1]
        if base is not None:
            from hookgate.shell.shellstate import norm

            b = norm(base, c.st.cwd)
            if b is None:
                return
            ops = [((os.path.join(b, t) if not t.startswith("/") else t), k) for t, k in ops]
        dirs = ops
        exclude = vals.get("--exclude", [])
        follow = bool(flags & {"-h", "--dereference"})
    elif name == "zip":
        flags, vals, ops = _scan(args, "bnPtxiO", ("--exclude", "--include", "--temp-path", "--password"))
        if not flags & {"-r", "-R", "--recurse-paths"} or len(ops) < 2:
            return
        dirs = ops[1:]
        exclude = vals.get("-x", []) + vals.get("--exclude", [])
    elif name in ("cp", "rsync", "scp"):
        flags, vals, ops = _scan(args, "tSeoPiFcJl" if name != "cp" else "tS",
                                 ("--target-directory", "--suffix", "--rsh", "--exclude", "--include",
                                  "--exclude-from", "--files-from", "--filter", "--backup-dir", "--chmod",
                                  "--log-file", "--password-file", "--rsync-path", "--partial-dir", "--temp-dir"))
        if not flags & {"-r", "-R", "-a", "--recursive", "--archive"}:
            return
        target = vals.get("-t") or vals.get("--target-directory")
        dirs = ops if target else ops[:-1]
        if name != "cp":
            dirs = [d for d in dirs if not (d[1] == LIT and ":" in d[0].split("/", 1)[0])]  # host:path
        exclude = vals.get("--exclude", [])
    elif name == "diff":
        flags, vals, ops = _scan(args, "xXIFLSCUDW", ("--exclude", "--exclude-from", "--label", "--from-file",
                                                     "--to-file", "--ignore-matching-lines"))
        if not flags & {"-r", "--recursive"} or flags & {"-q", "--brief"}:
            return
        dirs = ops
        exclude = vals.get("-x", []) + vals.get("--exclude", [])
    else:
        return
    for text, kind in dirs:
        if kind != LIT or not text:
            continue  # (`cp -R "$1" …` with $1 empty names no directory: cp fails)
        _walk(c, text, hidden, follow, include, exclude, exclude_dir)


def _walk(c, text, hidden, follow, include, exclude, exclude_dir) -> None:
    import fnmatch

    from hookgate.shell.shellstate import R
    from hookgate.shell.shellstate import norm
    from hookgate.shell.words import LIT

    base = norm(text, c.st.cwd) if not text.startswith("~/") else c.w.home + text[1:]
    if base is None or not os.path.isdir(base):
        return  # (a walk now only adds reads: what the command adds first is never less)
    may = c.w.may_read
    seen = 0
    via = f"{c.name} (every file below {text})"
    for root, dirs, files in os.walk(base, followlinks=follow):
        dirs[:] = [d for d in dirs if (hidden or not d.startswith("."))
                   and not any(fnmatch.fnmatch(d, x) for x in exclude_dir)
                   and not any(fnmatch.fnmatch(d, x) for x in exclude)]
        for n in files:
            seen += 1
            if seen > WALK_CAP:
                c.raw(base.rstrip("/") + "/$(find)", R, False, via + " (past the walk cap)")
                return
            if not hidden and n.startswith("."):
                continue
            if include and not any(fnmatch.fnmatch(n, x) for x in include):
                continue
            if any(fnmatch.fnmatch(n, x) for x in exclude):
                continue
            p = os.path.join(root, n)
            if not follow and os.path.islink(p) and c.name in ("rg", "ag", "ack", "grep", "egrep", "fgrep"):
                continue  # not followed: the link itself is not read
            if not may(p):
                c.acc((p, LIT), R, via)
