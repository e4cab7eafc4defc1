"""Wrappers (sudo, env, timeout, …) and shells (bash -c, eval, trap, sh reading a pipe).

A wrapper returns the argv fields of the command it runs (and, for ``env -C``, the state
it runs in), or None when it runs nothing analysable.
"""

from __future__ import annotations

from hookgate.shell.shellstate import R, W_, Call, has, opts, values
from hookgate.shell.words import LIT, UNRES

HANDLERS: dict = {}  # this module's part of the command table (``shell.table``)


def _posix(sv="", lv=(), skip=0):
    def wrap(c: Call):
        o, ops = opts(c.args, sv, lv, posix=True)
        return ops[skip:] or None

    return wrap


def _sudo(c: Call):
    o, ops = opts(c.args, "ugCDhprtUTa", ("user", "group", "close-from", "chdir", "host", "prompt", "role",
                                          "type", "other-user", "command-timeout"), posix=True)
    if has(o, "-e", "--edit"):
        for f in ops:
            c.acc(f, R, "sudoedit")
            c.acc(f, W_, "sudoedit")
        return None
    if has(o, "-l", "--list", "-v", "--validate", "-k", "-K"):
        return None
    if not ops:
        if has(o, "-s", "--shell", "-i", "--login") and c.feed is not None:
            return [("sh", LIT)]
        return None
    if has(o, "-s", "--shell", "-i", "--login") and len(ops) > 0:
        return [("sh", LIT), ("-c", LIT), (" ".join(t for t, _ in ops), LIT if all(k == LIT for _, k in ops) else UNRES)]
    return ops


def _env(c: Call):
    from hookgate.shell.shellstate import norm
    from hookgate.shell.words import UNKNOWN

    args = c.args
    i = 0
    st = c.st.copy()
    while i < len(args):
        t, k = args[i]
        if k != LIT:
            break
        if t == "--":
            i += 1
            break
        if t in ("-u", "--unset", "-C", "--chdir", "-S", "--split-string", "-P"):
            if i + 1 >= len(args):
                return None
            v = args[i + 1]
            if t in ("-C", "--chdir"):
                p = norm(v[0], st.cwd) if v[1] == LIT else None
                st.cwd = p if p is not None else UNKNOWN
            elif t in ("-S", "--split-string"):
                if v[1] != LIT:
                    c.indeterminate("env -S of a non-literal string")
                    return None
                rest = [(x, LIT) for x in v[0].split()] + list(args[i + 2 :])
                args, i = rest, 0
                continue
            i += 2
            continue
        if t.startswith("--chdir="):
            p = norm(t[8:], st.cwd)
            st.cwd = p if p is not None else UNKNOWN
            i += 1
            continue
        if t.startswith("-") and t != "-":
            i += 1
            continue
        if "=" in t and not t.startswith("="):
            name, _, val = t.partition("=")
            c.w.env_code(name, val, st, c.depth)  # `env PAGER='cat .env' git log` (ADR 0021)
            i += 1
            continue
        break
    rest = list(args[i:])
    if not rest:
        return None
    return rest, st


def _time(c: Call):
    o, ops = opts(c.args, "fo", ("format", "output"), posix=True)
    for v in values(o, "-o", "--output"):
        c.acc(v, W_, "time -o")
    return ops or None


def _command(c: Call):
    o, ops = opts(c.args, "", posix=True)
    if has(o, "-v", "-V"):
        return None
    return ops or None


def _exec(c: Call):
    o, ops = opts(c.args, "a", posix=True)
    return ops or None


def _flock(c: Call):
    o, ops = opts(c.args, "wEc", ("timeout", "conflict-exit-code", "command"), posix=True)
    if ops:
        if ops[0][0].isdigit() and ops[0][1] == LIT and len(ops) == 1:
            return None
        c.acc(ops[0], W_, "flock lock file")
    for v in values(o, "-c", "--command"):
        c.script(v, "flock -c")
    return ops[1:] or None


