"""git: which subcommands touch the working tree, and which paths.

Tree-wide operations (``reset --hard``, ``checkout BRANCH``, ``stash``, ``pull``…) are a write
of the working directory; ``clean`` a delete of it (or of its pathspecs). History queries
(``log``, ``status``…) touch nothing; ``show REV:path`` reads that path.
"""

from __future__ import annotations

import os

from hookgate.shell.commands import HANDLERS, D, R, W_, Call, has, opts, values
from hookgate.shell.words import LIT

_GLOBAL_VAL = frozenset(("-C", "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path", "--super-prefix",
                         "--config-env", "--list-cmds"))
_TREE_WRITERS = frozenset(("pull", "merge", "rebase", "cherry-pick", "revert", "switch", "am", "bisect", "submodule",
                           "sparse-checkout", "read-tree", "checkout-index", "update-index", "mergetool", "subtree"))
_NOTHING = frozenset(("status", "log", "shortlog", "branch", "tag", "remote", "fetch", "push", "describe", "rev-parse",
                      "rev-list", "reflog", "ls-files", "ls-tree", "ls-remote", "config-get", "help", "version",
                      "name-rev", "for-each-ref", "show-ref", "count-objects", "fsck", "gc", "prune", "whatchanged",
                      "check-ignore", "check-attr", "var", "cherry", "range-diff", "verify-commit", "notes", "annotate-x",
                      "symbolic-ref", "update-ref", "merge-base", "hash-object-x", "credential", "lfs", "maintenance"))


def _toplevel(cwd):
    d = cwd
    for _ in range(64):
        if os.path.exists(os.path.join(d, ".git")):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent
    return None


