"""Redirections, here-docs and what a pipe feeds (for ``sh``/``python -``/``xargs``)."""

from __future__ import annotations

import os

from hookgate.shell.words import LIT, UNKNOWN, UNRES

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from typing import Any

_WRITE_REDIRS = frozenset((">", ">>", ">|", "&>", "&>>"))


class Feed:
    """What a command reads on stdin: literal text, or where it comes from."""

    __slots__ = ("text", "items", "source", "concrete")

    def __init__(self, text=None, items=None, source="", concrete=None):
        self.text = text  # str when statically known
        self.items = items  # the file names it carries, as fields (``streams``), or None: unknown
        self.source = source
        self.concrete = concrete  # () -> the lines it carries now (listing), or None


class RedirMixin:
    """A part of ``walk.Walker`` (loaded at the first redirection or pipe), which provides
    what is declared here (its contract)."""

    accesses: list[Any]
    commands: list[Any]
    reasons: list[Any]

    if TYPE_CHECKING:
        def fields(self, word: Any, st: Any, depth: Any, quiet: Any = False) -> list[Any]: ...
        def part_segs(self, p: Any, st: Any, depth: Any, quoted: Any) -> list[Any]: ...
        def emit(self, field: Any, mode: Any, via: Any, tool: Any, st: Any, allow_dir: Any = True) -> None: ...

    def redirects(self, redirs, cmd, st, depth):
        """Accesses of the redirections; returns a Feed when stdin is a here-doc/string."""
        tool = ""
        if cmd is not None and cmd.get("Type") == "CallExpr" and cmd.get("Args"):
            first = cmd["Args"][0].get("Parts") or []
            if len(first) == 1 and first[0].get("Type") == "Lit":
                tool = os.path.basename(first[0].get("Value", ""))
        feed = None
        for r in redirs:
            op = r.get("Op")
            word = r.get("Word")
            if op in ("<<", "<<-"):
                feed = self.heredoc(r, st, depth)
                continue
            if op == "<<<":
                fs = self.fields(word, st, depth)
                known = all(k != UNRES for _, k in fs)
                feed = Feed(" ".join(t for t, _ in fs) + "\n" if known else None, source="here-string")
                if not known:
                    feed.text = self._herestring_now(word, st, depth)
                continue
            fs = self.fields(word, st, depth)
            n = (r.get("N") or {}).get("Value")
            if n and n.startswith("{") and n.endswith("}"):
                st.vars[n[1:-1]] = UNKNOWN  # `{fd}>file`: bash puts the descriptor's number in fd
            label = f"redirect {n or ''}{op}"
            if op == "<&":
                continue  # bash dups an fd or fails ("ambiguous redirect"): it never opens a file
            if op == ">&":
                if len(fs) == 1 and fs[0][1] == LIT and (fs[0][0].isdigit() or fs[0][0] in ("-", "")):
                    continue
                if len(fs) == 1 and fs[0][1] == LIT and fs[0][0].endswith("-") and fs[0][0][:-1].isdigit():
                    continue
                mode = "write"  # `>&WORD`, `1>&WORD`: bash writes the file WORD (as `&>WORD`)
            elif op in _WRITE_REDIRS:
                mode = "write"
            elif op == "<>":
                for f in fs:
                    self.emit(f, "read", label, tool, st)
                mode = "write"
            elif op == "<":
                mode = "read"
                parts = (word or {}).get("Parts") or []
                if len(parts) == 1 and parts[0].get("Type") == "ProcSubst":
                    from hookgate.shell.flow import stream_of_stmts

                    inner = parts[0].get("Stmts") or []
                    feed = Feed(None, stream_of_stmts(self, inner, st, depth), "process substitution",
                                self._concrete(inner[0], st, depth) if len(inner) == 1 else None)
                    continue
                if len(fs) == 1 and fs[0][1] == LIT:
                    from hookgate.shell.listing import read_now

                    # the file's lines, when the read guard lets the agent read it (ADR 0008 item 6)
                    feed = Feed(read_now(self, fs[0][0], st), source="file " + fs[0][0])
            else:
                mode = "write"
            for f in fs:
                self.emit(f, mode, label, tool, st)
        return feed

    def _herestring_now(self, word, st, depth):
        """``<<< $(find …)``: the substitution's lines now (``listing``), or None."""
        parts = (word or {}).get("Parts") or []
        if len(parts) == 1 and parts[0].get("Type") == "DblQuoted":
            parts = parts[0].get("Parts") or []
        if len(parts) != 1 or parts[0].get("Type") != "CmdSubst" or len(parts[0].get("Stmts") or []) != 1:
            return None
        from hookgate.shell.flow import lines_of

        lines = lines_of(self, parts[0]["Stmts"][0], st, depth)
        return None if lines is None else "".join(x + "\n" for x in lines) or "\n"

    def heredoc(self, r, st, depth) -> Feed:
        from hookgate.shell.expand import dq_lit

        hdoc = r.get("Hdoc")
        if hdoc is None:
            return Feed("", source="here-doc")
        delim_quoted = any(p.get("Type") != "Lit" or "\\" in p.get("Value", "") for p in (r.get("Word") or {}).get("Parts") or [])
        parts = hdoc.get("Parts") or []
        if delim_quoted:
            return Feed("".join(p.get("Value", "") for p in parts), source="here-doc")
        out = []
        known = True
        for p in parts:
            t = p.get("Type")
            if t == "Lit":
                out.append(dq_lit(p.get("Value", "")))
            else:
                segs = self.part_segs(p, st, depth, True)
                for s in segs:
                    if not s.known:
                        known = False
                    out.append(s.text)
        return Feed("".join(out) if known else None, source="here-doc")

    def pipe_feed(self, left, st, depth) -> Feed:
        """What the left side of a pipe feeds: its text (echo/printf literals, ``cat <<EOF``)
        and the file names it carries (``streams``: find, ls, grep -l and line filters)."""
        from hookgate.shell.flow import stream_of

        feed = self._pipe_text(left, st, depth)
        feed.items = stream_of(self, left, st, depth)
        feed.concrete = self._concrete(left, st, depth)
        return feed

    def _concrete(self, stmt, st, depth):
        def lines():
            from hookgate.shell.flow import lines_of

            return lines_of(self, stmt, st, depth)

        return lines

    def _pipe_text(self, left, st, depth) -> Feed:
        cmd = left.get("Cmd") or {}
        if cmd.get("Type") != "CallExpr":
            return Feed(None, source="pipe")
        if left.get("Redirs"):
            args = cmd.get("Args") or []
            first = (args[0].get("Parts") or [{}])[0] if args else {}
            if len(args) == 1 and first.get("Value") == "cat" and first.get("Type") == "Lit":
                saved = (len(self.accesses), len(self.commands), list(self.reasons))
                fed = self.redirects(left["Redirs"], None, st.copy(), depth)
                del self.accesses[saved[0]:]
                del self.commands[saved[1]:]
                self.reasons[:] = saved[2]
                if fed is not None and fed.text is not None:
                    return Feed(fed.text, source=fed.source)
            return Feed(None, source="pipe")
        fs = []
        for w in cmd.get("Args") or []:
            fs += self.fields(w, st.copy(), depth, quiet=True)
        if not fs or fs[0][1] != LIT:
            return Feed(None, source="pipe")
        name = os.path.basename(fs[0][0])
        rest = fs[1:]
        if name in ("echo", "printf") and all(k == LIT for _, k in rest):
            if name == "echo":
                while rest and rest[0][0] in ("-n", "-e", "-E", "-ne", "-en"):
                    rest = rest[1:]
                return Feed(" ".join(t for t, _ in rest) + "\n", source=name)
            if rest and "%" not in rest[0][0] and "\\" not in rest[0][0]:
                return Feed(rest[0][0], source=name)
        return Feed(None, source=name)
