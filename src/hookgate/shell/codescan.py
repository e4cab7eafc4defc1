"""Interpreter code without ``re`` where that is exact (ADR 0017: ``import re`` costs 6 ms of
the hook, most of it ``enum``). Each function here either gives the answer the regex in
``interp`` would give, or None: "ask the regex". Property tests hold them to that
(``tests/unit/shell/test_codescan.py``).
"""

from __future__ import annotations

# every alternative of interpcode._AMBIGUOUS contains one of these
AMBIGUOUS_ANCHORS = ("exec", "eval", "system", "subprocess", "popen", "spawn", "child_process", "__import__",
                     "importlib", "getattr", "compile", "chr", "fromCharCode", "base64", "b64decode", "codecs",
                     "decode", "\\x", "`", "qx", "%x{", "Kernel.", "sh", "pty.", "runpy", "backtick", "atob",
                     "fromhex", "unhexlify")
# every alternative of interpcode._WRITE_API contains one of these; "open" and "print" are decided
# here for the forms interp's regex knows (`open(f, 'w')`, perl `open(FH, ">f")`, `print FH`)
WRITE_ANCHORS = ("write_", ".write(", "os.", "shutil.", "unlink", "rmdir", ".touch(", "rename", ".replace(",
                 "mkdir", "chmod", "writeFile", "appendFile", "createWriteStream", "fs.", "File.", "FileUtils",
                 "IO.write", "symlink", "truncate", "file_put_contents", "fwrite", "copy(", ".save(", ".to_csv(",
                 ".dump(", "json.dump", "np.save", "sqlite3.connect", "pickle.dump", "tarfile", "zipfile",
                 ".extractall(", "fopen")
_WS = " \t\n\r\f\v"


def _word(ch: str) -> bool:
    return ch == "_" or ch.isalnum()


def _blanks(code: str, j: int) -> int:
    """The index after the whitespace at ``j`` (a regex's ``\\s*``)."""
    while j < len(code) and code[j] in _WS:
        j += 1
    return j


def ambiguous(code: str):
    """False when interpcode._AMBIGUOUS cannot match; None: ask the regex."""
    return None if any(a in code for a in AMBIGUOUS_ANCHORS) else False


def write_api(code: str):
    """False when interpcode._WRITE_API cannot match; None: ask the regex."""
    if any(a in code for a in WRITE_ANCHORS):
        return None
    if "open" in code and (_open_mode(code) or _perl_open(code)):
        return None
    if "print" in code and _perl_print(code):
        return None
    return False


def _open_mode(code: str) -> bool:
    """`open\\s*\\([^)]*?,\\s*(?:mode\\s*=\\s*)?['"][^'"]*[wax+]` may match (True) or cannot."""
    i = code.find("open")
    while i >= 0:
        j = _blanks(code, i + 4)
        if j < len(code) and code[j] == "(":
            close = code.find(")", j + 1)
            inner_end = len(code) if close < 0 else close
            k = code.find(",", j + 1, inner_end)
            while k >= 0:
                m = _blanks(code, k + 1)
                if code.startswith("mode", m):
                    q = _blanks(code, m + 4)
                    if q < len(code) and code[q] == "=":
                        q = _blanks(code, q + 1)
                        if _quoted_mode(code, q):
                            return True
                if _quoted_mode(code, m):
                    return True
                k = code.find(",", k + 1, inner_end)
        i = code.find("open", i + 1)
    return False


def _quoted_mode(code: str, q: int) -> bool:
    if q >= len(code) or code[q] not in "'\"":
        return False
    r = q + 1
    while r < len(code) and code[r] not in "'\"":
        if code[r] in "wax+":
            return True
        r += 1
    return False


def _perl_open(code: str) -> bool:
    """`\\bopen\\s*\\(?\\s*\\w*\\s*,?\\s*['"]\\s*(?:>|\\+<|\\|)` may match."""
    i = code.find("open")
    n = len(code)
    while i >= 0:
        if i == 0 or not _word(code[i - 1]):
            j = _blanks(code, i + 4)
            if j < n and code[j] == "(":
                j += 1
            j = _blanks(code, j)
            while j < n and _word(code[j]):
                j += 1
            j = _blanks(code, j)
            if j < n and code[j] == ",":
                j += 1
            j = _blanks(code, j)
            if j < n and code[j] in "'\"":
                j = _blanks(code, j + 1)
                if code.startswith((">", "+<", "|"), j):
                    return True
        i = code.find("open", i + 1)
    return False


