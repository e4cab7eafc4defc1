"""Unresolved words and globs → path patterns for the classifier (ADR 0008/0009).

An access whose path is not known statically (``$WORK/out.log``, ``.env.$X``, ``$(cmd)``, a
glob) is matched as a pattern: :func:`unresolved_pattern`, :func:`glob_pattern`, with a
:class:`SpanResolver` for what the spans can stand for. Split from ``policy.classify`` so
that a decision on literal paths (a Write, a Read, ``cat .env``) does not load it (ADR 0017).
"""

from __future__ import annotations

from hookgate.state.globs import MAGIC, seg_kind, split

# --- unresolved words → patterns --------------------------------------------------------

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
SENT = "\x01"  # an unknown span: may be anything
TAME = "\x02"  # a span that is data the agent does not choose (a number, a date, a user name)
TEMP_VARS = frozenset(("TMPDIR", "TMP", "TEMP", "RUNNER_TEMP"))
NUMERIC_PARAMS = frozenset(("$", "!", "?", "#", "0", "-", "RANDOM", "SECONDS", "LINENO", "BASHPID", "PPID",
                            "UID", "EUID", "SRANDOM", "EPOCHSECONDS", "EPOCHREALTIME"))
# command substitutions whose output is information, not a name the agent picks
TAME_COMMANDS = frozenset(("date", "whoami", "hostname", "uname", "id", "nproc", "arch", "logname",
                           "seq", "expr", "getconf", "tty", "users"))
NEVER_FREE = frozenset(("REPLY", "OPTARG", "OPTIND", "BASH_REMATCH", "MAPFILE", "COPROC", "PWD", "OLDPWD", "_"))


def _span_end(text: str, i: int) -> tuple[int, str, str]:
    """(end index, variable name, body) of the unknown span at text[i] (``$…`` or a
    backquote). name: the variable of ``$NAME``/``${NAME}``/``${NAME…}``; body: the text
    inside ``$( )``/backquotes/``${ }``."""
    n = len(text)
    c = text[i]
    if c == "`":
        k = text.find("`", i + 1)
        k = n if k < 0 else k
        return min(n, k + 1), "", text[i + 1 : k]
    if i + 1 >= n:
        return n, "", ""
    d = text[i + 1]
    if d in "({":
        close = ")" if d == "(" else "}"
        depth, k = 0, i + 1
        while k < n:
            if text[k] == d:
                depth += 1
            elif text[k] == close:
                depth -= 1
                if depth == 0:
                    break
            k += 1
        body = text[i + 2 : k]
        name = ""
        if d == "{":
            j = 0
            while j < len(body) and body[j] in _NAME_CHARS:
                j += 1
            name = body[:j] if j else body[:1]
            if not j and body[:1] == "!" and len(body) > 1:
                name = ""  # `${!X}`: the variable X names (any), not `$!`
        return min(n, k + 1), name, body
    if d in _NAME_CHARS:
        k = i + 1
        while k < n and text[k] in _NAME_CHARS:
            k += 1
        return k, text[i + 1 : k], ""
    return i + 2, d, ""


class SpanResolver:
    """What an unknown span of an unresolved word can stand for (ADR 0008).

    - ``$HOME`` → home; ``$TMPDIR`` and variables assigned from ``mktemp`` → a temp dir;
    - a *free* variable (the command never assigns it, sources nothing, evals nothing) takes
      its value from the agent's environment, which the hook inherits and the agent cannot
      change between calls (each shell call is a fresh process): set → that value; unset →
      the documented default of well-known variables (``$KUBECONFIG`` → ``~/.kube/config``),
      otherwise empty, as bash expands it;
    - ``$$``, ``$RANDOM``, ``$(date …)``, ``$(whoami)`` → data the agent does not pick (TAME);
    - anything else (command substitutions, assigned-from-unknown variables, positional
      parameters, xargs input) → unknown.
    """

    __slots__ = ("command", "env", "home", "temp_vars", "sources", "assigned")

    def __init__(self, command: str, env: dict, home: str, temp_vars=(), sources: bool = False, assigned=()):
        self.command = command or ""
        self.env = env or {}
        self.home = home
        self.temp_vars = temp_vars
        self.sources = sources  # the command sources/evals code: no variable is free
        self.assigned = assigned  # names the shell engine saw assigned anywhere (Analysis.assigned)

    def free(self, name: str) -> bool:
        from hookgate.shell.freevars import textually_free

        if self.sources or not name or name in NEVER_FREE or name[0].isdigit() or name in self.assigned:
            return False
        if not all(c in _NAME_CHARS for c in name):
            return False
        return textually_free(self.command, name)

    def value(self, name: str, body: str, is_subst: bool):
        """Replacement text, TAME, or None (unknown)."""
        # where well-known variables point: only for a `$` span, so a literal path (a Write, a
        # Read) never loads the shell package (ADR 0017's import budget)
        from hookgate.shell.freevars import DEFAULT_VALUES

        if is_subst:
            first = body.strip().split(None, 1)[0] if body.strip() else ""
            if first.rsplit("/", 1)[-1] in TAME_COMMANDS:
                return TAME
            if first == "mktemp":
                return "/tmp/tmp.hookgate"
            words = body.split()
            if "|" not in body and ";" not in body and (
                (len(words) == 2 and words[0] == "which") or words[:2] == ["command", "-v"] and len(words) == 3
            ):
                prog = words[-1].strip("'\"")
                if prog and "$" not in prog and "`" not in prog:
                    # an executable found on PATH: some PATH directory, then that name
                    return prog if "/" in prog else TAME + "/" + prog
            return None
        if name == "HOME" and (not body or body == "HOME"):
            return self.home
        if name in TEMP_VARS or name in self.temp_vars:
            return "/tmp/tmp.hookgate"
        if name in NUMERIC_PARAMS:
            return TAME
        if body and body != name:
            # ${NAME:-x}, ${NAME#…}, ${NAME/a/b}: known only for a free, unset variable
            if not self.free(name) or name in self.env:
                return None
            op = body[len(name) :]
            for pre in (":-", ":=", "-", "="):
                if op.startswith(pre):
                    dflt = op[len(pre) :]
                    if "$" in dflt or "`" in dflt:
                        return None
                    return self.home + dflt[1:] if dflt.startswith("~/") or dflt == "~" else dflt
            if name in DEFAULT_VALUES:
                return None
            return ""  # every other operator of an unset variable expands to nothing
        if self.free(name):
            v = self.env.get(name)
            if v is None:
                v = DEFAULT_VALUES.get(name, "")
            if v.startswith("~/"):
                v = self.home + v[1:]
            return v
        return None


