"""The walker's parts a simple command of plain words does not need (ADR 0007, "Layout"):
compound commands (``if``, ``while``/``until``, ``for``, ``case``, functions, declarations,
``[[ ]]``, arithmetic), loops and their concrete re-runs, assignments, globs and nested
scripts. ``CompoundMixin`` is a part of ``walk.Walker``, loaded the first time one of its
methods is looked up (``walk._PARTS``): ``git status`` and ``cat .env`` never load this module
(ADR 0017's import budget). It declares what the Walker provides it (its contract); like every
part of the walker it imports nothing of ``walk``.
"""

from __future__ import annotations

import os
import time

from hookgate.shell.shellstate import POSITIONAL, Command, State, bind_positional, norm  # noqa: F401
from hookgate.shell.words import GLOB, LIT, MAX_DEPTH, UNKNOWN, UNRES, Abort, Opaque, Seg

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from typing import Any

MAX_GLOB_MATCHES = 200
GLOB_CAP_WORD = "/$(glob past its cap)"  # an unknown name (ADR 0027): the guards' "any file here"
MAX_LOOP_ITEMS = 16
MAX_READ_ITEMS = 64  # `… | while read f` over known lines: the body once per line

_ARITH_ASSIGN = frozenset(("=", "+=", "-=", "*=", "/=", "%=", "<<=", ">>=", "&=", "^=", "|="))


def _unknown_var(st: State, name: str) -> State:
    b = st.copy()
    b.vars[name] = UNKNOWN
    return b


def _opaque_text(a) -> bool:
    """An unresolved access the guard cannot read as a pattern: a substitution or expansion
    left in its text (```dirname {}```, ``${f/doc/txt}``), beyond find's ``$(find)``."""
    text = (a.path if isinstance(a.path, str) else "").replace("$(find)", "")
    return not text or "$" in text or "`" in text


