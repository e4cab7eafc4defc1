"""Text filters run by the hook itself on a concrete stream of lines (ADR 0008 item 6).

When what a pipe carries is known now (``find``'s listing, a list file the agent may read,
``echo`` words), the common line rewriters after it are evaluated here instead of making the
stream unknown: ``sed`` (``s``, ``y``, ``d``, ``p`` with ``/re/`` or line addresses), ``awk``
(``{print $N}``, ``/re/``, ``-F``/``BEGIN{FS=…}``), ``cut``, ``tr``, and ``xargs`` running
``dirname``/``basename``. Each returns the lines the real program may print — a superset
where a detail is out of reach (a line-number address is "maybe", so both outcomes are kept)
— or None: unknown. Never an under-approximation: the guard would allow a file it never saw.

Regexes are POSIX (basic or extended) translated to Python ``re`` with the backtracking guard
of ``tame_regex``; alternation is refused in a substitution (POSIX takes the longest match,
Python the first alternative). Property tests compare every filter with the real program.

``xargs_tokens`` splits input the way xargs does (blanks, quotes, backslashes; ``-0``/``-d``):
``echo '".env"' | xargs cat`` reads ``.env``.
"""

from __future__ import annotations

import os

MAX_LINES = 500
MAX_ALTERNATIVES = 8
MAX_QUANTIFIERS = 4

_CLASSES = {
    "alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9", "upper": "A-Z", "lower": "a-z",
    "space": " \\t\\n\\r\\f\\v", "blank": " \\t", "xdigit": "0-9A-Fa-f", "cntrl": "\\x00-\\x1f\\x7f",
    "print": "\\x20-\\x7e", "graph": "\\x21-\\x7e",
    "punct": "".join("\\" + c for c in "!\"#$%&'()*+,-./:;<=>?@[]^_`{|}~").replace("\\\\", "\\"),
}
_TR_CLASSES = {  # in the C locale's (ASCII) order, as tr expands them
    "digit": "0123456789", "upper": "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "lower": "abcdefghijklmnopqrstuvwxyz",
    "space": "\t\n\v\f\r ", "blank": "\t ", "xdigit": "0123456789ABCDEFabcdef",
    "punct": "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
}
_TR_CLASSES["alpha"] = _TR_CLASSES["upper"] + _TR_CLASSES["lower"]
_TR_CLASSES["alnum"] = _TR_CLASSES["digit"] + _TR_CLASSES["alpha"]
_SAFE_ESCAPES = frozenset("wWsSbB")


class Unknown(Exception):
    """A construct this module does not evaluate: the stream becomes unknown."""


# --- regexes ------------------------------------------------------------------------------
def _bracket(p: str, i: int) -> tuple[str, int]:
    """A POSIX bracket expression starting at ``p[i] == '['`` → (Python class, index after)."""
    j = i + 1
    neg = False
    if j < len(p) and p[j] == "^":
        neg, j = True, j + 1
    items: list = []
    first = True
    while True:
        if j >= len(p):
            raise Unknown("unterminated bracket")
        c = p[j]
        if c == "]" and not first:
            j += 1
            break
        first = False
        if c == "[" and j + 1 < len(p) and p[j + 1] in ":=.":
            kind = p[j + 1]
            end = p.find(kind + "]", j + 2)
            if end < 0:
                raise Unknown("bad class")
            name = p[j + 2 : end]
            if kind != ":" or name not in _CLASSES:
                raise Unknown("collating element")
            items.append(_CLASSES[name])
            j = end + 2
            continue
        if j + 2 < len(p) and p[j + 1] == "-" and p[j + 2] != "]":
            lo, hi = c, p[j + 2]
            if hi == "[" or ord(lo) > ord(hi):
                raise Unknown("odd range")
            items.append(_esc_class(lo) + "-" + _esc_class(hi))
            j += 3
            continue
        items.append(_esc_class(c))
        j += 1
    return "[" + ("^" if neg else "") + "".join(items) + "]", j


