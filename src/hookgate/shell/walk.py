"""Walk a mvdan/sh syntax tree: statements, redirections, words, nesting, state.

State that bash would carry between commands is tracked where it is static: the working
directory (``cd``/``pushd``, scoped to subshells, pipelines and substitutions), simple
variables (``F=.env; … > $F``), and functions. Branches that disagree (``if``/``case``/
``||``) make the disagreeing facts unknown, never guessed.
"""

from __future__ import annotations

import os
import sys
import time

from hookgate.core.event import Access
from hookgate.shell.shellstate import (  # noqa: F401 (re-exported)
    POSITIONAL, Call, Command, State, Vars, bind_positional, norm, positional_unknown,
)
from hookgate.shell.words import GLOB, LIT, MAX_DEPTH, UNKNOWN, UNRES, Abort, Opaque  # noqa: F401 (re-exported)

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the parts are real bases for the type checker, loaded lazily at run time
    from hookgate.shell.compound import CompoundMixin
    from hookgate.shell.expand import WordsMixin
    from hookgate.shell.redirs import RedirMixin

    class _Parts(WordsMixin, RedirMixin, CompoundMixin):
        pass
else:
    _Parts = object

MAX_COMMANDS = 4000

_SKIP_PATHS = frozenset(("/dev/null", "/dev/stdin", "/dev/stdout", "/dev/stderr", "/dev/tty", "-"))


_NAME_OPERAND_BUILTINS = frozenset(("printf", "read", "declare", "typeset", "local", "export", "readonly", "unset",
                                    "let", "test", "[", "mapfile", "readarray", "wait", "getopts", "echo"))

# The walker's parts a simple command of plain words does not run (ADR 0007, "Layout"): each a
# mixin in a module of its own, whose methods join the Walker the first time one of them is
# looked up (``Walker.__getattr__``), so ``git status`` loads none of them (ADR 0017). Module →
# (mixin, every method it defines); ``tests/unit/shell/test_walk_parts.py`` holds each row to
# its mixin. A part that cannot be imported raises out of the lookup: the walk ends in
# "analysis failure" and the command is indeterminate (the guards fail closed on it).
_PARTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "hookgate.shell.expand": ("WordsMixin", (
        "word_fields", "expand", "_ifs_segs", "word_segs", "part_segs", "param", "_word_text", "_pattern", "_trim",
        "_replace")),
    "hookgate.shell.redirs": ("RedirMixin", (
        "redirects", "_herestring_now", "heredoc", "pipe_feed", "_concrete", "_pipe_text")),
    "hookgate.shell.compound": ("CompoundMixin", (
        "never_runs", "try_concrete", "unchanged", "emit_glob", "source_of", "script", "compound", "read_loop", "loop",
        "for_clause", "_loop_items_now", "decl", "scan", "call_function", "assignments", "assign_value",
        "special_assign", "subscript_code", "env_code")),
}
_PART_OF: dict[str, str] = {n: m for m, (_, names) in _PARTS.items() for n in names}


def _quoted_literal(parts) -> str | None:
    """The one field of a word made of quoted literals and plain literal text (``-m "fix: x"``,
    ``'*.py'``, ``a'b'"c"``): what bash passes, with nothing to expand — no ``$``, backslash,
    brace, tilde or glob character outside quotes, no ``$'…'``, nothing but text in double
    quotes. None for any other word (``expand`` resolves it)."""
    out = []
    quoted = False
    for p in parts:
        t = p.get("Type")
        if t == "Lit":
            v = p.get("Value", "")
            if any(c in v for c in "\\{~*?["):
                return None
        elif t == "SglQuoted" and not p.get("Dollar"):
            v = p.get("Value", "")
            quoted = True
        elif t == "DblQuoted":
            inner = p.get("Parts") or []
            if any(q.get("Type") != "Lit" or "\\" in q.get("Value", "") for q in inner):
                return None
            v = "".join(q.get("Value", "") for q in inner)
            quoted = True
        else:
            return None
        out.append(v)
    return "".join(out) if quoted else None


def _graft(module: str) -> None:
    """Import ``module`` and give the Walker its mixin's methods (named in ``_PARTS``)."""
    __import__(module)
    mixin_name, names = _PARTS[module]
    mixin = getattr(sys.modules[module], mixin_name)
    for n in names:
        if n in mixin.__dict__:
            setattr(Walker, n, mixin.__dict__[n])


