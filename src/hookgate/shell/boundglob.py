"""Globbing that stops (ADR 0027): the files a glob matches now, within a budget of entries.

``glob.iglob`` lists every directory it looks into whole before matching (CPython's
``_listdir``): ``cat d/*.txt`` over a directory of 200,000 files costs ~100 ms before the first
match, and nothing bounds it. This is the same algorithm — the same matches, in the same order,
with ``recursive`` (``**``) and ``include_hidden`` as in ``glob`` — over ``os.scandir`` one
entry at a time, counting every entry it looks at against a budget (and, when given, a
deadline). Past either it raises :class:`GlobCap`: the caller does not know what the glob
matches, which is *indeterminate*, never "nothing" and never "allow".
"""

from __future__ import annotations

import os
import time

MAX_ENTRIES = 20000  # directory entries one glob may look at (~5 ms); past it: GlobCap


class GlobCap(Exception):
    """The glob looked at more entries than its budget (or ran past its deadline)."""


class Budget:
    __slots__ = ("left", "spent", "deadline", "cap")

    def __init__(self, entries: int = MAX_ENTRIES, deadline: float | None = None) -> None:
        self.left = self.cap = entries
        self.spent = 0
        self.deadline = deadline

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise GlobCap(f"more than {self.cap} directory entries")
        if self.deadline is not None and (self.spent & 1023) == 0 and time.monotonic() > self.deadline:
            raise GlobCap("the analysis deadline")
        self.spent += 1


def has_magic(s: str) -> bool:
    return "*" in s or "?" in s or "[" in s


def _hidden(name: str) -> bool:
    return name[:1] == "."


def _recursive(pattern: str) -> bool:
    return pattern == "**"


def base_dir(pattern: str) -> str:
    """The literal directory a glob starts in (the components before the first magic one)."""
    parts = pattern.split("/")
    keep = []
    for p in parts[:-1]:
        if has_magic(p):
            break
        keep.append(p)
    d = "/".join(keep)
    return d or ("/" if pattern.startswith("/") else ".")


def iglob(pathname: str, root_dir: str | None = None, recursive: bool = False, include_hidden: bool = False,
          budget: Budget | None = None):
    """``glob.iglob(pathname, root_dir=…, recursive=…, include_hidden=…)`` within *budget*."""
    b = budget if budget is not None else Budget()
    it = _iglob(pathname, root_dir or "", recursive, False, include_hidden, b)
    if not pathname or recursive and _recursive(pathname[:2]):
        first = next(it, None)
        if first:
            yield first
    yield from it


def _join(a: str, b: str) -> str:
    if not a or not b:
        return a or b
    return os.path.join(a, b)


def _iglob(pathname, root_dir, recursive, dironly, include_hidden, b):
    dirname, basename = os.path.split(pathname)
    if not has_magic(pathname):
        if basename:
            if os.path.lexists(_join(root_dir, pathname)):
                yield pathname
        elif os.path.isdir(_join(root_dir, dirname)):
            yield pathname
        return
    if not dirname:
        if recursive and _recursive(basename):
            yield from _glob2(root_dir, basename, dironly, include_hidden, b)
        else:
            yield from _glob1(root_dir, basename, dironly, include_hidden, b)
        return
    if dirname != pathname and has_magic(dirname):
        dirs = _iglob(dirname, root_dir, recursive, True, include_hidden, b)
    else:
        dirs = [dirname]
    if has_magic(basename):
        glob_in_dir = _glob2 if recursive and _recursive(basename) else _glob1
    else:
        glob_in_dir = _glob0
    for d in dirs:
        for name in glob_in_dir(_join(root_dir, d), basename, dironly, include_hidden, b):
            yield os.path.join(d, name)


def _iterdir(dirname, dironly, b):
    """Entry names of *dirname*, each one paid for (the budget runs out mid-directory)."""
    try:
        with os.scandir(dirname or os.curdir) as it:
            for entry in it:
                b.spend()
                try:
                    if not dironly or entry.is_dir():
                        yield entry.name
                except OSError:
                    pass
    except OSError:
        return


def _glob1(dirname, pattern, dironly, include_hidden, b):
    from fnmatch import _compile_pattern  # type: ignore[attr-defined]  # glob's own matcher (cached)

    match = _compile_pattern(os.path.normcase(pattern))
    hidden_ok = include_hidden or _hidden(pattern)
    for name in _iterdir(dirname, dironly, b):
        if (hidden_ok or not _hidden(name)) and match(os.path.normcase(name)):
            yield name


def _glob0(dirname, basename, dironly, include_hidden, b):
    if basename:
        if os.path.lexists(_join(dirname, basename)):
            yield basename
    elif os.path.isdir(dirname):
        yield basename


def _glob2(dirname, pattern, dironly, include_hidden, b):
    yield pattern[:0]
    yield from _rlistdir(dirname, dironly, include_hidden, b)


def _rlistdir(dirname, dironly, include_hidden, b):
    for x in list(_iterdir(dirname, dironly, b)):
        if include_hidden or not _hidden(x):
            yield x
            path = _join(dirname, x) if dirname else x
            for y in _rlistdir(path, dironly, include_hidden, b):
                yield _join(x, y)
