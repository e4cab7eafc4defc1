"""Worktree lifecycle (ADR 0022): one worktree and branch per agent session, what each holds,
and a garbage collector that removes only what is provably safe. CLI side (runs git).

The registry ``<state>/coordination/worktrees.json`` records who a ``hookgate worktree new``
worktree belongs to; worktrees made any other way are listed too (owner unknown).

A worktree is removed by ``gc`` only when **all** hold:

- it is a linked worktree (never the main one) and not ``git worktree lock``-ed;
- its owner session has ended, or nothing happened in it for ``max_age`` (its lease expired);
- git says it holds no uncommitted change and no untracked file;
- every commit of its HEAD is on a remote-tracking branch or merged into the base branch;
- no live process has its cwd inside it (``/proc``; without ``/proc``: never removed);
- git agrees: ``git worktree remove`` without ``--force`` (it refuses a dirty worktree).

A worktree whose directory was deleted by hand is pruned (its branch stays) unless it is
locked or its detached HEAD holds commits no branch has. Anything unknown keeps a worktree.
"""

from __future__ import annotations

import json
import os
import subprocess
import time

from hookgate.validators.coordination import identity, sessions
from hookgate.state import files

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

REGISTRY = "worktrees.json"
GIT_TIMEOUT = 30.0


def _git(cwd: str, *args: str, env: Mapping[str, str], timeout: float = GIT_TIMEOUT) -> tuple[int, str]:
    """``git ARGS`` in *cwd* with the caller's environment *env* (the CLI's own), no ``GIT_*``."""
    genv = {k: v for k, v in env.items() if not k.startswith("GIT_")}
    genv["LC_ALL"] = "C"
    try:
        p = subprocess.run(["git", *args], cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout,
                           env=genv)
    except (OSError, subprocess.SubprocessError):
        return 255, ""
    return p.returncode, p.stdout.decode("utf-8", "surrogateescape") if p.returncode == 0 else p.stderr.decode(
        "utf-8", "replace")


# --- the registry ---------------------------------------------------------------------------


def _reg_path(state: str) -> str:
    return os.path.join(state, "coordination", REGISTRY)


def load_registry(state: str) -> dict:
    try:
        with open(_reg_path(state), encoding="utf-8") as f:
            data = json.load(f)
        return data if isinstance(data, dict) and isinstance(data.get("worktrees"), dict) else {"worktrees": {}}
    except (OSError, ValueError):
        return {"v": 1, "worktrees": {}}


def mutate_registry(state: str, fn):
    with files.locked(os.path.join(state, "coordination", "worktrees.lock"), 5.0):
        data = load_registry(state)
        out = fn(data)
        files.replace(_reg_path(state), json.dumps(data, sort_keys=True, ensure_ascii=True).encode())
        return out


# --- facts about a worktree -----------------------------------------------------------------


def ended_sessions(state: str) -> dict:
    """{session: when it ended} from the trail and the ledger (``kind: session-end``)."""
    out: dict = {}
    try:
        with open(sessions.calls_path(state), "rb") as f:
            for raw in f:
                if b'"ended"' in raw:
                    try:
                        rec = json.loads(raw)
                        out[rec["session"]] = float(rec["ts"])
                    except (ValueError, KeyError, TypeError):
                        pass
    except OSError:
        pass
    for rec in _ledger(state, b'"kind":"session-end"'):
        if rec.get("session"):
            out.setdefault(rec["session"], _ts(rec.get("ts")))
    return out


def _ts(iso) -> float:
    try:
        import calendar

        return calendar.timegm(time.strptime(str(iso)[:19], "%Y-%m-%dT%H:%M:%S"))
    except (ValueError, TypeError):
        return 0.0


def _ledger(state: str, needle: bytes):
    try:
        f = open(os.path.join(state, "ledger.jsonl"), "rb")
    except OSError:
        return
    with f:
        for raw in f:
            if needle in raw:
                try:
                    rec = json.loads(raw)
                except ValueError:
                    continue
                if isinstance(rec, dict):
                    yield rec


def activity(state: str, tops) -> dict:
    """{worktree top: time of the newest ledger record whose cwd lies in it}."""
    out: dict = {}
    tops = sorted(tops, key=len, reverse=True)
    for rec in _ledger(state, b'"cwd":'):
        cwd = rec.get("cwd")
        if not isinstance(cwd, str):
            continue
        for t in tops:
            if cwd == t or cwd.startswith(t.rstrip("/") + "/"):
                out[t] = max(out.get(t, 0.0), _ts(rec.get("ts")))
                break
    return out


def processes_in(tops) -> dict | None:
    """{top: [pid…]} of live processes whose cwd is inside each top; None without /proc."""
    if not os.path.isdir("/proc/self"):
        return None
    out: dict = {t: [] for t in tops}
    me = os.getpid()
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == me:
            continue
        try:
            cwd = os.readlink(f"/proc/{name}/cwd")
        except OSError:
            continue
        for t in tops:
            if cwd == t or cwd.startswith(t.rstrip("/") + "/"):
                out[t].append(int(name))
    return out


def uncommitted(top: str, env: Mapping[str, str]) -> int | None:
    code, out = _git(top, "--no-optional-locks", "status", "--porcelain=v1", "-z", "--untracked-files=all", env=env)
    return None if code else len([x for x in out.split("\0") if x])


