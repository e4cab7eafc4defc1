"""The quick loop's fork server for the typer CLI (`scripts/test --quick`; README "Test").

Every `hookgate <command>` (not `hook`, `run`, `serve`, `lock`, `claim`: those never load
typer) spent ~0.15 s of CPU starting: Python, typer (and with typer 0.29, the pydantic it
built the options with: ADR 0029), the CLI's modules. The quick loop makes ~550 such calls: a third of its CPU. Here one
server process per test process imports all that once and forks a child per call; the child
takes the call's argv, cwd, environment and stdin/stdout/stderr (passed as file descriptors)
and runs `bin/hookgate` as `__main__`, as the shebang would. The caller gets the
`CompletedProcess` `subprocess.run` would give: same exit status, same bytes.

What differs from a fresh process: its parent (the server, not the test) and the modules
already imported (imported with no HOME and cwd /, so a module that read either at import
would fail its tests here rather than pass). A call whose environment changes how Python
starts (a PYTHON* variable, the locale) runs the real command. The full run (`scripts/test`,
what `.ci/run` runs) never uses this server: every call there is the real command, so what
the server could hide still fails CI.
"""

from __future__ import annotations

import array
import io
import json
import locale
import os
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

OPTION = "--fork-cli"  # scripts/test --quick passes it to pytest (tests/conftest.py)
_enabled = [False]
LEAN = ("hook", "run", "serve", "lock", "claim")  # no typer on these paths (hookgate/__main__.py)
_STARTUP_VARS = ("LC_ALL", "LC_CTYPE", "LANG")

_SERVER = r'''
import array, json, os, selectors, signal, socket, struct, sys
launcher, path = sys.argv[1], sys.argv[2]
# the CLI's third-party libraries, those of the typer installed (below 0.29, ADR 0029; 0.29
# imported pydantic when it built the commands)
import importlib
for _m in ("typer", "typer.main", "typer._adapters", "typer._coercion", "typer._click.core", "typer.core",
           "shellingham"):
    try:
        importlib.import_module(_m)
    except ImportError:
        pass
# and the CLI's own modules, imported where nothing of a test can leak into them (no HOME, cwd
# /): they define commands and read no environment at import (a module that did would see
# this, not the call's, and its tests would fail here)
os.environ["HOME"] = "/nonexistent"
os.chdir("/")
import hookgate.cli.app  # noqa
import gc
gc.freeze()  # the children do not copy-on-write what the imports made when the GC walks it
sys.stdout.flush()
sys.stderr.flush()
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(64)
sel = selectors.DefaultSelector()
sel.register(srv, selectors.EVENT_READ, None)
sel.register(0, selectors.EVENT_READ, "parent")  # the test process's pipe: its end ends the server
print("ready", flush=True)


def recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        part = conn.recv(n - len(buf))
        if not part:
            raise EOFError
        buf += part
    return buf


def child(msg, fds, keep):
    for fd in keep:
        os.close(fd)
    for i, fd in enumerate(fds):
        os.dup2(fd, i)
        os.close(fd)
    os.chdir(msg["cwd"])
    os.environ.clear()
    os.environ.update(msg["env"])
    sys.argv = [launcher, *msg["args"]]
    sys.path[0] = os.path.dirname(launcher)
    import runpy
    try:
        runpy.run_path(launcher, run_name="__main__")  # bin/hookgate ends in sys.exit(main())
        code = 0
    except SystemExit as e:
        code = e.code
    # what a normal exit does that anyone can see (exit handlers, flushed output), without
    # tearing down every module the server imported
    import atexit
    atexit._run_exitfuncs()
    if code is None:
        code = 0
    elif not isinstance(code, int):
        sys.stderr.write(str(code) + "\n")
        code = 1
    for f in (sys.stdout, sys.stderr):
        try:
            f.flush()
        except Exception:
            pass
    os._exit(code & 0xFF)


while True:
    for key, _ in sel.select():
        if key.data == "parent":
            if not os.read(0, 4096):
                os._exit(0)
            continue
        if key.data is None:
            conn, _ = srv.accept()
            try:
                (n,) = struct.unpack("!I", recv_exact(conn, 4))
                fds = array.array("i")
                msg, anc, _flags, _addr = conn.recvmsg(n, socket.CMSG_LEN(3 * fds.itemsize))
                while len(msg) < n:
                    msg += recv_exact(conn, n - len(msg))
                for level, kind, data in anc:
                    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                        fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
                msg = json.loads(msg)
            except Exception:
                conn.close()
                continue
            pid = os.fork()
            if pid == 0:
                keep = [srv.fileno(), conn.fileno(), sel.fileno()] + [k.fd for k in list(sel.get_map().values())]
                child(msg, list(fds), sorted(set(keep)))
            for fd in fds:
                os.close(fd)
            try:
                conn.sendall(struct.pack("!i", pid))
            except OSError:  # the caller went away: the child is still waited for below
                pass
            pidfd = os.pidfd_open(pid)
            sel.register(pidfd, selectors.EVENT_READ, (pid, conn))
        else:
            pid, conn = key.data
            sel.unregister(key.fd)
            os.close(key.fd)
            _, status = os.waitpid(pid, 0)
            try:
                conn.sendall(struct.pack("!i", os.waitstatus_to_exitcode(status)))
            except OSError:
                pass
            conn.close()
'''

_lock = threading.Lock()
_real = subprocess.run  # the real command (a name of its own: tests/test_forkcli.py replaces it)
_servers: dict = {}  # startup key -> {pid (of the test process that started it), proc, path, dir}


def enable() -> None:
    _enabled[0] = True


def enabled() -> bool:
    return _enabled[0]


