"""The decision server's loop (ADR 0025). Standard library only.

Single-threaded on purpose: every decision runs in the main thread through
:func:`hookgate.core.hook.decide` — the same function, the same SIGALRM deadline, the same
environment and working directory the one-shot process would have had — and one request at a
time, so this process is the ledger's one writer and each record is written to the ledger
(``ledger.append_file``: one ``write`` under its flock) before its answer is sent; the fsync follows
within the group-commit window in a helper thread (:class:`GroupCommit`), never in this one, as
does a shared-state database's WAL flush (ADR 0028). A
decision costs well under a millisecond once loaded, so serialising them is cheaper than any
locking.

Doors (HTTP/1.1, keep-alive, ``Content-Length`` bodies only):

- ``POST /v1/hook/claude-code`` — Claude Code's ``http`` hook (Unix socket or loopback port):
  body = the hook payload; the project dir comes from the ``X-Hookgate-Project-Dir`` header
  (Claude interpolates ``$CLAUDE_PROJECT_DIR``); the answer is always 200 + hook JSON.
- ``POST /v1/client/<platform>`` — the thin client in ``bin/hookgate`` (Unix socket only):
  body = ``cwd\\0K=V\\0…\\0\\0stdin``; the answer carries (exit code, stdout, stderr).
- ``GET /v1/health`` — ``ok``; nothing else.
- ``/v1/control/stop|status`` — Unix socket only, with the per-user secret in
  ``X-Hookgate-Secret``. Everything else: 404. A client that is not a hook gets decisions only.
"""

from __future__ import annotations

import errno
import fcntl
import hmac
import os
import selectors
import signal
import socket
import sys
import threading
import time

MAX_HEADER = 64 * 1024
MAX_BODY = 40 * 1024 * 1024
SEND_TIMEOUT_S = 5.0
DEFAULT_IDLE_S = 900.0
DEFAULT_GROUP_COMMIT_MS = 10.0
CODE_CHECK_S = 1.0


def code_signature() -> tuple:
    """(path, mtime_ns, size) of every module and data file of the installed package and of the
    launcher: a server whose code or shipped policy changed under it stops, so it never answers
    with code the one-shot path no longer runs (ADR 0025)."""
    import hookgate

    root = os.path.dirname(os.path.abspath(hookgate.__file__))
    out = []
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if x != "__pycache__"]
        for f in files:
            if f.endswith((".py", ".json", ".yaml", ".yml", ".toml")):
                try:
                    st = os.stat(os.path.join(d, f))
                except OSError:
                    continue
                out.append((os.path.join(d, f), st.st_mtime_ns, st.st_size))
    extra = [os.path.join(os.path.dirname(sys.executable), "hookgate")]
    extra += [x for x in os.environ.get("HOOKGATE_SERVE_WATCH", "").split(os.pathsep) if x]  # tests
    for f in extra:
        try:
            st = os.stat(f)
            out.append((f, st.st_mtime_ns, st.st_size))
        except OSError:
            pass
    return tuple(sorted(out))


def _fsync_path(path: str, log) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as e:
        log(f"group commit: fsync {path} failed: {e}")


