"""Word resolution like bash: quotes, ``$'…'``, braces, tilde, simple variables, field splitting,
globs — AST word parts → segments → fields (the kinds: ``words``) — and the walker's part that
expands words (``WordsMixin``, loaded when a word is more than a plain literal)."""

from __future__ import annotations

from hookgate.shell.words import GLOB, LIT, MAX_DEPTH, UNKNOWN, UNRES, Abort, Alts, Opaque, Seg

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from typing import Any


# --- words → fields, like bash (the walk's word resolution) ------------------------------
_GLOB_CHARS = frozenset("*?[")
_IFS = " \t\n"
MAX_BRACE = 256


class AltSeg(Seg):
    """A word piece that is one of ``choices`` (Segs): expanded like a brace (``expand``)."""

    __slots__ = ("choices",)
    choices: list[Seg]


_ESC = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r",
        "t": "\t", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}


def ansi_c(s: str) -> str:
    """Decode the body of ``$'…'``."""
    if "\\" not in s:
        return s
    out = []
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c != "\\" or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        d = s[i + 1]
        if d in _ESC:
            out.append(_ESC[d])
            i += 2
        elif d in "01234567":
            j = i + 1
            while j < n and j < i + 4 and s[j] in "01234567":
                j += 1
            out.append(chr(int(s[i + 1 : j], 8) & 0xFF))
            i = j
        elif d in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[d]
            j = i + 2
            while j < n and j < i + 2 + width and s[j] in "0123456789abcdefABCDEF":
                j += 1
            if j == i + 2:
                out.append("\\" + d)
            else:
                try:
                    out.append(chr(int(s[i + 2 : j], 16)))
                except (ValueError, OverflowError):
                    out.append("\ufffd")
            i = j
        elif d == "c" and i + 2 < n:
            out.append(chr(ord(s[i + 2]) & 0x1F))
            i += 3
        else:
            out.append("\\" + d)
            i += 2
    return "".join(out)


def _unquoted_lit(v: str, segs: list) -> None:
    """An unquoted literal: backslash quotes the next character."""
    if "\\" not in v:
        segs.append(Seg(v))
        return
    buf = []
    i, n = 0, len(v)
    while i < n:
        c = v[i]
        if c == "\\" and i + 1 < n:
            if buf:
                segs.append(Seg("".join(buf)))
                buf = []
            if v[i + 1] != "\n":
                segs.append(Seg(v[i + 1], quoted=True))
            i += 2
            continue
        buf.append(c)
        i += 1
    if buf:
        segs.append(Seg("".join(buf)))


def dq_lit(v: str) -> str:
    """A literal inside double quotes (or an unquoted here-doc): ``\\`` escapes ``$`\\"`` and newline."""
    if "\\" not in v:
        return v
    out = []
    i, n = 0, len(v)
    while i < n:
        c = v[i]
        if c == "\\" and i + 1 < n and v[i + 1] in '$`"\\\n':
            if v[i + 1] != "\n":
                out.append(v[i + 1])
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def brace_expand(s: str, limit: int = MAX_BRACE) -> list[str] | None:
    """bash brace expansion of an unquoted literal; None if over ``limit`` results."""
    i = _find_brace(s)
    if i is None:
        return [s]
    start, end, alts = i
    pre, post = s[:start], s[end + 1 :]
    out: list[str] = []
    posts = brace_expand(post, limit)
    if posts is None:
        return None
    seen = set()  # a repeated result names the same file (`{,,,,}`): kept once
    for a in alts:
        sub = brace_expand(a, limit)
        if sub is None:
            return None
        for x in sub:
            for p in posts:
                w = pre + x + p
                if w in seen:
                    continue
                seen.add(w)
                out.append(w)
                if len(out) > limit:
                    return None
    return out


BRACE_PAST_CAP = "$(brace-expansion-past-the-cap)"


