"""The ledger's outbox (ADR 0028). Stdlib only: the one-shot hook writes it.

When a repository's ledger lives in PostgreSQL, a record that cannot go there now — the
database is away or slow, or this process is the one-shot hook, which never imports a
database client — is appended here, in ``<state>/ledger.outbox.jsonl``: one whole line per
record (no ``prev``/``hash``: the chain is made when the record reaches the database), written
with one ``os.write`` under ``flock`` and fsynced, so nothing is lost however many processes
write and whichever of them is killed.

The decision server ships the outbox in file order (:func:`drain`): each record is appended to
the database's chain by its ``id``, which the database keeps unique per repository, so a record
shipped twice (the shipper killed between the insert and moving the cursor) is kept once.
``ledger.outbox.cursor`` holds how many bytes are shipped; once everything is, the file is
truncated under the append lock. Records from the outbox keep their order among themselves and
go before any record the server appends directly (it appends directly only when the outbox is
empty).
"""

from __future__ import annotations

import fcntl
import os

from hookgate.state import jsonio as json
from hookgate.state.locks import LockTimeout, atomic_write, ensure_dir, flock_timeout, unlock, write_all

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from collections.abc import Callable, Iterator
    from typing import Any

OUTBOX = "ledger.outbox.jsonl"
CURSOR = "ledger.outbox.cursor"
SHIP_LOCK = "ledger.outbox.ship"
LOCK_TIMEOUT = 2.0


def outbox_path(state_dir: str) -> str:
    return os.path.join(state_dir, OUTBOX)


def _canonical(obj: dict[str, Any]) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def append(state_dir: str, record: dict[str, Any], fsync: bool = True, name: str = OUTBOX) -> dict[str, Any]:
    """Append *record* (prev/hash dropped) as one whole line of *name* (the outbox, or the
    server's in-flight journal); return it as written."""
    ensure_dir(state_dir)
    body = dict(record)
    body.pop("hash", None)
    body.pop("prev", None)
    line = (_canonical(body) + "\n").encode("utf-8")
    path = os.path.join(state_dir, name)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        flock_timeout(fd, LOCK_TIMEOUT, path)
        try:
            size = os.fstat(fd).st_size
            torn = size > 0 and os.pread(fd, 1, size - 1) != b"\n"
            write_all(fd, b"\n" + line if torn else line)  # a torn line never swallows this one
            if fsync:
                os.fsync(fd)
        finally:
            unlock(fd)
    finally:
        os.close(fd)
    return body


def read_records(path: str) -> list[dict[str, Any]]:
    """The whole records of a journal file, in order (a torn last line is left out)."""
    out: list[dict[str, Any]] = []
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        return out
    with f:
        for raw in f:
            if not raw.endswith(b"\n") or not raw.strip():
                continue
            try:
                rec = json.loads(raw)
            except ValueError:
                continue
            if isinstance(rec, dict):
                out.append(rec)
    return out


def _cursor(state_dir: str) -> int:
    try:
        with open(os.path.join(state_dir, CURSOR), "rb") as f:
            return max(0, int(f.read(32).strip() or b"0"))
    except (OSError, ValueError):
        return 0


def _set_cursor(state_dir: str, n: int) -> None:
    atomic_write(os.path.join(state_dir, CURSOR), str(n).encode("ascii"))


def waiting_bytes(state_dir: str) -> int:
    """Bytes not yet shipped (0: nothing waiting). One stat and one small read."""
    try:
        size = os.stat(outbox_path(state_dir)).st_size
    except OSError:
        return 0
    if size == 0:
        return 0
    cur = _cursor(state_dir)
    return size - cur if cur <= size else size


def lag_seconds(state_dir: str, now: float | None = None) -> float:
    """How long the oldest waiting record has waited (0.0 when nothing waits)."""
    import calendar
    import time

    for _end, rec in _lines_from(state_dir, _cursor(state_dir)):
        ts = rec.get("ts") if rec else None
        if isinstance(ts, str) and len(ts) >= 19:
            try:
                t = calendar.timegm(time.strptime(ts[:19], "%Y-%m-%dT%H:%M:%S"))
            except (ValueError, OverflowError):
                return 0.0
            return max(0.0, round((now or time.time()) - t, 1))
        return 0.0
    return 0.0


def pending(state_dir: str) -> list[dict[str, Any]]:
    """The records waiting, in order (for `hookgate state status` and the tests)."""
    out: list[dict[str, Any]] = []
    for _end, rec in _lines_from(state_dir, _cursor(state_dir)):
        if rec is not None:
            out.append(rec)
    return out


def _lines_from(state_dir: str, start: int) -> Iterator[tuple[int, dict[str, Any] | None]]:
    """(offset after the line, record or None for a line that does not parse) for each
    complete line from byte *start* (a cursor past the end — a truncation the shipper did not
    get to record — starts over: shipping is idempotent)."""
    try:
        f = open(outbox_path(state_dir), "rb")
    except FileNotFoundError:
        return
    with f:
        size = os.fstat(f.fileno()).st_size
        if start > size:
            start = 0
        f.seek(start)
        pos = start
        for raw in f:
            if not raw.endswith(b"\n"):
                return  # an append in progress (or torn): the next drain sees it whole
            pos += len(raw)
            s = raw.strip()
            if not s:
                yield pos, None
                continue
            try:
                rec = json.loads(s)
            except ValueError:
                rec = None
            yield pos, rec if isinstance(rec, dict) else {"v": 1, "kind": "outbox_torn",
                                                          "error": "a torn outbox line (its writer died mid-write)",
                                                          "bytes": len(s)}


def drain(state_dir: str, ship: Callable[[list[dict[str, Any]]], object], batch: int = 200,
          limit: int = 0) -> int:
    """Ship waiting records in order with ``ship(list_of_records)`` (which raises when the
    database is away); return how many were shipped, or -1 when another shipper is at it.
    *limit*: stop after about that many (0: all), so a long queue does not hold up decisions.
    The cursor moves after each shipped batch; a failure leaves the rest waiting."""
    if waiting_bytes(state_dir) == 0:
        return 0
    lock_fd = os.open(os.path.join(state_dir, SHIP_LOCK), os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return -1
        shipped = 0
        cur = _cursor(state_dir)
        buf: list[dict[str, Any]] = []
        end = cur
        for pos, rec in _lines_from(state_dir, cur):
            if rec is not None:
                buf.append(rec)
            end = pos
            if len(buf) >= batch:
                ship(buf)
                shipped += len(buf)
                buf = []
                _set_cursor(state_dir, end)
                if limit and shipped >= limit:
                    return shipped  # the rest on the next call, still in order
        if buf:
            ship(buf)
            shipped += len(buf)
        if end != cur:
            _set_cursor(state_dir, end)
        _truncate_if_done(state_dir, end)
        return shipped
    finally:
        os.close(lock_fd)


def _truncate_if_done(state_dir: str, end: int) -> None:
    path = outbox_path(state_dir)
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return
    try:
        try:
            flock_timeout(fd, LOCK_TIMEOUT, path)
        except LockTimeout:
            return  # appenders busy: truncated by a later drain
        try:
            if os.fstat(fd).st_size == end:
                # cursor first: killed between the two, the next drain re-ships what is still
                # there (kept once by id); the other order could skip records appended later
                _set_cursor(state_dir, 0)
                os.ftruncate(fd, 0)
                os.fsync(fd)
        finally:
            unlock(fd)
    finally:
        os.close(fd)