def _su(c: Call):
    o, ops = opts(c.args, "cgGsw", ("command", "group", "supp-group", "shell", "whitelist-environment"), posix=True)
    for v in values(o, "-c", "--command"):
        c.script(v, "su -c")
    return None


def _watch(c: Call):
    o, ops = opts(c.args, "nqd", ("interval", "differences", "equexit"), posix=True)
    if not ops:
        return None
    if has(o, "-x", "--exec"):
        return ops
    if len(ops) == 1:
        return [("sh", LIT), ("-c", LIT), ops[0]]
    known = all(k == LIT for _, k in ops)
    return [("sh", LIT), ("-c", LIT), (" ".join(t for t, _ in ops), LIT if known else UNRES)]


def _trace(c: Call):
    o, ops = opts(c.args, "oeEpPsSUbaIX", ("output",), posix=True)
    for v in values(o, "-o", "--output"):
        c.acc(v, W_, f"{c.name} -o")
    return ops or None


def _chroot(c: Call):
    o, ops = opts(c.args, "", ("userspec", "groups"), posix=True)
    if len(ops) > 1:
        c.indeterminate("chroot runs a command under another root directory")
    return None


def _busybox(c: Call):
    return list(c.args) or None


def _script_cmd(c: Call):
    """util-linux ``script [-q] -c CMD [typescript]``: CMD is a shell command; the typescript is written."""
    o, ops = opts(c.args, "cEIOBTm", ("command", "echo", "log-in", "log-out", "log-io", "log-timing",
                                     "logging-format", "output-limit", "timing"), posix=True)
    for v in values(o, "-c", "--command"):
        c.script(v, "script -c")
    if ops:
        c.acc(ops[0], W_, "script typescript")
    return None


# subcommand -> its short options that take a value
_TMUX_RUNS = {
    "new-session": "cefnstxy", "new": "cefnstxy", "new-window": "cefnst", "neww": "cefnst",
    "split-window": "ceflpt", "splitw": "ceflpt", "respawn-pane": "cet", "respawnp": "cet",
    "respawn-window": "cet", "respawnw": "cet", "run-shell": "cdt", "run": "cdt",
    "display-popup": "cdehsStTwxy", "popup": "cdehsStTwxy", "send-keys": "tN", "send": "tN",
}
_TMUX_KEYS = frozenset(("Enter", "C-m", "KPEnter", "C-j", "Escape", "Space", "Tab"))


def _tmux(c: Call):
    """tmux runs its trailing words as a shell command (new-session, run-shell, send-keys …)."""
    a = list(c.args)
    i = 0
    while i < len(a) and a[i][1] == LIT and a[i][0].startswith("-") and a[i][0] != "--":
        if a[i][0] == "-c" and i + 1 < len(a):
            c.script(a[i + 1], "tmux -c")
            i += 2
            continue
        i += 2 if a[i][0] in ("-L", "-S", "-f", "-T") else 1
    if i >= len(a):
        return None
    sub, kind = a[i]
    if kind != LIT:
        c.indeterminate("tmux subcommand cannot be resolved statically")
        return None
    if sub not in _TMUX_RUNS:
        return None
    o, ops = opts(a[i + 1:], _TMUX_RUNS[sub], (), posix=True)
    if sub in ("send-keys", "send"):  # keystrokes typed into a shell
        words = [f for f in ops if not (f[1] == LIT and f[0] in _TMUX_KEYS)]
        if words:
            known = all(k == LIT for _, k in words)
            c.script((" ".join(t for t, _ in words), LIT if known else UNRES), f"tmux {sub}")
        return None
    if len(ops) == 1:  # one word: run by the shell
        c.script(ops[0], f"tmux {sub}")
        return None
    return ops or None  # several words: executed directly