class GroupCommit:
    """The ledger's fsync and a database's WAL flush, off the answering thread (ADR 0025/0028).

    ``ledger.append_file`` writes each record (one ``write`` under the ledger's flock) before
    the decision is answered — a killed server keeps it: the kernel has it — and then calls
    :meth:`add`. This thread fsyncs every ledger written to within ``window`` seconds of its
    first unsynced record, all of them in one batch. So the loop never waits for the disk: under
    other processes' fsync load an fsync takes 5–10 ms here, and it used to run in the loop's
    thread, queueing the requests behind it. What a machine crash (power, kernel) can lose is
    bounded by the window plus the time one fsync takes; :meth:`close` fsyncs what is left.

    An item may also be a callable: a shared-state database's WAL flush (``Database.flush``,
    ADR 0028), called here at the window's end — it seals the in-flight journal and hands the
    barrier to the database's flush thread — where the loop used to call it itself."""

    def __init__(self, window: float, log=None):
        self.window = window
        self.log = log or (lambda msg: None)
        self.cv = threading.Condition()
        self.files: dict = {}  # ledger path (or a WAL flush callable) → when its first unsynced record was written
        self.closing = False
        self.batches = 0
        self.thread = threading.Thread(target=self._run, name="hookgate-group-commit", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def add(self, path) -> None:
        with self.cv:
            if path not in self.files:
                self.files[path] = time.monotonic()
                self.cv.notify()

    def pending(self) -> int:
        with self.cv:
            return len(self.files)

    def _run(self) -> None:
        while True:
            with self.cv:
                while not self.files and not self.closing:
                    self.cv.wait()
                if not self.files:
                    return  # closing, nothing left
                due = min(self.files.values()) + self.window
                now = time.monotonic()
                if now < due and not self.closing:
                    self.cv.wait(due - now)
                    continue
                batch = list(self.files)
                self.files.clear()
            for path in batch:  # records written meanwhile are covered too; their own add() follows
                self._sync(path)
            self.batches += 1

    def _sync(self, path) -> None:
        if not callable(path):
            _fsync_path(path, self.log)
            return
        try:
            path()
        except Exception as e:  # noqa: BLE001 - the next commit's barrier covers it
            self.log(f"group commit: database flush failed: {type(e).__name__}: {e}")

    def close(self, timeout: float = 30.0) -> None:
        with self.cv:
            self.closing = True
            self.cv.notify()
        if self.thread.is_alive():
            self.thread.join(timeout)
        else:  # never started: fsync here
            for path in list(self.files):
                self._sync(path)
            self.files.clear()


class _Conn:
    __slots__ = ("sock", "buf", "unix")

    def __init__(self, sock, unix: bool):
        self.sock = sock
        self.buf = bytearray()
        self.unix = unix


def _response(status: str, body: bytes, headers: dict | None = None, close: bool = False) -> bytes:
    h = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}"]
    for k, v in (headers or {}).items():
        h.append(f"{k}: {v}")
    if close:
        h.append("Connection: close")
    return ("\r\n".join(h) + "\r\n\r\n").encode("latin-1") + body


def _enc(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def http_json(platform: str, data: bytes, out: str, err: str, code: int) -> bytes:
    """The one-shot answer (stdout, stderr, code) as the body an ``http`` hook must return:
    always JSON (Claude treats a non-2xx or non-JSON answer as a non-blocking failure). Exit 2
    becomes the same blocking decision in JSON form for the payload's event."""
    if code == 0:
        return _enc(out) if out.strip() else b"{}"
    if code != 2:
        return b"{}"  # what Claude does with any other code: a non-blocking error
    from hookgate.state import jsonio

    try:
        event = jsonio.loads(data.decode("utf-8", "replace")).get("hook_event_name")
    except Exception:  # noqa: BLE001 - bad payload: the deny below holds for a tool call
        event = "PreToolUse"
    reason = err.strip() or "hookgate: denied"
    if event == "PreToolUse" or not isinstance(event, str):
        obj: dict = {"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny",
                                      "permissionDecisionReason": reason}}
    elif event == "PermissionRequest":
        obj = {"hookSpecificOutput": {"hookEventName": "PermissionRequest",
                                      "decision": {"behavior": "deny", "message": reason}}}
    else:
        obj = {"decision": "block", "reason": reason}
    return _enc(jsonio.dumps(obj))


def proof(secret: str, nonce: str, code: int, out_len: int, answer: bytes) -> str:
    """HMAC-SHA256 keyed with the per-user secret over the client's fresh nonce and the whole
    answer: a same-user fake server that cannot read the secret cannot make one, so its answer
    is not believed (the thin clients decide one-shot instead). A nonce that is not 16–64 hex
    digits gets a proof no client accepts."""
    if not (16 <= len(nonce) <= 64 and all(c in "0123456789abcdef" for c in nonce)):
        return "-"
    msg = f"{nonce}\n{code}\n{out_len}\n".encode("ascii") + answer
    return hmac.new(secret.encode("ascii"), msg, "sha256").hexdigest()


def parse_client_body(body: bytes) -> tuple[str, dict, bytes]:
    head, _, stdin = body.partition(b"\0\0")
    parts = head.split(b"\0")
    cwd = os.fsdecode(parts[0])
    env = {}
    for p in parts[1:]:
        k, sep, v = p.partition(b"=")
        if sep and k:
            env[os.fsdecode(k)] = os.fsdecode(v)
    return cwd, env, stdin


