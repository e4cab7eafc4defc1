"""Where a user's decision server lives (ADR 0025). Standard library only.

One server per user per installation: the runtime dir is per user
(``$HOOKGATE_RUNTIME_DIR``, else ``$XDG_RUNTIME_DIR/hookgate``, else ``/tmp/hookgate-<uid>``),
0700 and owned by the user (refused otherwise); inside it each installation (venv,
``sys.prefix``) has its own key, so a server never answers for another version's code.

    <dir>/secret            per-user control secret, 0600 (self-protection denies reading it)
    <dir>/<key>.sock        Unix socket, 0600
    <dir>/<key>.json        {"pid", "port", "sock", "prefix"}: where the loopback port is
    <dir>/<key>.lock        flock held for the server's lifetime (one server per key)

``bin/hookgate`` computes the socket path itself (before importing anything): keep
:func:`key` and the launcher's ``_server_sock`` identical (a test checks it).
"""

from __future__ import annotations

import os
import sys

from hookgate.errors import HookgateError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

PROTECTED_NAMES = ("secret",)


def runtime_dir(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env  # never copied: self-protection asks on every decision
    d = env.get("HOOKGATE_RUNTIME_DIR")
    if d:
        return d
    x = env.get("XDG_RUNTIME_DIR")
    if x and os.path.isabs(x) and os.path.isdir(x):
        return os.path.join(x, "hookgate")
    return f"/tmp/hookgate-{os.getuid()}"


def key(prefix: str | None = None) -> str:
    import zlib

    p = os.path.realpath(sys.prefix if prefix is None else prefix)
    return "%08x" % zlib.crc32(p.encode("utf-8", "surrogateescape"))


def default_port(env: dict | os._Environ[str] | None = None) -> int:
    """The loopback port of this user's server for this installation: ``$HOOKGATE_SERVE_PORT``,
    else a fixed one derived from the uid and the installation key (20000–31999, below the
    kernel's ephemeral range), so every project's Claude http wiring and the server agree."""
    env = os.environ if env is None else env
    p = env.get("HOOKGATE_SERVE_PORT", "")
    if p.isdigit() and 0 < int(p) < 65536:
        return int(p)
    import zlib

    return 20000 + zlib.crc32(f"{os.getuid()}:{key()}".encode()) % 12000


def paths(env: dict | None = None) -> dict:
    d = runtime_dir(env)
    k = key()
    return {"dir": d, "sock": os.path.join(d, k + ".sock"), "info": os.path.join(d, k + ".json"),
            "lock": os.path.join(d, k + ".lock"), "secret": os.path.join(d, "secret"),
            "log": os.path.join(d, k + ".log")}


class UnsafeRuntimeDir(HookgateError):
    pass


def ensure_dir(d: str) -> None:
    """Create the runtime dir 0700; refuse one that another user owns or others can write."""
    try:
        os.makedirs(d, mode=0o700, exist_ok=True)
    except FileExistsError:
        pass
    st = os.lstat(d)
    import stat

    if not stat.S_ISDIR(st.st_mode):
        raise UnsafeRuntimeDir(f"{d} is not a directory")
    if st.st_uid != os.getuid():
        raise UnsafeRuntimeDir(f"{d} belongs to uid {st.st_uid}, not to this user")
    if st.st_mode & 0o077:
        os.chmod(d, 0o700)


def secret(d: str, create: bool = True) -> str | None:
    """The per-user control secret (hex), created 0600 on first use."""
    p = os.path.join(d, "secret")
    try:
        with open(p, encoding="ascii") as f:
            s = f.read().strip()
        if len(s) >= 32:
            return s
    except OSError:
        pass
    if not create:
        return None
    s = os.urandom(32).hex()
    tmp = f"{p}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, s.encode() + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, p)  # never replaces a secret another process created meanwhile
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)
    return secret(d, create=False)