def _esc_class(c: str) -> str:
    return c if c.isalnum() else "\\" + c if c not in "\n\t" else c


def posix_regex(p: str, ere: bool, delim: str | None = None, sed: bool = False) -> str:
    """A POSIX regex (BRE unless ``ere``; GNU extensions) as Python ``re`` source. Raises Unknown."""
    out: list = []
    i = 0
    n = len(p)
    at_start = True  # BRE: '^' anchors / '*' is literal here
    while i < n:
        c = p[i]
        start_here = at_start
        at_start = False
        if c == "\\":
            if i + 1 >= n:
                raise Unknown("trailing backslash")
            d = p[i + 1]
            i += 2
            if delim is not None and d == delim:
                out.append("\\" + d if not d.isalnum() else d)
            elif d.isdigit():
                raise Unknown("back-reference")
            elif not ere and d in "(){}|+?":
                out.append(d)
                if d in "(|":
                    at_start = True
            elif d in "<>":
                out.append("\\b")
            elif d == "`":
                out.append("\\A")
            elif d == "'":
                out.append("\\Z")
            elif d in _SAFE_ESCAPES:
                out.append("\\" + d)
            elif sed and d == "n":
                out.append("\\n")
            elif sed and d == "t":
                out.append("\\t")
            elif d.isalnum():
                raise Unknown("escape")
            else:
                out.append("\\" + d)
            continue
        if c == "[":
            cls, i = _bracket(p, i)
            out.append(cls)
            continue
        i += 1
        if ere:
            if c in "({|":
                at_start = c in "(|"
                out.append(c)
            elif c in ")}*+?.^$":
                out.append(c)
            else:
                out.append(c if c.isalnum() else "\\" + c)
            continue
        if c == "*":
            out.append("\\*" if start_here else "*")
        elif c == "^":
            out.append("^" if start_here else "\\^")
        elif c == "$":
            rest = p[i:]
            out.append("$" if rest == "" or rest.startswith("\\)") or rest.startswith("\\|") else "\\$")
        elif c == ".":
            out.append(".")
        else:
            out.append(c if c.isalnum() else "\\" + c)
    return "".join(out)


def tame_regex(p: str) -> bool:
    """No catastrophic backtracking: short, no quantified group (``(a+)+``), no back-reference,
    at most MAX_QUANTIFIERS quantifiers (``a*a*a*…`` is polynomial in their number)."""
    if len(p) > 256:
        return False
    quantifiers = 0
    i = 0
    while i < len(p):
        c = p[i]
        if c == "\\":
            if i + 1 < len(p) and p[i + 1].isdigit():
                return False
            i += 2
            continue
        if c in "*+{":
            quantifiers += 1
            if i and p[i - 1] == ")":
                return False
        elif c == "?" and i and p[i - 1] == ")":
            return False
        i += 1
    return quantifiers <= MAX_QUANTIFIERS


def compile_regex(src: str, ignore_case: bool = False):
    """``re.compile`` with warnings as errors (a pattern Python reads differently) and the
    backtracking guard. Raises Unknown."""
    import re
    import warnings

    if not tame_regex(src):
        raise Unknown("regex could backtrack")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            return re.compile(src, (re.IGNORECASE if ignore_case else 0) | re.DOTALL)
    except (re.error, RecursionError, OverflowError, Warning) as e:
        raise Unknown(str(e)) from None


# --- sed ------------------------------------------------------------------------------------
def _delimited(s: str, i: int, delim: str) -> tuple[str, int]:
    """Text up to the next unescaped ``delim`` from ``s[i]`` (escapes kept) → (text, index after)."""
    j = i
    while j < len(s):
        if s[j] == "\\":
            j += 2
            continue
        if s[j] == delim:
            return s[i:j], j + 1
        if s[j] == "\n":
            break
        j += 1
    raise Unknown("unterminated")


