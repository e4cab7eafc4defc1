"""The merge gate (ADR 0022): every file a branch changed was leased or claimed for writing by
a session that worked on that branch; the ledger is the evidence.

- changes: ``git diff --name-status -z -M BASE...REV`` (renames: the old and the new path;
  either one held covers the rename, both are named when neither is);
- evidence: ledger records of ``kind: decision`` carrying a ``coordination`` note (the keys a
  write leased, with the worktree and branch it came from) and ``kind: claim`` records with a
  write mode (``intent_write``, ``write``, ``exclusive``); a claim on a directory covers
  everything under it;
- "worked on that branch": the evidence's branch is the branch's name or a former name (the
  branch's reflog records renames); for a detached REV, evidence taken in this worktree while
  it was detached.

Standard library; linear in the size of the diff plus the ledger (lines are filtered as bytes
before any JSON is parsed).
"""

from __future__ import annotations

import json
import os
import subprocess

from hookgate.errors import HookgateError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

WRITE_MODES = frozenset(("intent_write", "write", "exclusive"))
GIT_TIMEOUT = 120.0


class GateError(HookgateError):
    """The gate cannot decide (bad ref, not a repository): exit 2 with this message."""


def git(cwd: str, *args: str, env: Mapping[str, str], timeout: float = GIT_TIMEOUT) -> bytes:
    """``git ARGS`` in *cwd* with the caller's environment *env* (the CLI's own), less the
    variables that would run an external diff."""
    genv = {k: v for k, v in env.items() if k not in ("GIT_EXTERNAL_DIFF", "GIT_DIFF_OPTS")}
    genv["LC_ALL"] = "C"
    try:
        p = subprocess.run(["git", *args], cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=timeout, env=genv)
    except subprocess.TimeoutExpired:
        raise GateError(f"git {args[0]} took longer than {timeout:g}s") from None
    except OSError as e:
        raise GateError(f"cannot run git: {e.strerror or e}") from None
    if p.returncode != 0:
        msg = p.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GateError(f"git {' '.join(args[:3])}: {msg[-1] if msg else 'failed'}")
    return p.stdout


def _verify(cwd: str, ref: str, env: Mapping[str, str]) -> str | None:
    try:
        return git(cwd, "rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}",
                   env=env).decode().strip()
    except GateError:
        return None


def default_base(cwd: str, env: Mapping[str, str], remote: str = "") -> str:
    """The remote's default branch, else ``main``/``master`` (local or on origin)."""
    for r in ([remote] if remote else []) + ["origin"]:
        try:
            ref = git(cwd, "symbolic-ref", "-q", f"refs/remotes/{r}/HEAD", env=env).decode().strip()
            if ref:
                return ref[len("refs/remotes/"):]
        except GateError:
            pass
    for cand in ("main", "master", "origin/main", "origin/master"):
        if _verify(cwd, cand, env):
            return cand
    raise GateError("no default base branch found (no origin/HEAD, main or master); pass --base REF")


def branch_of(cwd: str, rev: str, env: Mapping[str, str]) -> str:
    """The branch name REV designates (``HEAD`` → the checked-out branch), or ``""``."""
    if rev in ("", "HEAD", "@"):
        try:
            return git(cwd, "symbolic-ref", "-q", "--short", "HEAD", env=env).decode("utf-8", "surrogateescape").strip()
        except GateError:
            return ""  # detached HEAD
    if rev.startswith("refs/heads/"):
        return rev[11:]
    return rev if _verify(cwd, f"refs/heads/{rev}", env) else ""


def former_names(cwd: str, branch: str, env: Mapping[str, str]) -> set[str]:
    """*branch* and every name it had before (``git branch -m`` writes the rename to the reflog)."""
    names = {branch}
    try:
        out = git(cwd, "reflog", "show", "--format=%gs", f"refs/heads/{branch}", "--",
                  env=env).decode("utf-8", "surrogateescape")
    except GateError:
        return names
    for line in out.splitlines():
        if line.startswith("Branch: renamed refs/heads/") and " to refs/heads/" in line:
            names.add(line[len("Branch: renamed refs/heads/"):].split(" to refs/heads/", 1)[0])
    return names


