"""Scope writes: a write, delete or reset of a directory or the whole tree (ADR 0022). Hot path.

``git reset --hard``, ``git checkout BRANCH``, ``git stash``, ``git pull``/``merge``/``rebase``
rewrite the whole worktree; ``git checkout -- DIR``, ``git restore DIR``, ``git clean DIR``,
``rm -r DIR`` and ``mv DIR …`` a directory. Such a write destroys what *other* sessions have
not committed inside it — in this checkout only (another worktree's files are untouched).

Which files hold uncommitted changes is asked of git (``git status``, bounded in time); a
file git cannot vouch for (timeout, error, no repository) counts as changed.
"""

from __future__ import annotations

import os

from hookgate.validators.coordination import identity

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from collections.abc import Mapping

ADR = "adr/0022-coordination-across-worktrees.md"
GIT_TIMEOUT = 1.5
MAX_PATHSPECS = 200
WORK_MODES = ("intent_write", "write", "exclusive")  # claims that stand for unsaved work


# which `git status` codes a scope write destroys (it leaves the others alone)
TRACKED = "tracked"        # reset/checkout/restore/pull/merge/rebase: changes to tracked files
STASH = "stash"            # stash: tracked and (with -u, which we cannot rule out) untracked
UNTRACKED = "untracked"    # clean: untracked and (with -x) ignored files only
EVERYTHING = "everything"  # rm -r, mv of a directory


def destroys(kind: str, code: str) -> bool:
    if kind == EVERYTHING:
        return True
    if kind == UNTRACKED:
        return code in ("??", "!!")
    if kind == STASH:
        return code != "!!"
    return code not in ("??", "!!")


def scope_of(access, cwd: str, top: str | None) -> tuple[str, str] | None:
    """(directory the access rewrites, what it destroys: :func:`destroys`) or None when the
    access is not a scope write (a single file, or a read)."""
    if access.mode not in ("write", "delete") or not access.resolved:
        return None
    via = access.via or ""
    path = access.path
    if access.tool == "git" or via.startswith("git "):
        if via.startswith("git stash"):  # may be --include-untracked: only ignored files are safe
            if (path == cwd or path == top) and os.path.isdir(path):
                return (top or path), STASH  # no pathspec: the whole tree is stashed
            return (path, STASH) if os.path.isdir(path) and not os.path.islink(path) else None
        if via.endswith("(working tree)"):
            return (top or path), TRACKED
        if os.path.isdir(path) and not os.path.islink(path):
            return path, (UNTRACKED if via.startswith("git clean") else TRACKED)
        return None
    if access.mode == "delete" and os.path.isdir(path) and not os.path.islink(path):
        return path, EVERYTHING  # rm -r, mv of a directory: everything below goes
    return None


def candidates(data: dict, scope_key: str, top: str | None, session: str, now: float) -> list[tuple[str, dict]]:
    """Live leases and work claims of other sessions, in this checkout, inside *scope_key*."""
    from hookgate.validators.coordination import claims, leases

    out = []
    for k, lease in data["leases"].items():
        if not leases.live(lease, now) or (session and lease.get("session") == session):
            continue
        if (lease.get("wt") or top) != top or not identity.under(k, scope_key):
            continue
        out.append((k, dict(lease, mode="lease")))
    for c in data["claims"]:
        if not claims.is_held(c) or not claims.live(c, now) or (session and c.get("session") == session):
            continue
        if c.get("mode") not in WORK_MODES or (c.get("wt") or top) != top:
            continue
        if identity.overlaps(c["path"], scope_key):
            inner = c["path"] if identity.under(c["path"], scope_key) else scope_key
            out.append((inner, c))
    return out


