"""Word expansion for the walker: AST word parts → segments → fields (see ``words``)."""

from __future__ import annotations

from hookgate.shell import words as W
from hookgate.shell.words import MAX_DEPTH, UNKNOWN, UNRES, Abort, Opaque, Seg

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from typing import Any


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
            if isinstance(s, W.AltSeg):
                alts.append(s.choices)
                multi = True
            elif s.known and not s.quoted and not s.expansion and "{" in s.text and "}" in s.text:
                ex = W.brace_expand(s.text)
                if ex is None:
                    return [(W.brace_unknown("".join(x.text for x in segs)), UNRES)]
                if len(ex) != 1 or ex[0] != s.text:
                    multi = True
                alts.append([Seg(e) for e in ex])
            else:
                alts.append([s])
        if self.ifs is not False:
            segs = self._ifs_segs(segs)
        if not multi:
            return W.fields_of(segs, self.home)
        words = [[]]
        for choice in alts:
            words = [w + [c] for w in words for c in choice]
            if len(words) > W.MAX_BRACE:
                # past the cap the word is unknown from its first brace on, never empty
                words = _distinct(words)
                if len(words) > W.MAX_BRACE:
                    return [(W.brace_unknown("".join(x.text for x in segs)), UNRES)]
        out = []
        for w in words:
            out += W.fields_of(w, self.home)
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
                return [Seg(W.dq_lit(v), True)]
            out: list = []
            W._unquoted_lit(v, out)
            return out
        if t == "SglQuoted":
            v = p.get("Value", "")
            return [Seg(W.ansi_c(v) if p.get("Dollar") else v, True)]
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
            if isinstance(v, W.Alts):  # one of a few values: a field per value (expand)
                a = W.AltSeg(self.source_of(p), quoted, False)
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
