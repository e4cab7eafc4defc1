"""The shfmt runner: finds the pinned binary and runs it on a command's bytes.

``shfmt --to-json -ln bash`` (the binary ships in the pinned ``shfmt-py==4.2.0`` wheel, mvdan/sh
v3.14.1; ADR 0007), spawned with ``os.posix_spawn`` and pipes, not ``subprocess`` (which costs
~10 ms to import on the hot path). ``parse.parse_shfmt`` imports it only for a command the fast
path does not take, and reads its output: a ``git status`` loads neither this module nor
``select`` (ADR 0017).
"""

from __future__ import annotations

import os
import select
import sys
import time

_binary_cache: list = []


def shfmt_path() -> str | None:
    if _binary_cache:
        return _binary_cache[0]
    found = None
    cand = os.path.join(os.path.dirname(sys.executable), "shfmt")
    if os.access(cand, os.X_OK):
        found = cand
    else:
        for d in os.environ.get("PATH", "").split(os.pathsep):
            c = os.path.join(d or ".", "shfmt")
            if d and os.access(c, os.X_OK):
                found = c
                break
    _binary_cache.append(found)
    return found


def run(binary: str, data: bytes, timeout: float) -> tuple[int, bytes]:
    """Run ``binary --to-json -ln bash`` on ``data``; (exit status, stdout+stderr)."""
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    try:
        pid = os.posix_spawn(
            binary,
            [binary, "--to-json", "-ln", "bash"],
            {"GOMAXPROCS": "1", "GOGC": "off"},
            file_actions=[
                (os.POSIX_SPAWN_DUP2, in_r, 0),
                (os.POSIX_SPAWN_DUP2, out_w, 1),
                (os.POSIX_SPAWN_DUP2, out_w, 2),
            ],
        )
    except OSError:
        for fd in (in_r, in_w, out_r, out_w):
            os.close(fd)
        raise
    os.close(in_r)
    os.close(out_w)
    deadline = time.monotonic() + timeout
    chunks = []
    try:
        try:
            view = memoryview(data)
            while view:
                n = os.write(in_w, view[:65536])
                view = view[n:]
        except BrokenPipeError:
            pass
        finally:
            os.close(in_w)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            r, _, _ = select.select([out_r], [], [], left)
            if not r:
                raise TimeoutError
            chunk = os.read(out_r, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
        while True:
            wpid, status = os.waitpid(pid, os.WNOHANG)
            if wpid:
                return os.waitstatus_to_exitcode(status), b"".join(chunks)
            if time.monotonic() > deadline:
                raise TimeoutError
            time.sleep(0.0005)
    except BaseException:
        try:
            os.kill(pid, 9)  # SIGKILL; the signal module imports enum (ADR 0017)
            os.waitpid(pid, 0)
        except OSError:
            pass
        raise
    finally:
        os.close(out_r)
