"""fcntl primitives with a fail-fast timeout (stdlib only, hot path).

A lock is taken with short non-blocking ``flock`` retries and a capped backoff — no
signals that could disturb a caller. The kernel releases a flock when its process dies,
which suits short-lived hook processes (ADR 0004).

Coordination files (ADR 0013): :func:`append_record` appends one whole JSON line under
``flock`` (O_APPEND, one ``os.write``, fsync); :func:`lock_file` holds the lock for a
read-modify-write. A holder leaves a small note (pid, session, command) in a side file so a
waiter that times out can say who is writing; on Linux ``/proc/locks`` is the fallback.
"""

from __future__ import annotations

import fcntl
import os
import time

from hookgate.errors import EXIT_BUSY, HookgateError

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from typing import Any


class LockTimeout(HookgateError):
    """The lock was not free within the timeout."""

    exit_code = EXIT_BUSY

    def __init__(self, path: str, timeout: float, holder: str = "") -> None:
        self.path = path
        self.timeout = timeout
        self.holder = holder
        who = f" (held by {holder})" if holder else ""
        super().__init__(f"{path}: lock busy for {timeout:g}s{who}; retry in a few seconds")


def monotonic() -> float:
    """``time.monotonic()``; when the clock cannot be read (past 2262, odd clocks: ADR 0018)
    a counter that still moves forward, so a deadline computed from it still ends."""
    global _FAKE
    try:
        return time.monotonic()
    except (OverflowError, OSError, ValueError):
        _FAKE += 0.05
        return _FAKE


_FAKE = 0.0


