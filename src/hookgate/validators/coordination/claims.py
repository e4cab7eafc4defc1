"""Explicit claims: modes, priorities, a fair queue and auto-promotion (ADR 0013).

Modes: ``read`` and ``intent_write`` share with each other; ``write`` and ``exclusive`` are
alone. Claims of one session never conflict with each other. A claim on a directory covers
everything under it. Priorities: critical > high > normal > low.

Scheduling (:func:`schedule`) grants waiters in order of effective priority, then request
time. A waiter is granted when it is compatible with every held claim and live lease of
other sessions on overlapping paths, *and* with every waiter ahead of it that is still
blocked — so a stream of compatible newcomers cannot overtake an incompatible waiter. A
waiter's priority rises one level per ``promote_after`` seconds of waiting (up to critical),
and ties go to the older request: nobody starves.
"""

from __future__ import annotations

from hookgate.validators.coordination import identity
from hookgate.validators.coordination import leases as lease_ops

MODES = ("read", "intent_write", "write", "exclusive")
SHARED_MODES = frozenset(("read", "intent_write"))
PRIORITIES = {"low": 0, "normal": 1, "high": 2, "critical": 3}
PRIORITY_NAMES = {v: k for k, v in PRIORITIES.items()}
DEFAULT_TTL = 900.0
DEFAULT_PROMOTE_AFTER = 120.0


def compatible(held: str, wanted: str) -> bool:
    """The compatibility matrix: only the shared modes share."""
    return held in SHARED_MODES and wanted in SHARED_MODES


def overlaps(a: str, b: str) -> bool:
    """Keys overlap when one is the other or lies below it (``.`` is the whole tree)."""
    return identity.overlaps(a, b)


def is_held(claim: dict) -> bool:
    return claim.get("granted") is not None


