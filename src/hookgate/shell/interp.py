"""Programs that take code: interpreters (python -c, node -e, perl -e, ruby -e), sed, awk,
grep's pattern, editors.

Interpreter code is not executed or fully parsed: its string literals that resolve to paths
are reported — as writes when the code uses a write API or is ambiguous (dynamic execution,
obfuscation), as reads otherwise. Code with no such literal is an ``exec`` access with no
path. A pattern is never a file.
"""

from __future__ import annotations

from hookgate.shell.shellstate import R, W_, X, Call, has, opts, values
from hookgate.shell.commands import unknown_program
from hookgate.shell.interpcode import (  # noqa: F401 (the patterns: tests compare codescan with them)
    _AMBIGUOUS, _NAMEISH, _PATHISH, _STR, _WRITE_API, _Lazy, analyse_code, argv_operands, codescan_writes,
)
from hookgate.shell.words import LIT

HANDLERS: dict = {}  # this module's part of the command table (``shell.table``)


def _python(c: Call) -> None:
    args = c.args
    i = 0
    while i < len(args):
        t, k = args[i]
        if k != LIT or not t.startswith("-") or t == "-":
            break
        if t == "--":
            i += 1
            break
        j = 1
        while j < len(t):
            ch = t[j]
            if ch in "cm":
                val = t[j + 1 :] or (args[i + 1] if i + 1 < len(args) else None)
                if isinstance(val, str):
                    val = (val, LIT)
                if val is None:
                    return
                if ch == "c":
                    analyse_code(c, val, "python -c")
                    argv_operands(c, val, args[i + (1 if t[j + 1 :] else 2):], "python -c")
                    return
                rest = args[i + (1 if t[j + 1 :] else 2):]
                unknown_program(Call(c.w, f"{c.name} -m {val[0]}", [(c.name, LIT)] + list(rest), c.st, c.depth, c.feed))
                return
            if ch in "WX":
                if j + 1 == len(t):
                    i += 1
                break
            j += 1
        i += 1
    ops = args[i:]
    if ops and ops[0] != ("-", LIT):
        c.acc(ops[0], R, f"{c.name} script")
        from hookgate.shell.scripts import run_script

        run_script(c, ops[0], "python", ops[1:], f"{c.name} script")  # before: it may change files
        unknown_program(Call(c.w, c.name, [(c.name, LIT)] + list(ops[1:]), c.st, c.depth, None))
        return
    _stdin_code(c, "python")


def _stdin_code(c: Call, lang: str) -> None:
    feed = c.feed
    if feed is not None and feed.text is not None:
        analyse_code(c, (feed.text, LIT), f"{lang} {feed.source}")
    elif feed is not None and not feed.source.startswith("file "):
        c.indeterminate(f"{c.name} runs code read from {feed.source or 'stdin'}")
    else:
        c.raw("", X, False, f"{c.name} (interactive or script from a file)")


def _node(c: Call) -> None:
    o, ops = opts(c.args, "epr", ("eval", "print", "require", "import", "loader", "input-type", "env-file"), posix=True)
    code = values(o, "-e", "--eval", "-p", "--print")
    for v in values(o, "--env-file"):
        c.acc(v, R, "node --env-file")
    if code:
        for v in code:
            analyse_code(c, v, "node -e")
            argv_operands(c, v, ops, "node -e")
        return
    if ops and ops[0][0] != "-":
        c.acc(ops[0], R, f"{c.name} script")
        from hookgate.shell.scripts import run_script

        run_script(c, ops[0], "node", ops[1:], f"{c.name} script")  # before: it may change files
        unknown_program(Call(c.w, c.name, [(c.name, LIT)] + list(ops[1:]), c.st, c.depth, None))
        return
    _stdin_code(c, "node")


