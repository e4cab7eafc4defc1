"""Claim patterns of a plan (ADR 0024): project-relative globs over ``/``-separated segments.

``*``, ``?`` and ``[...]`` match within one name; ``**`` (a whole segment) matches any number
of directories. A pattern also covers everything below what it matches (a claim on a
directory covers its files, as ``hookgate claim`` does): internally every pattern ends in an
implicit ``**``. No ``re`` (the hot path matches writes against a running plan's claims).

:func:`overlap` answers whether *some* path could match two patterns. It is sound — it never
says "no" when a common path exists — and errs toward "yes": names are compared
case-insensitively (a case-insensitive file system makes ``README.md`` and ``readme.md`` one
file), a character class is assumed to match something, and a segment pair too large to
decide (see ``policy.globs.seg_intersects``) counts as overlapping.
"""

from __future__ import annotations

from hookgate.errors import HookgateError

MAGIC = frozenset("*?[")


class BadPattern(HookgateError, ValueError):
    pass


def normalize(pattern) -> str:
    """The canonical form of a claim pattern, or :class:`BadPattern` saying why not."""
    if not isinstance(pattern, str):
        raise BadPattern(f"must be a string, got {type(pattern).__name__}")
    p = pattern.strip()
    if not p:
        raise BadPattern("is empty")
    if "\x00" in p or "\n" in p:
        raise BadPattern("contains a NUL or newline")
    if p.startswith(("/", "~")) or (len(p) > 1 and p[1] == ":"):
        raise BadPattern(f"{pattern!r} is not project-relative")
    segs = []
    for s in p.split("/"):
        if s in ("", "."):
            continue
        if s == "..":
            raise BadPattern(f"{pattern!r} leaves the project ('..')")
        if "**" in s and s != "**":
            raise BadPattern(f"{pattern!r}: '**' must be a whole path segment (e.g. src/**/x.py)")
        if segs and s == "**" and segs[-1] == "**":
            continue
        segs.append(s)
    if not segs:
        raise BadPattern(f"{pattern!r} names the whole project; claim directories or files")
    return "/".join(segs)


def segments(pattern: str) -> list[str]:
    return [s for s in pattern.split("/") if s]


def is_literal(pattern: str) -> bool:
    return not (MAGIC & set(pattern))


def literal_prefix(segs: list[str]) -> list[str]:
    """The leading segments without wildcards (every path the pattern matches starts so)."""
    out = []
    for s in segs:
        if MAGIC & set(s):
            break
        out.append(s)
    return out


def match(pattern: str, rel_path: str) -> bool:
    """Whether a project-relative path is covered by *pattern* (it, or a directory above it,
    matches). Linear-space, no recursion."""
    from hookgate.state.globs import seg_match, wildcard_match

    pat = segments(pattern)
    pat.append("**")
    parts = [s for s in rel_path.split("/") if s and s != "."]
    return wildcard_match(pat, parts, lambda s: s == "**",
                          lambda s, name: seg_match(s, name) if MAGIC & set(s) else s == name)


def match_any(patterns, rel_path: str) -> str | None:
    for p in patterns:
        if match(p, rel_path):
            return p
    return None


def _seg_overlap(a: str, b: str) -> bool:
    if not (MAGIC & set(a)) and not (MAGIC & set(b)):
        return a == b
    from hookgate.state.globs import seg_intersects

    return seg_intersects(a, b, False, False)


def overlap(a: str, b: str) -> bool:
    """Could one path be covered by both patterns? Breadth-first search over the product of
    the two segment automata (states ``(i, j)``: at most ``len(a) × len(b)``), iterative."""
    sa = segments(a.lower()) + ["**"]
    sb = segments(b.lower()) + ["**"]
    la, lb = len(sa), len(sb)
    seen = {(0, 0)}
    todo = [(0, 0)]
    while todo:
        i, j = todo.pop()
        if i == la and j == lb:
            return True
        nxt = []
        sa_i = sa[i] if i < la else None
        sb_j = sb[j] if j < lb else None
        if sa_i == "**":
            nxt.append((i + 1, j))  # ** matches nothing more
        if sb_j == "**":
            nxt.append((i, j + 1))
        if sa_i is not None and sb_j is not None:  # one segment consumed by both
            if sa_i == "**" and sb_j == "**":
                pass  # a self-loop: gains nothing
            elif sa_i == "**":
                nxt.append((i, j + 1))
            elif sb_j == "**":
                nxt.append((i + 1, j))
            elif _seg_overlap(sa_i, sb_j):
                nxt.append((i + 1, j + 1))
        for s in nxt:
            if s not in seen:
                seen.add(s)
                todo.append(s)
    return False