class Server:
    def __init__(self, rt: dict, port: int = 0, idle_s: float = DEFAULT_IDLE_S, log=None,
                 group_commit_ms: float = DEFAULT_GROUP_COMMIT_MS):
        self.rt = rt
        self.port = port
        self.idle_s = idle_s
        self.stop = False
        self.last = time.monotonic()
        self.base_env = dict(os.environ)
        self.base_cwd = os.getcwd()
        self.log = log or (lambda msg: None)
        self.decisions = 0
        self.started = time.time()
        self.window = max(group_commit_ms, 0.0) / 1000.0
        self.flushers: list = []  # the WAL flushes of the databases this server committed to (ADR 0028)
        self.group = GroupCommit(self.window, self.log) if self.window > 0 else None
        self.soft_port = False

    # --- setup -------------------------------------------------------------------------------

    def bind(self) -> bool:
        """Take the per-installation lock and bind both doors. False: another server holds it."""
        from hookgate.server import runtime

        runtime.ensure_dir(self.rt["dir"])
        self.secret = runtime.secret(self.rt["dir"]) or ""  # created here: never empty
        self.lock_fd = os.open(self.rt["lock"], os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self.lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self.lock_fd)
            return False
        try:
            os.unlink(self.rt["sock"])
        except FileNotFoundError:
            pass
        old = os.umask(0o177)
        try:
            self.usock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.usock.bind(self.rt["sock"])
        finally:
            os.umask(old)
        os.chmod(self.rt["sock"], 0o600)
        self.usock.listen(128)
        self.usock.setblocking(False)
        self.tsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.tsock.bind(("127.0.0.1", self.port))
        except OSError as e:
            if not (self.soft_port and e.errno == errno.EADDRINUSE):
                raise
            self.log(f"loopback port {self.port} is taken: listening on a free one (the http wiring names "
                     f"{self.port}: `hookgate doctor` says so)")
            self.tsock.bind(("127.0.0.1", 0))
        self.tsock.listen(128)
        self.tsock.setblocking(False)
        self.port = self.tsock.getsockname()[1]
        self.sock_ino = os.stat(self.rt["sock"]).st_ino
        from hookgate.state import jsonio

        info = jsonio.dumps({"pid": os.getpid(), "port": self.port, "sock": self.rt["sock"],
                             "prefix": sys.prefix}).encode() + b"\n"
        from hookgate.state import files

        files.replace(self.rt["info"], info)
        return True

    def cleanup(self) -> None:
        try:
            if os.stat(self.rt["sock"]).st_ino == self.sock_ino:
                os.unlink(self.rt["sock"])
                os.unlink(self.rt["info"])
        except OSError:
            pass
        for s in (getattr(self, "usock", None), getattr(self, "tsock", None)):
            try:
                s and s.close()
            except OSError:
                pass

    # --- the loop ----------------------------------------------------------------------------

    def serve_forever(self) -> None:
        sel = selectors.DefaultSelector()
        sel.register(self.usock, selectors.EVENT_READ, "unix")
        sel.register(self.tsock, selectors.EVENT_READ, "tcp")
        signal.signal(signal.SIGTERM, self._on_term)
        signal.signal(signal.SIGINT, self._on_term)
        if self.group is not None:
            from hookgate.state import ledger

            self.group.start()
            ledger.GROUP_COMMIT = self.group.add  # type: ignore[assignment]
        from hookgate.state import backend as state_backend

        # ADR 0028: this process is the one that talks to a shared state database, with its own
        # environment (never a caller's)
        state_backend.IN_SERVER = True
        state_backend.SERVER_ENV = dict(self.base_env)
        if self.window > 0:
            state_backend.GROUP_COMMIT = self._defer_sync  # type: ignore[assignment]  # the database's WAL too (ADR 0028)
        try:
            self._loop(sel)
        finally:
            self._ship_outboxes()  # a clean stop ships what it can (ADR 0028)
            if self.group is not None:
                self.group.close()  # every written record fsynced before the server exits
            self._flush_databases()  # and every asynchronous commit on the database's disk
        for k in list(sel.get_map().values()):
            if isinstance(k.data, _Conn):
                k.data.sock.close()
        sel.close()

    def _loop(self, sel) -> None:
        from hookgate.state.jsonio import dumps  # noqa: F401 - what answers need, loaded before the signature

        self.code_sig, next_check = code_signature(), time.monotonic() + CODE_CHECK_S
        while not self.stop:
            if time.monotonic() >= next_check:
                next_check = time.monotonic() + CODE_CHECK_S
                self._ship_outboxes()
                if code_signature() != self.code_sig:  # upgraded in place: never answer with old code
                    self.log("hookgate's code changed: stopping (clients decide one-shot until restarted)")
                    break
            idle_left = self.idle_s - (time.monotonic() - self.last)
            if idle_left <= 0:
                self.log("idle: stopping")
                break
            timeout = min(1.0, idle_left)
            try:
                events = sel.select(timeout=timeout)
            except InterruptedError:
                continue
            for k, _ in events:
                if k.data in ("unix", "tcp"):
                    self._accept(sel, k.fileobj, k.data == "unix")
                else:
                    self._readable(sel, k.data)

    def _ship_outboxes(self) -> None:
        """Ship the ledger outboxes of shared-state repositories this server has seen, a bounded
        batch per tick, in order (ADR 0028); a database still away leaves them waiting."""
        from hookgate.state import backend as state_backend

        for b in state_backend.all_shared():
            for sd in list(getattr(b, "state_dirs", ())):
                try:
                    b.drain(sd, limit=2000)
                except Exception as e:  # noqa: BLE001 - the records wait for the next tick
                    self.log(f"outbox {sd}: {type(e).__name__}: {e}")

    def _defer_sync(self, path) -> None:
        """*path*: a ledger file, or a callable flushing a database's WAL (ADR 0028): both go to
        the group-commit thread, which runs them within the window; the loop never does."""
        if callable(path) and path not in self.flushers:
            self.flushers.append(path)
        if self.group is not None:
            self.group.add(path)

    def _flush_databases(self) -> None:
        """The last WAL flush of each database, here and now (the server is stopping: no request
        is answered any more)."""
        for flush in self.flushers:
            try:
                flush(wait=True)
            except Exception as e:  # noqa: BLE001 - the journal keeps the records for the next server
                self.log(f"database flush failed: {type(e).__name__}: {e}")

    def _on_term(self, signum, frame):  # noqa: ARG002
        self.stop = True

    def _accept(self, sel, lsock, unix: bool) -> None:
        while True:
            try:
                s, _ = lsock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as e:
                if e.errno in (errno.EMFILE, errno.ENFILE):
                    return
                raise
            s.setblocking(False)
            if not unix:
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sel.register(s, selectors.EVENT_READ, _Conn(s, unix))

    def _close(self, sel, c: _Conn) -> None:
        try:
            sel.unregister(c.sock)
        except (KeyError, ValueError):
            pass
        c.sock.close()

    def _readable(self, sel, c: _Conn) -> None:
        try:
            chunk = c.sock.recv(262144)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._close(sel, c)
            return
        c.buf += chunk
        while True:
            end = c.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(c.buf) > MAX_HEADER:
                    self._send(sel, c, _response("431 Request Header Fields Too Large", b"", close=True), True)
                return
            head = bytes(c.buf[:end]).decode("latin-1")
            lines = head.split("\r\n")
            try:
                method, target, _version = lines[0].split(" ", 2)
            except ValueError:
                self._send(sel, c, _response("400 Bad Request", b"", close=True), True)
                return
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            if "transfer-encoding" in headers:
                self._send(sel, c, _response("411 Length Required", b"", close=True), True)
                return
            try:
                length = int(headers.get("content-length", "0"))
            except ValueError:
                length = -1
            if length < 0 or length > MAX_BODY:
                self._send(sel, c, _response("413 Payload Too Large", b"", close=True), True)
                return
            if len(c.buf) < end + 4 + length:
                return
            body = bytes(c.buf[end + 4:end + 4 + length])
            del c.buf[:end + 4 + length]
            close = headers.get("connection", "").lower() == "close"
            self.last = time.monotonic()
            resp = self._dispatch(method, target, headers, body, c.unix)
            if not self._send(sel, c, resp, close):
                return

    def _send(self, sel, c: _Conn, data: bytes, close: bool) -> bool:
        try:
            c.sock.settimeout(SEND_TIMEOUT_S)
            c.sock.sendall(data)
            c.sock.setblocking(False)
        except OSError:
            close = True
        if close:
            self._close(sel, c)
            return False
        return True

    # --- what each door answers --------------------------------------------------------------

    def _dispatch(self, method: str, target: str, headers: dict, body: bytes, unix: bool) -> bytes:
        path = target.split("?", 1)[0]
        if method == "POST" and path.startswith("/v1/hook/"):
            return self._http_hook(path[len("/v1/hook/"):], headers, body)
        if method == "POST" and path.startswith("/v1/client/") and unix:
            return self._client(path[len("/v1/client/"):], body, headers.get("x-hookgate-nonce", ""))
        if method == "GET" and path == "/v1/health":
            return _response("200 OK", b"ok")
        if path.startswith("/v1/control/") and unix and self._authorised(headers):
            if path == "/v1/control/stop" and method == "POST":
                self.stop = True
                return _response("200 OK", b"stopping")
            if path == "/v1/control/status" and method == "GET":
                from hookgate.state import jsonio

                st = {"pid": os.getpid(), "port": self.port, "sock": self.rt["sock"], "decisions": self.decisions,
                      "uptime_s": round(time.time() - self.started, 1), "prefix": sys.prefix,
                      "idle_s": self.idle_s}
                return _response("200 OK", jsonio.dumps(st).encode(), {"Content-Type": "application/json"})
        return _response("404 Not Found", b"")

    def _authorised(self, headers: dict) -> bool:
        given = headers.get("x-hookgate-secret", "")
        return bool(given) and hmac.compare_digest(given.encode(), self.secret.encode())

    def _decide(self, platform: str, data: bytes, env: dict, cwd: str) -> tuple[str, str, int]:
        """One decision exactly as a fresh ``hookgate hook`` process with this env and cwd
        would make it: process env and cwd switched for the call (single-threaded), the same
        ``decide`` with its deadline; any escape is a deny, as in ``hook.main``."""
        t0 = time.perf_counter()
        from hookgate.core import hook

        try:
            os.chdir(cwd)
        except OSError:
            os.chdir("/")
        os.environ.clear()
        os.environ.update(env)
        try:
            return hook.decide(platform, data, env, t0)
        except BaseException as e:  # noqa: BLE001 - e.g. the alarm firing just after the return
            hook._disarm()
            return "", (f"hookgate: denied: internal error before a decision ({type(e).__name__}); "
                        "denied to be safe (ADR 0018)\n"), 2
        finally:
            self.decisions += 1
            try:
                os.chdir(self.base_cwd)
            except OSError:
                pass

    def _client(self, platform: str, body: bytes, nonce: str = "") -> bytes:
        cwd, env, data = parse_client_body(body)
        out, err, code = self._decide(platform, data, env, cwd)
        ob = _enc(out)
        answer = ob + _enc(err)
        h = {"X-Hookgate-Code": str(code), "X-Hookgate-Out": str(len(ob))}
        if nonce:  # the thin client believes the answer only with this proof (ADR 0025)
            h["X-Hookgate-Proof"] = proof(self.secret, nonce, code, len(ob), answer)
        return _response("200 OK", answer, h)

    def _http_hook(self, platform: str, headers: dict, body: bytes) -> bytes:
        if platform != "claude-code":
            return _response("404 Not Found", b"")
        project = headers.get("x-hookgate-project-dir", "")
        if not (project.startswith("/") and os.path.isdir(project)):
            out, err, code = "", ("hookgate: denied: the http hook did not say which project it governs "
                                  "(X-Hookgate-Project-Dir missing or not a directory); fix the wiring "
                                  "with `hookgate install` (ADR 0025)\n"), 2
        else:
            env = dict(self.base_env)
            env["CLAUDE_PROJECT_DIR"] = project
            env["CLAUDECODE"] = "1"
            out, err, code = self._decide(platform, body, env, project)
        return _response("200 OK", http_json(platform, body, out, err, code), {"Content-Type": "application/json"})


def run(rt: dict, port: int = 0, idle_s: float = DEFAULT_IDLE_S, log=None,
        group_commit_ms: float = DEFAULT_GROUP_COMMIT_MS, soft_port: bool = False) -> int:
    srv = Server(rt, port, idle_s, log, group_commit_ms)
    srv.soft_port = soft_port
    if not srv.bind():
        (log or (lambda m: None))("another server holds the lock: not starting")
        return 0
    try:
        srv.serve_forever()
    finally:
        srv.cleanup()
    return 0
