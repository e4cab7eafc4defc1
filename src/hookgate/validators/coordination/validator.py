"""Coordination between concurrent agents (ADR 0013).

- Coordination files (policy ``coordination_files``, project-relative globs) change only
  through ``hookgate lock …``: a Write/Edit/MCP write or a shell write to one is blocked with
  the exact command to use. Writes made by ``hookgate`` itself are not counted.
- Leases: the first session that writes a file under the project leases it (TTL, renewed on
  the owner's writes), keyed by its repository-relative path so that every worktree meets it
  (ADR 0022). Another session's write is blocked (or checkpointed: ``on_conflict``), naming
  the holder, where it works, since when, and what to do.
- Scope writes (``git reset --hard``/``checkout``/``stash``/``clean``/``pull``…, ``rm -r``,
  ``mv`` of a directory) are blocked when they would destroy another session's uncommitted
  leased or claimed files in this checkout (ADR 0022; git is asked which files changed).
- Claims (``hookgate claim``): a held claim of another session on an overlapping path blocks
  writes; an ``exclusive`` one blocks reads too; a pre-empted holder's next write is told.
- Plans (ADR 0024): a write by a session that carries a running plan, outside that plan's
  reviewed write claims, is an ``outside-plan`` verdict.
- SessionEnd releases the session's leases and claims; a shell call that runs ``hookgate``
  leaves the trail that lets ``hookgate claim`` find its session.
- A call another validator denies (``denied``: its effective verdict blocks, e.g.
  self-protection on ``.claude/settings.json``, or budget — this validator runs after all the
  others, ``RUNS_LAST``) is decided the same way, but writes nothing:
  no lease taken or renewed, no notice consumed, no shell-call trail, no merge-gate evidence in
  its ledger record — the write never happens, so it must not hold other sessions off the file
  for a lease's TTL, nor count as worked on under a lease.
"""

from __future__ import annotations

import os
import time

from hookgate.core import event as ev
from hookgate.state.selfcmd import command
from hookgate.validators.coordination.describe import _ago, _clock, _where, describe, show  # noqa: F401 (re-exported)

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from collections.abc import Mapping
    from typing import Any

HOOK_ID = "coordination"
ADR = "adr/0013-coordination.md"
SCOPE_ADR = "adr/0022-coordination-across-worktrees.md"
PHASES = frozenset((ev.PRE, ev.SESSION_END))
# run after every other validator (core/chain.py): ``denied`` then covers budget too, which
# comes later in the chain — a write only budget denies takes no lease either
RUNS_LAST = True

DEFAULT_POLICY = {
    "coordination_files": [".agents/**/*.jsonl", "tasks/*.json"],
    "on_conflict": "deny",
    "lease_ttl_seconds": 900,
    "lease_renew_seconds": 30,
    "lease_exclude": [".git/**"],
    "claim_default_ttl_seconds": 900,
    "claim_promote_after_seconds": 120,
    "lock_timeout_seconds": 2,
}
_LIST_KEYS = ("coordination_files", "lease_exclude")
_NUM_KEYS = ("lease_ttl_seconds", "lease_renew_seconds", "claim_default_ttl_seconds",
             "claim_promote_after_seconds", "lock_timeout_seconds")


def compile_policy(shipped, project, allow_loosen=False):
    """Shipped + project. Lists are unioned (dropping a shipped pattern needs --allow-loosen);
    scalars are the project's choice. Types are checked strictly."""
    out: dict[str, Any] = dict(DEFAULT_POLICY)
    for src in (shipped or {}, project or {}):
        unknown = set(src) - set(DEFAULT_POLICY)
        if unknown:
            raise ValueError(f"unknown key {sorted(unknown)[0]!r} (allowed: {', '.join(sorted(DEFAULT_POLICY))})")
        for k in _LIST_KEYS:
            if k in src:
                v = src[k]
                if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
                    raise ValueError(f"{k} must be a list of project-relative glob strings")
                out[k] = list(v) if (src is shipped or allow_loosen) else sorted(set(out[k]) | set(v), key=(out[k] + v).index)
        for k in _NUM_KEYS:
            if k in src:
                v = src[k]
                if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0:
                    raise ValueError(f"{k} must be a positive number of seconds, got {v!r}")
                out[k] = v
        if "on_conflict" in src:
            if src["on_conflict"] not in ("deny", "checkpoint"):
                raise ValueError(f"on_conflict must be 'deny' or 'checkpoint', got {src['on_conflict']!r}")
            out["on_conflict"] = src["on_conflict"]
    return out