def _replacement(r: str, delim: str) -> list:
    parts: list = []
    i = 0
    while i < len(r):
        c = r[i]
        if c == "\\" and i + 1 < len(r):
            d = r[i + 1]
            i += 2
            if d.isdigit():
                parts.append(int(d))
            elif d == "n":
                parts.append("\n")
            elif d == "t":
                parts.append("\t")
            elif d in "LUElu" or (d.isalpha() and d != delim):
                raise Unknown("case conversion / escape in replacement")
            else:
                parts.append(d)
            continue
        if c == "\n":
            raise Unknown("multi-line replacement")
        parts.append(0 if c == "&" else c)
        i += 1
    return parts


class _Sed:
    def __init__(self, scripts: list, ere: bool, quiet: bool):
        self.ere, self.quiet = ere, quiet
        self.cmds: list = []
        for s in scripts:
            self._parse(s)

    def _addr(self, s, i):
        if i < len(s) and s[i] == "/":
            body, i = _delimited(s, i + 1, "/")
            icase = False
            while i < len(s) and s[i] in "IM":
                if s[i] == "M":
                    raise Unknown("multiline address")
                icase, i = True, i + 1
            return ("re", compile_regex(posix_regex(body, self.ere, "/", sed=True), icase)), i
        if i < len(s) and s[i] == "\\":
            raise Unknown("custom address delimiter")
        j = i
        while j < len(s) and (s[j].isdigit() or s[j] in "$~+"):
            j += 1
        if j > i:
            return ("maybe", None), j
        return None, i

    def _parse(self, s: str):
        i = 0
        n = len(s)
        while i < n:
            while i < n and s[i] in " \t\n;":
                i += 1
            if i >= n:
                return
            a1, i = self._addr(s, i)
            addr = a1
            if a1 is not None and i < n and s[i] == ",":
                a2, i = self._addr(s, i + 1)
                if a2 is None:
                    raise Unknown("bad range")
                addr = ("maybe", None)  # a range is a span of lines: either outcome
            while i < n and s[i] == " ":
                i += 1
            if i < n and s[i] == "!":
                if addr is None:
                    raise Unknown("bad !")
                addr = ("maybe", None) if addr[0] == "maybe" else ("not", addr[1])
                i += 1
                while i < n and s[i] == " ":
                    i += 1
            if i >= n:
                raise Unknown("missing command")
            c = s[i]
            i += 1
            if c in "dpqQ":
                self.cmds.append((addr, c, None))
            elif c == "s":
                if i >= n or s[i] in "\\\n":
                    raise Unknown("bad s")
                delim = s[i]
                rx, i = _delimited(s, i + 1, delim)
                rep, i = _delimited(s, i, delim)
                if not rx:
                    raise Unknown("empty regex (the last one)")
                glob, nth, prt, icase = False, 1, False, False
                while i < n and s[i] not in ";\n} \t":
                    f = s[i]
                    if f == "g":
                        glob = True
                    elif f.isdigit():
                        j = i
                        while j < n and s[j].isdigit():
                            j += 1
                        nth, i = int(s[i:j]), j - 1
                    elif f == "p":
                        prt = True
                    elif f in "iI":
                        icase = True
                    else:
                        raise Unknown("s flag " + f)
                    i += 1
                src = posix_regex(rx, self.ere, delim, sed=True)
                if "|" in src.replace("\\|", ""):
                    raise Unknown("alternation in a substitution")
                self.cmds.append((addr, "s", (compile_regex(src, icase), _replacement(rep, delim), glob, nth, prt)))
            elif c == "y":
                if i >= n:
                    raise Unknown("bad y")
                delim = s[i]
                a, i = _delimited(s, i + 1, delim)
                b, i = _delimited(s, i, delim)
                a, b = _y_text(a, delim), _y_text(b, delim)
                if len(a) != len(b):
                    raise Unknown("y lengths")
                self.cmds.append((addr, "y", str.maketrans(a, b)))
            else:
                raise Unknown("sed command " + c)

    def run(self, lines: list) -> list:
        out: list = []
        for line in lines:
            alts = [(line, False)]  # (pattern space, ended)
            for addr, c, arg in self.cmds:
                nxt: list = []
                for text, ended in alts:
                    if ended:
                        nxt.append((text, ended))
                        continue
                    apply: tuple[bool, ...]
                    if addr is None:
                        apply = (True,)
                    elif addr[0] == "maybe":
                        apply = (True, False)
                    else:
                        hit = bool(addr[1].search(text))
                        apply = (hit if addr[0] == "re" else not hit,)
                    for ap in apply:
                        if not ap:
                            nxt.append((text, False))
                            continue
                        if c == "d" or c == "Q":
                            continue
                        if c == "p":
                            out.append(text)
                            nxt.append((text, False))
                        elif c == "q":
                            nxt.append((text, True))
                        elif c == "y":
                            nxt.append((text.translate(arg), False))
                        else:
                            new, changed = _subst(arg, text)
                            if changed and arg[4]:
                                out.append(new)
                            nxt.append((new, False))
                alts = list(dict.fromkeys(nxt))
                if len(alts) > MAX_ALTERNATIVES:
                    raise Unknown("too many alternatives")
            if not self.quiet:
                out.extend(t for t, _ in alts)
            if len(out) > MAX_LINES:
                raise Unknown("too many lines")
        return out


