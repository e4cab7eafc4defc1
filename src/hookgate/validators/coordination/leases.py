"""Implicit write leases (ADR 0013): the first session that writes a file leases it.

A lease is ``leases[key] = {session, platform, since, renewed, expires, via, ttl, wt, branch}``
— the key repository-relative (ADR 0022: ``identity.key``), ``wt``/``branch`` the worktree the
owner wrote from. The owner
renews it on each write (at most once per ``renew_every`` seconds, to keep the write path
read-only most of the time); it ends on the owner's session end, on expiry, or by
``hookgate locks release``. Pure functions over the state dict (see ``store``).
"""

from __future__ import annotations

DEFAULT_TTL = 900.0
DEFAULT_RENEW_EVERY = 30.0


def live(lease: dict, now: float) -> bool:
    return float(lease.get("expires", 0)) > now


def holder_of(data: dict, path: str, now: float) -> dict | None:
    """The live lease on *path*, or None."""
    lease = data["leases"].get(path)
    if lease is not None and live(lease, now):
        return lease
    return None


def conflict(data: dict, path: str, session: str, now: float) -> dict | None:
    """Another session's live lease on *path* (an unknown session conflicts with any lease)."""
    lease = holder_of(data, path, now)
    if lease is None or (session and lease.get("session") == session):
        return None
    return lease


def needs_update(data: dict, path: str, session: str, now: float, ttl: float,
                 renew_every: float = DEFAULT_RENEW_EVERY) -> bool:
    """Whether a write by *session* must take or renew the lease (i.e. mutate the state)."""
    if not session:
        return False
    lease = data["leases"].get(path)
    if lease is None or not live(lease, now):
        return True
    if lease.get("session") != session:
        return False
    return now - float(lease.get("renewed", 0)) >= min(renew_every, ttl / 2)


def take(data: dict, path: str, session: str, platform: str, via: str, now: float, ttl: float,
         where: dict | None = None) -> bool:
    """Take or renew *session*'s lease on *path*; False if another session holds it.

    *where* (``{"wt", "branch"}``) says which worktree the write came from; the latest write
    decides (a session that writes one file from two worktrees holds it where it wrote last)."""
    lease = data["leases"].get(path)
    if lease is not None and live(lease, now) and lease.get("session") != session:
        return False
    if lease is None or not live(lease, now) or lease.get("session") != session:
        lease = data["leases"][path] = {"session": session, "platform": platform, "since": now,
                                        "renewed": now, "expires": now + ttl, "via": via, "ttl": ttl}
    else:
        lease["renewed"] = now
        lease["expires"] = now + ttl
        lease["via"] = via
    if where:
        lease.update(where)
    return True


def prune(data: dict, now: float) -> int:
    dead = [p for p, lease in data["leases"].items() if not live(lease, now)]
    for p in dead:
        del data["leases"][p]
    return len(dead)


def release(data: dict, session: str | None = None, paths=None) -> list[str]:
    """Drop leases (of *session*, and/or on *paths*, or all); return the released paths."""
    wanted = set(paths) if paths else None
    gone = [p for p, lease in data["leases"].items()
            if (session is None or lease.get("session") == session) and (wanted is None or p in wanted)]
    for p in gone:
        del data["leases"][p]
    return gone
