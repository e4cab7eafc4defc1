"""Programs that take code: interpreters (python -c, node -e, perl -e, ruby -e), sed, awk,
grep's pattern, editors.

Interpreter code is not executed or fully parsed: its string literals that resolve to paths
are reported — as writes when the code uses a write API or is ambiguous (dynamic execution,
obfuscation), as reads otherwise. Code with no such literal is an ``exec`` access with no
path. A pattern is never a file.
"""

from __future__ import annotations

import os

from hookgate.shell.commands import HANDLERS, R, W_, X, Call, has, opts, unknown_program, values
from hookgate.shell.words import LIT


class _Lazy:
    """A regex compiled on first use (compiling them all costs ~5 ms of hook start-up)."""

    __slots__ = ("args", "rx")

    def __init__(self, *args):
        self.args = args
        self.rx = None

    def __getattr__(self, name):
        if self.rx is None:
            import re  # lazily: only interpreter code needs patterns (ADR 0017)

            self.rx = re.compile(*self.args)
        return getattr(self.rx, name)

_STR = _Lazy(r"""(?:[rbuRBUfF]{0,2})("{3}|'{3}|"|'|`)((?:\\.|(?!\1).)*?)\1""", 16)  # 16 = re.S
_WRITE_API = _Lazy(
    r"""open\s*\([^)]*?,\s*(?:mode\s*=\s*)?['"][^'"]*[wax+]|write_(?:text|bytes)|\.write\(|os\.(?:remove|unlink|rename|replace|rmdir|removedirs|makedirs|mkdir|truncate|chmod|chown|symlink|link|utime)|shutil\.|\.unlink\(|\.rmdir\(|\.touch\(|\.rename\(|\.replace\(|\.mkdir\(|\.chmod\(|writeFile|appendFile|createWriteStream|fs\.(?:unlink|rm|rmdir|rename|copyFile|mkdir|truncate|chmod|symlink|cp|writev?)|File\.(?:write|delete|unlink|rename|open\([^)]*['"][wa])|FileUtils|IO\.write|\bunlink\b|\brename\b|\bsymlink\b|\bmkdir\b|\brmdir\b|\btruncate\b|\bopen\s*\(?\s*\w*\s*,?\s*['"]\s*(?:>|\+<|\|)|\bprint\s+\{?\s*\$?\w+\s*\}?\s|file_put_contents|fwrite|fopen\([^)]*['"][wax]|copy\(|\.save\(|\.to_csv\(|\.dump\(|json\.dump\b|np\.save|sqlite3\.connect|pickle\.dump|tarfile|zipfile|\.extractall\("""
)
# code that builds at run time what it opens or runs (ADR 0007): `os.system(` but not
# `platform.system()`, builtin `compile(` but not `re.compile(`, decoders but not `.decode()`
_AMBIGUOUS = _Lazy(
    r"""\bexec\s*\(|\beval\s*\(|(?<![\w.])system\s*\(|os\.system\s*\(|subprocess|popen|\bspawn|child_process|execSync|execFile|__import__|importlib|getattr\s*\(|(?<![\w.])compile\s*\(|\bchr\s*\(|fromCharCode|b64decode|b32decode|b16decode|a85decode|b85decode|decodebytes|['"]base64['"]|\batob\s*\(|fromhex|unhexlify|codecs\.decode|\\x[0-9a-fA-F]{2}|`[^`]*`|\bqx\b|%x\{|Kernel\.|IO\.popen|\bsh\s*\(|os\.exec|pty\.|runpy|\bbackticks?\b"""
)
_NAMEISH = _Lazy(r"^[\w.~/-]{1,255}$")
_PATHISH = _Lazy(r"^(?:~|\.{1,2}(?:/|$)|/)|/|^\.[\w-]|\.\w{1,8}$")


def _code_literals(code: str):
    from hookgate.shell import codescan

    got = codescan.literals(code)  # without `re` where that is exact (ADR 0017)
    if got is not None:
        yield from got
        yield from codescan.joined_literals(code)  # `".e" + "nv"` names `.env`
        return
    for m in _STR.finditer(code):
        yield m.group(2)


