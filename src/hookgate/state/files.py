"""The one way hookgate writes its files (ADR 0026; ADR 0004, ADR 0013). Stdlib only, hot path.

Several agents write the same state at once and any of them may be killed at any moment, so
a state file is only ever changed in one of three ways:

- :func:`append` — one whole record added to a log: ``O_APPEND``, an exclusive ``flock``
  taken within a fail-fast timeout, one ``os.write``, fsync. A reader sees the record whole
  or not at all.
- :func:`replace` — a document rewritten whole: a temp file in the same directory, fsync,
  ``os.replace``. A reader sees the old document or the new one, never a torn one.
- :func:`locked` + :func:`replace` (or :func:`update`) — read, change, replace under a lock
  file, so two writers never lose each other's change.

Locks are ``flock`` (released by the kernel when a process dies), taken with short
non-blocking retries (``state.locks``), never held beyond the call: state that must outlive a
process (a lease) is data in a file, not a held lock. This module knows files, locks and
atomic replacement only; what the files hold belongs to the modules that own them.
"""

from __future__ import annotations

import os

from hookgate.state.locks import atomic_write, ensure_dir, flock_timeout, unlock, write_all

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from typing import Callable, TypeVar

    T = TypeVar("T")

DEFAULT_TIMEOUT = 2.0
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)

__all__ = ["DEFAULT_TIMEOUT", "append", "ensure_dir", "locked", "read", "replace", "update"]


def replace(path: str, data: bytes, mode: int = 0o600, fsync: bool = True) -> None:
    """Rewrite *path* whole (temp file + fsync + ``os.replace``; the directory is created).
    ``fsync=False`` only for soft state that may be lost on power failure but is never seen
    half-written (leases, caches)."""
    atomic_write(path, data, mode=mode, fsync=fsync)


def read(path: str) -> bytes | None:
    """The bytes of *path*, or None when it does not exist."""
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


class locked:  # noqa: N801 - used as a function: ``with locked(path):``
    """Hold an exclusive (or shared) ``flock`` on *lock_path* (created 0600, with its
    directory) for the ``with`` block, which gets the descriptor. Raises ``LockTimeout`` when
    the lock is not free within *timeout* seconds. (A class, not ``contextlib``: that module
    imports ``collections``, which the hot path does not pay for — ADR 0017.)"""

    __slots__ = ("path", "timeout", "shared", "label", "fd")

    def __init__(self, lock_path: str, timeout: float = DEFAULT_TIMEOUT, shared: bool = False,
                 label: str = "") -> None:
        self.path = lock_path
        self.timeout = timeout
        self.shared = shared
        self.label = label or lock_path  # what a LockTimeout message calls it
        self.fd = -1

    def __enter__(self) -> int:
        ensure_dir(os.path.dirname(self.path) or ".")
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | _CLOEXEC, 0o600)
        try:
            flock_timeout(fd, self.timeout, self.label, shared=self.shared)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd
        return fd

    def __exit__(self, *exc: object) -> None:
        fd, self.fd = self.fd, -1
        try:
            unlock(fd)
        finally:
            os.close(fd)


def append(path: str, data: bytes, timeout: float = DEFAULT_TIMEOUT, fsync: bool = True, mode: int = 0o600) -> None:
    """Append *data* (one whole record, e.g. a JSON line) to *path* under its ``flock``."""
    ensure_dir(os.path.dirname(path) or ".")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | _CLOEXEC, mode)
    try:
        flock_timeout(fd, timeout, path)
        try:
            write_all(fd, data)
            if fsync:
                os.fsync(fd)
        finally:
            unlock(fd)
    finally:
        os.close(fd)


def update(path: str, change: Callable[[bytes | None], tuple[bytes | None, T]], lock_path: str | None = None,
           timeout: float = DEFAULT_TIMEOUT, fsync: bool = True, mode: int = 0o600) -> T:
    """Read-modify-replace *path* under *lock_path* (default ``<path>.lock``).

    ``change(old: bytes | None) -> (new: bytes | None, result)``: *new* None (or equal to
    *old*) leaves the file as it is. Returns *result*."""
    with locked(lock_path or path + ".lock", timeout):
        old = read(path)
        new, result = change(old)
        if new is not None and new != old:
            replace(path, new, mode=mode, fsync=fsync)
        return result
