"""git subcommands that touch the working tree or name files, and git's settings that run code
(ADR 0021): the rest of ``gitcmd``, loaded for a subcommand other than the history queries
(``git status``, ``git log``… load only ``gitcmd``: ADR 0017's import budget) or for ``-c``.
"""

from __future__ import annotations

import os

from hookgate.shell.shellstate import D, R, W_, Call, has, opts, values
from hookgate.shell.words import LIT

_TREE_WRITERS = frozenset(("pull", "merge", "rebase", "cherry-pick", "revert", "switch", "am", "bisect", "submodule",
                           "sparse-checkout", "read-tree", "checkout-index", "update-index", "mergetool", "subtree"))


# git settings whose value git runs (ADR 0021), as data: `*` is one dotted part (a name).
# "shell": a command line for `sh -c`; "alias": `!cmd` is shell, else git arguments;
# "program": a program path; "config": another config file to include (its settings unseen)
CODE_KEYS = {
    "core.pager": "shell", "core.editor": "shell", "core.sshcommand": "shell", "core.fsmonitor": "shell",
    "core.askpass": "shell", "core.gitproxy": "shell", "core.alternaterefscommand": "shell",
    "core.hookspath": "config", "diff.external": "shell", "sequence.editor": "shell", "credential.helper": "shell",
    "credential.*.helper": "shell", "gpg.program": "shell", "gpg.*.program": "shell", "pager.*": "shell",
    "alias.*": "alias", "diff.*.textconv": "shell", "diff.*.command": "shell", "filter.*.clean": "shell",
    "filter.*.smudge": "shell", "filter.*.process": "shell", "merge.*.driver": "shell", "difftool.*.cmd": "shell",
    "mergetool.*.cmd": "shell", "remote.*.uploadpack": "shell", "remote.*.receivepack": "shell",
    "uploadpack.packobjectshook": "shell", "web.browser": "shell", "browser.*.cmd": "shell", "man.*.cmd": "shell",
    "interactive.difffilter": "shell", "include.path": "config", "includeif.*.path": "config",
    "init.templatedir": "config", "protocol.ext.allow": "config", "protocol.allow": "config",
    "ssh.variant": "config", "sendemail.smtpserver": "shell", "sendemail.tocmd": "shell",
    "sendemail.cccmd": "shell", "sendemail.sendmailcmd": "shell", "core.worktree": "config",
}


def _key_kind(key: str):
    """The CODE_KEYS kind of a git setting name (case-insensitive sections and keys)."""
    parts = key.split(".")
    if len(parts) < 2:
        return None
    low = [parts[0].lower()] + parts[1:-1] + [parts[-1].lower()]
    if len(low) == 2:
        k = ".".join(low)
        return CODE_KEYS.get(k) or CODE_KEYS.get(low[0] + ".*")
    return CODE_KEYS.get(low[0] + ".*." + low[-1])


def runs_code(key: str) -> bool:
    return _key_kind(key) is not None


def config_value(c: Call, key: str, value) -> None:
    """A git setting given for this run (``-c``, ``GIT_CONFIG_PARAMETERS``): what git will
    run with it — the value analysed as the command line git hands to ``sh -c``."""
    kind = _key_kind(key)
    if kind is None:
        return
    if value is None or not isinstance(value, str):
        c.w.indeterminate(f"git setting {key} runs a command that cannot be known")
        return
    if kind == "alias":
        if value.lstrip().startswith("!"):
            c.script((value.lstrip()[1:], LIT), f"git alias {key}")
        else:
            import shlex

            try:
                argv = shlex.split(value)
            except ValueError:
                c.w.indeterminate(f"git alias {key} cannot be split")
                return
            c.run([("git", LIT)] + [(a, LIT) for a in argv])
        return
    if kind == "shell":
        value = value.strip()
        if value.startswith("!"):  # credential helpers, pagers: `!cmd` is a shell command line
            value = value[1:]
        if value and value.lower() not in ("true", "false", "cat", "less", "more"):
            c.script((value, LIT), f"git setting {key}")
        return
    c.w.indeterminate(f"git setting {key} makes git run code the command does not show")