def _y_text(t: str, delim: str) -> str:
    out = []
    i = 0
    while i < len(t):
        if t[i] == "\\" and i + 1 < len(t):
            d = t[i + 1]
            out.append({"n": "\n", "t": "\t", "\\": "\\"}.get(d, d if d == delim else None) or "")
            if d not in "nt\\" and d != delim:
                raise Unknown("y escape")
            i += 2
            continue
        out.append(t[i])
        i += 1
    return "".join(out)


def _subst(arg, text: str) -> tuple[str, bool]:
    rx, parts, glob, nth, _ = arg
    pieces = []
    last = 0
    count = 0
    changed = False
    prev_end = -1
    for m in rx.finditer(text):
        if m.start() == m.end() == prev_end:
            continue  # sed: no empty match right after a match (`s/.*/x/g` on "a" is "x")
        prev_end = m.end()
        count += 1
        if count < nth:
            continue
        if count > nth and not glob:
            break
        pieces.append(text[last : m.start()])
        for p in parts:
            pieces.append(p if isinstance(p, str) else (m.group(p) or "") if p <= (rx.groups or 0) else _bad_group())
        last = m.end()
        changed = True
    pieces.append(text[last:])
    return "".join(pieces), changed


def _bad_group():
    raise Unknown("invalid reference in replacement")


def sed(scripts: list, ere: bool, quiet: bool, lines: list) -> list:
    return _Sed(scripts, ere, quiet).run(lines)


# --- awk ------------------------------------------------------------------------------------
def _awk_string(s: str, i: int) -> tuple[str, int]:
    out = []
    j = i + 1
    while j < len(s):
        c = s[j]
        if c == "\\" and j + 1 < len(s):
            d = s[j + 1]
            out.append({"n": "\n", "t": "\t", "\\": "\\", '"': '"', "/": "/"}.get(d) or _unk("awk escape"))
            j += 2
            continue
        if c == '"':
            return "".join(out), j + 1
        out.append(c)
        j += 1
    raise Unknown("unterminated string")


def _unk(why):
    raise Unknown(why)


def _skip(s, i):
    while i < len(s) and s[i] in " \t":
        i += 1
    return i