def changed_files(cwd: str, base: str, rev: str, env: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """``[(status letter, path, old path or "")]`` of ``BASE...REV``, renames detected."""
    out = git(cwd, "-c", "diff.renameLimit=20000", "diff", "--name-status", "-z", "-M", "--no-ext-diff",
              "--no-textconv", "--no-color", f"{base}...{rev}", "--", env=env)
    parts = out.split(b"\0")
    res, i = [], 0
    while i < len(parts) and parts[i]:
        status = parts[i].decode("ascii", "replace")
        if status[:1] in ("R", "C") and i + 2 < len(parts):
            res.append((status[0], os.fsdecode(parts[i + 2]), os.fsdecode(parts[i + 1])))
            i += 3
        elif i + 1 < len(parts):
            res.append((status[:1], os.fsdecode(parts[i + 1]), ""))
            i += 2
        else:
            break
    return res


def evidence(ledger_file: str):
    """Yield ``(session, platform, branch, wt, keys, is_claim_dir_capable)`` from the ledger."""
    try:
        f = open(ledger_file, "rb")
    except FileNotFoundError:
        return
    with f:
        for raw in f:
            if b'"coordination":{' in raw:
                kind = "lease"
            elif b'"kind":"claim"' in raw:
                kind = "claim"
            else:
                continue
            try:
                rec = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(rec, dict):
                continue
            if kind == "lease":
                note = rec.get("coordination")
                if not isinstance(note, dict) or not isinstance(note.get("keys"), list):
                    continue
                yield (rec.get("session", ""), rec.get("platform", ""), note.get("branch", ""), note.get("wt", ""),
                       [k for k in note["keys"] if isinstance(k, str)], False)
            elif rec.get("kind") == "claim" and rec.get("mode") in WRITE_MODES and isinstance(rec.get("granted"), list):
                yield (rec.get("session", ""), rec.get("platform", ""), rec.get("branch", ""), rec.get("wt", ""),
                       [k for k in rec["granted"] if isinstance(k, str)], True)


def _covered(path: str, exact: set, dirs: set) -> bool:
    if path in exact:
        return True
    parts = path.split("/")
    return "." in dirs or any("/".join(parts[:i]) in dirs for i in range(1, len(parts) + 1))


def check(cwd: str, state_dir: str, env: Mapping[str, str], base: str = "", rev: str = "HEAD", branch: str = "",
          remote: str = "") -> dict:
    """The gate's verdict as data: ``{"ok", "base", "rev", "branch", "files", "unclaimed": […]}``.
    *env*: the environment git runs with (the caller's: the CLI's own)."""
    if not _verify(cwd, rev, env):
        raise GateError(f"unknown revision {rev!r}")
    base = base or default_base(cwd, env, remote)
    if not _verify(cwd, base, env):
        raise GateError(f"unknown base {base!r}")
    branch = branch or branch_of(cwd, rev, env)
    names = former_names(cwd, branch, env) if branch else set()
    here = ""
    if not branch:
        try:
            here = git(cwd, "rev-parse", "--show-toplevel", env=env).decode("utf-8", "surrogateescape").strip()
        except GateError:
            here = ""
    changes = changed_files(cwd, base, rev, env)
    mine_exact: set = set()
    mine_dirs: set = set()
    others: dict[str, set] = {}
    wanted = {p for _s, p, _o in changes} | {o for _s, _p, o in changes if o}
    for session, platform, ev_branch, wt, keys, is_claim in evidence(os.path.join(state_dir, "ledger.jsonl")):
        ours = (ev_branch in names) if names else (wt == here and (ev_branch or "").startswith("detached"))
        if ours:
            mine_exact.update(keys)
            if is_claim:
                mine_dirs.update(keys)
        else:
            who = f"{platform or 'agent'} session {session}" + (f" on {ev_branch}" if ev_branch else "")
            for k in keys:
                if k in wanted:
                    others.setdefault(k, set()).add(who)
    unclaimed = []
    for status, path, old in changes:
        if _covered(path, mine_exact, mine_dirs) or (old and _covered(old, mine_exact, mine_dirs)):
            continue
        row: dict = {"status": status, "path": path}
        if old:
            row["from"] = old
        held = sorted(others.get(path, set()) | (others.get(old, set()) if old else set()))
        if held:
            row["held_by"] = held
        unclaimed.append(row)
    return {"ok": not unclaimed, "base": base, "rev": rev, "branch": branch, "names": sorted(names),
            "files": len(changes), "unclaimed": unclaimed}