def _startup(env: dict) -> tuple:
    """What of an environment changes how Python starts (its flags, paths, encodings)."""
    return tuple(sorted((k, v) for k, v in env.items() if k.startswith("PYTHON") or k in _STARTUP_VARS))


def _start(hookgate: str, key: tuple) -> str:
    """The server for calls whose environment starts Python like *key* (one per key, started
    on first use, with those variables, so it starts Python as the call's command would)."""
    with _lock:
        srv = _servers.get((hookgate, key))
        if srv is not None and (srv["pid"] != os.getpid() or srv["proc"].poll() is None):
            return srv["path"]  # a forked child of the test process uses its parent's server
        d = tempfile.mkdtemp(prefix="hg-forkcli-", dir="/tmp")
        path = os.path.join(d, "s")
        env = {k: v for k, v in os.environ.items() if not (k.startswith("PYTHON") or k in _STARTUP_VARS)}
        env.update(key)
        proc = subprocess.Popen([sys.executable, "-c", _SERVER, hookgate, path], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, cwd="/", env=env)
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != b"ready":
            proc.kill()
            proc.wait()
            proc.stdout.close()
            proc.stdin.close()
            raise RuntimeError("the CLI fork server did not start")
        _servers[(hookgate, key)] = {"pid": os.getpid(), "proc": proc, "path": path, "dir": d}
        return path


def stop() -> None:
    """End the servers this process started (a forked child leaves its parent's alone)."""
    with _lock:
        for srv in _servers.values():
            if srv["pid"] == os.getpid():
                srv["proc"].kill()
                srv["proc"].wait()
                srv["proc"].stdout.close()
                srv["proc"].stdin.close()
                shutil.rmtree(srv["dir"], ignore_errors=True)
        _servers.clear()


def run(argv: list[str], *, cwd=None, env=None, input=None, timeout=None, text=False, encoding=None,
        errors=None) -> subprocess.CompletedProcess:
    """``subprocess.run(argv, capture_output=True, ...)`` for ``[HOOKGATE, command, ...]``:
    through the fork server when the quick loop asked for it and the call allows it, else the
    real command."""
    env = dict(os.environ if env is None else env)
    args = [str(a) for a in argv[1:]]
    if not (enabled() and args and args[0] not in LEAN):
        return _real(argv, cwd=cwd, env=env, input=input, timeout=timeout, capture_output=True,
                              text=text, encoding=encoding, errors=errors)
    path = _start(str(argv[0]), _startup(env))
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    if input is None:  # like subprocess.run: the child reads the caller's stdin
        in_r, in_w = os.dup(0), -1
    else:
        in_r, in_w = os.pipe()
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(path)
        msg = json.dumps({"args": args, "cwd": os.fspath(cwd) if cwd is not None else os.getcwd(),
                          "env": env}, ensure_ascii=True).encode()
        conn.sendall(struct.pack("!I", len(msg)))
        conn.sendmsg([msg], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [in_r, out_w, err_w]))])
    except BaseException:
        conn.close()
        for fd in (in_r, in_w, out_r, out_w, err_r, err_w):
            if fd >= 0:
                os.close(fd)
        raise
    for fd in (in_r, out_w, err_w):
        os.close(fd)
    with conn:
        try:
            (pid,) = struct.unpack("!i", _recv_exact(conn, 4))
        except BaseException:
            for fd in (in_w, out_r, err_r):
                if fd >= 0:
                    os.close(fd)
            raise
        data = input.encode(encoding or locale.getpreferredencoding(False)) if isinstance(input, str) else input
        out, err = _communicate(in_w, out_r, err_r, data or b"", timeout, pid, argv)  # closes the three
        (code,) = struct.unpack("!i", _recv_exact(conn, 4))
    if text or encoding or errors:
        enc = encoding or locale.getpreferredencoding(False)
        out = io.TextIOWrapper(io.BytesIO(out), encoding=enc, errors=errors).read()
        err = io.TextIOWrapper(io.BytesIO(err), encoding=enc, errors=errors).read()
    return subprocess.CompletedProcess(list(argv), code, out, err)


def _recv_exact(conn: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        part = conn.recv(n - len(buf))
        if not part:
            raise RuntimeError("the CLI fork server went away")
        buf += part
    return buf


def _communicate(in_w: int, out_r: int, err_r: int, data: bytes, timeout, pid: int, argv):
    """Feed stdin, read stdout and stderr to their ends (all three fds are closed here)."""
    sel = selectors.DefaultSelector()
    bufs = {out_r: [], err_r: []}
    if in_w >= 0 and data:
        os.set_blocking(in_w, False)
        sel.register(in_w, selectors.EVENT_WRITE)
    elif in_w >= 0:
        os.close(in_w)
    sel.register(out_r, selectors.EVENT_READ)
    sel.register(err_r, selectors.EVENT_READ)
    view = memoryview(data)
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while sel.get_map():
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                raise subprocess.TimeoutExpired(argv, timeout)
            for key, _ in sel.select(left):
                if key.fd == in_w:
                    try:
                        n = os.write(in_w, view[:65536])
                    except BlockingIOError:
                        continue
                    except BrokenPipeError:
                        n = len(view)
                    view = view[n:]
                    if not view:
                        sel.unregister(in_w)
                        os.close(in_w)
                    continue
                chunk = os.read(key.fd, 65536)
                if chunk:
                    bufs[key.fd].append(chunk)
                else:
                    sel.unregister(key.fd)
                    os.close(key.fd)
    finally:
        for key in list(sel.get_map().values()):
            sel.unregister(key.fd)
            os.close(key.fd)
        sel.close()
    return b"".join(bufs[out_r]), b"".join(bufs[err_r])