def _perl_ruby(c: Call) -> None:
    lang = "perl" if c.name.startswith("perl") else "ruby"
    sv = "eEIxdDm" if lang == "perl" else "eIrCEKWTxF"
    o, ops = opts(c.args, sv, ("require", "encoding"), optional_attached="iFMmT" if lang == "perl" else "ixT", digits_attached="l0" if lang == "perl" else "0l")
    code = values(o, "-e", "-E")
    inplace = has(o, "-i", "--in-place")
    if lang == "ruby":
        from hookgate.shell.shellstate import norm
        from hookgate.shell.words import UNKNOWN

        for v in values(o, "-C"):
            c.st = c.st.copy()
            p = norm(v[0], c.st.cwd) if v[1] == LIT else None
            c.st.cwd = p if p is not None else UNKNOWN
    if code:
        analyse_code(c, ("\n".join(t for t, _ in code), LIT) if all(k == LIT for _, k in code) else code[0], f"{lang} -e")
        files = ops
    elif ops:
        c.acc(ops[0], R, f"{c.name} script")
        files = ops[1:]
        if lang == "perl":
            from hookgate.shell.scripts import run_script

            run_script(c, ops[0], "perl", ops[1:], f"{c.name} script")
    else:
        _stdin_code(c, lang)
        return
    for f in files:
        c.acc(f, R, f"{c.name} input")
        if inplace:
            c.acc(f, W_, f"{c.name} -i")


for _n in ("python", "python2", "python3", "pypy", "pypy3", "py"):
    HANDLERS[_n] = _python
HANDLERS["node"] = HANDLERS["nodejs"] = HANDLERS["bun"] = HANDLERS["deno"] = _node
HANDLERS["perl"] = HANDLERS["ruby"] = _perl_ruby


def _php(c: Call) -> None:
    o, ops = opts(c.args, "rfcdzB", ("run",))
    for v in values(o, "-r", "--run"):
        analyse_code(c, v, "php -r")
        argv_operands(c, v, ops, "php -r")
    for v in values(o, "-f"):
        c.acc(v, R, "php script")
    if not values(o, "-r", "--run", "-f") and ops:
        c.acc(ops[0], R, "php script")


HANDLERS["php"] = _php


# --- grep family ----------------------------------------------------------------------------
def _grep(c: Call) -> None:
    rg = c.name in ("rg", "ag", "ack", "ugrep", "ug")
    sv = "efgmABCtTjMErd" if rg else "efmABCdDX"
    lv = ("regexp", "file", "max-count", "after-context", "before-context", "context", "label", "include", "exclude",
          "exclude-from", "exclude-dir", "binary-files", "devices", "directories", "color", "colour", "glob", "iglob",
          "type", "type-not", "max-depth", "threads", "replace", "encoding", "pre", "pre-glob", "sort", "sortr",
          "max-columns", "path-separator", "ignore-file", "field-match-separator", "group-separator", "engine",
          "type-add", "max-filesize", "dfa-size-limit", "regex-size-limit", "context-separator")
    o, ops = opts(c.args, sv, lv)
    for v in values(o, "-f", "--file", "--exclude-from", "--ignore-file"):
        c.acc(v, R, f"{c.name} pattern file")
    if has(o, "--files", "--type-list", "-l") and c.name == "rg" and has(o, "--files", "--type-list"):
        return
    if not values(o, "-e", "--regexp", "-f", "--file") and ops:
        ops = ops[1:]  # the first operand is the PATTERN, not a file
    if ops:
        for f in ops:
            c.acc(f, R, f"{c.name} file operand")
    elif rg or has(o, "-r", "-R", "--recursive", "--dereference-recursive"):
        if c.feed is None or rg is False:
            c.acc(c.cwd_field(), R, f"{c.name} (searches the working directory)")


for _n in ("grep", "egrep", "fgrep", "zgrep", "rg", "ag", "ack", "ugrep", "ug", "pcregrep", "bzgrep", "xzgrep"):
    HANDLERS[_n] = _grep

# --- sed / awk -----------------------------------------------------------------------------
_SED_W = _Lazy(r"^\s*(?:(?:\d+|\$|/[^/]*/)(?:\s*,\s*(?:\d+|\$|/[^/]*/|[+~]\d+))?)?\s*!?\s*([wW])\s+(\S.*?)\s*$")
_SED_SW = _Lazy(r"^\s*(?:(?:\d+|\$|/[^/]*/)(?:\s*,\s*(?:\d+|\$|/[^/]*/))?)?\s*!?\s*s(.)(?:\\.|(?!\1).)*\1(?:\\.|(?!\1).)*\1[gpIiMme0-9]*w\s+(\S.*?)\s*$")