class Walker(_Parts):
    """One walk of a parsed command: everything it needs is given here, nothing is set on it
    from outside afterwards.

    *command*: the command text (free variables are checked against it; a glob option named
    anywhere in it widens every glob); *env*: the agent's environment (``freevars.environment``),
    or *env_from*: the environment the hook inherits, made into it on first use (``env``);
    *may_read*, *flagged*: the engine's predicates (``shell.analyse``); *no_free*: names that
    may not be free (True: none may); *all_unknown*: no variable's value is known; *src*: the
    command's bytes, when the tree's offsets index them (not on the fast path)."""

    def __init__(self, home: str, deadline: float, *, command: str = "", env: dict | None = None,
                 may_read=None, flagged=None, no_free: set | bool | None = None, all_unknown: bool = False,
                 src: bytes = b"", env_from: dict | None = None):
        self.home = home
        self.deadline = deadline
        self.accesses: list = []
        self.commands: list = []
        self.reasons: list = []
        self.src = src
        self.ncmd = 0
        self.active_funcs: list = []
        self.local_frames: list = []  # per function call: the names it made local
        self.hashed: dict = {}  # `hash -p PATH NAME`: NAME runs PATH (ADR 0021)
        self.ifs = False  # IFS assigned (a str, or None: unknown): expansions split otherwise
        self.script_nesting = 0  # scripts run by path, analysed as they are now (scripts.py)
        # bash glob options that widen what a glob matches (shopt -s dotglob/globstar,
        # GLOBIGNORE, bash -O …): once seen anywhere, every glob is expanded with them
        self.dotglob = False
        self.globstar = False
        self.may_read = may_read  # files the engine may read now (listing.read_now); None: none
        # flagged(access) -> bool: would a guard deny or ask about this unresolved access? (the
        # policy, from the engine; None: any substitution left in its text counts)
        self.flagged = flagged
        self.changed: list = []  # paths written or deleted so far (resolved)
        self.changed_unknown = False  # a write somewhere unknown, or a program we do not know ran
        self.lines_superset = False  # the last concrete lines may hold more than the real output
        self.hook_reads: list = []
        # free variables (freevars): the command text they are checked against, the names
        # resolved as free in this pass, names that may not be (True: none may), and whether a
        # dynamic assignment (`source`, `declare -n`, `printf -v "$x"`) was seen
        self.command_text = command
        self._env = env if env is not None or env_from is not None else {}
        self._env_from = env_from
        self.free_used: set = set()
        self.no_free: set | bool = set() if no_free is None else no_free
        self.open_vars = False
        # a name reference (`declare -n`), `source`, `eval` of unknown text or an assignment to
        # a name known only at run time was seen: any variable may have been set, so in the next
        # pass no variable's value is known (``all_unknown``)
        self.any_assigned = False
        self.all_unknown = all_unknown
        self.loop_depth = 0  # inside a loop body or condition (walked once, run many times)
        self.dynamic_in_loop = False
        self.glob_options(command)

    def dynamic_assignment(self, any_value: bool = True) -> None:
        """An assignment to a name known only at run time (``source``, ``eval "$x"``,
        ``declare -n``, ``printf -v "$x"``, ``mapfile -C``): from here on no variable is free,
        and (``any_value``) no variable's value is known. In a loop body, where the walk is once
        but bash runs it again, the analysis is redone with that from the start."""
        self.open_vars = True
        if any_value:
            self.any_assigned = self.all_unknown = True
        if self.loop_depth:
            self.dynamic_in_loop = True

    @property
    def env(self) -> dict:
        """The agent's environment (``freevars.environment`` of ``env_from``, ``HOME`` the
        analysis' home), made on first use: a command that expands no variable loads no
        ``freevars`` (ADR 0017)."""
        if self._env is None:
            from hookgate.shell.freevars import environment

            env = environment(self._env_from or {})
            env["HOME"] = self.home
            self._env = env
        return self._env

    @env.setter
    def env(self, value: dict) -> None:
        self._env = value

    def is_free(self, name: str, st) -> bool:
        """Is ``name`` (absent from the state) a free variable: unset in the agent's shell?"""
        from hookgate.shell.freevars import candidate, textually_assigned

        if self.no_free is True or self.open_vars or (self.no_free and name in self.no_free) \
                or name in st.vars.assigned:
            return False
        if not candidate(name) or textually_assigned(self.command_text, name):
            return False
        self.free_used.add(name)
        return True

    def glob_options(self, text: str) -> None:
        low = text.lower()
        if "dotglob" in low or "globignore" in low:
            self.dotglob = True
        if "globstar" in low:
            self.globstar = True

    if not TYPE_CHECKING:  # (at run time only: the type checker sees the parts as bases)
        def __getattr__(self, name):
            module = _PART_OF.get(name)
            if module is None or name in Walker.__dict__:
                raise AttributeError(f"'Walker' object has no attribute {name!r}")
            _graft(module)
            if name not in Walker.__dict__:
                raise AttributeError(f"'Walker' object has no attribute {name!r} (not in {module})")
            return getattr(self, name)

    # --- results ----------------------------------------------------------------------
    def indeterminate(self, why: str) -> None:
        if why not in self.reasons:
            self.reasons.append(why)

    def add(self, path, mode, resolved, via, tool) -> None:
        self.accesses.append(Access(path, mode, resolved, via, tool))
        if mode in ("write", "delete"):
            if resolved and isinstance(path, str):
                self.changed.append(path)
            else:
                self.changed_unknown = True

    def emit(self, field, mode, via, tool, st, allow_dir=True) -> None:
        """An access to the file named by a field (text, kind)."""
        text, kind = field
        if kind == LIT and "${__hg_found}" in text:
            found = st.vars.get("__hg_found")
            text, kind = text.replace("${__hg_found}", found if isinstance(found, str) else "*"), UNRES
        if kind == LIT:
            if text in _SKIP_PATHS or text == "":
                return
            p = norm(text, st.cwd)
            if p is None:
                self.add(text, mode, False, via + " (cwd unknown)", tool)
            elif p.startswith("/dev/fd/") or p.startswith("/proc/self/fd/"):
                return
            else:
                self.add(p, mode, True, via, tool)
        elif kind == GLOB:
            self.emit_glob(text, mode, via, tool, st)
        else:
            if text[:1] in ("$", "`", "~") or st.cwd is UNKNOWN:
                self.add(text, mode, False, via, tool)
            elif text[:1] == "/":
                self.add(os.path.normpath(text) if "$" not in text and "`" not in text else text, mode, False, via, tool)
            else:
                self.add(st.cwd.rstrip("/") + "/" + text, mode, False, via, tool)

    def tick(self) -> None:
        self.ncmd += 1
        if self.ncmd > MAX_COMMANDS:
            raise Abort("command too complex (over %d simple commands)" % MAX_COMMANDS)
        if (self.ncmd & 31) == 0 and time.monotonic() > self.deadline:
            raise Abort("analysis time cap exceeded")

    # --- statements --------------------------------------------------------------------
    def stmts(self, stmts, st: State, depth: int, feed=None) -> None:
        for s in stmts:
            self.stmt(s, st, depth, feed)

    def stmt(self, s, st: State, depth: int, feed=None) -> None:
        cmd = s.get("Cmd")
        if s.get("Background"):
            st = st.copy()
        redirs = s.get("Redirs")
        if redirs:
            feed = self.redirects(redirs, cmd, st, depth) or feed
        if cmd is not None:
            self.command(cmd, st, depth, feed)

    # --- commands ----------------------------------------------------------------------
    def command(self, cmd, st: State, depth: int, feed=None) -> None:
        t = cmd.get("Type")
        if t in ("WhileClause", "ForClause"):
            self.loop_depth += 1
            try:
                self._command(cmd, t, st, depth, feed)
            finally:
                self.loop_depth -= 1
            return
        self._command(cmd, t, st, depth, feed)

    def _command(self, cmd, t, st: State, depth: int, feed=None) -> None:
        if t == "CallExpr":
            self.call_expr(cmd, st, depth, feed)
        elif t == "BinaryCmd":
            op = cmd.get("Op")
            if op in ("|", "|&"):
                left = cmd["X"]
                self.stmt(left, st.copy(), depth, feed)
                self.stmt(cmd["Y"], st.copy(), depth, self.pipe_feed(left, st, depth))
            elif op == "&&":  # Y runs only if X succeeds: a variable Y sets may not be set after
                self.stmt(cmd["X"], st, depth, feed)
                b = st.copy()
                self.stmt(cmd["Y"], b, depth, feed)
                cwd, dirstack = b.cwd, b.dirstack
                st.merge([b])
                # (the directory follows Y, as a `cd` is taken to succeed everywhere: `cd d && …`)
                st.cwd, st.dirstack = cwd, dirstack
            else:  # ||
                self.stmt(cmd["X"], st, depth, feed)
                b = st.copy()
                self.stmt(cmd["Y"], b, depth, feed)
                st.merge([b])
        elif t in ("Subshell",):
            self.stmts(cmd.get("Stmts") or [], st.copy(), depth, feed)
        elif t == "Block":
            self.stmts(cmd.get("Stmts") or [], st, depth, feed)
        else:  # if, loops, case, functions, declarations, [[ ]], arithmetic (compound.py)
            self.compound(cmd, t, st, depth, feed)

    # --- simple commands ---------------------------------------------------------------
    def fields(self, word, st, depth, quiet=False) -> list:
        """The fields of a word (``expand.WordsMixin.word_fields``); a plain literal is its own
        field, without loading the expansion."""
        if word is None:
            return []
        parts = word.get("Parts") or []
        if len(parts) == 1 and parts[0].get("Type") == "Lit":
            v = parts[0].get("Value", "")
            if v and not any(c in v for c in "\\{~*?["):
                return [(v, LIT)]
        text = _quoted_literal(parts)
        if text is not None:
            self.word_alone = False  # (as expanding it leaves it: no `$(…)` is the whole word)
            return [(text, LIT)]
        return self.word_fields(word, st, depth, quiet)

    def call_expr(self, cmd, st: State, depth: int, feed) -> None:
        self.tick()
        assigns = cmd.get("Assigns")
        args = cmd.get("Args") or []
        if assigns:
            self.assignments(assigns, bool(args), st, depth)
            if not args:
                st.vars["_"] = UNKNOWN
                return
        fields = []
        for w in args:
            fields += self.fields(w, st, depth)
        self.run(fields, st, depth, feed)
        # `$_`: the last argument of the previous simple command (`mkdir -p d && cd $_`)
        t, k = fields[-1] if fields else ("", LIT)
        st.vars["_"] = t if k == LIT else (t, k) if k == GLOB else Opaque(t)

    def run(self, fields, st: State, depth: int, feed=None, wrappers=()) -> None:
        """Execute argv ``fields`` (after expansion): unwrap, then the command table."""
        from hookgate.shell import table as T

        if depth > MAX_DEPTH:
            raise Abort("nesting deeper than %d levels" % MAX_DEPTH)
        if not fields:
            return
        text, kind = fields[0]
        if kind != LIT:
            self.commands.append(Command(tuple(None if k == UNRES else t for t, k in fields), None, depth, wrappers))
            self.indeterminate(f"the command name `{text}` cannot be resolved statically")
            return
        name = text.rsplit("/", 1)[-1] if "/" in text else text
        wrap = T.wrapper_for(name)
        if wrap is not None:
            self.commands.append(Command(tuple(None if k == UNRES else t for t, k in fields), name, depth, wrappers))
            inner = wrap(Call(self, name, fields, st, depth, feed))
            if inner is not None:
                if isinstance(inner, tuple):
                    inner, st = inner
                self.run(inner, st, depth, feed, wrappers + (name,))
            return
        argv = tuple(None if k == UNRES else t for t, k in fields)
        self.commands.append(Command(argv, name, depth, wrappers))
        if name in _NAME_OPERAND_BUILTINS:
            for t, k in fields[1:]:
                if k == LIT and "[" in t and ("$(" in t or "`" in t):
                    self.subscript_code(t, st, depth)
        if name in self.hashed and "/" not in text and not wrappers:
            hashed = self.hashed[name]
            self.run([(hashed, LIT)] + list(fields[1:]), st, depth, feed, wrappers + ("hash -p",))
            return
        if "/" not in text and name in st.funcs and not (wrappers and wrappers[-1] in ("command", "builtin")):
            self.call_function(st.funcs[name], fields, st, depth, feed)
            return
        handler = T.handler_for(name)
        if "/" in text and not T.known(name):
            from hookgate.shell.scripts import run_script

            # `./t.sh`: the file as it is now, by its shebang (ADR 0021)
            run_script(Call(self, name, fields, st, depth, feed), fields[0], None, fields[1:], "script run by path")
        if name in T.PROGOPTS_NAMES:  # options and mini-languages that read, write or run (ADR 0021)
            T.progopts_extra(Call(self, name, fields, st, depth, feed))
        if name in T.BULK_NAMES:  # recursive readers over a directory holding protected files
            T.bulk_extra(Call(self, name, fields, st, depth, feed))
        handler(Call(self, name, fields, st, depth, feed))