def _rel(path: str, root: str) -> str | None:
    if path == root or not path.startswith(root.rstrip("/") + "/"):
        return None
    return path[len(root.rstrip("/")) + 1 :]


def _coordination_verdict(rel: str, pattern: str, path: str, via: str) -> ev.Verdict:
    if rel.endswith(".jsonl"):
        cmd = f"{command()} lock append {rel} --record '<one JSON object>'"
    else:
        cmd = f"{command()} lock run {rel} -- <command that rewrites {rel}>"
    return ev.Verdict(
        HOOK_ID, ev.BLOCK, "coordination-file",
        f"{rel} is a shared coordination file (policy pattern {pattern}); other agents append to it "
        f"concurrently, so a direct write ({via}) could interleave with or clobber theirs",
        ADR, f"`{cmd}` (fcntl-locked, whole records; `hookgate lock append` for .jsonl logs)", (path,),
    )


def lock_run_targets(analysis, cwd: str) -> frozenset:
    """Files a ``hookgate lock run FILE -- CMD`` in this shell command holds locked: CMD's
    writes to FILE are the sanctioned route (should the shell engine unwrap CMD)."""
    out = set()
    for cmd in getattr(analysis, "commands", ()) or ():
        argv = tuple(getattr(cmd, "argv", ()) or ())
        if getattr(cmd, "name", "") == "hookgate" and argv[1:3] == ("lock", "run") and len(argv) > 3:
            target = next((w for w in argv[3:] if w is None or not w.startswith("-")), None)
            if isinstance(target, str):
                from hookgate.state.paths import normalize

                out.add(normalize(target, cwd))
    return frozenset(out)


def _targets(accesses, root: str, top, policy: dict, cwd: str, locked=frozenset()):
    """(writes [(path, key, mode, via)], scopes [(path, key, via, kind)], reads [key], outside
    [path], coordination-file verdict or None). Keys are repository-relative (ADR 0022)."""
    from hookgate.validators.coordination import identity

    coord = policy.get("coordination_files") or ()
    exclude = policy.get("lease_exclude") or ()
    writes, scopes, reads, outside = [], [], [], []
    for a in accesses:
        if not a.resolved or a.tool == "hookgate":
            continue
        if a.mode in ev.MUTATING_MODES:  # (scope and globs: only for writes, ADR 0017's import budget)
            from hookgate.validators.coordination import scope
            from hookgate.validators.coordination.globs import first_match

            sc = scope.scope_of(a, cwd, top)
        else:
            sc = None
        if sc is not None and (top is None or identity.key(sc[0], top) != sc[0]):
            scopes.append((sc[0], identity.key(sc[0], top), a.via or a.tool, sc[1]))
            continue
        rel = _rel(a.path, root)
        if rel is None:
            if a.mode in ev.MUTATING_MODES and a.path != root:  # never leased; a claim may name it
                outside.append(a.path)
            continue
        k = identity.key(a.path, top)
        if a.mode in ev.MUTATING_MODES:
            pat = first_match(rel, coord) if coord and a.path not in locked else None
            if pat:
                return writes, scopes, reads, outside, _coordination_verdict(rel, pat, a.path, a.via or a.mode)
            if not (exclude and first_match(rel, exclude)):
                writes.append((a.path, k, a.mode, a.via or a.tool))
        elif a.mode == ev.MODE_READ:
            reads.append(k)
    return writes, scopes, reads, outside, None


def _conflicts(data: dict, writes, reads, session: str, now: float, outside=()) -> list[tuple[str, dict]]:
    """Single files: another session's lease on the same key (in any worktree), a held claim
    overlapping it; an exclusive claim blocks reads too. *outside*: files outside the project,
    never leased, checked against claims that name absolute paths."""
    from hookgate.validators.coordination import claims, leases

    out = []
    if outside and any(c.get("path", "").startswith("/") for c in data["claims"]):
        for path in outside:
            for c in claims.blocking(data, path, session, "write", now):
                out.append((path, c))
    for _path, key, _mode, _via in writes:
        lease = leases.conflict(data, key, session, now)
        if lease is not None:
            out.append((key, dict(lease, mode="lease")))
        for c in claims.blocking(data, key, session, "write", now):
            out.append((key, c))
    for key in reads:
        for c in claims.blocking(data, key, session, "read", now):
            if c["mode"] == "exclusive":
                out.append((key, c))
    return out


