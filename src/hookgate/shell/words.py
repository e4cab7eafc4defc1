"""Word resolution like bash: quotes, ``$'…'``, braces, tilde, simple variables, globs.

A word becomes a list of *fields* ``(text, kind)``:

- ``LIT``: the exact string bash would pass;
- ``GLOB``: a pathname pattern (unquoted ``* ? [`` or an extglob); ``text`` is the pattern
  with quoted metacharacters escaped ``[*]`` so it can be matched with ``glob``;
- ``UNRES``: unknown at analysis time; ``text`` is the best textual form (``$F``,
  ``$(…)``, ``out/$F``).

Expansion order follows bash: brace → tilde → parameter/command substitution → field
splitting → pathname expansion → quote removal.
"""

from __future__ import annotations

LIT = 0
GLOB = 1
UNRES = 2

UNKNOWN = object()  # an unknown value (cwd, variable, stdin)


class Opaque(str):
    """A variable value unknown at analysis time, with a best textual form (a pattern)."""

    __slots__ = ()


class Alts(Opaque):
    """A variable that holds one of a few values after branches disagree (``true && A=.e``:
    ``A`` is ``.e`` or what it was before). ``choices``: str or UNKNOWN. Every consumer that
    does not expand alternatives sees an Opaque (unknown, ``$NAME``); a word expands to one
    field per choice (ADR 0021) — before, the merge made it unknown and ``${A}nv`` named no
    protected file."""

    __slots__ = ("choices",)
    choices: tuple[object, ...]  # str or UNKNOWN


MAX_ALTS = 8


def alts_of(name: str, values) -> object:
    """The merged value of ``name`` whose copies hold ``values`` (str, Alts, UNKNOWN, Opaque,
    a glob tuple): Alts of the distinct known choices plus UNKNOWN for the rest, or UNKNOWN."""
    out: list = []
    unknown = False
    for v in values:
        for c in (v.choices if isinstance(v, Alts) else (v,)):
            if isinstance(c, str) and not isinstance(c, Opaque):
                if c not in out:
                    out.append(c)
            else:
                unknown = True
    if not out or len(out) > MAX_ALTS or any(len(c) > 4096 for c in out):
        return UNKNOWN
    a = Alts("$" + name)
    a.choices = tuple(out) + ((UNKNOWN,) if unknown else ())
    return a


MAX_DEPTH = 12  # nesting of substitutions, scripts and function calls the walk follows


class Abort(Exception):
    """Analysis stopped at a cap (depth, size, time): the command is indeterminate."""


_GLOB_CHARS = frozenset("*?[")
_IFS = " \t\n"
MAX_BRACE = 256


class Seg:
    """One piece of a word: text, quoted?, known?, from an expansion (splits, globs)?"""

    __slots__ = ("text", "quoted", "known", "expansion")

    def __init__(self, text, quoted=False, known=True, expansion=False):
        self.text = text
        self.quoted = quoted
        self.known = known
        self.expansion = expansion


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