def brace_unknown(text: str) -> str:
    """The unresolved form of a word whose brace expansion is past the cap: everything from
    the first component holding a ``{`` on is unknown (any name there, ADR 0021) — never
    the literal text, which names no file (before, ``cat .{a..z}{a..z}{a..z}`` read nothing)."""
    i = text.find("{")
    cut = text.rfind("/", 0, i) if i >= 0 else -1
    return text[: cut + 1] + BRACE_PAST_CAP


def _seq(body: str):
    parts = body.split("..")
    if len(parts) not in (2, 3):
        return None
    a, b = parts[0], parts[1]
    step = 1
    if len(parts) == 3:
        try:
            step = abs(int(parts[2])) or 1
        except ValueError:
            return None
    try:
        x, y = int(a), int(b)
        # zero-padded when a bound has a leading zero (`{01..10}`), not the number 0 (`{0..10}`)
        padded = any(len(v.lstrip("-")) > 1 and v.lstrip("-").startswith("0") for v in (a, b))
        width = max(len(a), len(b)) if padded else 0
        if abs(y - x) // step > MAX_BRACE:
            return [str(v) for v in range(MAX_BRACE + 1)]  # distinct: past the cap
        rng = range(x, y + 1, step) if x <= y else range(x, y - 1, -step)
        return [str(v).zfill(width) if width else str(v) for v in rng]
    except ValueError:
        pass
    if len(a) == 1 and len(b) == 1 and a.isalpha() and b.isalpha():
        x, y = ord(a), ord(b)
        rng = range(x, y + 1, step) if x <= y else range(x, y - 1, -step)
        return [chr(v) for v in rng]
    return None


def _find_brace(s: str):
    """(start, end, alternatives) of the first expandable ``{…}`` in ``s``, or None."""
    n = len(s)
    i = 0
    while i < n:
        if s[i] == "{" and (i == 0 or s[i - 1] != "$"):
            depth = 0
            commas = []
            j = i
            while j < n:
                c = s[j]
                if c == "{":
                    depth += 1
                elif c == "}":
                    depth -= 1
                    if depth == 0:
                        break
                elif c == "," and depth == 1:
                    commas.append(j)
                j += 1
            if j >= n:
                return None
            body = s[i + 1 : j]
            if commas:
                alts = []
                prev = i + 1
                for comma in commas:
                    alts.append(s[prev:comma])
                    prev = comma + 1
                alts.append(s[prev:j])
                return i, j, alts
            seq = _seq(body)
            if seq is not None:
                return i, j, seq
            # not expandable: look inside it, then after it
            inner = _find_brace(body)
            if inner is not None:
                a, b, alts = inner
                return i + 1 + a, i + 1 + b, alts
            i = j + 1
            continue
        i += 1
    return None


def glob_escape(s: str) -> str:
    out = []
    for c in s:
        out.append("[" + c + "]" if c in "*?[" else c)
    return "".join(out)


def _user_home(name: str):
    """``~name``: that user's home directory; ``~name`` itself when there is no such user (bash
    leaves the word as it is); None when it cannot be told (``~+``, ``~-``, a lookup failure)."""
    if name[:1] in ("-", "+") or not all(c.isalnum() or c in "._-" for c in name):
        return None  # ~+ is $PWD, ~- is $OLDPWD, ~+2 a directory-stack entry
    try:
        import pwd

        return pwd.getpwnam(name).pw_dir
    except KeyError:
        return "~" + name
    except (ImportError, OSError, ValueError):
        return None