def _conflict_verdict(conflicts, policy: dict, now: float, notice: str = "") -> ev.Verdict:
    rel, holder = conflicts[0]
    outcome = ev.CHECKPOINT if policy.get("on_conflict") == "checkpoint" else ev.BLOCK
    more = f" (and {len(conflicts) - 1} more)" if len(conflicts) > 1 else ""
    return ev.Verdict(
        HOOK_ID, outcome, "lease-held" if holder.get("mode") == "lease" else "claim-held",
        (notice + ". " if notice else "")
        + f"{show(rel)} is being worked on by another agent: {describe(holder, now)}{_where(holder)}{more}",
        ADR,
        f"work on something else and come back later (`{command()} locks list` shows holders and "
        f"the queue; `{command()} claim PATH --mode write` queues you for it); the lease ends when "
        "its session ends or after its TTL without writes",
        tuple(show(r) for r, _h in conflicts),
    )


def store_for(state_dir: str):
    """This repository's coordination store (ADR 0028): ``coordination.store`` on the files
    backend, the same interface over the shared database (``coordination.pgstore``) where the
    repository is on PostgreSQL; SharedStateUnavailable when that cannot be reached now (the
    caller denies)."""
    from hookgate.state import backend
    from hookgate.validators.coordination import store

    return backend.for_state(state_dir).store(state_dir, "coordination", store, _shared_store)


def _shared_store(b):
    from hookgate.validators.coordination import pgstore

    return pgstore.for_backend(b)


def _session_end(session: str, state_dir: str) -> ev.Verdict:
    from hookgate.validators.coordination import claims, leases, sessions

    if session:
        try:
            sessions.record_end(state_dir, session)
        except OSError:
            pass  # the trail only helps `hookgate claim` find its session
    if not session:
        return ev.allow(HOOK_ID)
    from hookgate.state import backend as state_backend

    try:
        store = store_for(state_dir)
    except state_backend.SharedStateUnavailable:
        return ev.allow(HOOK_ID)  # its leases end by their TTL on the database's clock (ADR 0028)
    if store.exists(state_dir):
        def fn(data):
            now = data.get("db_now") or time.time()
            leases.release(data, session=session)
            claims.release(data, session=session)
            claims.take_notices(data, session)
            leases.prune(data, now)
            claims.schedule(data, now)

        try:
            store.mutate(state_dir, fn)
        except store.UnsupportedState:
            pass  # a newer hookgate's state: its leases end by their TTL (never reset here)
        except state_backend.SharedStateUnavailable:
            pass  # its leases end by their TTL on the database's clock (ADR 0028)
    return ev.allow(HOOK_ID)


def check(event, accesses, analysis, policy, state_dir, project_root, notes=None, stage="", env=None, denied=False):
    session = event.session_id
    if event.phase == ev.SESSION_END:
        return _session_end(session, state_dir)
    if not policy:
        policy = DEFAULT_POLICY
    if event.tool_kind == ev.SHELL:
        cmd = event.tool_input.get("command")
        if isinstance(cmd, str) and "hookgate" in cmd and session and not denied:
            from hookgate.validators.coordination.sessions import record_shell_call

            try:
                record_shell_call(state_dir, session, event.platform, event.cwd, cmd, env or {})
            except OSError:
                pass  # the trail only helps `hookgate claim` find its session
    if not accesses:
        return ev.allow(HOOK_ID)
    from hookgate.validators.coordination import identity
    from hookgate.state import backend as state_backend

    top = identity.worktree_top(project_root)
    locked = lock_run_targets(analysis, event.cwd) if analysis is not None else frozenset()
    writes, scopes, reads, outside, coord_verdict = _targets(accesses, project_root, top, policy, event.cwd, locked)
    if coord_verdict is not None:
        return coord_verdict
    if not (writes or scopes or reads or outside):
        return ev.allow(HOOK_ID)
    if not (writes or scopes or outside) and state_backend.is_files(state_dir):
        from hookgate.validators.coordination.presence import reads_unclaimed

        if reads_unclaimed(state_dir, reads):  # no exclusive claim can concern them: the store unloaded
            return ev.allow(HOOK_ID)
    try:
        store = store_for(state_dir)
    except state_backend.SharedStateUnavailable as e:
        return _shared_state_unavailable(e, writes, scopes)
    if not writes and not store.exists(state_dir):
        return ev.allow(HOOK_ID)
    try:
        # a write outside the plan this session carries (ADR 0024); when it will be denied, it
        # takes no lease (below, a write that goes ahead is leased as any other)
        off_plan = _outside_plan(session, writes, project_root, state_dir) if writes and session else None
        if off_plan is not None and stage == ev.ENFORCE:
            return off_plan
        try:
            verdict = _decide(event, writes, scopes, reads, policy, state_dir, top, outside, store, env=env or {},
                              denied=denied)
        except state_backend.SharedStateUnavailable as e:
            return _shared_state_unavailable(e, writes, scopes)
        if writes and notes is not None and session and not denied and verdict.outcome in (ev.ALLOW, ev.WARN):
            # the merge gate's evidence (ADR 0022): which keys this session leased, on which branch
            # (a denied call leased nothing: no evidence, ADR 0013)
            notes["coordination"] = dict(identity.where(top), keys=[k for _p, k, _m, _v in writes][:200])
        if off_plan is not None and verdict.outcome in (ev.ALLOW, ev.WARN):
            verdict = off_plan  # below enforce the write goes ahead: leased and recorded above
        return verdict
    except store.UnsupportedState as e:
        return ev.Verdict(HOOK_ID, ev.BLOCK, "state-unsupported", str(e), SCOPE_ADR,
                          "ask the user to upgrade hookgate (leases of other agents are not ignored)")


