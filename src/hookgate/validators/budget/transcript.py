"""Incremental JSONL transcript reading shared by the Claude Code and Gemini CLI readers.

``scan(state, path, extract, marker)`` reads the bytes appended since ``state["offset"]``,
hands every complete line that contains *marker* to ``extract(line) -> (key, counts, ts)``
or None, de-duplicates by key over a window of recent keys (keeping the per-kind maximum,
since a streamed message repeats with growing ``output_tokens``) and adds to the totals.

Tolerated, never raised: a partial last line (left for the next call), malformed lines
(counted in ``malformed``), a missing transcript (totals kept, ``missing`` set), and a rotated
or rewritten one — a new inode, a shrunken file, changed first bytes, or changed bytes just
before the saved offset. Then the current totals are *carried* and the new file is read
from its start: tokens spent stay spent, so truncating a transcript never lowers the count.
"""

from __future__ import annotations

import os

from hookgate.validators.budget.state import add_series, minute

CHUNK = 8 * 1024 * 1024
# bytes read per hook call (ADR 0018 item 5): a huge transcript is caught up over several
# calls, never in one that would run past the per-call deadline
MAX_PER_CALL = 64 * 1024 * 1024
TIME_PER_CALL = 1.0  # seconds of reading per call, checked between chunks


def _clock() -> float:
    import time

    try:
        return time.perf_counter()
    except (OverflowError, OSError, ValueError):
        return 0.0
HEAD = 64
TAIL = 512  # bytes before the saved offset, re-checked every call (catches truncate-and-regrow)
WINDOW = 64  # recent message keys remembered (streamed duplicates sit a few lines apart)


def _restart(st: dict, reason: str) -> None:
    st["carried"] = [a + b for a, b in zip(st["carried"], st["gen"])]
    st["gen"] = [0, 0, 0, 0]
    st["offset"] = 0
    st.pop("tail", None)
    st["restarts"] = st.get("restarts", 0) + 1
    st["last_restart"] = reason
    st.pop("head", None)


def _identity_changed(st: dict, fd: int, size: int, dev_ino: list, path: str) -> str:
    off = st.get("offset", 0)
    if st.get("source") and st["source"] != path:
        return "transcript path changed"
    if not off:
        return ""
    if st.get("ident") and st["ident"] != dev_ino:
        return "transcript replaced (new inode)"
    if size < off:
        return "transcript shrank"
    head = st.get("head") or ""
    if head and os.pread(fd, len(head) // 2, 0).hex() != head:
        return "transcript rewritten (first bytes changed)"
    tail = st.get("tail") or ""
    if os.pread(fd, len(tail) // 2 or 1, off - (len(tail) // 2 or 1)) != (bytes.fromhex(tail) if tail else b"\n"):
        return "transcript rewritten (bytes before the offset changed)"
    return ""


def scan(st: dict, path: str, extract, marker: bytes) -> bool:
    """Bring *st* up to date with *path*; True when the state changed."""
    from hookgate.state.paths import open_regular

    fd = open_regular(path) if path else None  # a FIFO, device or directory is "missing"
    if fd is None:
        if not st.get("missing"):
            st["missing"] = True
            return bool(st.get("source"))
        return False
    try:
        s = os.fstat(fd)
        dev_ino = [s.st_dev, s.st_ino]
        size = s.st_size
        changed = False
        if st.pop("missing", None):
            changed = True
        reason = _identity_changed(st, fd, size, dev_ino, path)
        if reason:
            _restart(st, reason)
            changed = True
        if st.get("source") != path or st.get("ident") != dev_ino:
            st["source"] = path
            st["ident"] = dev_ino
            changed = True
        if len(st.get("head") or "") < 2 * HEAD and size:
            head = os.pread(fd, HEAD, 0).hex()
            if head != st.get("head"):
                st["head"] = head
                changed = True
        off = st["offset"]
        if size <= off:
            return changed
        os.lseek(fd, off, os.SEEK_SET)
        recent = dict(st["recent"])  # insertion-ordered; no collections import (ADR 0017)
        gen = st["gen"]
        counts_before = (st["messages"], st["malformed"])
        base = off  # file offset where ``rest`` starts
        rest = b""
        remaining = min(size - off, MAX_PER_CALL)
        capped = size - off > MAX_PER_CALL
        started = _clock()
        while remaining > 0:
            if base != off and _clock() - started > TIME_PER_CALL:
                capped = False  # the rest waits for the next call
                break
            data = os.read(fd, min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            buf = rest + data if rest else data
            cut = buf.rfind(b"\n")
            if cut < 0:
                rest = buf
                continue
            rest = buf[cut + 1 :]
            base += cut + 1
            for line in buf[:cut].split(b"\n"):
                if marker not in line:
                    continue
                try:
                    got = extract(line)
                except (ValueError, TypeError, KeyError, AttributeError, IndexError):
                    got = False
                if got is None:
                    continue
                if got is False:
                    st["malformed"] += 1
                    continue
                _count(st, gen, recent, got)
        if capped and base == off:  # one line longer than a call may read: skip it, counted
            base = off + MAX_PER_CALL
            st["malformed"] += 1
        st["offset"] = base  # just past the last complete line; a partial line waits
        if base != off:
            n = min(TAIL, base)
            st["tail"] = os.pread(fd, n, base - n).hex()
        st["recent"] = dict(recent)
        return changed or base != off or counts_before != (st["messages"], st["malformed"])
    finally:
        os.close(fd)


def _count(st: dict, gen: list, recent: dict, got) -> None:
    key, vals, ts = got
    if key is not None:
        prev = recent.get(key)
        if prev is not None:
            delta = [v - p if v > p else 0 for v, p in zip(vals, prev)]
            del recent[key]  # re-insert at the end: most recently seen
            recent[key] = [v if v > p else p for v, p in zip(vals, prev)]
        else:
            delta = list(vals)
            recent[key] = list(vals)
            if len(recent) > WINDOW:
                del recent[next(iter(recent))]  # drop the oldest
            st["messages"] += 1
    else:
        delta = list(vals)
        st["messages"] += 1
    n = 0
    for i, d in enumerate(delta):
        if d:
            gen[i] += d
            n += d
    add_series(st, minute(ts), n)
