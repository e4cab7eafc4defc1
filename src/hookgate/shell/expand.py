"""Word expansion for the walker: AST word parts → segments → fields (see ``words``)."""

from __future__ import annotations

from hookgate.shell import words as W
from hookgate.shell.words import LIT, UNKNOWN, UNRES, Abort, Opaque, Seg

MAX_DEPTH = 12


class WordsMixin:
    """Mixed into ``walk.Walker``: needs ``home``, ``accesses``, ``commands``, ``reasons``,
    ``stmts``, ``scan``, ``source_of``."""

    # --- words -------------------------------------------------------------------------
    def fields(self, word, st, depth, quiet=False) -> list:
        if word is None:
            return []
        parts = word.get("Parts") or []
        if len(parts) == 1 and parts[0].get("Type") == "Lit":
            v = parts[0].get("Value", "")
            if v and not any(c in v for c in "\\{~*?["):
                return [(v, LIT)]
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
            if s.known and not s.quoted and not s.expansion and "{" in s.text and "}" in s.text:
                ex = W.brace_expand(s.text)
                if ex is None:
                    return [("".join(x.text for x in segs), UNRES)]
                if len(ex) != 1 or ex[0] != s.text:
                    multi = True
                alts.append([Seg(e) for e in ex])
            else:
                alts.append([s])
        if not multi:
            return W.fields_of(segs, self.home)
        words = [[]]
        for choice in alts:
            words = [w + [c] for w in words for c in choice]
            if len(words) > W.MAX_BRACE:
                return [("".join(x.text for x in segs), UNRES)]
        out = []
        for w in words:
            out += W.fields_of(w, self.home)
        return out

    def word_segs(self, word, st, depth) -> list:
        segs: list = []
        for p in word.get("Parts") or []:
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
            v = self.param(p, st)
            if v is UNKNOWN:
                return [Seg(self.source_of(p), quoted, False)]
            if isinstance(v, Opaque):
                return [Seg(str(v), quoted, False)]
            if isinstance(v, tuple):  # a glob pattern bound by a for loop
                return [Seg(v[0], False, True, False)]
            return [Seg(v, quoted, True, True)]
        if t in ("CmdSubst", "ProcSubst"):
            sub = st.copy()
            if depth + 1 > MAX_DEPTH:
                raise Abort("nesting deeper than %d levels" % MAX_DEPTH)
            self.stmts(p.get("Stmts") or [], sub, depth + 1)
            if t == "ProcSubst":
                return [Seg("/dev/fd/63", True)]
            from hookgate.shell.streams import subst_segs

            known = subst_segs(self, p, st, depth, quoted)
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

    def param(self, p, st):
        name = (p.get("Param") or {}).get("Value", "")
        for k in ("Length", "Excl", "Index", "Slice", "Repl", "Names", "Width", "IsSet"):
            if p.get(k):
                return UNKNOWN
        if name == "PWD":
            v = st.cwd
        elif name == "HOME" and "HOME" not in st.vars:
            v = self.home
        else:
            v = st.vars.get(name, UNKNOWN)
        exp = p.get("Exp")
        if exp:
            op = exp.get("Op")
            if op in (":-", "-", ":=", "=") and v is not UNKNOWN and v != "":
                return v
            return UNKNOWN
        return v
