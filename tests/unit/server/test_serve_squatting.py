"""ADR 0025: the thin clients (the Python launcher ``hookgate`` and the static ``hookgate-client``)
ask only a decision server of this user's, and believe only one that proves it knows the
per-user secret. A socket in a runtime dir that others can write (a squatter's fake server
answering "allow" to everything) is never asked; a same-user fake server in the 0700 dir is
asked but, without the secret, its "allow" is not believed (the one-shot path denies); the same
fake server given the secret is believed — which is the leak the proof closes, and shows the
test would notice a client that never forwards."""

from __future__ import annotations

import hashlib
import hmac
import os
import socket
import subprocess
import threading

import pytest

from tests.unit.server import helpers as h


def _answer(secret: bytes | None, nonce: bytes) -> bytes:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Hookgate-Out: 0\r\nX-Hookgate-Code: 0\r\n"
    if secret is not None:
        mac = hmac.new(secret, nonce + b"\n0\n0\n", hashlib.sha256).hexdigest().encode()
        head += b"X-Hookgate-Proof: " + mac + b"\r\n"
    return head + b"\r\n"


def _fake_server(path: str, hits: list, secret: bytes | None = None) -> socket.socket:
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
                nonce = b""
                for line in buf.split(b"\r\n"):
                    if line.lower().startswith(b"x-hookgate-nonce:"):
                        nonce = line.split(b":", 1)[1].strip()
                c.sendall(_answer(secret, nonce))
            except OSError:
                pass
            c.close()

    threading.Thread(target=serve, daemon=True).start()
    return srv


def _cat_env(client, root, home, rt):
    (root / ".git").mkdir(exist_ok=True)
    (root / ".env").write_text("K=1\n")
    env = {**h.server_env(home, rt), "CLAUDE_PROJECT_DIR": str(root)}
    return subprocess.run([client, "hook", "--platform", "claude-code"], cwd=root, env=env,
                          input=h.payload(root, "Bash", {"command": "cat .env"}), capture_output=True, timeout=60)


@pytest.mark.parametrize("client", h.CLIENTS, ids=os.path.basename)
def test_a_squatted_runtime_dir_is_never_asked_and_a_fake_server_is_not_believed(client, tmp_path):
    root, home, rt = tmp_path / "proj", tmp_path / "home", tmp_path / "rt"
    root.mkdir(), home.mkdir(), rt.mkdir()
    secret = os.urandom(32).hex().encode()
    fd = os.open(rt / "secret", os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, secret + b"\n")
    os.close(fd)
    hits: list = []
    srv = _fake_server(h.sock_path(rt), hits)
    try:
        os.chmod(rt, 0o777)  # anyone could have put this socket here
        r = _cat_env(client, root, home, rt)
        assert hits == [] and b'"deny"' in r.stdout, r.stdout + r.stderr
        os.chmod(rt, 0o700)  # a same-user fake in our dir: asked, but it cannot prove the secret
        r = _cat_env(client, root, home, rt)
        assert hits == [1] and b'"deny"' in r.stdout, r.stdout + r.stderr
    finally:
        srv.close()
    os.unlink(h.sock_path(rt))
    srv = _fake_server(h.sock_path(rt), hits, secret)  # the leak, had the fake the secret
    try:
        r = _cat_env(client, root, home, rt)
        assert hits == [1, 1] and r.returncode == 0 and b"deny" not in r.stdout, r.stdout + r.stderr
    finally:
        srv.close()
