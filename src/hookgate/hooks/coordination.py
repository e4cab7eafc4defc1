"""Coordination between concurrent agents (ADR 0013).

- Coordination files (policy ``coordination_files``, project-relative globs) change only
  through ``hookgate lock …``: a Write/Edit/MCP write or a shell write to one is blocked with
  the exact command to use. Writes made by ``hookgate`` itself are not counted.
- Leases: the first session that writes a file under the project leases it (TTL, renewed on
  the owner's writes). Another session's write — or delete of a directory holding it — is
  blocked (or checkpointed: ``on_conflict``), naming the holder, since when, and what to do.
- Claims (``hookgate claim``): a held claim of another session on an overlapping path blocks
  writes; an ``exclusive`` one blocks reads too.
- SessionEnd releases the session's leases and claims; a shell call that runs ``hookgate``
  leaves the trail that lets ``hookgate claim`` find its session.
"""

from __future__ import annotations

import os
import time

from hookgate import event as ev
from hookgate.selfcmd import command

HOOK_ID = "coordination"
ADR = "adr/0013-coordination.md"
PHASES = frozenset((ev.PRE, ev.SESSION_END))

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
    out = dict(DEFAULT_POLICY)
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


def _ago(seconds: float) -> str:
    s = int(max(0, seconds))
    if s < 90:
        return f"{s}s"
    if s < 5400:
        return f"{s // 60}m"
    return f"{s // 3600}h{(s % 3600) // 60:02d}m"


def _clock(t: float) -> str:
    return time.strftime("%H:%M:%S UTC", time.gmtime(t))


def describe(holder: dict, now: float) -> str:
    """"claude-code session abc (lease since 12:00:01 UTC, 3m ago; expires in 12m)"."""
    who = f"{holder.get('platform') or 'agent'} session {holder.get('session') or '?'}"
    if holder.get("mode") and holder.get("mode") != "lease":
        what = f"{holder['mode']} claim ({holder.get('priority', 'normal')})"
        since = float(holder.get("granted") or holder.get("requested") or now)
    else:
        what = "lease"
        since = float(holder.get("since", now))
    return (f"{who} ({what} since {_clock(since)}, {_ago(now - since)} ago; "
            f"expires in {_ago(float(holder.get('expires', now)) - now)} unless renewed)")


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
                from hookgate.paths import normalize

                out.add(normalize(target, cwd))
    return frozenset(out)


def _targets(accesses, root: str, policy: dict, locked=frozenset()):
    """(writes [(path, rel, mode, via)], reads [path], coordination-file verdict or None)."""
    from hookgate.coordination.globs import first_match

    coord = policy.get("coordination_files") or ()
    exclude = policy.get("lease_exclude") or ()
    writes, reads = [], []
    for a in accesses:
        if not a.resolved or a.tool == "hookgate":
            continue
        rel = _rel(a.path, root)
        if rel is None:
            continue
        if a.mode in ev.MUTATING_MODES:
            pat = first_match(rel, coord) if coord and a.path not in locked else None
            if pat:
                return writes, reads, _coordination_verdict(rel, pat, a.path, a.via or a.mode)
            if not (exclude and first_match(rel, exclude)):
                writes.append((a.path, rel, a.mode, a.via or a.tool))
        elif a.mode == ev.MODE_READ:
            reads.append(a.path)
    return writes, reads, None


def _conflicts(data: dict, writes, reads, session: str, now: float) -> list[tuple[str, dict]]:
    from hookgate.coordination import claims, leases

    out = []
    for path, rel, mode, _via in writes:
        lease = leases.conflict(data, path, session, now)
        if lease is not None:
            out.append((rel, dict(lease, mode="lease")))
        elif mode == ev.MODE_DELETE:  # deleting a directory deletes what others hold under it
            for p, held in data["leases"].items():
                if p.startswith(path.rstrip("/") + "/") and leases.conflict(data, p, session, now):
                    out.append((rel, dict(held, mode="lease")))
                    break
        for c in claims.blocking(data, path, session, "write", now):
            out.append((rel, c))
    for path in reads:
        for c in claims.blocking(data, path, session, "read", now):
            if c["mode"] == "exclusive":
                out.append((path, c))
    return out


