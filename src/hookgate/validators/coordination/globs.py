"""Project-relative path patterns for coordination files: ``*``, ``?``, ``**`` (any number of
directories) and ``[...]``. Hand-written so the hot path compiles no regex (~1 ms each)."""

from __future__ import annotations


def _match(parts: list[str], pats: list[str]) -> bool:
    """``**`` spans any number of directories; other segments match one name each (the
    policy classifier's matcher: no regex, no recursion)."""
    from hookgate.state.globs import seg_match, wildcard_match

    return wildcard_match(pats, parts, lambda p: p == "**", seg_match)


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