def fields_of(segs: list, home: str) -> list:
    """Segments of one (brace-expanded) word → fields (text, kind)."""
    # tilde: a leading unquoted ~ or ~/ (the prefix ends at the first unquoted slash)
    if segs and not segs[0].quoted and segs[0].known and not segs[0].expansion:
        t = segs[0].text
        if t.startswith("~"):
            if t.startswith("~/") or (t == "~" and (len(segs) == 1 or segs[1].text.startswith("/"))):
                segs = [Seg(home + t[1:], quoted=True)] + segs[1:]
            elif t != "~" or len(segs) == 1:
                name, slash, rest = t[1:].partition("/")
                other = _user_home(name) if name and (slash or len(segs) == 1) else None
                if other is not None:
                    segs = [Seg(other + slash + rest, quoted=True)] + segs[1:]  # ~user: their home, now
                else:
                    segs = [Seg(t, known=False)] + segs[1:]
    # field splitting of unquoted expansions
    fields: list[list] = [[]]
    for s in segs:
        if s.expansion and not s.quoted and s.known and any(c in _IFS for c in s.text):
            pieces = s.text.split()
            lead = s.text[:1] in _IFS
            trail = s.text[-1:] in _IFS
            if lead and fields[-1]:
                fields.append([])
            for k, p in enumerate(pieces):
                if k:
                    fields.append([])
                fields[-1].append(Seg(p, False, True, True))
            if trail:
                fields.append([])
        else:
            fields[-1].append(s)
    out = []
    for f in fields:
        if not f:
            continue
        if any(not s.known for s in f):
            out.append(("".join(s.text for s in f), UNRES))
            continue
        if any(not s.quoted and _GLOB_CHARS & set(s.text) for s in f) and _real_glob(f):
            pat = "".join(glob_escape(s.text) if s.quoted else s.text for s in f)
            out.append((pat, GLOB))
            continue
        text = "".join(s.text for s in f)
        if text or any(s.quoted for s in f):
            out.append((text, LIT))
    return out



def _real_glob(f) -> bool:
    """Does an unquoted part hold a pattern bash would expand (``*``, ``?``, a closed ``[…]``)?"""
    unq = "".join(s.text if not s.quoted else "\x00" * len(s.text) for s in f)
    if "*" in unq or "?" in unq:
        return True
    i = unq.find("[")
    while i >= 0:
        j = unq.find("]", i + 2)
        if j > 0:
            return True
        i = unq.find("[", i + 1)
    return False


def _distinct(words) -> list:
    """Alternatives with the same text and quoting once (``{,,,,}`` repeats one word)."""
    seen = set()
    out = []
    for w in words:
        key = tuple((x.text, x.quoted, x.known, x.expansion) for x in w)
        if key not in seen:
            seen.add(key)
            out.append(w)
    return out