def _screen(c: Call):
    """screen [-dmS name] CMD ARGS runs CMD; ``screen -X stuff TEXT`` types TEXT into a shell."""
    a = list(c.args)
    i = 0
    while i < len(a) and a[i][1] == LIT and a[i][0].startswith("-"):
        t = a[i][0]
        if t == "-X":
            rest = a[i + 1:]
            if len(rest) >= 2 and rest[0] == ("stuff", LIT):
                c.script(rest[1], "screen -X stuff")
            return None
        i += 2 if t in ("-S", "-c", "-e", "-h", "-p", "-T", "-t", "-s") else 1
    return a[i:] or None


def _expect(c: Call):
    if c.args:
        c.indeterminate("expect runs Tcl code that can spawn any command")
    return None


def _at(c: Call):
    """at/batch run a shell script read from stdin (or -f FILE) later."""
    o, ops = opts(c.args, "qfmMtb", (), posix=True)
    for v in values(o, "-f"):
        return [("sh", LIT), v]
    if c.feed is not None:
        return [("sh", LIT)]
    return None


def _hookgate(c: Call):
    """``hookgate lock append FILE …`` appends to FILE, and ``hookgate lock run FILE [--timeout T]
    -- CMD…`` holds FILE's lock while CMD runs: FILE is written (the guards and self-protection
    judge it like any write) and CMD is analysed. Every other hookgate invocation runs nothing
    else (self-protection judges it by name)."""
    a = list(c.args)
    if len(a) < 2 or a[0] != ("lock", LIT) or a[1] not in (("append", LIT), ("run", LIT)):
        return None
    sub = a[1][0]
    head = a[2:]
    cut = next((i for i, (t, k) in enumerate(head) if k == LIT and t == "--"), None)
    opts_part = head if cut is None else head[:cut]
    o, ops = opts(opts_part, "", ("record", "timeout", "session"), posix=False)
    if ops:
        c.acc(ops[0], W_, f"hookgate lock {sub}")
    else:
        c.indeterminate(f"`hookgate lock {sub}` without a file")
    if sub == "append":
        return None
    if cut is None:
        c.indeterminate("`hookgate lock run` without `--` before its command")
        return None
    return head[cut + 1:] or None


WRAPPERS = {
    "script": _script_cmd, "tmux": _tmux, "screen": _screen, "expect": _expect, "at": _at, "batch": _at,
    "hookgate": _hookgate,
    "sudo": _sudo, "doas": _posix("uC"), "env": _env, "nice": _posix("n", ("adjustment",)),
    "nohup": _posix(), "timeout": _posix("sk", ("signal", "kill-after"), skip=1), "stdbuf": _posix("ioe", ("input", "output", "error")),
    "time": _time, "command": _command, "builtin": _posix(), "exec": _exec, "ionice": _posix("cnpP", ("class", "classdata")),
    "chrt": _posix("T", (), skip=1), "taskset": _posix("", (), skip=1), "flock": _flock, "setsid": _posix(),
    "unbuffer": _posix(), "caffeinate": _posix("tw"), "su": _su, "runuser": _su, "watch": _watch,
    "strace": _trace, "ltrace": _trace, "xvfb-run": _posix("nsfepw"), "dbus-run-session": _posix(),
    "proxychains": _posix("f"), "proxychains4": _posix("f"), "torsocks": _posix("uapP"), "firejail": _posix(),
    "fakeroot": _posix(), "catchsegv": _posix(), "chroot": _chroot, "busybox": _busybox, "nocache": _posix(),
    "systemd-run": _posix("pEHMuS", ("property", "setenv", "unit", "description", "slice", "uid", "gid", "working-directory")),
    "numactl": _posix("CNmlpi"), "cpulimit": _posix("lpe"), "trickle": _posix("udwtlsn"), "mpirun": _posix("n"),
    "valgrind": _posix(), "gdb": None, "rlwrap": _posix(), "tsp": _posix(), "sem": _posix(),
}
WRAPPERS = {k: v for k, v in WRAPPERS.items() if v is not None}