def _perl_print(code: str) -> bool:
    """`\\bprint\\s+\\{?\\s*\\$?\\w+\\s*\\}?\\s` may match."""
    i = code.find("print")
    n = len(code)
    while i >= 0:
        if i == 0 or not _word(code[i - 1]):
            j = i + 5
            if j < n and code[j] in _WS:
                j = _blanks(code, j)
                if j < n and code[j] == "{":
                    j += 1
                j = _blanks(code, j)
                if j < n and code[j] == "$":
                    j += 1
                start = j
                while j < n and _word(code[j]):
                    j += 1
                if j > start:
                    k = _blanks(code, j)
                    if k > j:  # `\s*\}?\s`: one blank is enough
                        return True
                    if k < n and code[k] == "}" and k + 1 < n and code[k + 1] in _WS:
                        return True
        i = code.find("print", i + 1)
    return False


def literals(code: str):
    """The string literals of interpcode._STR.finditer (group 2), or None where a quote does not
    close plainly (an unterminated or triple-quoted literal: ask the regex)."""
    spans = literal_spans(code)
    return None if spans is None else [t for _, _, t in spans]


def joined_literals(code: str) -> list:
    """Literals the code concatenates — ``".e" + "nv"``, ``'.e' . 'nv'``, ``".e" "nv"`` — joined
    (escapes left as written); [] when the literals are not plain (see ``literals``)."""
    spans = literal_spans(code) or []
    out = []
    k = 0
    while k < len(spans):
        text, end = spans[k][2], spans[k][1]
        m = k + 1
        while m < len(spans) and code[end:spans[m][0]].strip(_WS) in ("", "+", "."):
            text += spans[m][2]
            end = spans[m][1]
            m += 1
        if m > k + 1:
            out.append(text)
        k = m
    return out


def literal_spans(code: str):
    """(start, end, text) of each literal, as ``literals``; None where the regex must decide."""
    out = []
    i, n = 0, len(code)
    while i < n:
        c = code[i]
        if c not in "\"'`":
            i += 1
            continue
        if c != "`" and code.startswith(c * 3, i):
            return None  # a triple quote (or an empty literal before a quote): the regex knows
        j = i + 1
        while j < n:
            ch = code[j]
            if ch == c:
                break
            j += 2 if ch == "\\" and j + 1 < n else 1
        if j >= n or code[j] != c:
            return None  # unterminated: the regex backtracks over escapes
        out.append((i, j + 1, code[i + 1 : j]))
        i = j + 1
    return out


def nameish(s: str) -> bool:
    """interpcode._NAMEISH.match: `^[\\w.~/-]{1,255}$` (no newline in s)."""
    return 1 <= len(s) <= 255 and all(_word(ch) or ch in ".~/-" for ch in s)


def pathish(s: str) -> bool:
    """interpcode._PATHISH.search: `^(?:~|\\.{1,2}(?:/|$)|/)|/|^\\.[\\w-]|\\.\\w{1,8}$` (no newline)."""
    if s.startswith("~") or "/" in s or s in (".", ".."):
        return True
    if len(s) >= 2 and s[0] == "." and (_word(s[1]) or s[1] == "-"):
        return True
    k = s.rfind(".")
    if k >= 0:
        tail = s[k + 1:]
        if 1 <= len(tail) <= 8 and all(_word(ch) for ch in tail):
            return True
    return False


def path_tokens(code: str, limit: int = 200) -> list:
    """Runs of path characters in the code, literal or not, that look like a path
    (``~/…``, ``/…``, ``.name``, ``a/b``): what the code may name outside a plain literal
    (``f"{open(".env").read()}"`` in Python 3.12, where quotes nest)."""
    out = []
    i, n = 0, len(code)
    while i < n and len(out) < limit:
        if not (_word(code[i]) or code[i] in ".~/-"):
            i += 1
            continue
        j = i
        while j < n and (_word(code[j]) or code[j] in ".~/-"):
            j += 1
        tok = code[i:j]
        if tok.startswith(("~/", "/")) or "/" in tok or (len(tok) > 1 and tok[0] == "." and _word(tok[1])):
            out.append(tok)
        i = j
    return out