def _git(c: Call) -> None:
    from hookgate.shell.walk import UNKNOWN, norm

    args = list(c.args)
    i = 0
    st = c.st
    while i < len(args):
        t, k = args[i]
        if k != LIT or not t.startswith("-"):
            break
        name = t.split("=", 1)[0]
        if name in _GLOBAL_VAL and "=" not in t:
            if name == "-C" and i + 1 < len(args):
                v = args[i + 1]
                st = st.copy()
                p = norm(v[0], st.cwd) if v[1] == LIT else None
                st.cwd = p if p is not None else UNKNOWN
            if name == "-c" and i + 1 < len(args) and args[i + 1][0].split("=", 1)[0].lower() in (
                "core.pager", "core.editor", "core.sshcommand", "core.fsmonitor", "core.hookspath", "diff.external",
                "sequence.editor", "credential.helper", "core.alternaterefsCommand".lower()
            ) or name == "-c" and i + 1 < len(args) and args[i + 1][0].lower().startswith("alias."):
                c.indeterminate("git -c sets a command that git will run")
            i += 2
            continue
        i += 1
    if i >= len(args):
        return
    sub, rest = args[i][0], args[i + 1 :]
    c = Call(c.w, c.name, c.fields, st, c.depth, c.feed)
    cwd = c.cwd_field()
    if sub in _NOTHING:
        if sub == "log":
            o, ops = opts(rest, "nL", ("max-count", "format", "pretty", "author", "since", "until", "grep"))
            if has(o, "-p", "--patch", "-L", "--follow") and "--" in [t for t, _ in rest]:
                for f in rest[[t for t, _ in rest].index("--") + 1 :]:
                    c.acc(f, R, "git log -p (history of the file)")
        return
    o, ops = opts(rest, "mFCcsbBUXoeSAtpuj", ("message", "file", "source", "pathspec-from-file", "output", "exclude",
                                             "author", "date", "template", "reuse-message", "onto", "strategy",
                                             "strategy-option", "format", "prefix", "remote", "depth", "branch",
                                             "origin", "reference", "separate-git-dir", "upload-pack", "shallow-since"))
    dd = [t for t, _ in rest]
    pathspec = rest[dd.index("--") + 1 :] if "--" in dd else None
    for v in values(o, "-F", "--file", "--pathspec-from-file", "-t", "--template"):
        if v[0] != "-":
            c.acc(v, R, f"git {sub} option file")
    if sub in ("checkout", "restore"):
        if sub == "restore" and has(o, "-S", "--staged") and not has(o, "-W", "--worktree"):
            return
        if pathspec is not None:
            files = pathspec
        elif sub == "restore":
            files = ops
        elif has(o, "-b", "-B", "--orphan") and not ops:
            return
        elif len(ops) >= 2:
            files = ops[1:]
        elif ops and ops[0][0] not in (".",) and not _exists(c, ops[0]):
            c.acc(cwd, W_, f"git {sub} (working tree)")
            return
        else:
            files = ops or [cwd]
        for f in files:
            c.acc(f, W_, f"git {sub} pathspec")
    elif sub == "reset":
        if has(o, "--hard", "--merge", "--keep"):
            c.acc(cwd, W_, "git reset --hard (working tree)")
    elif sub == "clean":
        if has(o, "-n", "--dry-run"):
            return
        for f in (pathspec if pathspec is not None else ops) or [cwd]:
            c.acc(f, D, "git clean")
    elif sub == "stash":
        head = [f for f in ops if pathspec is None or f not in pathspec]
        action = head[0][0] if head else "push"
        if action in ("list", "show", "drop", "clear", "create", "store", "branch"):
            return
        files = pathspec if pathspec is not None else (ops[1:] if action == "push" else [])
        for f in files or [cwd]:
            c.acc(f, W_, f"git stash {action}")
    elif sub in ("apply", "am"):
        for f in ops:
            c.acc(f, R, f"git {sub} patch")
        if not has(o, "--check", "--stat", "--numstat", "--summary", "--cached"):
            c.acc(cwd, W_, f"git {sub} (files named in the patch)")
    elif sub in ("show", "cat-file"):
        for f in [a for a in rest if a[1] == LIT and not a[0].startswith("-")]:
            text, kind = f
            if kind == LIT and ":" in text and not text.startswith(":/"):
                rev, _, path = text.partition(":")
                if not path:
                    continue
                if path.startswith("./") or path.startswith("../"):
                    c.acc((path, LIT), R, f"git {sub} REV:path")
                else:
                    top = _toplevel(c.st.cwd) if isinstance(c.st.cwd, str) else None
                    c.acc((os.path.join(top, path) if top else path, LIT), R, f"git {sub} REV:path")
    elif sub in ("mv",):
        if len(ops) >= 2:
            for f in ops[:-1]:
                c.acc(f, R, "git mv source")
                c.acc(f, D, "git mv source")
            c.acc(ops[-1], W_, "git mv destination")
    elif sub == "rm":
        if not has(o, "--cached"):
            for f in ops:
                c.acc(f, D, "git rm")
    elif sub in ("add", "diff", "blame", "annotate", "grep", "hash-object", "difftool", "commit", "stage"):
        if sub == "grep":
            files = pathspec or []
        elif sub == "commit":
            files = pathspec if pathspec is not None else ops
        else:
            files = pathspec if pathspec is not None else ops
            if sub == "diff" and not has(o, "--no-index"):
                files = [f for f in files if _exists(c, f)]
        for f in files:
            c.acc(f, R, f"git {sub}")
    elif sub in ("clone", "init", "worktree"):
        if sub == "worktree":
            if ops and ops[0][0] == "add" and len(ops) > 1:
                c.acc(ops[1], W_, "git worktree add")
            return
        if sub == "init":
            c.acc(ops[0] if ops else cwd, W_, "git init")
            return
        if len(ops) >= 2:
            c.acc(ops[1], W_, "git clone destination")
        elif ops and ops[0][1] == LIT:
            name = ops[0][0].rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
            name = name[:-4] if name.endswith(".git") else name
            c.acc((name or "repo", LIT), W_, "git clone destination")
    elif sub in ("format-patch", "archive", "bundle"):
        for v in values(o, "-o", "--output", "--output-directory"):
            c.acc(v, W_, f"git {sub} output")
        if sub == "bundle" and len(ops) >= 2 and ops[0][0] == "create":
            c.acc(ops[1], W_, "git bundle create")
    elif sub == "config":
        if not has(o, "--get", "--get-all", "--list", "-l", "--get-regexp", "--show-origin") and len(ops) >= 2:
            key = ops[0][0].lower()
            if key.startswith("alias.") or key in ("core.hookspath", "core.fsmonitor", "core.pager", "core.editor",
                                                   "core.sshcommand", "diff.external"):
                c.raw(f"git config {key}", W_, False, "git config sets a command git will run")
    elif sub in _TREE_WRITERS:
        c.acc(cwd, W_, f"git {sub} (working tree)")


def _exists(c: Call, f) -> bool:
    text, kind = f
    if kind != LIT or not isinstance(c.st.cwd, str):
        return kind != LIT
    try:
        return os.path.lexists(os.path.join(c.st.cwd, text))
    except (OSError, ValueError):
        return False


HANDLERS["git"] = _git