# --- shells ------------------------------------------------------------------------------
SHELLS = ("bash", "sh", "zsh", "dash", "ksh", "mksh", "ash", "yash", "posh", "rbash", "fish", "oksh", "loksh")


def _shell(c: Call) -> None:
    args = c.args
    i = 0
    cmd_mode = stdin_mode = False
    while i < len(args):
        t, k = args[i]
        if k != LIT:
            break
        if t in ("--", "-"):
            i += 1
            break
        if t in ("-o", "+o", "-O", "+O", "--rcfile", "--init-file", "--init-command", "-C"):
            if t in ("-O", "+O") and i + 1 < len(args):
                c.w.glob_options(args[i + 1][0] if args[i + 1][1] == LIT else "dotglob globstar")
            i += 2
            continue
        if t.startswith("--"):
            if t == "--command":
                cmd_mode = True
            i += 1
            continue
        if len(t) > 1 and t[0] in "-+":
            if "c" in t[1:]:
                cmd_mode = True
            if "s" in t[1:]:
                stdin_mode = True
            i += 1
            continue
        break
    ops = args[i:]
    if cmd_mode:
        if not ops:
            c.indeterminate(f"{c.name} -c without a command string")
            return
        st = c.st.copy()
        from hookgate.shell.shellstate import bind_positional
        from hookgate.shell.words import Opaque

        if len(ops) > 1:
            t, k = ops[1]
            st.vars["0"] = t if k == LIT else Opaque(t)
        bind_positional(st, ops[2:])
        c.script(ops[0], f"{c.name} -c", st=st)
        return
    if ops and not stdin_mode:
        c.acc(ops[0], R, f"{c.name} script")
        from hookgate.shell.scripts import run_script

        run_script(c, ops[0], "shell", ops[1:], f"{c.name} script")  # as it is now (ADR 0021)
        return
    feed = c.feed
    if feed is None:
        return
    if feed.text is not None:
        c.script((feed.text, LIT), f"{c.name} reading a {feed.source}", feed=None)
    elif feed.source.startswith("file "):
        return
    else:
        c.indeterminate(f"{c.name} runs commands read from {feed.source or 'stdin'}")


for _n in SHELLS:
    HANDLERS[_n] = _shell


def _eval(c: Call) -> None:
    if not c.args:
        return
    if any(k != LIT for _, k in c.args):
        c.w.dynamic_assignment()  # it may assign any variable
        c.indeterminate("eval of a non-literal string")
        return
    c.script((" ".join(t for t, _ in c.args), LIT), "eval", st=c.st)


def _trap(c: Call) -> None:
    o, ops = opts(c.args, "", posix=True)
    if has(o, "-p", "-l") or len(ops) < 2:
        return
    if ops[0][1] == LIT and ops[0][0] in ("-", ""):
        return
    if any(k != LIT or t.upper() not in ("EXIT", "0", "SIGEXIT") for t, k in ops[1:]):
        c.w.dynamic_assignment()  # DEBUG/ERR/RETURN or a signal: the action may run before any command
    c.script(ops[0], "trap")


def _source(c: Call) -> None:
    c.w.dynamic_assignment()  # the file may assign any variable
    if c.args:
        c.acc(c.args[0], R, "source")
        if c.args[0] == ("/dev/stdin", LIT) or c.args[0] == ("/dev/fd/0", LIT) or c.args[0] == ("-", LIT):
            feed = c.feed
            if feed is not None and feed.text is not None:
                c.script((feed.text, LIT), "source /dev/stdin", st=c.st)
            else:
                c.indeterminate("source of stdin")
            return
        from hookgate.shell.scripts import run_script

        run_script(c, c.args[0], "shell", c.args[1:], "source")


HANDLERS["eval"] = _eval
HANDLERS["trap"] = _trap
HANDLERS["source"] = HANDLERS["."] = _source