def _substituted(text: str, home: str, resolver: SpanResolver | None) -> str:
    """``text`` with each ``$…``/backquote span replaced by what the resolver knows of it, and
    SENT where nothing is known (without a resolver only ``$HOME`` is known)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "$" or c == "`":
            k, name, body = _span_end(text, i)
            is_subst = c == "`" or text[i + 1 : i + 2] == "("
            v = resolver.value(name, body, is_subst) if resolver is not None else None
            if v is None and resolver is None and name == "HOME" and not is_subst:
                v = home
            out.append(SENT if v is None else v)
            i = max(k, i + 1)
        else:
            out.append(c)
            i += 1
    return "".join(out)


def concrete_text(text: str, resolver: SpanResolver | None):
    """``text`` with every ``$…``/backquote span replaced by its known value, or None when a
    span is unknown (or data the agent does not pick, which is no fixed path either)."""
    if resolver is None:
        return None
    s = _substituted(text, resolver.home, resolver)
    return None if (SENT in s or TAME in s) else s


def unresolved_pattern(text: str, home: str, resolver: SpanResolver | None = None):
    """An unresolved word (``$WORK/out.log``, ``.env.$X``, ``$(cmd)``) → (segs, kinds).

    Unknown spans become wildcards: a span that is a whole directory component → ``U``
    (any directories, never a protected name); the whole final component → ``F`` (any
    path at all); a span inside a name → ``*`` within that name (which, like a glob's
    wildcard, never stands for the protecting part of a name). Spans the resolver knows
    are replaced first.
    """
    s = _substituted(text, home, resolver).lower()
    if s.startswith("~/") or s == "~":
        s = home.lower() + s[1:]
    absolute = s.startswith("/")
    parts = [p for p in s.split("/") if p and p != "."]
    segs: list = []
    kinds = []
    if not absolute and not (parts and parts[0][:1] in (SENT, TAME)):
        segs.append("")  # a relative word with an unknown cwd: unknown directories first
        kinds.append("U")
    last = len(parts) - 1
    for idx, p in enumerate(parts):
        if p == "..":
            segs.append("")
            kinds.append("U")
            continue
        if SENT in p or TAME in p:
            bare = p.replace(SENT, "").replace(TAME, "")
            if not bare:
                segs.append("")
                kinds.append("F" if (idx == last and SENT in p) else "U")
            else:
                g = p.replace(SENT, "*").replace(TAME, "*")
                while "**" in g:
                    g = g.replace("**", "*")
                segs.append(g)
                kinds.append("G")
            continue
        k = seg_kind(p)
        if k == "G" and not (set(p) - MAGIC):
            k = "W"
        elif k == "D":
            k = "U"
        segs.append(p)
        kinds.append(k)
    if not parts:
        if not s:
            return [], ""  # expands to nothing: no file
        segs.append("")
        kinds.append("F")
    # merge runs of unknown directories
    ms, mk = [], []
    for s_, k_ in zip(segs, kinds):
        if mk and k_ in "UF" and mk[-1] in "UF":
            mk[-1] = "F" if "F" in (k_, mk[-1]) else "U"
            continue
        ms.append(s_)
        mk.append(k_)
    return ms, "".join(mk)


def glob_pattern(text: str):
    """A shell or tool glob (absolute) → (segs, kinds) with wildcard-only segments as ``W``."""
    segs = split(text.lower())
    kinds = []
    for p in segs:
        k = seg_kind(p)
        if k == "D":
            k = "U"
        elif k == "G" and not (set(p) - MAGIC):
            k = "W"
        kinds.append(k)
    if not segs:
        return [""], "F"
    return segs, "".join(kinds)
