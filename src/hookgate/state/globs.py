"""Glob matching over path segments, without ``re`` (hot path: a regex compile costs ~1 ms).

A pattern is a list of segments. A segment is ``**`` (any number of path segments, zero
included), or a glob over one name (``*``, ``?``, ``[...]``), or a literal. Everything is
compared lower-cased by the caller (credential names are matched case-insensitively: macOS
and Windows file systems are).

Two operations:
- ``path_match(pat, kinds, segs)``: does a concrete path match a pattern;
- ``intersects(a, b, a_shell)``: can some path match both patterns (a shell glob or an
  unresolved word against a policy pattern). ``a_shell`` applies bash's dotfile rule: a shell
  glob segment starting with a wildcard does not match a name starting with ``.``.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from typing import Any, Callable

MAGIC = frozenset("*?[")
MAX_SEGS = 160  # past this, intersection answers "may match" (ambiguity → the guard denies)


def seg_kind(seg: str) -> str:
    """``D`` for ``**``, ``G`` for a glob segment, ``L`` for a literal."""
    if seg == "**":
        return "D"
    for c in seg:
        if c in MAGIC:
            return "G"
    return "L"


# --- one segment ------------------------------------------------------------------------


def _tokens(seg: str) -> list[Any]:
    """Glob segment → tokens: a one-char string (literal), ``"*"`` / ``"?"`` markers as
    tuples, or a class ``("[", chars, negated)``."""
    out: list[Any] = []
    i, n = 0, len(seg)
    while i < n:
        c = seg[i]
        if c == "*":
            if not out or out[-1] != ("*",):
                out.append(("*",))
        elif c == "?":
            out.append(("?",))
        elif c == "[":
            j = i + 1
            neg = False
            if j < n and seg[j] in "!^":
                neg = True
                j += 1
            if j < n and seg[j] == "]":
                j += 1
            k = seg.find("]", j)
            if k < 0:
                out.append("[")
            else:
                body = seg[i + 1 + (1 if neg else 0) : k]
                chars: set[str] = set()
                m = 0
                while m < len(body):
                    if m + 2 < len(body) and body[m + 1] == "-":
                        lo, hi = ord(body[m]), ord(body[m + 2])
                        if hi - lo <= 512:
                            chars.update(chr(x) for x in range(lo, hi + 1))
                        m += 3
                    else:
                        chars.add(body[m])
                        m += 1
                out.append(("[", frozenset(chars), neg))
                i = k
        elif c == "\\" and i + 1 < n:
            i += 1
            out.append(seg[i])
        else:
            out.append(c)
        i += 1
    return out


def _char_ok(tok: Any, ch: str) -> bool:
    if isinstance(tok, str):
        return tok == ch
    if tok[0] == "?":
        return True
    return bool((ch in tok[1]) != tok[2])


def wildcard_match(pat: Any, items: Any, is_star: Callable[[Any], bool], eq: Callable[[Any, Any], bool]) -> bool:
    """Generic ``*`` matching of a sequence: *pat* elements where ``is_star(el)`` match any run
    of *items* (including none), others must ``eq(el, item)``. Two pointers with backtracking to
    the last star: linear space, no recursion — correct for any number of stars."""
    p = s = 0
    star_p = star_s = -1
    np_, ns = len(pat), len(items)
    while s < ns:
        if p < np_ and is_star(pat[p]):
            star_p, star_s = p, s
            p += 1
        elif p < np_ and eq(pat[p], items[s]):
            p += 1
            s += 1
        elif star_p >= 0:
            p = star_p + 1
            star_s += 1
            s = star_s
        else:
            return False
    while p < np_ and is_star(pat[p]):
        p += 1
    return p == np_


def _is_star_tok(tok: Any) -> bool:
    return bool(tok == ("*",))


def seg_match(pat: str, name: str) -> bool:
    """Glob segment against a literal name."""
    return wildcard_match(_tokens(pat), name, _is_star_tok, _char_ok)


def _tok_overlap(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, str):
        return _char_ok(b, a)
    if isinstance(b, str):
        return _char_ok(a, b)
    if a[0] == "?" or b[0] == "?":
        return True
    if a[2] and b[2]:
        return True
    if a[2]:
        return bool(b[1] - a[1])
    if b[2]:
        return bool(a[1] - b[1])
    return bool(a[1] & b[1])


def seg_intersects(a: str, b: str, a_shell: bool = False, restricted: bool = False) -> bool:
    """Can one name match both glob segments?

    *restricted*: a wildcard of *a* (``*``, ``?``, a class) may stand only for a wildcard of
    *b*, never for its literal characters — the agent's ``*.ts`` does not name
    ``id_rsa*``, while ``.env*`` names ``.env`` and ``*.pem`` names ``*.pem`` (ADR 0008)."""
    ta, tb = _tokens(a), _tokens(b)
    if a_shell and ta and not isinstance(ta[0], str):
        # bash: a leading wildcard never matches a leading dot
        if tb and isinstance(tb[0], str) and tb[0] == ".":
            return False
    la, lb = len(ta), len(tb)
    memo: dict[int, bool] = {}
    # iterative DP over (i, j) would need la*lb cells; names are short, recursion is bounded
    if la * lb > 40000:
        return True

    def go(i: int, j: int) -> bool:
        key = i * (lb + 1) + j
        r = memo.get(key)
        if r is not None:
            return r
        if i == la and j == lb:
            r = True
        elif i < la and ta[i] == ("*",):
            r = go(i + 1, j) or (j < lb and (not restricted or not isinstance(tb[j], str)) and go(i, j + 1))
        elif j < lb and tb[j] == ("*",):
            r = go(i, j + 1) or (i < la and go(i + 1, j))
        elif i == la or j == lb:
            r = False
        elif restricted and not isinstance(ta[i], str) and isinstance(tb[j], str):
            r = False
        else:
            r = _tok_overlap(ta[i], tb[j]) and go(i + 1, j + 1)
        memo[key] = r
        return r

    return go(0, 0)


# --- whole paths ------------------------------------------------------------------------


def _seg_eq(pseg: str, kind: str, name: str) -> bool:
    if kind != "G":
        return pseg == name
    return seg_match(pseg, name)


def path_match(pat: list[str], kinds: str, segs: list[str]) -> bool:
    """Concrete path segments against a pattern (``**`` = zero or more segments).

    Linear-space two-pointer matching with backtracking to the last ``**`` (correct for
    any number of ``**``, like the classic ``*`` wildcard algorithm); no recursion, so a
    path of 10 000 components is fine.
    """
    idx = range(len(pat))
    return wildcard_match(idx, segs, lambda i: kinds[i] == "D", lambda i, seg: _seg_eq(pat[i], kinds[i], seg))


def intersects(a: list[str], ak: str, b: list[str], bk: str, a_shell: bool = False, restricted: bool = True) -> bool:
    """Can one concrete path match pattern *a* (a shell glob or an unresolved word) and
    policy pattern *b*?

    Kinds of *a*: ``L`` literal, ``G`` glob with literal characters, ``W`` a wildcard-only
    segment (``*``), ``U`` an unknown run of directories (``$DIR``, shell ``**``), ``F`` an
    unknown final name (``$F``: any path at all). Kinds of *b*: ``A`` anchor (the project
    root or home, literal), ``L``, ``G``, ``D`` (``**``).

    With *restricted* (the guards; the compile-time loosening check passes False), the
    rule of ADR 0008 applies: wildcard-only and unknown-directory parts (``W``, ``U``) stand
    only for a rule's anchor and ``**`` parts, never for the names that make a path
    protected (``.ssh``, ``secrets``, ``*.pem``) — ``cat *``, ``"$WORK/out.log"`` are not
    about credentials; ``cat .env*``, ``$D/.ssh/id_rsa``, ``> "$F"`` are.
    """
    la, lb = len(a), len(b)
    if la > MAX_SEGS or lb > MAX_SEGS:
        return True
    memo: dict[int, bool] = {}

    def free(j: int) -> bool:  # may a restricted part of *a* stand for b[j]?
        k = bk[j]
        return k == "A" or k == "D" or (k == "G" and not (set(b[j]) - MAGIC)) or not restricted

    def go(i: int, j: int) -> bool:
        key = i * (lb + 1) + j
        r = memo.get(key)
        if r is not None:
            return r
        ka = ak[i] if i < la else ""
        if i == la and j == lb:
            r = True
        elif ka == "U" or ka == "F":
            r = go(i + 1, j) or (j < lb and (ka == "F" or free(j)) and go(i, j + 1))
        elif j < lb and bk[j] == "D":
            r = go(i, j + 1) or (i < la and go(i + 1, j))
        elif i == la or j == lb:
            r = False
        else:
            kb = bk[j]
            if ka == "W":
                ok = free(j)
            elif ka == "L" and kb != "G":
                ok = a[i] == b[j]
            elif ka == "L":
                ok = seg_match(b[j], a[i])
            elif kb != "G" and not restricted:
                ok = seg_match(a[i], b[j]) and not (a_shell and b[j][:1] == "." and a[i][:1] in MAGIC)
            else:
                ok = seg_intersects(a[i], b[j], a_shell, restricted)
            r = ok and go(i + 1, j + 1)
        memo[key] = r
        return r

    return go(0, 0)


def split(path: str) -> list[str]:
    """Absolute or relative path → segments (empty and ``.`` segments dropped)."""
    return [s for s in path.split("/") if s and s != "."]


def kinds_of(segs: list[str]) -> str:
    return "".join(seg_kind(s) for s in segs)