def awk(program: str, fs: str | None, lines: list) -> list:
    """A small awk: ``[BEGIN{FS=…;OFS=…}] [pattern] {print expr, …}`` rules. Raises Unknown."""
    s = program.strip()
    ofs = " "
    i = 0
    if s.startswith("BEGIN"):
        i = _skip(s, 5)
        if i >= len(s) or s[i] != "{":
            raise Unknown("BEGIN")
        end = s.find("}", i)
        if end < 0:
            raise Unknown("BEGIN")
        for stmt in s[i + 1 : end].replace(";", "\n").split("\n"):
            stmt = stmt.strip()
            if not stmt:
                continue
            names, _, val = stmt.rpartition("=")
            val = val.strip()
            if not (val.startswith('"') and val.endswith('"')) or '"' in val[1:-1] or "\\" in val:
                raise Unknown("BEGIN value")
            for name in names.split("="):
                if name.strip() == "FS":
                    fs = val[1:-1]
                elif name.strip() == "OFS":
                    ofs = val[1:-1]
                else:
                    raise Unknown("BEGIN assignment")
        i = end + 1
        while i < len(s) and s[i] in " \t;\n":
            i += 1
    rules = []
    while i < len(s):
        pat = None
        if s[i] != "{":
            pat, i = _awk_pattern(s, i)
            i = _skip(s, i)
        if i < len(s) and s[i] == "{":
            end = s.find("}", i)
            if end < 0:
                raise Unknown("unterminated action")
            action = s[i + 1 : end].strip().rstrip(";").strip()
            exprs = _awk_print(action)
            i = end + 1
        else:
            exprs = [[("field", 0)]]
        rules.append((pat, exprs))
        while i < len(s) and s[i] in " \t;\n":
            i += 1
    if not rules:
        return []
    split = _awk_splitter(fs)
    out = []
    for line in lines:
        fields = split(line)
        for pat, exprs in rules:
            if pat is not None and not _awk_test(pat, line, fields):
                continue
            out.append(ofs.join("".join(_awk_value(t, line, fields) for t in e) for e in exprs))
        if len(out) > MAX_LINES:
            raise Unknown("too many lines")
    return out


def _awk_splitter(fs):
    import re

    if fs is None or fs == " ":
        return lambda ln: re.split(r"[ \t\n]+", ln.strip(" \t\n")) if ln.strip(" \t\n") else []
    if fs == "\\t" or fs == "t":
        fs = "\t" if fs == "\\t" else fs
    if len(fs) == 1 and fs != "\\":
        return lambda ln: ln.split(fs) if ln else []
    rx = compile_regex(posix_regex(fs, True))
    return lambda ln: rx.split(ln) if ln else []


def _awk_pattern(s, i):
    neg = False
    if s[i] == "!":
        neg, i = True, _skip(s, i + 1)
    if i < len(s) and s[i] == "/":
        body, i = _delimited(s, i + 1, "/")
        return ("re", neg, None, compile_regex(posix_regex(body, True, "/"))), i
    if neg:
        raise Unknown("awk pattern")
    import re

    m = re.compile(r"(NR|FNR|NF|\$\d+|\$NF|length(?:\(\$0\))?)\s*(==|!=|<=|>=|<|>|~|!~)\s*").match(s, i)
    if not m:
        raise Unknown("awk pattern")
    lhs, op = m.group(1), m.group(2)
    j = m.end()
    if op in ("~", "!~"):
        if j >= len(s) or s[j] != "/":
            raise Unknown("awk match")
        body, j = _delimited(s, j + 1, "/")
        if not lhs.startswith("$"):
            raise Unknown("awk match")
        return ("re", op == "!~", _field_ref(lhs), compile_regex(posix_regex(body, True, "/"))), j
    if j < len(s) and s[j] == '"':
        val, j = _awk_string(s, j)
        if op not in ("==", "!=") or not lhs.startswith("$"):
            return ("maybe",), j
        return ("eq", op == "!=", _field_ref(lhs), val), j
    k = j
    while k < len(s) and (s[k].isdigit() or s[k] in ".-"):
        k += 1
    if k == j:
        raise Unknown("awk comparison")
    return ("maybe",), k  # numeric comparison: either outcome