def effective_priority(claim: dict, now: float, promote_after: float = DEFAULT_PROMOTE_AFTER) -> int:
    base = PRIORITIES.get(claim.get("priority", "normal"), 1)
    if is_held(claim) or promote_after <= 0:
        return base
    waited = max(0.0, now - float(claim.get("requested", now)))
    return min(PRIORITIES["critical"], base + int(waited // promote_after))


def live(claim: dict, now: float) -> bool:
    return float(claim.get("expires", 0)) > now


def prune(data: dict, now: float) -> int:
    before = len(data["claims"])
    data["claims"] = [c for c in data["claims"] if live(c, now)]
    return before - len(data["claims"])


def blocking(data: dict, path: str, session: str, mode: str, now: float) -> list[dict]:
    """Held claims of other sessions on paths overlapping *path* that *mode* conflicts with."""
    out = []
    for c in data["claims"]:
        if not is_held(c) or not live(c, now) or (session and c.get("session") == session):
            continue
        if overlaps(c["path"], path) and not compatible(c["mode"], mode):
            out.append(c)
    return out


def _lease_blockers(data: dict, path: str, session: str, now: float) -> list[dict]:
    out = []
    for p, lease in data["leases"].items():
        if lease_ops.live(lease, now) and lease.get("session") != session and overlaps(p, path):
            out.append(dict(lease, path=p, mode="lease"))
    return out


def schedule(data: dict, now: float, promote_after: float = DEFAULT_PROMOTE_AFTER) -> list[dict]:
    """Prune, then grant every waiter that may run now; return the newly granted claims."""
    prune(data, now)
    held = [c for c in data["claims"] if is_held(c)]
    waiters = [c for c in data["claims"] if not is_held(c)]
    waiters.sort(key=lambda c: (-effective_priority(c, now, promote_after), float(c["requested"]), c["id"]))
    blocked_ahead: list[tuple[dict, set]] = []  # (waiter, sessions it waits for)
    granted = []
    for w in waiters:
        sess = w["session"]
        why = [h for h in held if h["session"] != sess and overlaps(h["path"], w["path"])
               and not compatible(h["mode"], w["mode"])]
        why += _lease_blockers(data, w["path"], sess, now)
        # a waiter ahead holds us back — unless it is itself waiting for us (no deadlock)
        why += [b for b, waits_for in blocked_ahead if b["session"] != sess and sess not in waits_for
                and overlaps(b["path"], w["path"]) and not compatible(b["mode"], w["mode"])]
        if why:
            w["waiting_on"] = why[0].get("id") or f"lease:{why[0]['path']}"
            blocked_ahead.append((w, {x["session"] for x in why}))
            continue
        w.pop("waiting_on", None)
        w.pop("preempted_by", None)
        w["granted"] = now
        w["expires"] = now + float(w["ttl"])
        held.append(w)
        granted.append(w)
    return granted


def request(data: dict, paths, session: str, platform: str, mode: str, priority: str, ttl: float,
            now: float, promote_after: float = DEFAULT_PROMOTE_AFTER, where: dict | None = None) -> list[dict]:
    """Record (or refresh) *session*'s claims on *paths*; schedule; return them in order.

    Asking again refreshes the TTL of a held claim, and keeps a queued one in the queue with
    its original request time (so its wait — and promotion — continues). A ``write`` claim
    pre-empts what stands in its way when all of it may be pre-empted (:func:`preemptible`)."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r} (use one of {', '.join(MODES)})")
    if priority not in PRIORITIES:
        raise ValueError(f"unknown priority {priority!r} (use one of {', '.join(PRIORITIES)})")
    if not session:
        raise ValueError("a claim needs a session")
    mine = []
    for path in paths:
        existing = next((c for c in data["claims"] if c["session"] == session and c["path"] == path and live(c, now)), None)
        if existing is None:
            existing = {"id": _next_id(data), "path": path, "session": session, "platform": platform,
                        "requested": now, "granted": None}
            data["claims"].append(existing)
        elif existing["mode"] != mode and is_held(existing):
            # a mode change is a new request; a held shared claim upgraded to write must queue
            others = blocking(data, path, session, mode, now) + _lease_blockers(data, path, session, now)
            if others:
                existing["granted"] = None
                existing["requested"] = now
        existing.update(mode=mode, priority=priority, ttl=float(ttl), refreshed=now)
        existing["expires"] = now + float(ttl)
        if where:
            existing.update(where)
        mine.append(existing)
    for c in mine:
        if c["mode"] == "write" and not is_held(c):
            _preempt(data, c, now)
    schedule(data, now, promote_after)
    return mine


# --- intent levels and pre-emption (ADR 0022) ----------------------------------------------
# read       → mode read          shares with read and soft write
# soft write → mode intent_write  shares with read/soft write; yields to any hard write
# hard write → mode write         alone; pre-empts soft writes, and reads/hard writes of a
#                                 strictly lower priority; waits for everything else
# exclusive  → mode exclusive     alone, blocks reads too; never pre-empted, pre-empts nothing
INTENTS = {"read": "read", "soft": "intent_write", "hard": "write", "exclusive": "exclusive"}
MAX_NOTICES = 200


def preemptible(held: dict, wanted: dict) -> bool:
    """Whether *wanted* (a hard write) may take *held*'s place."""
    if wanted.get("mode") != "write" or held.get("mode") == "exclusive":
        return False
    if held.get("mode") == "intent_write":
        return True
    return PRIORITIES.get(held.get("priority", "normal"), 1) < PRIORITIES.get(wanted.get("priority", "normal"), 1)


def _preempt(data: dict, claim: dict, now: float) -> None:
    """Grant *claim* by sending its blockers back to the queue, if every blocker may be
    pre-empted (a live lease — a file being edited — never may). The holder's next write is
    told (:func:`take_notices`)."""
    sess = claim["session"]
    held = [h for h in data["claims"] if is_held(h) and live(h, now) and h["session"] != sess
            and overlaps(h["path"], claim["path"]) and not compatible(h["mode"], claim["mode"])]
    if not held or _lease_blockers(data, claim["path"], sess, now):
        return
    if not all(preemptible(h, claim) for h in held):
        return
    notes = data.setdefault("preempted", [])
    for h in held:
        h["granted"] = None  # back in the queue, keeping its request time (and promotion)
        h["preempted_by"] = claim["id"]
        notes.append({"session": h["session"], "claim": h["id"], "path": h["path"], "mode": h["mode"],
                      "by": sess, "by_platform": claim.get("platform", ""), "by_mode": claim["mode"],
                      "by_priority": claim.get("priority", "normal"), "at": now})
    del notes[:-MAX_NOTICES]
    claim["granted"] = now
    claim["expires"] = now + float(claim["ttl"])


def notices(data: dict, session: str) -> list[dict]:
    return [n for n in data.get("preempted", ()) if session and n.get("session") == session]


def take_notices(data: dict, session: str) -> list[dict]:
    """Remove and return *session*'s pre-emption notices (each is told once)."""
    mine = notices(data, session)
    if mine:
        data["preempted"] = [n for n in data.get("preempted", ()) if n.get("session") != session]
    return mine


def notice_sentence(n: dict, clock) -> str:
    from hookgate.state.selfcmd import command

    who = f"{n.get('by_platform') or 'agent'} session {n.get('by')}"
    return (f"Your {n.get('mode')} claim {n.get('claim')} on {n.get('path')} was taken at {clock(float(n['at']))} "
            f"by {who} ({n.get('by_mode')} claim, {n.get('by_priority')} priority) and you are queued for it "
            f"again: leave {n.get('path')} alone until `{command()} claim {n.get('path')}` says granted")


def _next_id(data: dict) -> str:
    data["seq"] = int(data.get("seq", 0)) + 1
    return f"c{data['seq']}"


def release(data: dict, session: str | None = None, paths=None, ids=None) -> list[dict]:
    """Drop claims (of *session* / on *paths* / with *ids*; all when none given)."""
    wanted_paths = set(paths) if paths else None
    wanted_ids = set(ids) if ids else None
    gone, keep = [], []
    for c in data["claims"]:
        hit = ((session is None or c["session"] == session)
               and (wanted_paths is None or c["path"] in wanted_paths)
               and (wanted_ids is None or c["id"] in wanted_ids))
        (gone if hit else keep).append(c)
    data["claims"] = keep
    return gone


def renew(data: dict, path: str, session: str, now: float) -> bool:
    """Renew *session*'s held claims covering *path* (on its writes); True if any changed."""
    changed = False
    for c in data["claims"]:
        if c["session"] == session and is_held(c) and overlaps(c["path"], path) and live(c, now):
            if now - float(c.get("refreshed", 0)) >= min(30.0, float(c["ttl"]) / 2):
                c["refreshed"] = now
                c["expires"] = now + float(c["ttl"])
                changed = True
    return changed


def queue_position(data: dict, claim: dict, now: float, promote_after: float = DEFAULT_PROMOTE_AFTER) -> int:
    """1-based position of a waiting claim among waiters on overlapping paths."""
    waiters = [c for c in data["claims"] if not is_held(c) and overlaps(c["path"], claim["path"])]
    waiters.sort(key=lambda c: (-effective_priority(c, now, promote_after), float(c["requested"]), c["id"]))
    for i, c in enumerate(waiters, 1):
        if c is claim or c["id"] == claim["id"]:
            return i
    return 0
