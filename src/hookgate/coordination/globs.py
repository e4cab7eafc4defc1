"""Project-relative path patterns for coordination files: ``*``, ``?``, ``**`` (any number of
directories) and ``[...]``. Hand-written so the hot path compiles no regex (~1 ms each)."""

from __future__ import annotations


def _seg_match(name: str, pat: str) -> bool:
    """One path segment against one pattern segment (``*`` never crosses ``/``)."""
    if "[" in pat:
        import fnmatch  # rare: character classes

        return fnmatch.fnmatchcase(name, pat)
    if "*" not in pat and "?" not in pat:
        return name == pat
    # iterative wildcard match with backtracking on the last '*'
    n = p = 0
    star = -1
    mark = 0
    while n < len(name):
        if p < len(pat) and (pat[p] == "?" or pat[p] == name[n]):
            n += 1
            p += 1
        elif p < len(pat) and pat[p] == "*":
            star, mark = p, n
            p += 1
        elif star >= 0:
            p = star + 1
            mark += 1
            n = mark
        else:
            return False
    while p < len(pat) and pat[p] == "*":
        p += 1
    return p == len(pat)


def _match(parts: list[str], pats: list[str]) -> bool:
    if not pats:
        return not parts
    head = pats[0]
    if head == "**":
        rest = pats[1:]
        return any(_match(parts[i:], rest) for i in range(len(parts) + 1))
    return bool(parts) and _seg_match(parts[0], head) and _match(parts[1:], pats[1:])


def match(rel_path: str, pattern: str) -> bool:
    """Whether a project-relative path matches *pattern* (both with ``/`` separators)."""
    pattern = pattern.strip()
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return _match([p for p in rel_path.split("/") if p], [p for p in pattern.split("/") if p])


def first_match(rel_path: str, patterns) -> str | None:
    for pat in patterns:
        if match(rel_path, pat):
            return pat
    return None