def git_changes(top: str | None, keys, env: Mapping[str, str], timeout: float = GIT_TIMEOUT) -> list[tuple[str, str]] | None:
    """``[(status code, repo-relative path)]`` of files with uncommitted changes under *keys*
    (tracked changes, untracked and ignored files), or None when git cannot say in time. Git
    runs with the call's environment *env* (no ``GIT_*``), never this process's."""
    if not top:
        return None
    import subprocess

    keys = sorted(set(keys))
    if any(identity.is_abs_key(k) for k in keys):
        return None
    specs = [] if "." in keys or len(keys) > MAX_PATHSPECS else sorted({os.fsencode(_spec(top, k)) for k in keys})
    # no fsmonitor or hooks: the repository's config must not make the hook run a program
    argv = [b"git", b"--no-optional-locks", b"--literal-pathspecs", b"-c", b"core.fsmonitor=false",
            b"-c", b"core.hooksPath=/dev/null", b"-C", os.fsencode(top), b"status",
            b"--porcelain=v1", b"-z", b"--untracked-files=all", b"--ignored=matching", b"--no-renames",
            b"--ignore-submodules=none", b"--"] + specs
    genv = {k: v for k, v in env.items() if not k.startswith("GIT_")}
    genv["LC_ALL"] = "C"
    try:
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              timeout=timeout, env=genv)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    if proc.returncode != 0:
        return None
    out = []
    for item in proc.stdout.split(b"\0"):
        if len(item) > 3:
            out.append((item[:2].decode("ascii", "replace"), os.fsdecode(item[3:]).rstrip("/")))
    return out


def _spec(top: str, k: str) -> str:
    """The pathspec that makes git report *k*: a file inside a submodule (or another nested
    repository) is invisible to the superproject's status by its own path, so its outermost
    nested repository's directory is asked for instead (reported as changed when its content is)."""
    parts = k.split("/")
    for i in range(1, len(parts)):
        if os.path.lexists(os.path.join(top, *parts[:i], ".git")):
            return "/".join(parts[:i])
    return k


def unsaved(cands, changes, kind: str = EVERYTHING) -> list[tuple[str, dict]]:
    """The candidates whose files hold uncommitted changes that a write of *kind* destroys
    (all of them when *changes* is None: git could not say)."""
    if changes is None:
        return list(cands)
    dirty = [p for code, p in changes if destroys(kind, code)]
    if not dirty:
        return []
    dset = set(dirty)
    out = []
    for k, holder in cands:
        parts = k.split("/")
        hit = k == "." or any("/".join(parts[:i]) in dset for i in range(1, len(parts) + 1))
        if not hit and holder.get("mode") != "lease":  # a claim on a directory: anything below
            pre = k.rstrip("/") + "/"
            hit = any(p.startswith(pre) for p in dirty)
        if hit:
            out.append((k, holder))
    return out


def conflicts(data: dict, scopes, top: str | None, session: str, now: float, env: Mapping[str, str]) -> list:
    """``[(via, scope key, [(key, holder)])]``: the scope writes in *scopes* (``(path, key, via,
    kind)``) that would destroy other sessions' uncommitted work. Git is asked once per scope,
    with the call's environment *env*."""
    known: dict = {}
    out = []
    for _path, skey, via, kind in scopes:
        cands = candidates(data, skey, top, session, now)
        if not cands:
            continue
        if skey not in known:
            known[skey] = git_changes(top, [k for k, _h in cands], env)
        hits = unsaved(cands, known[skey], kind)
        if hits:
            out.append((via, skey, hits))
    return out


def verdict(found, on_conflict: str | None, now: float, hook_id: str = "coordination"):
    """The verdict for :func:`conflicts`' first hit: whose work, where, which files, what instead."""
    from hookgate.core import event as ev
    from hookgate.validators.coordination.describe import _where, describe, show
    from hookgate.state.selfcmd import command

    via, skey, hits = found[0]
    _k, holder = hits[0]
    files = ", ".join(show(h[0]) for h in hits[:3]) + (f" and {len(hits) - 3} more" if len(hits) > 3 else "")
    return ev.Verdict(
        hook_id, ev.CHECKPOINT if on_conflict == "checkpoint" else ev.BLOCK, "scope-write",
        f"`{via}` rewrites {'the whole working tree' if skey == '.' else show(skey)} and would destroy "
        f"uncommitted work of {describe(holder, now)}{_where(holder)} in this checkout: {files}",
        ADR,
        "act only on your own files (`git stash push -- FILE…`, `git checkout -- FILE…`, `git restore FILE…`, "
        "`rm` of files you made), or do this once that session has committed or ended "
        f"(`{command()} locks list` shows who holds what); never to their files",
        tuple(show(h[0]) for h in hits),
    )