def unpushed(top: str, base: str, env: Mapping[str, str]) -> int | None:
    """Commits of the worktree's HEAD on no remote-tracking branch and not merged into *base*."""
    args = ["rev-list", "--count", "HEAD", "--not", "--remotes"]
    if base:
        args.append(base)
    code, out = _git(top, *args, env=env)
    try:
        return None if code else int(out.strip())
    except ValueError:
        return None


def merged(top: str, base: str, env: Mapping[str, str]) -> bool | None:
    if not base:
        return None
    code, _ = _git(top, "merge-base", "--is-ancestor", "HEAD", base, env=env)
    return True if code == 0 else False if code == 1 else None


def default_base(cwd: str, env: Mapping[str, str]) -> str:
    for ref in ("refs/remotes/origin/HEAD",):
        code, out = _git(cwd, "symbolic-ref", "-q", "--short", ref, env=env)
        if code == 0 and out.strip():
            return out.strip()
    for cand in ("main", "master"):
        if _git(cwd, "rev-parse", "--verify", "--quiet", f"refs/heads/{cand}", env=env)[0] == 0:
            return cand
    return ""


def survey(common: str, state: str, base: str, now: float, max_age: float, env: Mapping[str, str],
           check_git: bool = True) -> list[dict]:
    """Every worktree with what ``list`` shows and what ``gc`` decides (*env*: the environment
    git runs with, the caller's)."""
    wts = identity.worktrees(common)
    reg = load_registry(state)["worktrees"]
    ended = ended_sessions(state)
    act = activity(state, [w["top"] for w in wts])
    procs = processes_in([w["top"] for w in wts if w["exists"]])
    rows = []
    for w in wts:
        top = w["top"]
        r = reg.get(top, {})
        row = {"path": top, "name": w.get("name") or os.path.basename(top), "main": w["main"],
               "exists": w["exists"], "locked": w["locked"], "branch": identity.head(w["gitdir"]),
               "owner": r.get("session", ""), "owner_platform": r.get("platform", ""), "created": r.get("created")}
        last = max([x for x in (act.get(top), r.get("created"), _mtime(w["gitdir"])) if x] or [0.0])
        row["last_activity"] = last
        row["age_s"] = round(now - float(r.get("created") or last or now), 1)
        row["idle_s"] = round(now - last, 1) if last else None
        owner = row["owner"]
        row["session"] = ("ended" if owner in ended else "unknown" if not owner else
                          "idle" if row["idle_s"] is not None and row["idle_s"] > max_age else "alive")
        row["processes"] = None if procs is None else procs.get(top, [])
        if w["exists"] and check_git:
            row["uncommitted"] = uncommitted(top, env)
            row["unpushed"] = unpushed(top, base, env)
            row["merged"] = merged(top, base, env)
        elif not w["exists"]:
            row["uncommitted"] = 0
            row["unpushed"] = _detached_unpushed(common, w["gitdir"], base, env)
            row["merged"] = None
        row["remove"], row["why"] = _decide(row, max_age)
        rows.append(row)
    return rows


def _mtime(gitdir: str) -> float:
    best = 0.0
    for n in ("HEAD", "index", "logs/HEAD"):
        try:
            best = max(best, os.stat(os.path.join(gitdir, n)).st_mtime)
        except OSError:
            pass
    return best


def _detached_unpushed(common: str, gitdir: str, base: str, env: Mapping[str, str]) -> int | None:
    """A deleted worktree on a branch loses nothing when pruned (the branch keeps its commits);
    on a detached HEAD, the commits no branch or remote holds would be lost."""
    try:
        with open(os.path.join(gitdir, "HEAD"), encoding="utf-8") as f:
            head = f.read().strip()
    except OSError:
        return None
    if head.startswith("ref:"):
        return 0
    code, out = _git(common, "rev-list", "--count", head, "--not", "--branches", "--remotes", env=env)
    try:
        return None if code else int(out.strip())
    except ValueError:
        return None


def _decide(row: dict, max_age: float) -> tuple[bool, str]:
    if row["main"]:
        return False, "the main worktree"
    if row["locked"]:
        return False, "locked (`git worktree lock`)"
    if not row["exists"]:
        if row["unpushed"] != 0:
            return False, "deleted by hand, but its detached HEAD holds commits no branch has"
        return True, "directory deleted by hand: prune git's record of it (the branch stays)"
    if row["session"] == "alive" or (row["session"] == "unknown" and (row["idle_s"] is None or row["idle_s"] <= max_age)):
        return False, "its session is alive" if row["session"] == "alive" else "recently used (owner unknown)"
    if row["processes"] is None:
        return False, "cannot tell whether a process uses it (no /proc)"
    if row["processes"]:
        return False, f"in use by process {row['processes'][0]}"
    if row["uncommitted"] is None or row["uncommitted"]:
        return False, "holds uncommitted changes" if row["uncommitted"] else "git status failed"
    if row["unpushed"] is None or row["unpushed"]:
        return False, (f"holds {row['unpushed']} commit(s) neither pushed nor merged" if row["unpushed"]
                       else "cannot tell whether its commits are pushed")
    why = "its session ended" if row["session"] == "ended" else f"idle for more than {int(max_age // 86400)}d"
    return True, why + "; clean; every commit pushed or merged"


def remove(common: str, row: dict, env: Mapping[str, str]) -> tuple[bool, str]:
    """Remove one worktree the survey marked removable (git re-checks cleanliness)."""
    if not row["exists"]:
        code, out = _git(common, "worktree", "prune", env=env)
        return code == 0, out.strip()
    code, out = _git(common, "worktree", "remove", row["path"], env=env)
    return code == 0, out.strip()
