"""git: which subcommands touch the working tree, and which paths.

Tree-wide operations (``reset --hard``, ``checkout BRANCH``, ``stash``, ``pull``…) are a write
of the working directory; ``clean`` a delete of it (or of its pathspecs). History queries
(``log``, ``status``…) touch nothing; ``show REV:path`` reads that path. This module reads the
global options and the history queries, and what any subcommand runs (``_runs``); every other
subcommand and the settings that run code are ``gitsub``'s, loaded for them (ADR 0017).
"""

from __future__ import annotations

from hookgate.shell.shellstate import R, Call, has, opts
from hookgate.shell.words import LIT

HANDLERS: dict = {}  # this module's part of the command table (``shell.table``)

_GLOBAL_VAL = frozenset(("-C", "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path", "--super-prefix",
                         "--config-env", "--list-cmds"))
_NOTHING = frozenset(("status", "log", "shortlog", "branch", "tag", "remote", "fetch", "push", "describe", "rev-parse",
                      "rev-list", "reflog", "ls-files", "ls-tree", "ls-remote", "config-get", "help", "version",
                      "name-rev", "for-each-ref", "show-ref", "count-objects", "fsck", "gc", "prune", "whatchanged",
                      "check-ignore", "check-attr", "var", "cherry", "range-diff", "verify-commit", "notes", "annotate-x",
                      "symbolic-ref", "update-ref", "merge-base", "hash-object-x", "credential", "lfs", "maintenance"))


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
                from hookgate.shell.gitsub import config_value, runs_code

                vt, vk = args[i + 1]
                key, eq, val = vt.partition("=")
                if vk != LIT:
                    if runs_code(key) or not eq:
                        c.indeterminate("git -c of a setting that cannot be known")
                else:
                    config_value(c, key, val if eq else "true")
            if name == "--config-env" and i + 1 < len(args):
                from hookgate.shell.gitsub import runs_code

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
    if sub in _NOTHING:
        if sub == "log":
            o, ops = opts(rest, "nL", ("max-count", "format", "pretty", "author", "since", "until", "grep"))
            if has(o, "-p", "--patch", "-L", "--follow") and "--" in [t for t, _ in rest]:
                for f in rest[[t for t, _ in rest].index("--") + 1 :]:
                    c.acc(f, R, "git log -p (history of the file)")
        _runs(c, sub, rest)
        return
    from hookgate.shell.gitsub import subcommand

    if subcommand(c, sub, rest):  # (False: what it does runs nothing more)
        _runs(c, sub, rest)


def _runs(c: Call, sub: str, rest) -> None:
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


HANDLERS["git"] = _git
