"""Hook calls from inside the floor, decided outside it (ADR 0020).

Under ``hookgate run`` the state dir (ledger, approvals, leases) is read-only, so a
``hookgate hook`` started by the agent inside the floor could not record its decision — and
an unrecorded decision is a deny. ``hookgate run`` therefore stays outside the floor as a
broker: it listens on a Unix socket in a private directory that is bound read-only into the
floor (nothing inside can replace the socket), and runs the very same ``hookgate hook`` /
``hookgate lock append`` / ``hookgate claim`` outside, with the caller's stdin, arguments,
cwd and environment (``HOOKGATE_*`` variables excepted: those come from the broker's own
environment, the user's). Nothing is widened: a program inside the floor that talks to the
socket gets what running ``hookgate hook`` itself would give it — a decision and a record.

The client side (:func:`forward`) is stdlib only and runs on the hot path.

Wire format: one request, one reply, each a 4-byte big-endian length + JSON.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the broker imports them when it starts (lean path)
    import socket
    import threading

BROKERED = ("hook", "lock", "claim")
MAX_MSG = 64 * 1024 * 1024
TIMEOUT = 60.0


def _send(sock, obj) -> None:
    from hookgate.state import jsonio as json

    data = json.dumps(obj).encode("utf-8")
    sock.sendall(len(data).to_bytes(4, "big") + data)


def _recv(sock):
    from hookgate.state import jsonio as json

    head = _exact(sock, 4)
    n = int.from_bytes(head, "big")
    if n > MAX_MSG:
        raise ValueError("message too large")
    return json.loads(_exact(sock, n).decode("utf-8"))


def _exact(sock, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(min(n - len(buf), 1 << 20))
        if not chunk:
            raise ConnectionError("connection closed")
        buf += chunk
    return bytes(buf)


# --- client (inside the floor; hot path) ------------------------------------------------


def forward(sock_path: str, argv: list[str]) -> int:
    """Send this call to the broker and replay its answer. On any failure: a deny-shaped
    answer (exit 2 + one line on stderr denies on every platform), never a silent allow."""
    import base64
    import socket
    import sys

    try:
        data = sys.stdin.buffer.read(MAX_MSG // 2) if argv[:1] == ["hook"] or "-" in argv[1:] else b""
    except (OSError, ValueError):
        data = b""
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(TIMEOUT)
        s.connect(sock_path)
        with s:
            _send(s, {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ),
                      "stdin": base64.b64encode(data).decode("ascii")})
            rep = _recv(s)
        out = base64.b64decode(rep.get("stdout", ""))
        err = base64.b64decode(rep.get("stderr", ""))
        code = int(rep.get("code", 2))
    except Exception as e:  # noqa: BLE001 - fail closed
        sys.stderr.write(f"hookgate: denied: the floor's broker did not answer ({type(e).__name__}: {e}); "
                         "see adr/0020-the-floor.md\n")
        return 2
    try:
        sys.stdout.buffer.write(out)
        sys.stdout.flush()
        sys.stderr.buffer.write(err)
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    return code


# --- server (outside the floor, in ``hookgate run``) -------------------------------------


class Broker:
    def __init__(self, hookgate_exe: str, base_env: dict):
        import tempfile

        self.exe = hookgate_exe
        self.base_env = dict(base_env)
        base = tempfile.gettempdir()
        if len(base) > 60 or not os.path.isdir(base):  # AF_UNIX paths are limited to 107 bytes
            base = "/tmp"
        self.dir = tempfile.mkdtemp(prefix="hookgate-floor-", dir=base)
        os.chmod(self.dir, 0o700)
        self.path = os.path.join(self.dir, "broker.sock")
        self._sock: "socket.socket | None" = None
        self._thread: "threading.Thread | None" = None

    def start(self) -> None:
        import socket
        import threading

        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(self.path)
        s.listen(64)
        self._sock = s
        self._thread = threading.Thread(target=self._serve, name="hookgate-floor-broker", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        assert self._sock is not None
        import threading

        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _env(self, req_env) -> dict:
        env = {k: v for k, v in (req_env or {}).items()
               if isinstance(k, str) and isinstance(v, str) and not k.startswith("HOOKGATE_")}
        env.update({k: v for k, v in self.base_env.items() if k.startswith("HOOKGATE_")})
        env.pop("HOOKGATE_FLOOR_BROKER", None)
        env["HOOKGATE_FLOOR"] = "1"
        return env

    def _one(self, conn) -> None:
        import base64
        import subprocess

        with conn:
            try:
                conn.settimeout(TIMEOUT)
                req = _recv(conn)
                argv = req.get("argv")
                if not isinstance(argv, list) or not argv or argv[0] not in BROKERED or not all(isinstance(a, str) for a in argv):
                    raise ValueError("not a brokered hookgate command")
                cwd = req.get("cwd") if isinstance(req.get("cwd"), str) and os.path.isdir(req.get("cwd")) else "/"
                data = base64.b64decode(req.get("stdin") or "")
                p = subprocess.run([self.exe, *argv], input=data, capture_output=True, cwd=cwd,
                                   env=self._env(req.get("env")), timeout=TIMEOUT)
                rep = {"stdout": base64.b64encode(p.stdout).decode("ascii"),
                       "stderr": base64.b64encode(p.stderr).decode("ascii"), "code": p.returncode}
            except Exception as e:  # noqa: BLE001 - answered as a deny
                msg = f"hookgate: denied: floor broker error ({type(e).__name__}: {str(e)[:200]})\n"
                rep = {"stdout": "", "stderr": base64.b64encode(msg.encode()).decode("ascii"), "code": 2}
            try:
                _send(conn, rep)
            except OSError:
                pass

    def close(self) -> None:
        import shutil

        try:
            if self._sock is not None:
                self._sock.close()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