class WordsMixin:
    """A part of ``walk.Walker`` (loaded when a word is more than a plain literal), which
    provides what is declared here (its contract)."""

    home: str
    env: dict[str, str]
    accesses: list[Any]
    commands: list[Any]
    reasons: list[Any]
    ifs: Any  # False: IFS not assigned; a str; None: unknown
    all_unknown: bool
    word_alone: bool

    if TYPE_CHECKING:
        def scan(self, node: Any, st: Any, depth: Any) -> None: ...
        def source_of(self, node: Any) -> str: ...
        def stmts(self, stmts: Any, st: Any, depth: int, feed: Any = None) -> None: ...
        def script(self, text: str, st: Any, depth: int, why: str, feed: Any = None) -> None: ...
        def is_free(self, name: str, st: Any) -> bool: ...
        def indeterminate(self, why: str) -> None: ...
        def fields(self, word: Any, st: Any, depth: Any, quiet: Any = False) -> list[Any]: ...

    # --- words -------------------------------------------------------------------------
    def word_fields(self, word, st, depth, quiet=False) -> list:
        """The fields of a word that is not a plain literal (``Walker.fields`` takes those);
        ``quiet``: what expanding it runs is not reported."""
        if quiet:
            saved = (len(self.accesses), len(self.commands), list(self.reasons))
        segs = self.word_segs(word, st, depth)
        if quiet:
            del self.accesses[saved[0]:]
            del self.commands[saved[1]:]
            self.reasons[:] = saved[2]
        return self.expand(segs)

    def expand(self, segs) -> list:
        # brace expansion on unquoted literal segments
        alts = []
        multi = False
        for s in segs:
            if isinstance(s, AltSeg):
                alts.append(s.choices)
                multi = True
            elif s.known and not s.quoted and not s.expansion and "{" in s.text and "}" in s.text:
                ex = brace_expand(s.text)
                if ex is None:
                    return [(brace_unknown("".join(x.text for x in segs)), UNRES)]
                if len(ex) != 1 or ex[0] != s.text:
                    multi = True
                alts.append([Seg(e) for e in ex])
            else:
                alts.append([s])
        if self.ifs is not False:
            segs = self._ifs_segs(segs)
        if not multi:
            return fields_of(segs, self.home)
        words = [[]]
        for choice in alts:
            words = [w + [c] for w in words for c in choice]
            if len(words) > MAX_BRACE:
                # past the cap the word is unknown from its first brace on, never empty
                words = _distinct(words)
                if len(words) > MAX_BRACE:
                    return [(brace_unknown("".join(x.text for x in segs)), UNRES)]
        out = []
        for w in words:
            out += fields_of(w, self.home)
        return out

    def _ifs_segs(self, segs) -> list:
        """IFS was assigned: an unquoted expansion holding a character it may split on is
        unknown (its fields are not the default split; ADR 0021)."""
        ifs = self.ifs
        out = []
        for s in segs:
            if s.expansion and not s.quoted and s.known and (ifs is None or any(c in s.text for c in ifs)
                                                             or ifs == ""):
                out.append(Seg("$(split by IFS)", False, False))
            else:
                out.append(s)
        return out

    def word_segs(self, word, st, depth) -> list:
        segs: list = []
        parts = word.get("Parts") or []
        only = parts[0] if len(parts) == 1 else None
        if only is not None and only.get("Type") == "DblQuoted" and len(only.get("Parts") or []) == 1:
            only = only["Parts"][0]
        for p in parts:
            # a `$(…)` that is the whole word, bare or in quotes (streams.subst_segs)
            self.word_alone = only is not None and only.get("Type") == "CmdSubst"
            segs += self.part_segs(p, st, depth, False)
        return segs

    def part_segs(self, p, st, depth, quoted) -> list:
        t = p.get("Type")
        if t == "Lit":
            v = p.get("Value", "")
            if quoted:
                return [Seg(dq_lit(v), True)]
            out: list = []
            _unquoted_lit(v, out)
            return out
        if t == "SglQuoted":
            v = p.get("Value", "")
            return [Seg(ansi_c(v) if p.get("Dollar") else v, True)]
        if t == "DblQuoted":
            out = []
            for q in p.get("Parts") or []:
                out += self.part_segs(q, st, depth, True)
            return out or [Seg("", True)]
        if t == "ParamExp":
            for key in ("Index", "Slice"):  # `${x:$(cmd)}`, `${a[$(cmd)]}`: bash runs them
                if p.get(key):
                    self.scan(p[key], st, depth)
            v = self.param(p, st, depth)
            if v is UNKNOWN:
                return [Seg(self.source_of(p), quoted, False)]
            if isinstance(v, Alts):  # one of a few values: a field per value (expand)
                a = AltSeg(self.source_of(p), quoted, False)
                a.choices = [Seg(c, quoted, True, True) if c is not UNKNOWN else Seg(self.source_of(p), quoted, False)
                             for c in v.choices]
                return [a]
            if isinstance(v, Opaque):
                return [Seg(str(v), quoted, False)]
            if isinstance(v, tuple):  # a glob pattern bound by a for loop
                return [Seg(v[0], False, True, False)]
            return [Seg(v, quoted, True, True)]
        if t in ("CmdSubst", "ProcSubst"):
            alone = getattr(self, "word_alone", False)  # the whole word (quoted or not)
            sub = st.copy()
            if depth + 1 > MAX_DEPTH:
                raise Abort("nesting deeper than %d levels" % MAX_DEPTH)
            self.stmts(p.get("Stmts") or [], sub, depth + 1)
            if t == "ProcSubst":
                return [Seg("/dev/fd/63", True)]
            from hookgate.shell.flow import subst_segs

            known = subst_segs(self, p, st, depth, quoted, alone)
            if known is not None:  # $(pwd), $(dirname X), the paths find prints …
                return known
            return [Seg(self.source_of(p), quoted, False)]
        if t == "ArithmExp":
            self.scan(p.get("X"), st, depth)
            return [Seg(self.source_of(p), quoted, False)]
        if t == "ExtGlob":
            return [Seg("*")]
        self.scan(p, st, depth)
        return [Seg(self.source_of(p), quoted, False)]

    def param(self, p, st, depth=0):
        name = (p.get("Param") or {}).get("Value", "")
        if name in ("@", "*") and p.get("Slice") and st.vars.get(name) == "":
            return ""  # ${@:3} of no positional parameters
        if p.get("Excl") and not any(p.get(k) for k in ("Length", "Index", "Slice", "Names", "Width", "IsSet",
                                                          "Repl", "Exp")):
            # `${!X}`: the variable X names, when X's value is a known name
            ref = self.param({"Param": {"Value": name}}, st, depth)
            if isinstance(ref, str) and not isinstance(ref, Opaque) and ref.isidentifier():
                return self.param({"Param": {"Value": ref}}, st, depth)
            return UNKNOWN
        for k in ("Length", "Excl", "Index", "Slice", "Names", "Width", "IsSet"):
            if p.get(k):
                return UNKNOWN
        unset = False
        if self.all_unknown and name not in ("@", "*", "#", "?", "$", "!", "-", "0") and not name.isdigit():
            v = UNKNOWN  # a dynamic assignment may have set it (Walker.any_assigned)
        elif name == "PWD":
            v = st.cwd
        elif name == "HOME" and "HOME" not in st.vars:
            v = self.home
        elif name in st.vars:
            v = st.vars[name]
        elif name in self.env:
            v = self.env[name]  # never assigned here: the agent's environment
        elif self.is_free(name, st):
            v, unset = "", True  # never assigned, not in the agent's environment (freevars)
        else:
            v = UNKNOWN
        repl = p.get("Repl")
        known = isinstance(v, str) and not isinstance(v, Opaque)  # (an Opaque is a pattern's text)
        if repl:
            return self._replace(v, repl, st, depth) if known else UNKNOWN
        exp = p.get("Exp")
        if exp and exp.get("Op") == "@":
            word = self._word_text(exp.get("Word"), st, depth)
            if word == "P":  # `${x@P}`: x's value expanded as a prompt runs its substitutions
                if known and isinstance(v, str) and ("$(" in v or "`" in v):
                    self.script("echo " + v, st.copy(), depth + 1, "${x@P} prompt expansion")
                elif not known:
                    self.indeterminate("${x@P} of a value that cannot be known")
            return UNKNOWN
        if exp:
            op = exp.get("Op")
            if op in (":-", "-", ":=", "=") and v is not UNKNOWN and v != "":
                return v
            if op in (":-", "-", ":=", "=", ":+", "+") and known and v == "":
                use = (op in (":-", ":=")) or (op in ("-", "=") and unset) or (op == "+" and not unset)
                if not use:
                    return ""
                word = self._word_text(exp.get("Word"), st, depth)
                if word is not UNKNOWN and op in (":=", "="):
                    st.vars[name] = word
                return word
            if op in ("#", "##", "%", "%%") and known:
                return self._trim(v, op, exp.get("Word"), st, depth)
            if op in ("^^", ",,") and known and isinstance(v, str) and not exp.get("Word"):
                return v.upper() if op == "^^" else v.lower()
            return UNKNOWN
        return v

    def _word_text(self, word, st, depth):
        """The text of the word in ``${v:-word}``: known, or UNKNOWN (a ``~`` in it too: bash
        expands it there, and the caller would take it as a name)."""
        if word is None:
            return ""
        segs = self.word_segs(word, st, depth)
        if not all(x.known for x in segs) or any("~" in x.text for x in segs):
            return UNKNOWN
        text = "".join(x.text for x in segs)
        if any(c in text for c in " \t\n*?[") and any(x.quoted for x in segs):
            return UNKNOWN  # quoted blanks or wildcards: its fields are not those of the text
        return text

    # --- ${v#pat} ${v%pat} ${v/pat/rep}: on a known value, with bash's pattern rules -------
    def _pattern(self, word, st, depth):
        """A bash pattern word → compiled regex (quoted parts literal), or None: unknown."""
        import re

        from hookgate.shell.textops import Unknown, _bracket

        if word is None:
            return re.compile("")
        out = []
        for part in word.get("Parts") or ():
            for seg in self.part_segs(part, st, depth, False):
                if not seg.known:
                    return None
                if seg.quoted:
                    out.append(re.escape(seg.text))
                    continue
                t = seg.text
                i = 0
                while i < len(t):
                    c = t[i]
                    if c == "*":
                        out.append(".*")
                    elif c == "?":
                        out.append(".")
                    elif c == "\\" and i + 1 < len(t):
                        out.append(re.escape(t[i + 1]))
                        i += 1
                    elif c == "[":
                        body = t[i:].replace("[!", "[^", 1) if t[i + 1 : i + 2] == "!" else t[i:]
                        try:
                            cls, used = _bracket(body, 0)
                        except Unknown:
                            return None
                        out.append(cls)
                        i += used
                        continue
                    else:
                        out.append(re.escape(c))
                    i += 1
        try:
            return re.compile("".join(out), re.DOTALL)
        except re.error:
            return None

    def _trim(self, v, op, word, st, depth):
        rx = self._pattern(word, st, depth)
        if rx is None or len(v) > 512:
            return UNKNOWN
        n = len(v)
        if op in ("#", "##"):
            ks = range(n + 1) if op == "#" else range(n, -1, -1)
            for k in ks:
                if rx.fullmatch(v, 0, k):
                    return v[k:]
            return v
        ks = range(n, -1, -1) if op == "%" else range(n + 1)
        for k in ks:
            if rx.fullmatch(v, k, n):
                return v[:k]
        return v

    def _replace(self, v, repl, st, depth):
        if not isinstance(v, str) or len(v) > 512:
            return UNKNOWN
        orig = repl.get("Orig") or {}
        parts = orig.get("Parts") or []
        anchor = ""
        if parts and parts[0].get("Type") == "Lit" and parts[0].get("Value", "")[:1] in "#%":
            anchor = parts[0]["Value"][0]
            orig = dict(orig, Parts=[dict(parts[0], Value=parts[0]["Value"][1:])] + parts[1:])
        rx = self._pattern(orig, st, depth)
        with_ = ""
        if repl.get("With") is not None:
            segs = []
            for part in repl["With"].get("Parts") or ():
                segs += self.part_segs(part, st, depth, True)
            if not all(x.known for x in segs):
                return UNKNOWN
            with_ = "".join(x.text for x in segs)
        if rx is None or rx.pattern == "":
            return UNKNOWN if rx is None else v
        n = len(v)
        if anchor == "#":
            for k in range(n, -1, -1):
                if rx.fullmatch(v, 0, k):
                    return with_ + v[k:]
            return v
        if anchor == "%":
            for k in range(n + 1):
                if rx.fullmatch(v, k, n):
                    return v[:k] + with_
            return v
        out = []
        i = 0
        while i <= n:
            hit = None
            for j in range(n, i - 1, -1):  # the longest match at the leftmost place
                if rx.fullmatch(v, i, j):
                    hit = j
                    break
            if hit is None or hit == i:
                if i < n:
                    out.append(v[i])
                i += 1
                continue
            out.append(with_)
            i = hit
            if not repl.get("All"):
                out.append(v[i:])
                return "".join(out)
        return "".join(out)