def _sed(c: Call) -> None:
    o, ops = opts(c.args, "efl", ("expression", "file", "line-length", "separate"), optional_attached="i")
    scripts = values(o, "-e", "--expression")
    for v in values(o, "-f", "--file"):
        c.acc(v, R, "sed script file")
    if not scripts and not values(o, "-f", "--file") and ops:
        scripts, ops = [ops[0]], ops[1:]
    inplace = has(o, "-i", "--in-place")
    for s, k in scripts:
        if k != LIT:
            continue
        import re

        for line in re.split(r"[;\n]", s):
            m = _SED_W.match(line) or _SED_SW.match(line)
            if m and m.group(2) not in ("/dev/stdout", "/dev/stderr"):
                c.acc((m.group(2), LIT), W_, "sed w command")
    for f in ops:
        c.acc(f, R, "sed input")
        if inplace:
            c.acc(f, W_, "sed -i")


_AWK_OUT = _Lazy(r""">>?\s*"([^"]+)"|getline(?:\s+[A-Za-z_]\w*)?\s*<\s*"([^"]+)"|system\s*\(\s*"((?:\\.|[^"\\])*)"\s*\)|\|\s*"((?:\\.|[^"\\])*)"|"((?:\\.|[^"\\])*)"\s*\|\s*getline""")


def _awk(c: Call) -> None:
    o, ops = opts(c.args, "fFvie", ("file", "field-separator", "assign", "include", "load", "source", "exec"))
    progs = values(o, "--source", "-e")
    for v in values(o, "-f", "--file", "--exec"):
        c.acc(v, R, "awk program file")
    if not progs and not values(o, "-f", "--file", "--exec") and ops:
        progs, ops = [ops[0]], ops[1:]
    import re  # lazily (ADR 0017)

    inplace = any(v[0] == "inplace" for v in values(o, "-i", "--include"))
    for p, k in progs:
        if k != LIT:
            continue
        for m in _AWK_OUT.finditer(p):
            if m.group(1) and not m.group(1).startswith("/dev/std"):
                c.acc((m.group(1), LIT), W_, "awk print > file")
            elif m.group(2):
                c.acc((m.group(2), LIT), R, "awk getline < file")
            elif m.group(3) is not None or m.group(4) is not None or m.group(5) is not None:
                cmd = next(g for g in (m.group(3), m.group(4), m.group(5)) if g is not None)
                c.script((cmd.replace('\\"', '"'), LIT), "awk system()")
        if re.search(r"\bsystem\s*\(\s*[^\s\")]", p) or re.search(r"\|\s*[a-zA-Z_$]", p) and "getline" in p:
            c.indeterminate("awk runs a command built at run time")
    for f in ops:
        if f[1] == LIT and re.match(r"^[A-Za-z_]\w*=", f[0]):
            continue
        c.acc(f, R, "awk input")
        if inplace:
            c.acc(f, W_, "awk -i inplace")


HANDLERS["sed"] = HANDLERS["gsed"] = _sed
for _n in ("awk", "gawk", "mawk", "nawk", "busybox-awk"):
    HANDLERS[_n] = _awk


# --- editors -------------------------------------------------------------------------------
def _editor(c: Call) -> None:
    o, ops = opts(c.args, "cSuUiTrsw" if c.name in ("vi", "vim", "nvim", "view", "ex", "gvim", "vimdiff") else "l",
                  ("eval", "load", "cmd", "listen", "server", "cmd"))
    for v in values(o, "-u", "-S", "-l", "--load"):
        c.acc(v, R, f"{c.name} {c.name} startup file")
    for f in ops:
        if f[1] == LIT and f[0].startswith("+"):
            continue
        c.acc(f, R, f"{c.name} (editor)")
        c.acc(f, W_, f"{c.name} (editor)")


for _n in ("vi", "vim", "nvim", "gvim", "ex", "nano", "pico", "emacs", "emacsclient", "ed", "red", "micro", "hx",
           "helix", "kak", "joe", "mcedit", "gedit", "kate", "code", "subl", "jed", "ne", "vis", "mg", "jove",
           "sudoedit", "xed", "pluma", "mousepad", "leafpad", "edit"):
    HANDLERS[_n] = _editor