def _conflict_verdict(conflicts, policy: dict, now: float) -> ev.Verdict:
    rel, holder = conflicts[0]
    outcome = ev.CHECKPOINT if policy.get("on_conflict") == "checkpoint" else ev.BLOCK
    more = f" (and {len(conflicts) - 1} more)" if len(conflicts) > 1 else ""
    return ev.Verdict(
        HOOK_ID, outcome, "lease-held" if holder.get("mode") == "lease" else "claim-held",
        f"{rel} is being worked on by another agent: {describe(holder, now)}{more}",
        ADR,
        f"work on something else and come back later (`{command()} locks list` shows holders and "
        f"the queue; `{command()} claim PATH --mode write` queues you for it); the lease ends when "
        "its session ends or after its TTL without writes",
        tuple(r for r, _h in conflicts),
    )


def _session_end(session: str, state_dir: str) -> ev.Verdict:
    from hookgate.coordination import claims, leases, store

    if session and store.exists(state_dir):
        def fn(data):
            now = time.time()
            leases.release(data, session=session)
            claims.release(data, session=session)
            leases.prune(data, now)
            claims.schedule(data, now)

        store.mutate(state_dir, fn)
    return ev.allow(HOOK_ID)


def check(event, accesses, analysis, policy, state_dir, project_root):
    session = event.session_id
    if event.phase == ev.SESSION_END:
        return _session_end(session, state_dir)
    if not policy:
        policy = DEFAULT_POLICY
    if event.tool_kind == ev.SHELL:
        cmd = event.tool_input.get("command")
        if isinstance(cmd, str) and "hookgate" in cmd and session:
            from hookgate.coordination.sessions import record_shell_call

            try:
                record_shell_call(state_dir, session, event.platform, event.cwd, cmd, os.environ)
            except OSError:
                pass  # the trail only helps `hookgate claim` find its session
    if not accesses:
        return ev.allow(HOOK_ID)
    locked = lock_run_targets(analysis, event.cwd) if analysis is not None else frozenset()
    writes, reads, coord_verdict = _targets(accesses, project_root, policy, locked)
    if coord_verdict is not None:
        return coord_verdict
    if not writes and not reads:
        return ev.allow(HOOK_ID)
    from hookgate.coordination import store

    if not writes and not store.exists(state_dir):
        return ev.allow(HOOK_ID)
    return _leases(event, writes, reads, policy, state_dir)


def _leases(event, writes, reads, policy: dict, state_dir: str) -> ev.Verdict:
    from hookgate.coordination import claims, leases, store

    session = event.session_id
    now = time.time()
    try:
        data = store.load(state_dir)
    except store.CorruptState:
        data = store.mutate(state_dir, lambda d: d)  # moved aside, started fresh
    conflicts = _conflicts(data, writes, reads, session, now)
    if conflicts:
        return _conflict_verdict(conflicts, policy, now)
    if not session or not writes:
        return ev.allow(HOOK_ID)
    ttl = float(policy.get("lease_ttl_seconds", 900))
    renew = float(policy.get("lease_renew_seconds", 30))
    due = any(leases.needs_update(data, p, session, now, ttl, renew) for p, _r, _m, _v in writes)
    due = due or any(
        c["session"] == session and claims.is_held(c) and now - float(c.get("refreshed", 0)) >= 30.0
        and any(claims.overlaps(c["path"], p) for p, _r, _m, _v in writes)
        for c in data["claims"]
    )
    if not due:
        return ev.allow(HOOK_ID)

    def fn(d):
        t = time.time()
        found = _conflicts(d, writes, reads, session, t)  # someone may have won the race
        if found:
            return found
        leases.prune(d, t)
        for p, _r, _m, via in writes:
            leases.take(d, p, session, event.platform, str(via)[:80], t, ttl)
            claims.renew(d, p, session, t)
        return []

    found = store.mutate(state_dir, fn, timeout=float(policy.get("lock_timeout_seconds", 2)))
    if found:
        return _conflict_verdict(found, policy, now)
    return ev.allow(HOOK_ID)
