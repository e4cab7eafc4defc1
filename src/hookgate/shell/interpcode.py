"""Interpreter code, read without running it (ADR 0021): the string literals of ``python -c``,
``node -e``, a script file's code … that resolve to paths are accesses — writes when the code
uses a write API or is ambiguous (dynamic execution, obfuscation), reads otherwise; code that
reads its argv makes its operands files it may open. Used by the interpreter handlers
(``interp``) and by scripts run by path (``scripts``).
"""

from __future__ import annotations

import os

from hookgate.shell.shellstate import R, W_, X, Call
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
        from hookgate.shell.shellstate import norm

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
