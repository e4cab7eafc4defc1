"""What words become: field kinds and the values the walk tracks (the word resolution itself,
like bash's — quotes, ``$'…'``, braces, tilde, splitting, globs — is ``shell/expand.py``).

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


class Seg:
    """One piece of a word: text, quoted?, known?, from an expansion (splits, globs)?"""

    __slots__ = ("text", "quoted", "known", "expansion")

    def __init__(self, text, quoted=False, known=True, expansion=False):
        self.text = text
        self.quoted = quoted
        self.known = known
        self.expansion = expansion
