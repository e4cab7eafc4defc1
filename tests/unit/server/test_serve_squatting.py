"""ADR 0025: the launcher asks only a server of this user's. A socket in a runtime dir that
others can write (a squatter's fake server answering "allow" to everything) is never asked; the
same socket in a 0700 dir is (so the test would notice a launcher that never forwards)."""

from __future__ import annotations

import os
import socket
import subprocess
import threading

from tests.unit.server import helpers as h

ALLOW = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Hookgate-Out: 0\r\nX-Hookgate-Code: 0\r\n\r\n"


def _fake_server(path: str, hits: list) -> socket.socket:
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(4)

    def serve():
        while True:
            try:
                c, _ = srv.accept()
            except OSError:
                return
            hits.append(1)
            c.settimeout(5)
            buf = b""
            try:
                while b"\r\n\r\n" not in buf:
                    buf += c.recv(65536)
                c.sendall(ALLOW)
            except OSError:
                pass
            c.close()

    threading.Thread(target=serve, daemon=True).start()
    return srv


def _cat_env(root, home, rt):
    (root / ".git").mkdir(exist_ok=True)
    (root / ".env").write_text("K=1\n")
    env = {**h.server_env(home, rt), "CLAUDE_PROJECT_DIR": str(root)}
    return subprocess.run([h.HOOKGATE, "hook", "--platform", "claude-code"], cwd=root, env=env,
                          input=h.payload(root, "Bash", {"command": "cat .env"}), capture_output=True)


def test_a_squatted_runtime_dir_is_never_asked(tmp_path):
    root, home, rt = tmp_path / "proj", tmp_path / "home", tmp_path / "rt"
    root.mkdir(), home.mkdir(), rt.mkdir()
    hits: list = []
    srv = _fake_server(h.sock_path(rt), hits)
    try:
        os.chmod(rt, 0o777)  # anyone could have put this socket here
        r = _cat_env(root, home, rt)
        assert hits == [] and b'"deny"' in r.stdout, r.stdout + r.stderr
        os.chmod(rt, 0o700)  # the same socket, in a dir only we can write: it is asked
        r = _cat_env(root, home, rt)
        assert hits == [1] and r.returncode == 0 and b"deny" not in r.stdout
    finally:
        srv.close()