def flock_timeout(fd: int, timeout: float, path: str = "", shared: bool = False) -> None:
    """Take ``flock`` on *fd* within *timeout* seconds or raise LockTimeout.

    The wait is measured by the sleeps themselves, not by a clock: a clock that jumps, stops or
    cannot be read (ADR 0018) cannot make it longer than *timeout* (plus scheduling)."""
    op = (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB
    try:
        fcntl.flock(fd, op)
        return
    except BlockingIOError:
        pass
    waited = 0.0
    delay = 0.0005
    while True:
        time.sleep(delay)
        waited += delay
        try:
            fcntl.flock(fd, op)
            return
        except BlockingIOError:
            if waited >= timeout:
                raise LockTimeout(path, timeout) from None
            delay = min(delay * 2, 0.02, max(timeout - waited, 0.0005))


def unlock(fd: int) -> None:
    fcntl.flock(fd, fcntl.LOCK_UN)


def ensure_dir(path: str) -> None:
    os.makedirs(path, mode=0o700, exist_ok=True)


def atomic_write(path: str, data: bytes, mode: int = 0o600, fsync: bool = True) -> None:
    """Rewrite *path* whole: temp file in the same dir + fsync + ``os.replace``.

    ``fsync=False`` is for soft state that may be lost on power failure but must never be
    seen half-written (leases: ADR 0013)."""
    d = os.path.dirname(path) or "."
    ensure_dir(d)
    tmp = os.path.join(d, f".{os.path.basename(path)}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        if fsync:
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


# --- coordination files: whole-line appends and held locks (ADR 0013) ------------------------

SESSION_ENV_VARS = ("HOOKGATE_SESSION", "CLAUDE_CODE_SESSION_ID", "GEMINI_SESSION_ID")


def record_line(record: Any) -> bytes:
    """One JSON value as one line (a ``str`` must already be JSON text; it is re-serialised,
    so the line never holds a raw newline)."""
    from hookgate.state import jsonio as json

    if isinstance(record, (bytes, bytearray)):
        record = record.decode("utf-8")
    if isinstance(record, str):
        record = json.loads(record)
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _write_holder(holder_path: str | None, holder: dict[str, Any] | None) -> None:
    if not holder_path:
        return
    from hookgate.state import jsonio as json

    note = dict(holder or {})
    note.setdefault("pid", os.getpid())
    try:
        note.setdefault("since", time.time())
    except (OverflowError, OSError, ValueError):
        pass
    try:
        ensure_dir(os.path.dirname(holder_path))
        fd = os.open(holder_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, json.dumps(note, separators=(",", ":")).encode("utf-8"))
        finally:
            os.close(fd)
    except OSError:
        pass  # the note only improves a waiter's message


def _pid_alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _proc_lock_pid(path: str) -> int | None:
    """Linux: the pid holding a flock on *path* according to /proc/locks."""
    try:
        ino = os.stat(path).st_ino
        with open("/proc/locks", encoding="ascii", errors="replace") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 6 and parts[1] == "FLOCK" and parts[0] != "->":
                    dev_ino = parts[5].rsplit(":", 1)
                    if len(dev_ino) == 2 and dev_ino[1] == str(ino):
                        return int(parts[4])
    except (OSError, ValueError):
        return None
    return None


def _proc_session(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            env = f.read().split(b"\0")
    except OSError:
        return ""
    for name in SESSION_ENV_VARS:
        prefix = name.encode() + b"="
        for item in env:
            if item.startswith(prefix):
                return item[len(prefix):].decode("utf-8", "replace")
    return ""


def describe_holder(path: str, holder_path: str | None = None) -> str:
    """Who holds the lock on *path*: "pid N, session S, <command>, for Xs" or ""."""
    from hookgate.state import jsonio as json

    note = None
    if holder_path:
        try:
            with open(holder_path, encoding="utf-8") as f:
                note = json.load(f)
        except (OSError, ValueError):
            note = None
    proc_pid = _proc_lock_pid(path)
    if isinstance(note, dict) and _pid_alive(note.get("pid")) and proc_pid in (None, note.get("pid")):
        parts = [f"pid {note['pid']}"]
        if note.get("session"):
            parts.append(f"session {note['session']}")
        if note.get("cmd"):
            parts.append(f"`{str(note['cmd'])[:120]}`")
        since = note.get("since")
        try:
            if isinstance(since, (int, float)):
                parts.append(f"for {max(0.0, time.time() - since):.1f}s")
        except (OverflowError, OSError, ValueError):
            pass
        return ", ".join(parts)
    if proc_pid:
        session = _proc_session(proc_pid)
        return f"pid {proc_pid}" + (f", session {session}" if session else "")
    return ""


def lock_file(path: str, timeout: float = 2.0, holder: dict[str, Any] | None = None,
              holder_path: str | None = None, create: bool = True, append: bool = False) -> int:
    """Open *path* and take its exclusive ``flock`` within *timeout*; return the fd.

    The lock is on the file's inode: if the file was replaced (``os.replace``) or removed
    while we waited, we retry on the current file, so a record is never appended to an
    orphaned inode. On timeout raise :class:`LockTimeout` naming the holder."""
    flags = (os.O_WRONLY | os.O_APPEND) if append else os.O_RDWR
    if create:
        flags |= os.O_CREAT
    deadline = monotonic() + timeout
    while True:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            flock_timeout(fd, min(timeout, max(0.0, deadline - monotonic())), path)
        except LockTimeout:
            os.close(fd)
            raise LockTimeout(path, timeout, describe_holder(path, holder_path)) from None
        except BaseException:
            os.close(fd)
            raise
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            _write_holder(holder_path, holder)
            return fd
        os.close(fd)  # replaced while we waited: lock the new file
        if monotonic() >= deadline:
            raise LockTimeout(path, timeout, describe_holder(path, holder_path))


def release(fd: int) -> None:
    """Unlock and close a descriptor from :func:`lock_file`."""
    try:
        unlock(fd)
    finally:
        os.close(fd)


def append_record(path: str, record: Any, timeout: float = 2.0, holder: dict[str, Any] | None = None,
                  holder_path: str | None = None, fsync: bool = True) -> int:
    """Append *record* to *path* as one whole JSON line; return the bytes written.

    ``O_APPEND`` + exclusive ``flock`` (fail-fast *timeout*) + one ``os.write`` + fsync +
    unlock. Raises :class:`LockTimeout` (with the holder: pid, session if known) when the
    file stays locked, ``ValueError`` for a record that is not JSON."""
    data = record_line(record)
    fd = lock_file(path, timeout, holder, holder_path, create=True, append=True)
    try:
        write_all(fd, data)
        if fsync:
            os.fsync(fd)
    finally:
        release(fd)
    return len(data)