class CompoundMixin:
    """A part of ``walk.Walker``, which provides what is declared here (its contract)."""

    home: str
    deadline: float
    env: dict  # the agent's environment (its values str)
    accesses: list[Any]
    commands: list[Any]
    reasons: list[Any]
    src: bytes
    active_funcs: list[Any]
    local_frames: list[Any]
    ifs: Any
    dotglob: bool
    globstar: bool
    flagged: Any
    changed: list[Any]
    changed_unknown: bool
    command_text: str
    loop_depth: int

    if TYPE_CHECKING:
        def stmts(self, stmts: Any, st: Any, depth: int, feed: Any = None) -> None: ...
        def stmt(self, s: Any, st: Any, depth: int, feed: Any = None) -> None: ...
        def fields(self, word: Any, st: Any, depth: Any, quiet: Any = False) -> list[Any]: ...
        def word_segs(self, word: Any, st: Any, depth: Any) -> list[Any]: ...
        def part_segs(self, p: Any, st: Any, depth: Any, quoted: Any) -> list[Any]: ...
        def add(self, path: Any, mode: Any, resolved: Any, via: Any, tool: Any) -> None: ...
        def indeterminate(self, why: str) -> None: ...
        def dynamic_assignment(self, any_value: bool = True) -> None: ...

    # --- results ----------------------------------------------------------------------
    def never_runs(self, body) -> None:
        """A body the files there are now say runs zero times (an empty list file, a listing
        that finds nothing): those files can change before the command runs, so what the body
        names literally still counts (ADR 0021) — its unresolved accesses and unknowns do not."""
        n_acc, reasons = len(self.accesses), list(self.reasons)
        body()
        self.accesses[n_acc:] = [a for a in self.accesses[n_acc:] if a.resolved]
        self.reasons[:] = reasons

    def try_concrete(self, run_symbolic, concrete, run_lines, keep=()) -> None:
        """Run ``run_symbolic``; if it left something unknown (an unresolved access, other than
        the ``keep`` patterns, whose text is not a pattern) and ``concrete()`` gives the lines there are now
        (find's listing, a pipe's lines), undo it and ``run_lines(lines)`` instead — each item a
        literal, so ``${f/doc/txt}`` or ``$(dirname {})`` of a found file is known (ADR 0008
        item 6). ``concrete`` is called with the world as it was before the symbolic run."""
        n_acc, n_cmd, reasons = len(self.accesses), len(self.commands), list(self.reasons)
        n_changed, unknown_before = len(self.changed), self.changed_unknown
        run_symbolic()
        if concrete is None:
            return
        left = [a for a in self.accesses[n_acc:] if not a.resolved and a.path not in keep]
        flagged = self.flagged if self.flagged is not None else _opaque_text
        if not any(flagged(a) for a in left):
            return  # nothing the guards would call unknown: keep the symbolic result
        after = (self.changed, self.changed_unknown)
        self.changed, self.changed_unknown = self.changed[:n_changed], unknown_before
        lines = concrete()
        if lines is None or len(lines) > MAX_READ_ITEMS:
            self.changed, self.changed_unknown = after
            return
        # what the symbolic run named literally stays (ADR 0021): the files there are now can
        # change before the command runs (an empty listing filled), so they never clear it
        literal = [a for a in self.accesses[n_acc:] if a.resolved]
        del self.accesses[n_acc:]
        del self.commands[n_cmd:]
        self.reasons[:] = reasons
        run_lines(lines)
        have = set(self.accesses[n_acc:])
        self.accesses.extend(a for a in literal if a not in have)

    def unchanged(self, path: str) -> bool:
        """No write or delete so far in this command at ``path``, above it or under it, and no
        program that may have written anywhere (listing/read_now evaluate the world *now*)."""
        if self.changed_unknown:
            return False
        p = path.rstrip("/") or "/"
        for c in self.changed:
            c = c.rstrip("/") or "/"
            if c == p or p.startswith(c + "/") or c.startswith(p + "/") or p == "/" or c == "/":
                return False
        return True

    def emit_glob(self, text, mode, via, tool, st) -> None:
        """The accesses of a glob field: one per match now (at most ``MAX_GLOB_MATCHES``), the
        pattern itself, and past a cap any name in the directory it starts from (ADR 0027)."""
        p = norm(text, st.cwd)
        if p is None:
            self.add(text, mode, False, via + " (glob, cwd unknown)", tool)
            return
        from hookgate.shell import boundglob

        n = 0
        capped = ""
        try:
            for m in boundglob.iglob(p, recursive=self.globstar, include_hidden=self.dotglob,
                                     budget=boundglob.Budget(deadline=self.deadline)):
                n += 1
                if n > MAX_GLOB_MATCHES:
                    capped = f"more than {MAX_GLOB_MATCHES} matches"
                    break
                self.add(os.path.normpath(m), mode, True, via + " (glob match)", tool)
        except boundglob.GlobCap as e:
            capped = str(e)
        except (OSError, ValueError, RecursionError):
            capped = "the directory could not be listed"
        self.add(p, mode, False, "glob (dotglob)" if self.dotglob else "glob", tool)
        if capped:
            # ADR 0027: what the glob matches past the cap is unknown — any name in the
            # directory it starts from (the guards fail closed there), never nothing
            base = boundglob.base_dir(p)
            self.add(base.rstrip("/") + GLOB_CAP_WORD, mode, False, f"{via} (glob: {capped})", tool)
            self.indeterminate(f"glob {text[:80]}: {capped}; what it matches is unknown")

    def source_of(self, node) -> str:
        try:
            a, b = node["Pos"]["Offset"], node["End"]["Offset"]
            return self.src[a:b].decode("utf-8", "replace")
        except (KeyError, TypeError):
            return "$(…)"

    # --- nested scripts ----------------------------------------------------------------
    def script(self, text: str, st: State, depth: int, why: str, feed=None) -> None:
        """Analyse ``text`` as bash code (bash -c, eval, a here-doc fed to sh…)."""
        from hookgate.shell.parse import ParseError, parse

        if depth > MAX_DEPTH:
            raise Abort("nesting deeper than %d levels" % MAX_DEPTH)
        try:
            tree, _ = parse(text, max(0.05, min(2.0, self.deadline - time.monotonic())))
        except ParseError as e:
            self.indeterminate(f"{why}: {e}")
            return
        saved = self.src
        self.src = text.encode("utf-8", "surrogateescape")
        try:
            self.stmts(tree.get("Stmts") or [], st, depth, feed)
        finally:
            self.src = saved

    # --- compound commands -------------------------------------------------------------
    def compound(self, cmd, t, st, depth: int, feed=None) -> None:
        """A compound command (``if``, loops, ``case``, a function definition, a declaration,
        ``time``/``coproc``, ``[[ ]]``, arithmetic): ``Walker.command`` hands them here."""
        if t == "IfClause":
            branches = []
            node = cmd
            while node is not None:
                self.stmts(node.get("Cond") or [], st, depth)
                b = st.copy()
                self.stmts(node.get("Then") or [], b, depth, feed)
                branches.append(b)
                node = node.get("Else")
                if node is not None and not node.get("Cond"):
                    b = st.copy()
                    self.stmts(node.get("Then") or [], b, depth, feed)
                    branches.append(b)
                    st.take(branches)  # an `else`: one of the branches ran, never none
                    break
            else:
                st.merge(branches)
        elif t == "WhileClause":
            if self.read_loop(cmd, st, depth, feed):
                return

            def once(entry):
                b = entry.copy()
                self.stmts(cmd.get("Cond") or [], b, depth, feed)
                self.stmts(cmd.get("Do") or [], b, depth, feed)
                return [b]

            self.loop(st, once)
            self.stmts(cmd.get("Cond") or [], st, depth, feed)  # the last test, which ends it
        elif t == "ForClause":
            self.for_clause(cmd, st, depth, feed)
        elif t == "CaseClause":
            self.fields(cmd.get("Word"), st, depth)
            branches = []
            for item in cmd.get("Items") or []:
                for p in item.get("Patterns") or []:
                    self.fields(p, st, depth)
                b = st.copy()
                self.stmts(item.get("Stmts") or [], b, depth, feed)
                branches.append(b)
            st.merge(branches)
        elif t == "FuncDecl":
            name = (cmd.get("Name") or {}).get("Value")
            if name:
                st.funcs[name] = cmd.get("Body")
                if name in ("command_not_found_handle",) and cmd.get("Body"):
                    # bash runs it for any command it cannot find: analysed where defined (ADR 0021)
                    self.stmt(cmd["Body"], st.copy(), depth + 1, None)
        elif t == "DeclClause":
            self.decl(cmd, st, depth)
            st.vars["_"] = UNKNOWN
        elif t in ("TimeClause", "CoprocClause"):
            if cmd.get("Stmt"):
                self.stmt(cmd["Stmt"], st if t == "TimeClause" else st.copy(), depth, feed)
        elif t == "TestClause":
            self.scan(cmd.get("X"), st, depth)
            st.vars["_"] = UNKNOWN
        else:  # ArithmCmd, LetClause, anything new: only substitutions inside can act
            self.scan(cmd, st, depth)
            st.vars["_"] = UNKNOWN

    def read_loop(self, cmd, st, depth, feed) -> bool:
        """``… | while read [-r] f; do …; done`` over several known lines: the body once per
        line, as a for loop (``read`` strips blanks, and without -r backslashes)."""
        from hookgate.shell.builtins import read_value

        conds = cmd.get("Cond") or []
        if feed is None or cmd.get("Until") or len(conds) != 1 or conds[0].get("Redirs"):
            return False
        c0 = conds[0].get("Cmd") or {}
        if c0.get("Type") != "CallExpr":
            return False
        fields = []
        for w in c0.get("Args") or ():
            fields += self.fields(w, st.copy(), depth, quiet=True)
        if not fields or fields[0] != ("read", LIT) or any(k != LIT for _, k in fields):
            return False
        words = [t for t, _ in fields[1:]]
        raw = False
        while words and words[0].startswith("-") and len(words[0]) > 1:
            if words[0] == "-d" and len(words) > 1 and words[1] in ("", "\0"):
                words = words[2:]  # `read -d ''`: NUL-separated records (find -print0)
                continue
            if set(words[0][1:]) - set("r"):
                return False
            raw = True
            words = words[1:]
        if len(words) != 1 or not words[0].isidentifier():
            return False
        if feed.items is not None:
            items = feed.items
        elif feed.text is not None:
            from hookgate.shell.listing import split_lines

            items = [(x, LIT) for x in split_lines(feed.text)]
        else:
            return False
        name = words[0]

        def over(lines) -> None:
            values = [read_value(x, raw) for x in lines]

            def once(entry):
                branches = []
                for v in values:
                    b = entry.copy()
                    b.vars[name] = UNKNOWN if v is None else v
                    b.vars["_"] = name  # `$_` after `read -r NAME`
                    self.stmts(cmd.get("Do") or [], b, depth)
                    branches.append(b)
                return branches

            if values:
                self.loop(st, once, (name,))
            else:  # (no line now: the body never runs — unless the input changes first)
                self.never_runs(lambda: self.stmts(cmd.get("Do") or [], _unknown_var(st, name), depth))
            st.vars[name] = UNKNOWN
            st.vars["_"] = name

        if all(k == LIT for _, k in items) and len(items) <= MAX_READ_ITEMS:
            over(items)
            return True
        if feed.concrete is None or len(items) > MAX_READ_ITEMS:
            return False

        def symbolic() -> None:
            def once(entry):
                b = entry.copy()
                self.stmts(conds, b, depth, feed)
                self.stmts(cmd.get("Do") or [], b, depth, feed)
                return [b]

            self.loop(st, once)
            self.stmts(conds, st, depth, feed)

        self.try_concrete(symbolic, feed.concrete, lambda lines: over([(x, LIT) for x in lines]),
                          {t for t, k in items if k != LIT})
        return True

    def loop(self, st: State, once, ignore=()) -> None:
        """A loop body: ``once(entry)`` walks it (per item) from ``entry`` and gives the states
        it ends in. What one iteration changes, the next starts with: a variable (or the cwd)
        an iteration changes is unknown at the start of the next, so the body is walked again
        from there until nothing new changes (``f=a; while …; do cat $f; f=.env; done``). The
        loop ends in any of those states, or (no iteration) in ``st``."""
        entry = st
        changed_cwd = False
        changed: set = set()
        exits = once(entry)
        text = self.command_text

        def carried(k, b) -> bool:
            old = entry.vars.get(k, None)
            if old is UNKNOWN or k in ignore or b.vars.get(k, None) is old or b.vars.get(k, None) == old:
                return False
            if k == "_":
                return "$_" in text or "${_" in text
            return k in text or k.isdigit() or k in ("@", "*", "#")  # (a name never written is never read)

        for _ in range(3):
            new = {k for b in exits for k in set(b.vars) | set(entry.vars) if carried(k, b)}
            cwd_moved = any(b.cwd != entry.cwd for b in exits) and entry.cwd is not UNKNOWN
            if not new and not cwd_moved:
                break
            changed |= new
            changed_cwd = changed_cwd or cwd_moved
            entry = entry.copy()
            for k in new:
                entry.vars[k] = UNKNOWN
            if cwd_moved:
                entry.cwd = UNKNOWN
            exits = exits + once(entry)
        st.merge(exits)
        for k in changed:
            st.vars[k] = UNKNOWN
        if changed_cwd:
            st.cwd = UNKNOWN

    def for_clause(self, cmd, st, depth, feed) -> None:
        loop = cmd.get("Loop") or {}
        body = cmd.get("Do") or []
        if loop.get("Type") != "WordIter":

            def once(entry):
                b = entry.copy()
                self.scan(loop, b, depth)
                self.stmts(body, b, depth, feed)
                return [b]

            self.scan(loop, st, depth)
            self.loop(st, once)
            return
        name = (loop.get("Name") or {}).get("Value", "")
        items = []
        for w in loop.get("Items") or []:
            items += self.fields(w, st, depth)
        if "Items" not in loop and not loop.get("InPos"):
            items = [("$@", UNRES)]

        def run(items) -> None:
            def once(entry):
                branches = []
                if len(items) > MAX_LOOP_ITEMS:
                    b = entry.copy()
                    b.vars[name] = UNKNOWN
                    # the loop variable names each item: analyse the body once per pattern item
                    globs = [f for f in items if f[1] == GLOB][:4]
                    self.stmts(body, b, depth, feed)
                    branches.append(b)
                    for g in globs:
                        b = entry.copy()
                        b.vars[name] = g
                        self.stmts(body, b, depth, feed)
                        branches.append(b)
                else:
                    for text, kind in items:
                        b = entry.copy()
                        # a glob item stays a glob; an unresolved one keeps its text (find's pattern)
                        b.vars[name] = text if kind == LIT else (text, kind) if kind == GLOB else Opaque(text)
                        self.stmts(body, b, depth, feed)
                        branches.append(b)
                return branches

            if items:
                self.loop(st, once, (name,))
            elif loop.get("Items"):
                self.never_runs(lambda: self.stmts(body, _unknown_var(st, name), depth, feed))
            st.vars[name] = UNKNOWN

        if all(k == LIT for _, k in items) or len(items) > MAX_LOOP_ITEMS:
            run(items)
            return
        words = loop.get("Items") or []
        self.try_concrete(lambda: run(items), lambda: self._loop_items_now(words, items, st, depth),
                          lambda lines: run([(x, LIT) for x in lines]),
                          {t for t, k in items if k == UNRES})

    def _loop_items_now(self, words, items, st, depth):
        """The items of ``for x in WORDS`` over the files there are now: globs expanded (the
        pattern itself when nothing matches, as bash does), one ``$(…)`` run (``listing``), its
        lines and their blank-separated words (IFS may be newline or blanks). None: unknown."""
        import itertools

        cwd = st.cwd if isinstance(st.cwd, str) else None
        if cwd is None or not self.unchanged(cwd):
            return None
        if len(words) == 1 and len(words[0].get("Parts") or []) == 1 and words[0]["Parts"][0].get("Type") == "CmdSubst":
            stmts = words[0]["Parts"][0].get("Stmts") or []
            if len(stmts) != 1:
                return None
            from hookgate.shell.flow import lines_of

            lines = lines_of(self, stmts[0], st, depth)
            if lines is None or any(c in x for x in lines for c in "*?["):
                return None
            out = []
            for x in lines:
                for y in [x] + x.split():
                    if y and y not in out:
                        out.append(y)
            return out
        out = []
        for text, kind in items:
            if kind == LIT:
                out.append(text)
            elif kind == GLOB:
                from hookgate.shell import boundglob

                try:
                    found = sorted(itertools.islice(boundglob.iglob(
                        text, root_dir=None if text.startswith("/") else cwd, include_hidden=self.dotglob,
                        recursive=self.globstar, budget=boundglob.Budget(deadline=self.deadline)), MAX_READ_ITEMS + 1))
                except (boundglob.GlobCap, OSError, ValueError, RecursionError):
                    return None  # unknown (ADR 0027)
                out += found or [text]
            else:
                return None
            if len(out) > MAX_READ_ITEMS:
                return None
        return out

    def decl(self, cmd, st, depth) -> None:
        variant = (cmd.get("Variant") or {}).get("Value", "")
        flags = [(a.get("Value") or {}).get("Parts") or [] for a in cmd.get("Args") or []
                 if a.get("Naked") and not (a.get("Name") or {}).get("Value")]
        glob_flag = any(p and p[0].get("Type") == "Lit" and p[0].get("Value", "")[:1] == "-"
                        and "g" in p[0].get("Value", "") for p in flags)
        frame = self.local_frames[-1] if self.local_frames and (
            variant == "local" or (variant in ("declare", "typeset") and not glob_flag)) else None
        if variant == "nameref":
            self.dynamic_assignment()  # a reference assigns another variable
        for a in cmd.get("Args") or []:
            name = (a.get("Name") or {}).get("Value")
            if a.get("Naked") and not name:
                fs = self.fields(a.get("Value"), st, depth)
                if any(k != LIT or (t[:1] not in "-+") for t, k in fs):
                    self.dynamic_assignment()  # `declare "$x=…"`: any variable
                if any(k != LIT or (t[:1] in "-+" and "n" in t[1:]) for t, k in fs):
                    self.dynamic_assignment()  # `declare -n r=f`: r=… assigns f
                continue
            if not name:
                continue
            if a.get("Naked"):
                if frame is not None:  # `local f`: a new, unset variable until the function returns
                    frame.add(name)
                    st.vars[name] = UNKNOWN
                continue
            if name == "GLOBIGNORE":
                self.dotglob = True
            val = self.assign_value(a, st, depth)
            if frame is not None:
                frame.add(name)
            st.vars[name] = val
            self.env_code(name, val, st, depth)
            self.special_assign(name, val, st, depth)
        self.commands.append(Command((variant,), variant, depth))

    def scan(self, node, st, depth) -> None:
        """Walk every substitution anywhere inside ``node`` (tests, arithmetic, …); a variable
        arithmetic assigns (``((n++))``, ``let n=1``, ``$((n=2))``) becomes unknown."""
        stack = [node]
        while stack:
            n = stack.pop()
            if isinstance(n, dict):
                t = n.get("Type")
                if t in ("CmdSubst", "ProcSubst"):
                    self.part_segs(n, st, depth, False)
                    continue
                if (t == "BinaryArithm" and n.get("Op") in _ARITH_ASSIGN) or (
                        t == "UnaryArithm" and n.get("Op") in ("++", "--")):
                    parts = (n.get("X") or {}).get("Parts") or []
                    name = parts[0].get("Value", "") if parts and parts[0].get("Type") == "Lit" else ""
                    name = name.split("[", 1)[0]
                    if name.isidentifier():
                        st.vars[name] = UNKNOWN
                    else:
                        self.dynamic_assignment(any_value=False)  # a target known only at run time (a number)
                stack.extend(v for k, v in n.items() if isinstance(v, (dict, list)))
            elif isinstance(n, list):
                stack.extend(n)

    # --- functions and assignments -----------------------------------------------------
    def call_function(self, body, fields, st, depth: int, feed) -> None:
        """A call of a shell function the command defined: its body, analysed here with ``$1``…
        bound to the arguments and its ``local`` names restored when it returns."""
        if self.active_funcs.count(id(body)) >= 1:  # true recursion: the body is already being analysed
            return
        self.active_funcs.append(id(body))
        saved = {k: st.vars.get(k, UNKNOWN) for k in POSITIONAL}
        before = dict(st.vars)
        self.local_frames.append(set())
        bind_positional(st, fields[1:])
        try:
            if body:
                self.stmt(body, st, depth + 1, feed)
        finally:
            self.active_funcs.pop()
            st.vars.update(saved)
            for n in self.local_frames.pop():  # a function's locals end with it
                if n in before:
                    st.vars[n] = before[n]
                else:
                    st.vars.pop(n, None)

    def assignments(self, assigns, with_args: bool, st, depth: int) -> None:
        """``NAME=value`` words of a simple command: set in the shell (no program: ``with_args``
        False), or in the program's environment only (``env_code`` judges what they carry)."""
        for a in assigns:
            if a["Name"]["Value"] == "GLOBIGNORE":
                self.dotglob = True
        if not with_args:
            for a in assigns:
                st.vars[a["Name"]["Value"]] = self.assign_value(a, st, depth)
                self.env_code(a["Name"]["Value"], st.vars[a["Name"]["Value"]], st, depth)
                self.special_assign(a["Name"]["Value"], st.vars[a["Name"]["Value"]], st, depth)
            return
        env = {}
        for a in assigns:
            env[a["Name"]["Value"]] = self.assign_value(a, st, depth)
        for k, v in env.items():
            self.env_code(k, v, st, depth, env)

    def assign_value(self, a, st, depth):
        from hookgate.shell.expand import fields_of

        if a.get("Array") is not None or a.get("Index") is not None:
            self.scan(a.get("Array") or a.get("Index"), st, depth)
            return UNKNOWN
        v = a.get("Value")
        val: object  # a str, or UNKNOWN
        if v is None:
            val = ""
        else:
            segs = self.word_segs(v, st, depth)
            if any(not s.known for s in segs):
                # unknown, but keep its text: `W=$(mktemp -d); … > $W/x` reports `$(mktemp -d)/x`
                return Opaque("".join(s.text for s in segs)) if len(segs) < 64 else UNKNOWN
            fs = fields_of([Seg(s.text, True) if s.expansion else s for s in segs], self.home)
            if len(fs) != 1 or fs[0][1] != LIT:
                val = "".join(s.text for s in segs) if all(s.known for s in segs) else UNKNOWN
                if not fs:
                    val = ""
            else:
                val = fs[0][0]
        if a.get("Append"):
            n = a["Name"]["Value"]
            old = st.vars[n] if n in st.vars else self.env.get(n, UNKNOWN)
            if old is UNKNOWN or val is UNKNOWN:
                return UNKNOWN
            return Opaque(old + val) if isinstance(old, Opaque) or isinstance(val, Opaque) else old + val
        return val

    def special_assign(self, name, value, st, depth) -> None:
        """Assignments that change how later text is read (ADR 0021): ``IFS`` (word splitting),
        and a value holding an array subscript with a substitution (``a='x[$(cmd)]'``), which
        arithmetic evaluation of the variable would run."""
        if name == "IFS":
            self.ifs = value if isinstance(value, str) and not isinstance(value, Opaque) else None
        if isinstance(value, str) and "[" in value and ("$(" in value or "`" in value):
            self.subscript_code(value, st, depth)

    def subscript_code(self, text: str, st, depth) -> None:
        """``NAME[…$(cmd)…]`` in a value or a name operand: bash runs the substitution when it
        evaluates the subscript (arithmetic, ``printf -v``, ``read``, ``unset``, ``[[ -v ]]``)."""
        i = text.find("[")
        j = text.rfind("]")
        body = text[i + 1 : j] if 0 <= i < j else text[i + 1 :]
        if "$(" in body or "`" in body:
            self.script("echo " + body, st.copy(), depth + 1, "array subscript")

    def env_code(self, name, value, st, depth, others=None) -> None:
        """A variable that carries code or a file (``PAGER``, ``BASH_ENV``, ``GIT_CONFIG_*``…):
        what its value runs or reads (``shell/envcode.py``, ADR 0021)."""
        from hookgate.shell import envcode

        if envcode.watched(name):
            envcode.assigned(self, name, value, st, depth, others)
