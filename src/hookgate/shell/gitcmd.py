"""git: which subcommands touch the working tree, and which paths.

Tree-wide operations (``reset --hard``, ``checkout BRANCH``, ``stash``, ``pull``…) are a write
of the working directory; ``clean`` a delete of it (or of its pathspecs). History queries
(``log``, ``status``…) touch nothing; ``show REV:path`` reads that path.
"""

from __future__ import annotations

import os

from hookgate.shell.shellstate import D, R, W_, Call, has, opts, values
from hookgate.shell.words import LIT

HANDLERS: dict = {}  # this module's part of the command table (``shell.table``)

_GLOBAL_VAL = frozenset(("-C", "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path", "--super-prefix",
                         "--config-env", "--list-cmds"))
_TREE_WRITERS = frozenset(("pull", "merge", "rebase", "cherry-pick", "revert", "switch", "am", "bisect", "submodule",
                           "sparse-checkout", "read-tree", "checkout-index", "update-index", "mergetool", "subtree"))
_NOTHING = frozenset(("status", "log", "shortlog", "branch", "tag", "remote", "fetch", "push", "describe", "rev-parse",
                      "rev-list", "reflog", "ls-files", "ls-tree", "ls-remote", "config-get", "help", "version",
                      "name-rev", "for-each-ref", "show-ref", "count-objects", "fsck", "gc", "prune", "whatchanged",
                      "check-ignore", "check-attr", "var", "cherry", "range-diff", "verify-commit", "notes", "annotate-x",
                      "symbolic-ref", "update-ref", "merge-base", "hash-object-x", "credential", "lfs", "maintenance"))


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


def _ext_argv(text: str) -> list:
    """The argv of an ``ext::`` remote: unescaped spaces separate, ``% `` is a space, ``%%`` a
    ``%`` (git-remote-ext(1); ``%S``/``%s``/``%G``/``%V`` are git's, kept as text)."""
    out, cur, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "%" and i + 1 < len(text) and text[i + 1] in " %":
            cur.append(text[i + 1])
            i += 2
            continue
        if ch == " ":
            if cur:
                out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    if cur:
        out.append("".join(cur))
    return out


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
    from hookgate.shell.shellstate import norm
    from hookgate.shell.words import UNKNOWN

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
            if name == "-c" and i + 1 < len(args):
                vt, vk = args[i + 1]
                key, eq, val = vt.partition("=")
                if vk != LIT:
                    if runs_code(key) or not eq:
                        c.indeterminate("git -c of a setting that cannot be known")
                else:
                    config_value(c, key, val if eq else "true")
            if name == "--config-env" and i + 1 < len(args):
                key = args[i + 1][0].partition("=")[0]
                if runs_code(key):
                    c.indeterminate("git --config-env sets a command from the environment")
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
        _runs(c, sub, rest, None, [])
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
        o, ops = opts(rest, "f", ("file", "blob", "type", "default", "comment", "value"))
        if has(o, "-e", "--edit"):
            c.acc(_config_file(c, o), W_, "git config --edit")
            return
        words = [t for t, _ in ops]
        if words and words[0] in ("set", "unset", "rename-section", "remove-section"):
            ops, words = ops[1:], words[1:]
        elif words and words[0] in ("get", "list", "edit"):
            if words[0] == "edit":
                c.acc(_config_file(c, o), W_, "git config edit")
            return
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
    _runs(c, sub, rest, o, ops)


def _runs(c: Call, sub: str, rest, o, ops) -> None:
    """Subcommands that run a command (ADR 0021): ``rebase -x``, ``bisect run``, ``difftool
    -x``, ``submodule foreach``, ``filter-branch --*-filter``, and ``ext::`` remotes."""
    words = [t for t, _ in rest]
    if sub == "rebase":
        for i, t in enumerate(words):
            if t in ("-x", "--exec") and i + 1 < len(rest):
                c.script(rest[i + 1], "git rebase --exec")
            elif t.startswith("--exec="):
                c.script((t[7:], rest[i][1]), "git rebase --exec")
    elif sub == "bisect" and words[:1] == ["run"]:
        c.run(list(rest[1:]))
    elif sub in ("difftool", "mergetool"):
        for i, t in enumerate(words):
            if t in ("-x", "--extcmd") and i + 1 < len(rest):
                c.script(rest[i + 1], f"git {sub} --extcmd")
            elif t.startswith("--extcmd="):
                c.script((t[9:], rest[i][1]), f"git {sub} --extcmd")
    elif sub == "submodule" and "foreach" in words:
        i = words.index("foreach") + 1
        while i < len(words) and words[i].startswith("-"):
            i += 1
        if i < len(rest):
            c.script(rest[i] if len(rest) == i + 1 else (" ".join(t for t, _ in rest[i:]), LIT), "git submodule foreach")
    elif sub == "filter-branch":
        for i, t in enumerate(words):
            if t.endswith("-filter") and t.startswith("--") and i + 1 < len(rest):
                c.script(rest[i + 1], f"git filter-branch {t}")
    for t, k in rest:
        if k == LIT and (t.startswith("ext::") or t.startswith("--upload-pack=") or t.startswith("--receive-pack=")
                         or t.startswith("--exec=") and sub in ("push", "fetch", "clone", "archive", "ls-remote", "pull")):
            if t.startswith("ext::"):
                c.run([(a, LIT) for a in _ext_argv(t[5:])])  # git runs it directly, no shell
            else:
                c.script((t.split("=", 1)[1], LIT), f"git {sub} (a transport command)")
    for i, t in enumerate(words):
        if t in ("-u", "--upload-pack", "--receive-pack", "--exec") and sub in ("fetch", "clone", "ls-remote",
                                                                             "pull", "push", "archive"):
            if i + 1 < len(rest):
                c.script(rest[i + 1], f"git {sub} {t}")


def _exists(c: Call, f) -> bool:
    text, kind = f
    if kind != LIT or not isinstance(c.st.cwd, str):
        return kind != LIT
    try:
        return os.path.lexists(os.path.join(c.st.cwd, text))
    except (OSError, ValueError):
        return False


HANDLERS["git"] = _git