def _field_ref(t: str):
    return "NF" if t == "$NF" else int(t[1:])


def _field(ref, line, fields):
    if ref == "NF":
        return fields[-1] if fields else line  # NF is 0: $NF is $0
    if ref == 0:
        return line
    return fields[ref - 1] if ref <= len(fields) else ""


def _awk_test(pat, line, fields) -> bool:
    if pat[0] == "maybe":
        return True
    if pat[0] == "re":
        _, neg, ref, rx = pat
        text = line if ref is None else _field(ref, line, fields)
        return bool(rx.search(text)) != neg
    _, neg, ref, val = pat
    return (_field(ref, line, fields) == val) != neg


def _awk_print(action: str) -> list:
    """``print a, b c`` → [[term, …], …] (comma: OFS; juxtaposition: concatenation)."""
    if action in ("", "print", "print $0"):
        return [[("field", 0)]]
    if not action.startswith("print ") and not action.startswith("print\t"):
        raise Unknown("awk action")
    s = action[6:].strip()
    exprs: list = [[]]
    i = 0
    while i < len(s):
        c = s[i]
        if c in " \t":
            i += 1
        elif c == ",":
            exprs.append([])
            i += 1
        elif c == '"':
            val, i = _awk_string(s, i)
            exprs[-1].append(("str", val))
        elif c == "$":
            j = i + 1
            if s[j : j + 2] == "NF":
                exprs[-1].append(("field", "NF"))
                i = j + 2
                continue
            k = j
            while k < len(s) and s[k].isdigit():
                k += 1
            if k == j:
                raise Unknown("awk field")
            exprs[-1].append(("field", int(s[j:k])))
            i = k
        else:
            raise Unknown("awk expression")
    if any(not e for e in exprs):
        raise Unknown("awk print")
    return exprs


def _awk_value(term, line, fields) -> str:
    return term[1] if term[0] == "str" else _field(term[1], line, fields)


# --- cut ------------------------------------------------------------------------------------
def _ranges(spec: str) -> list:
    out = []
    for part in spec.split(","):
        if not part:
            raise Unknown("cut list")
        lo, dash, hi = part.partition("-")
        if not (lo.isdigit() or lo == "") or not (hi.isdigit() or hi == "") or (not lo and not hi):
            raise Unknown("cut list")
        a = int(lo) if lo else 1
        b = int(hi) if hi else (None if dash else a)
        if a < 1 or (b is not None and b < a):
            raise Unknown("cut list")
        out.append((a, b))
    return out


def _picked(n: int, rs) -> list:
    return [k for k in range(1, n + 1) if any(a <= k and (b is None or k <= b) for a, b in rs)]


def cut(fields_spec, chars_spec, delim: str, only_delimited: bool, out_delim, lines: list) -> list:
    out = []
    if chars_spec is not None:
        rs = _ranges(chars_spec)
        for ln in lines:
            out.append("".join(ln[k - 1] for k in _picked(len(ln), rs)))
        return out
    rs = _ranges(fields_spec)
    for ln in lines:
        if delim not in ln:
            if not only_delimited:
                out.append(ln)
            continue
        parts = ln.split(delim)
        out.append((out_delim if out_delim is not None else delim).join(parts[k - 1] for k in _picked(len(parts), rs)))
    return out


