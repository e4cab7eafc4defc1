"""fcntl primitives with a fail-fast timeout (stdlib only, hot path).

A lock is taken with short non-blocking ``flock`` retries and a capped backoff — no
signals that could disturb a caller. The kernel releases a flock when its process dies,
which suits short-lived hook processes (ADR 0004).
"""

from __future__ import annotations

import fcntl
import os
import time


class LockTimeout(Exception):
    """The lock was not free within the timeout."""

    def __init__(self, path: str, timeout: float, holder: str = "") -> None:
        self.path = path
        self.timeout = timeout
        self.holder = holder
        who = f" (held by {holder})" if holder else ""
        super().__init__(f"{path}: lock busy for {timeout:g}s{who}; retry in a few seconds")


def flock_timeout(fd: int, timeout: float, path: str = "", shared: bool = False) -> None:
    """Take ``flock`` on *fd* within *timeout* seconds or raise LockTimeout."""
    op = (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB
    try:
        fcntl.flock(fd, op)
        return
    except BlockingIOError:
        pass
    deadline = time.monotonic() + timeout
    delay = 0.0005
    while True:
        time.sleep(delay)
        try:
            fcntl.flock(fd, op)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LockTimeout(path, timeout) from None
            delay = min(delay * 2, 0.02)


def unlock(fd: int) -> None:
    fcntl.flock(fd, fcntl.LOCK_UN)


def ensure_dir(path: str) -> None:
    os.makedirs(path, mode=0o700, exist_ok=True)


def atomic_write(path: str, data: bytes, mode: int = 0o600) -> None:
    """Rewrite *path* whole: temp file in the same dir + fsync + ``os.replace``."""
    d = os.path.dirname(path) or "."
    ensure_dir(d)
    tmp = os.path.join(d, f".{os.path.basename(path)}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_all(fd: int, data: bytes) -> None:
    """One ``os.write`` of a whole record (loops only on a short write)."""
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]