def _shared_state_unavailable(e, writes, scopes) -> ev.Verdict:
    """The shared state (ADR 0028) cannot be reached: a write that needs a lease, or a scope
    write that must see other sessions' leases, is denied; reads and files outside the project
    are decided here as they need no coordination."""
    if not (writes or scopes):
        return ev.allow(HOOK_ID)
    from hookgate.state.backend import ADR as STATE_ADR

    keys = [k for _p, k, _m, _v in writes] + [k for _p, k, _v, _kind in scopes]
    return ev.Verdict(HOOK_ID, ev.BLOCK, "shared-state-unavailable",
                      f"cannot check other agents' leases on {show(keys[0])}"
                      f"{f' (and {len(keys) - 1} more)' if len(keys) > 1 else ''}: {e}", STATE_ADR,
                      "wait until the shared state answers again (`hookgate state status` shows it), then retry; "
                      "reading files and work outside the project are not affected", tuple(show(k) for k in keys))


def _outside_plan(session: str, writes, root: str, state_dir: str):
    """A write outside the reviewed claims of the plan this session carries (ADR 0024)."""
    from hookgate.plans.running import outside_plan_verdict

    rels = [r for r in (_rel(p, root) for p, _k, _m, _v in writes) if r]
    return outside_plan_verdict(session, rels, state_dir, HOOK_ID) if rels else None


def _keys_of(writes, reads, outside, scopes) -> tuple[list, bool]:
    """The keys a decision reads leases and claims for (ADR 0027), and whether it needs what
    lies below them: a scope write, or a write to a directory (a claim below it conflicts)."""
    keys = [k for _p, k, _m, _v in writes] + list(reads) + list(outside)
    below = bool(scopes) or any(os.path.isdir(p) for p, _k, _m, _v in writes)
    return keys, below