def analyse_code(c: Call, code_field, lang: str) -> None:
    text, kind = code_field
    via = f"{lang} literal"
    if kind != LIT:
        _spliced_code(c, text, lang)
        return
    code = text
    from hookgate.shell import codescan

    scanned = code.replace("`", "'") if lang.startswith(("node", "deno", "bun")) else code  # JS: template strings
    ambiguous = codescan.ambiguous(scanned)
    if ambiguous is None:
        ambiguous = bool(_AMBIGUOUS.search(scanned))
    writes = ambiguous or codescan.write_api(code)
    if writes is None:
        writes = bool(_WRITE_API.search(code))
    found = False
    cwd = c.st.cwd
    for lit in _code_literals(code):
        for cand in _candidates(lit, lang):
            if len(cand) > 4096 or "\n" in cand or not cand.strip() or "://" in cand:
                continue
            exists = False
            if isinstance(cwd, str) and not cand.startswith("~"):
                try:
                    exists = os.path.lexists(os.path.join(cwd, cand))
                except (OSError, ValueError):
                    exists = False
            if exists or (codescan.pathish(cand) or writes and codescan.nameish(cand)) and " " not in cand.strip():
                found = True
                field = (c.w.home + cand[1:], LIT) if cand.startswith("~/") else (cand, LIT)
                c.acc(field, W_ if writes else R, via + (" (write API)" if writes and not ambiguous else (" (ambiguous code)" if ambiguous else "")))
    if c.w.flagged is not None and isinstance(cwd, str):
        # a protected name anywhere in the code, in or out of a plain literal (nested f-string
        # quotes, `open(x := ".env")`): reported when the guards would flag it, so benign
        # tokens (`.read`, `os/path`) add no noise
        from hookgate.core.event import Access
        from hookgate.shell.walk import norm

        for tok in codescan.path_tokens(code):
            path = c.w.home + tok[1:] if tok.startswith("~/") else norm(tok, cwd)
            if path and c.w.flagged(Access(path, R, True, via, c.name)):
                c.acc((path, LIT), R, via + " (named in the code)")
                found = True
    if ambiguous:
        # code that builds at run time what it opens or runs (`chr(46)+'env'`, base64, exec,
        # backticks, subprocess): any file, read or written — the guards cannot tell which
        c.raw(f"$({lang} code)", R, False, f"{lang} (dynamic code)")
        c.raw(f"$({lang} code)", W_, False, f"{lang} (dynamic code)")
    if not found:
        c.raw("", X, False, f"{lang} code")
    if lang == "python" and ("hookgate" in code):
        pass  # self-protection reads argv (`import hookgate`)


# code that opens, runs or loads something (ADR 0021): a value spliced into such code may
# name the file (`open('$F')`, `require("$M")`); code without any of these only computes
_FILE_API = _Lazy(
    r"""open|read|write|File|Path|fs\.|require|load|include|source|exec|eval|system|popen|spawn|subprocess|unlink|remove|rename|copy|glob|shutil|\bos\.|\bIO\.|import\s*\(|__import__|\bcat\b|<\w*>|`|\bqx"""
)
_SPAN = _Lazy(r"\$\(|\$\{|\$[A-Za-z_0-9@*#?$!-]|`")


def _spliced_code(c: Call, text: str, lang: str) -> None:
    """Code with a value the shell splices into it at run time (``"open('$F')"``,
    ``"…'$(find …)'…"``): the value may name any file, so when the code opens, runs or loads
    something, the literal holding the value is an unresolved read (and write, with a write
    API), and a value spliced outside any literal is code built at run time (ADR 0021).
    Before, such code was an ``exec`` of no file: allowed."""
    if not _FILE_API.search(text):
        c.raw("", X, False, f"{lang} (code not literal)")
        return
    from hookgate.shell import codescan
    from hookgate.shell.words import UNRES

    writes = codescan.write_api(text)
    if writes is None:
        writes = bool(_WRITE_API.search(text))
    rest = text
    for lit in _code_literals(text):
        rest = rest.replace(lit, "", 1)
        if _SPAN.search(lit):
            for cand in _candidates(lit, lang):
                c.acc((cand, UNRES), R, f"{lang} (a value spliced into the code)")
                if writes:
                    c.acc((cand, UNRES), W_, f"{lang} (a value spliced into the code)")
    if _SPAN.search(rest) or lang.startswith(("perl", "ruby", "node", "php")):
        # outside a literal (or in a language whose code uses `$` itself): built at run time
        c.raw(f"$({lang} code)", R, False, f"{lang} (code spliced at run time)")
        c.raw(f"$({lang} code)", W_, False, f"{lang} (code spliced at run time)")


# code that reads its own arguments (ADR 0021): its operands are files it may open
_ARGV = _Lazy(r"""argv|ARGV|ARGF|fileinput|\$ARGV|<>|<STDIN>|\bshift\b|process\.argv|Deno\.args|\$_SERVER|\$argv""")


def argv_operands(c: Call, code_field, operands, lang: str) -> None:
    """The operands after interpreter code that reads its argv (``python3 -c '…sys.argv[1]…'
    .env``): each a file the code may read (and write, with a write API)."""
    if not operands:
        return
    text, kind = code_field
    if kind == LIT and not _ARGV.search(text):
        return
    writes = kind != LIT or codescan_writes(text)
    for op in operands:
        if op[1] == LIT and (op[0].startswith("-") or not op[0]):
            continue
        c.acc(op, R, f"{lang} argv operand")
        if writes:
            c.acc(op, W_, f"{lang} argv operand")


def codescan_writes(text: str) -> bool:
    from hookgate.shell import codescan

    w = codescan.write_api(text)
    if w is None:
        w = bool(_WRITE_API.search(text))
    amb = codescan.ambiguous(text)
    if amb is None:
        amb = bool(_AMBIGUOUS.search(text))
    return bool(w or amb)


def _candidates(lit: str, lang: str):
    if lang.startswith("perl") and lit[:1] in "<>+|":
        yield lit.lstrip("<>+| ")
    else:
        yield lit


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
        from hookgate.shell.walk import UNKNOWN, norm

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