# --- tr -------------------------------------------------------------------------------------
def _tr_set(s: str) -> str:
    out: list = []
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            d = s[i + 1]
            if d in "01234567":
                j = i + 1
                while j < len(s) and j < i + 4 and s[j] in "01234567":
                    j += 1
                out.append(chr(int(s[i + 1 : j], 8)))
                i = j
                continue
            out.append({"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "f": "\f", "v": "\v", "a": "\a", "b": "\b"}.get(d, d))
            i += 2
            continue
        if c == "[" and s[i + 1 : i + 2] in (":", "="):
            end = s.find(s[i + 1] + "]", i + 2)
            name = s[i + 2 : end] if end > 0 else ""
            if s[i + 1] != ":" or name not in _TR_CLASSES:
                raise Unknown("tr class")
            out.append(_TR_CLASSES[name])
            i = end + 2
            continue
        if c == "[" and s[i + 2 : i + 3] == "*":
            raise Unknown("tr repeat")  # [c*n]
        if i + 2 < len(s) and s[i + 1] == "-":
            lo, hi = c, s[i + 2]
            if hi == "\\" or ord(hi) < ord(lo):
                raise Unknown("tr range")
            out.append("".join(chr(k) for k in range(ord(lo), ord(hi) + 1)))
            i += 3
            continue
        out.append(c)
        i += 1
    return "".join(out)


def tr(set1: str, set2: str | None, delete: bool, squeeze: bool, text: str) -> str:
    a = _tr_set(set1)
    if delete:
        if set2 is not None and not squeeze:
            raise Unknown("tr -d with two sets")
        text = text.translate({ord(c): None for c in a})
        if squeeze and set2 is not None:
            return _squeeze(text, _tr_set(set2))
        return text
    if set2 is None:
        if not squeeze:
            raise Unknown("tr with one set")
        return _squeeze(text, a)
    b = _tr_set(set2)
    if not b:
        raise Unknown("tr empty set2")
    full = b
    b = (b + b[-1] * len(a))[: len(a)]
    table: dict = {}
    for x, y in zip(a, b):
        table[ord(x)] = y  # the last mapping of a repeated character wins, as in GNU tr
    text = text.translate(table)
    return _squeeze(text, full) if squeeze else text  # -s squeezes every character of SET2


def _squeeze(text: str, chars: str) -> str:
    out = []
    for c in text:
        if out and c == out[-1] and c in chars:
            continue
        out.append(c)
    return "".join(out)


# --- xargs ----------------------------------------------------------------------------------
def xargs_tokens(text: str, null: bool = False, delim: str | None = None, lines: bool = False) -> list:
    """The arguments xargs makes of ``text``: ``-0`` → NUL-separated, ``-d X`` → X-separated
    (no quoting), else blanks separate and quotes/backslashes are removed (``-I``: a whole
    line is one argument). Raises Unknown on an unmatched quote (xargs stops there)."""
    if null:
        parts = text.split("\0")
        if parts and parts[-1] == "":
            parts.pop()
        return parts
    if delim is not None:
        parts = text.split(delim)
        if parts and parts[-1] in ("", "\n"):
            parts.pop()
        return parts
    out: list = []
    cur: list = []
    have = False
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c in "'\"":
            end = text.find(c, i + 1)
            nl = text.find("\n", i + 1)
            if end < 0 or (0 <= nl < end):
                raise Unknown("unmatched quote")
            cur.append(text[i + 1 : end])
            have = True
            i = end + 1
            continue
        if c == "\\":
            if i + 1 < n:
                cur.append(text[i + 1])
                have = True
            i += 2
            continue
        if c == "\n" or (c in " \t" and not lines):
            if have:
                out.append("".join(cur))
            cur, have = [], False
            i += 1
            continue
        if lines and not have and c in " \t":
            i += 1  # -I: leading blanks are dropped
            continue
        cur.append(c)
        have = True
        i += 1
    if have:
        out.append("".join(cur))
    return out


def dirname(p: str) -> str:
    x = p.rstrip("/") or ("/" if p.startswith("/") else "")
    if not x:
        return "." if not p else "/"
    d = os.path.dirname(x).rstrip("/")
    return d if d else ("/" if x.startswith("/") else ".")


def basename(p: str, suffix: str = "") -> str:
    x = p.rstrip("/")
    b = os.path.basename(x) if x else ("/" if p else "")
    if suffix and b.endswith(suffix) and b != suffix:
        b = b[: -len(suffix)]
    return b