def _decide(event, writes, scopes, reads, policy: dict, state_dir: str, top, outside=(), store=None,
            attempt: int = 0, env: Mapping[str, str] | None = None, denied: bool = False) -> ev.Verdict:
    """*env*: the call's environment (git, asked about uncommitted work, runs with it).
    *denied*: an earlier validator already blocks the call — the same verdict, decided on what
    is stored, but nothing written (no lease, no notice taken)."""
    from hookgate.validators.coordination import claims, identity, leases

    if store is None:
        from hookgate.validators.coordination import store
    shared = getattr(store, "shared", False)
    session = event.session_id
    now = time.time()
    keys, below = _keys_of(writes, reads, outside, scopes)
    try:
        if shared:  # only the leases this call touches (all of them for a scope write): one round trip
            if not (writes or scopes):  # reads meet only claims: the server's copy, kept by NOTIFY
                data = store.load(state_dir, [], claims_only=True)
            else:
                data = store.load(state_dir, None if scopes else [k for _p, k, _m, _v in writes])
            now = data["db_now"]  # the database's clock, not this machine's (ADR 0028)
        else:
            data = store.load_for(state_dir, keys, below)
    except store.CorruptState:
        # moved aside, started fresh
        data = store.mutate(state_dir, lambda d: d) if shared else store.mutate_for(state_dir, keys, lambda d: d, below=below)
    if scopes:
        from hookgate.validators.coordination import scope

        hits = scope.conflicts(data, scopes, top, session, now, env or {})
        if hits:
            return scope.verdict(hits, policy.get("on_conflict"), now, HOOK_ID)
    told = claims.notices(data, session)
    notice = claims.notice_sentence(told[-1], _clock) if told else ""
    conflicts = _conflicts(data, writes, reads, session, now, outside)
    if conflicts:
        if denied:
            pass  # the notice waits for a call that goes ahead
        elif told and shared:
            store.mutate(state_dir, lambda d: claims.take_notices(d, session))
        elif told:
            store.mutate_for(state_dir, (), lambda d: claims.take_notices(d, session))
        return _conflict_verdict(conflicts, policy, now, notice)
    if not session or not writes:
        return ev.allow(HOOK_ID)  # a pre-emption notice waits for the session's next write
    if denied:  # what the take below decides when no race intervenes; the notice stays for the next write
        return ev.Verdict(HOOK_ID, ev.WARN, "claim-preempted", notice, SCOPE_ADR, "") if notice else ev.allow(HOOK_ID)
    ttl = float(policy.get("lease_ttl_seconds", 900))
    renew = float(policy.get("lease_renew_seconds", 30))
    due = bool(told) or any(leases.needs_update(data, k, session, now, ttl, renew) for _p, k, _m, _v in writes)
    due = due or any(
        c["session"] == session and claims.is_held(c) and now - float(c.get("refreshed", 0)) >= 30.0
        and any(claims.overlaps(c["path"], k) for _p, k, _m, _v in writes)
        for c in data["claims"]
    )
    if not due:
        return ev.allow(HOOK_ID)
    where = identity.where(top)
    if shared:
        return _take_shared(event, writes, scopes, reads, policy, state_dir, top, outside, store, data, told,
                            notice, ttl, attempt, env)

    def fn(d):
        t = time.time()
        found = _conflicts(d, writes, reads, session, t)  # someone may have won the race
        if found:
            return found
        claims.take_notices(d, session)
        leases.prune(d, t)
        for _p, k, _m, via in writes:
            leases.take(d, k, session, event.platform, str(via)[:80], t, ttl, where)
            claims.renew(d, k, session, t)
        return []

    found = store.mutate_for(state_dir, keys, fn, timeout=float(policy.get("lock_timeout_seconds", 2)), below=below)
    if found:
        return _conflict_verdict(found, policy, now, notice)
    if notice:
        return ev.Verdict(HOOK_ID, ev.WARN, "claim-preempted", notice, SCOPE_ADR, "")
    return ev.allow(HOOK_ID)


def _take_shared(event, writes, scopes, reads, policy, state_dir, top, outside, store, data, told, notice, ttl,
                 attempt, env) -> ev.Verdict:
    """The lease take on a shared backend (ADR 0028): one round trip, the conflict decided by
    the database on its clock. 'stale' — the claims changed since *data* was read — checks
    again (twice at most, then denies: never a lease over a claim it did not see)."""
    from hookgate.validators.coordination import claims, identity

    session = event.session_id
    keys = list(dict.fromkeys(k for _p, k, _m, _v in writes))
    status, held, now = store.take_leases(keys, session, event.platform, str(writes[0][3])[:80], ttl,
                                          identity.where(top), data.get("coord_ver", 0))
    if status == "held":
        return _conflict_verdict([(k, dict(lease, mode="lease")) for k, lease in held], policy, now, notice)
    if status == "stale":
        if attempt < 2:
            return _decide(event, writes, scopes, reads, policy, state_dir, top, outside, store, attempt + 1, env)
        return ev.Verdict(HOOK_ID, ev.BLOCK, "claims-changing",
                          f"the claims on {show(keys[0])} kept changing while this write was checked", ADR,
                          "retry in a moment")
    renew = any(c["session"] == session and claims.is_held(c) and now - float(c.get("refreshed", 0)) >= 30.0
                and any(claims.overlaps(c["path"], k) for k in keys) for c in data["claims"])
    if told or renew:
        def fn(d):
            claims.take_notices(d, session)
            for k in keys:
                claims.renew(d, k, session, d.get("db_now", now))

        store.mutate(state_dir, fn)
    if notice:
        return ev.Verdict(HOOK_ID, ev.WARN, "claim-preempted", notice, SCOPE_ADR, "")
    return ev.allow(HOOK_ID)
