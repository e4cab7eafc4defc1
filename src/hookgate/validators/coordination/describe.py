"""How a holder is named in messages and listings (ADR 0013, ADR 0022). Stdlib, hot path."""

from __future__ import annotations

import time


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
    skew = f"; its writer's clock is {_ago(since - now)} ahead of ours" if since > now + 5 else ""
    return (f"{who} ({what} since {_clock(since)}, {_ago(now - since)} ago; "
            f"expires in {_ago(float(holder.get('expires', now)) - now)} unless renewed{skew})")


def branch_now(holder: dict) -> str:
    """The branch the holder's worktree has checked out now (a rename shows), else the recorded
    one; ``""`` outside git."""
    import os

    from hookgate.validators.coordination import identity

    wt = holder.get("wt")
    if not wt:
        return ""
    if not os.path.isdir(wt):
        return (holder.get("branch") or "?") + ", worktree gone"
    return identity.head(identity.git_dir(wt)) or holder.get("branch") or ""


def _where(holder: dict) -> str:
    if not holder.get("wt"):
        return ""
    branch = branch_now(holder)
    return f" in {show(holder['wt'])}" + (f" ({show(branch)})" if branch else "")


def show(key: str) -> str:
    """A key as text for a message: unprintable characters and bytes that are not UTF-8 (kept
    as surrogates by ``surrogateescape``) are escaped, so a message stays one valid line."""
    if key.isprintable():
        try:
            key.encode("utf-8")
            return key
        except UnicodeEncodeError:
            pass
    return ascii(key)[1:-1]