def _tame_value(key: str, value: str) -> bool:
    """A code-running setting whose value runs nothing the agent picks: an alias of git
    arguments (no ``!``), a credential helper that is git's own (``cache``, ``store …``)."""
    kind = _key_kind(key)
    if kind == "alias":
        return not value.lstrip().startswith("!")
    if key.lower().startswith("credential.") and key.lower().endswith(".helper"):
        head = value.strip().split(" ", 1)[0]
        return head in ("cache", "store", "osxkeychain", "manager", "manager-core", "libsecret", "wincred", "")
    return False


def _config_file(c: Call, o) -> tuple:
    """The config file ``git config`` changes: --file F, --global, --system, or the repo's."""
    for v in values(o, "-f", "--file"):
        return v
    if has(o, "--global"):
        return (c.w.home + "/.gitconfig", LIT)
    if has(o, "--system"):
        return ("/etc/gitconfig", LIT)
    top = _toplevel(c.st.cwd) if isinstance(c.st.cwd, str) else None
    if top is None:
        return (".git/config", LIT if isinstance(c.st.cwd, str) else 2)
    return (os.path.join(top, ".git", "config"), LIT)


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


def _exists(c: Call, f) -> bool:
    text, kind = f
    if kind != LIT or not isinstance(c.st.cwd, str):
        return kind != LIT
    try:
        return os.path.lexists(os.path.join(c.st.cwd, text))
    except (OSError, ValueError):
        return False


def subcommand(c: Call, sub: str, rest) -> bool:
    """The accesses of ``git SUB REST`` for a subcommand other than the history queries
    (``gitcmd._NOTHING``). False when git runs nothing more (``gitcmd._runs`` is not needed)."""
    cwd = c.cwd_field()
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
            return False
        if pathspec is not None:
            files = pathspec
        elif sub == "restore":
            files = ops
        elif has(o, "-b", "-B", "--orphan") and not ops:
            return False
        elif len(ops) >= 2:
            files = ops[1:]
        elif ops and ops[0][0] not in (".",) and not _exists(c, ops[0]):
            c.acc(cwd, W_, f"git {sub} (working tree)")
            return False
        else:
            files = ops or [cwd]
        for f in files:
            c.acc(f, W_, f"git {sub} pathspec")
    elif sub == "reset":
        if has(o, "--hard", "--merge", "--keep"):
            c.acc(cwd, W_, "git reset --hard (working tree)")
    elif sub == "clean":
        if has(o, "-n", "--dry-run"):
            return False
        for f in (pathspec if pathspec is not None else ops) or [cwd]:
            c.acc(f, D, "git clean")
    elif sub == "stash":
        head = [f for f in ops if pathspec is None or f not in pathspec]
        action = head[0][0] if head else "push"
        if action in ("list", "show", "drop", "clear", "create", "store", "branch"):
            return False
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
            return False
        if sub == "init":
            c.acc(ops[0] if ops else cwd, W_, "git init")
            return False
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
        o, ops = opts(rest, "f", ("file", "blob", "type", "default", "comment", "value"))
        if has(o, "-e", "--edit"):
            c.acc(_config_file(c, o), W_, "git config --edit")
            return False
        words = [t for t, _ in ops]
        if words and words[0] in ("set", "unset", "rename-section", "remove-section"):
            ops, words = ops[1:], words[1:]
        elif words and words[0] in ("get", "list", "edit"):
            if words[0] == "edit":
                c.acc(_config_file(c, o), W_, "git config edit")
            return False
        reading = has(o, "--get", "--get-all", "--list", "-l", "--get-regexp", "--show-origin", "--get-urlmatch",
                      "--unset", "--unset-all", "--remove-section", "--rename-section") or words[:1] == ["unset"]
        if not reading and len(ops) >= 2:
            key = ops[0][0] if ops[0][1] == LIT else None
            value = ops[1][0] if ops[1][1] == LIT else None
            if key is not None and value is not None and _tame_value(key, value):
                config_value(c, key, value)  # (git arguments of an alias: analysed as such)
            elif key is None or runs_code(key):
                # a setting git will run later, in any command: a write of the config file,
                # self-protection grade for the repository's own (ADR 0021)
                c.acc(_config_file(c, o), W_, f"git config {key or '(unknown key)'} (a command git will run)")
                if key is not None and len(ops) >= 2:
                    config_value(c, key, ops[1][0] if ops[1][1] == LIT else None)
    elif sub in _TREE_WRITERS:
        c.acc(cwd, W_, f"git {sub} (working tree)")
    return True
