"""One identity for a file across the worktrees of a repository (ADR 0022). Stdlib, hot path.

The coordination state lives in ``<git common dir>/hookgate/`` and is shared by every
worktree, so a file is keyed by its path relative to the top of the worktree it is in:
``src/auth.py`` in ``~/repo`` and in its worktree ``~/repo-wt`` is one key. A file outside the
repository (or any file of a project that is not in git) keeps its absolute path as its key;
keys that start with ``/`` are absolute, all others are repository-relative.

Nothing here runs git: the worktree top is the nearest ancestor holding ``.git``, the branch
is read from the worktree's ``HEAD`` file, and the worktrees of a repository are listed from
``<common dir>/worktrees/*/gitdir`` (what ``git worktree list`` reads).
"""

from __future__ import annotations

import os


def worktree_top(start: str) -> str | None:
    """The nearest ancestor of *start* (itself included) that holds ``.git``; None outside git."""
    d = os.path.abspath(start or "/")
    for _ in range(256):
        if os.path.lexists(os.path.join(d, ".git")):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent
    return None


def _under(path: str, top: str) -> str | None:
    if path == top:
        return ""
    prefix = top.rstrip("/") + "/"
    return path[len(prefix):] if path.startswith(prefix) else None


def key(path: str, top: str | None) -> str:
    """The coordination key of absolute *path*: repo-relative under *top*, else absolute.

    The worktree top itself is the key ``.`` (the whole tree)."""
    if top:
        rel = _under(path, top)
        if rel is None:
            try:
                rel = _under(os.path.realpath(path), os.path.realpath(top))
            except (OSError, ValueError):
                rel = None
        if rel is not None:
            return rel or "."
    return path


def is_abs_key(k: str) -> bool:
    return k.startswith("/")


def abs_path(k: str, top: str | None) -> str:
    """The file *k* names in the worktree *top* (absolute keys name themselves)."""
    if is_abs_key(k) or not top:
        return k
    return top if k == "." else os.path.join(top, k)


def under(k: str, scope: str) -> bool:
    """Whether key *k* is *scope* or lies below it (``.`` is the whole tree)."""
    if scope == ".":
        return not is_abs_key(k)
    return k == scope or k.startswith(scope.rstrip("/") + "/")


def overlaps(a: str, b: str) -> bool:
    return under(a, b) or under(b, a)


def git_dir(top: str) -> str | None:
    """The worktree's own git dir (``.git``, or where the ``.git`` file points)."""
    dot = os.path.join(top, ".git")
    if os.path.isdir(dot):
        return dot
    try:
        with open(dot, encoding="utf-8", errors="surrogateescape") as f:
            line = f.readline().strip()
    except OSError:
        return None
    if not line.startswith("gitdir:"):
        return None
    g = line[7:].strip()
    return g if os.path.isabs(g) else os.path.normpath(os.path.join(top, g))


def head(gitdir: str | None) -> str:
    """The branch checked out (``main``), ``detached at 1a2b3c4d5e6f``, or ``""`` if unknown."""
    if not gitdir:
        return ""
    try:
        with open(os.path.join(gitdir, "HEAD"), encoding="utf-8", errors="surrogateescape") as f:
            text = f.read(4096).strip()
    except OSError:
        return ""
    if text.startswith("ref:"):
        ref = text[4:].strip()
        return ref[11:] if ref.startswith("refs/heads/") else ref
    return f"detached at {text[:12]}" if text else ""


def where(top: str | None) -> dict:
    """``{"wt": top, "branch": …}`` recorded with a lease or claim (empty outside git)."""
    if not top:
        return {}
    return {"wt": top, "branch": head(git_dir(top))}


def worktrees(common_dir: str) -> list[dict]:
    """Every worktree git knows of: ``{"top", "gitdir", "main", "exists", "locked"}``.

    The main worktree is the common dir's parent (unless the repository is bare); linked
    worktrees come from ``<common>/worktrees/<name>/gitdir``. A worktree whose directory was
    deleted by hand is listed with ``exists: False`` (``git worktree prune`` would drop it)."""
    out = []
    bare = _is_bare(common_dir)
    if not bare and os.path.basename(common_dir.rstrip("/")) == ".git":
        top = os.path.dirname(common_dir.rstrip("/"))
        out.append({"top": top, "gitdir": common_dir, "main": True, "exists": os.path.isdir(top),
                    "locked": False, "name": ""})
    base = os.path.join(common_dir, "worktrees")
    try:
        names = sorted(os.listdir(base))
    except OSError:
        names = []
    for name in names:
        gd = os.path.join(base, name)
        try:
            with open(os.path.join(gd, "gitdir"), encoding="utf-8", errors="surrogateescape") as f:
                dotgit = f.read().rstrip("\n")
        except OSError:
            continue
        if not os.path.isabs(dotgit):
            dotgit = os.path.normpath(os.path.join(gd, dotgit))
        top = os.path.dirname(dotgit)
        out.append({"top": top, "gitdir": gd, "main": False, "exists": os.path.isdir(top),
                    "locked": os.path.exists(os.path.join(gd, "locked")), "name": name})
    return out


def _is_bare(common_dir: str) -> bool:
    try:
        with open(os.path.join(common_dir, "config"), encoding="utf-8", errors="replace") as f:
            for line in f:
                s = line.strip().replace(" ", "").lower()
                if s == "bare=true":
                    return True
    except OSError:
        pass
    return False


def common_dir_of_state(state_dir: str) -> str | None:
    """The git common dir a state dir belongs to (``<common>/hookgate``), or None."""
    parent = os.path.dirname(state_dir.rstrip("/"))
    if os.path.basename(state_dir.rstrip("/")) == "hookgate" and (
            os.path.basename(parent) == ".git" or os.path.exists(os.path.join(parent, "HEAD"))):
        return parent
    return None


def migrate_key(path: str, tops) -> tuple[str, str | None]:
    """(key, worktree top) for an absolute path written by a pre-0022 hookgate."""
    for top in sorted(tops, key=len, reverse=True):
        k = key(path, top)
        if not is_abs_key(k):
            return k, top
    return path, None
