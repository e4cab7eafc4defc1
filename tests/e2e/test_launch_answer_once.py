"""ADR 0025: the Python launcher writes a decision server's proved answer exactly once. When
writing it fails (even mid-way: the platform closed its end of stdout), the launcher does not
decide again and write a second answer after the first one's remains; it exits 2 with a line on
stderr, which every platform takes as a deny (never an exit that reads as an allow).

The fake server here knows the per-user secret (a same-user server that proves its answer), and
answers an allow with 1 MiB of stdout, more than a pipe holds: the test reads a little, then
closes its end. Before the fix the launcher decided again locally (a second decision: its ledger
record, and exit 0 for this Write)."""

from __future__ import annotations

import glob
import hashlib
import hmac
import os
import socket
import subprocess
import threading

from tests.unit.server import helpers as h

BIG = 1 << 20


def _proved_answer(secret: bytes, nonce: bytes, out: bytes, code: int = 0) -> bytes:
    mac = hmac.new(secret, nonce + b"\n%d\n%d\n" % (code, len(out)) + out, hashlib.sha256).hexdigest().encode()
    return (b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nX-Hookgate-Out: %d\r\nX-Hookgate-Code: %d\r\n"
            b"X-Hookgate-Proof: %s\r\n\r\n" % (len(out), len(out), code, mac)) + out


def _fake_server(path: str, secret: bytes, out: bytes, hits: list) -> socket.socket:
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
            c.settimeout(10)
            buf = b""
            try:
                while b"\r\n\r\n" not in buf:
                    buf += c.recv(65536)
                nonce = next(line.split(b":", 1)[1].strip() for line in buf.split(b"\r\n")
                             if line.lower().startswith(b"x-hookgate-nonce:"))
                c.sendall(_proved_answer(secret, nonce, out))
            except (OSError, StopIteration):
                pass
            c.close()

    threading.Thread(target=serve, daemon=True).start()
    return srv


def _setup(tmp_path):
    root, home, rt = tmp_path / "proj", tmp_path / "home", tmp_path / "rt"
    root.mkdir(), home.mkdir(), rt.mkdir(mode=0o700)
    (root / ".git").mkdir()
    secret = os.urandom(32).hex().encode()
    fd = os.open(rt / "secret", os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, secret + b"\n")
    os.close(fd)
    env = {**h.server_env(home, rt), "CLAUDE_PROJECT_DIR": str(root)}
    return root, home, rt, secret, env


def _ledger_records(tmp_path) -> int:
    n = 0
    for p in glob.glob(str(tmp_path / "**" / "*.jsonl"), recursive=True):
        with open(p, "rb") as f:
            n += sum(1 for line in f if b'"kind"' in line)
    return n


def test_a_proved_answer_that_cannot_be_written_whole_is_a_deny_not_a_second_decision(tmp_path):
    root, _home, rt, secret, env = _setup(tmp_path)
    hits: list = []
    srv = _fake_server(h.sock_path(rt), secret, b"{" + b" " * (BIG - 2) + b"}", hits)
    try:
        with subprocess.Popen([h.HOOKGATE, "hook", "--platform", "claude-code"], cwd=root, env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as p:
            assert p.stdin is not None and p.stdout is not None and p.stderr is not None
            p.stdin.write(h.payload(root, "Write", {"file_path": str(root / "notes.txt"), "content": "x"}))
            p.stdin.close()
            first = p.stdout.read(4096)  # the answer has begun to go out…
            p.stdout.close()  # …and the platform's end is gone
            err = p.stderr.read()
            rc = p.wait(timeout=60)
    finally:
        srv.close()
    assert hits == [1]
    assert first.startswith(b"{ ")
    assert rc == 2, (rc, err)
    assert b"denied" in err and b"could not be written" in err, err
    assert _ledger_records(tmp_path) == 0  # not decided a second time here


def test_the_same_answer_written_whole_is_the_answer_once(tmp_path):
    """The check above can fail: the same fake's answer, read whole, is written once and exits 0
    (and nothing is decided locally either)."""
    root, _home, rt, secret, env = _setup(tmp_path)
    hits: list = []
    srv = _fake_server(h.sock_path(rt), secret, b"{" + b" " * (BIG - 2) + b"}", hits)
    try:
        r = subprocess.run([h.HOOKGATE, "hook", "--platform", "claude-code"], cwd=root, env=env, capture_output=True,
                           input=h.payload(root, "Write", {"file_path": str(root / "notes.txt"), "content": "x"}),
                           timeout=60)
    finally:
        srv.close()
    assert hits == [1]
    assert r.returncode == 0, r.stderr
    assert len(r.stdout) == BIG and r.stdout.startswith(b"{ ") and r.stdout.endswith(b" }")
    assert _ledger_records(tmp_path) == 0


def test_the_launchers_crc32_is_zlibs():
    """The launcher names the server's socket with its own CRC-32 (no ``zlib`` import on every
    call): the same as ``zlib.crc32``, which ``server.runtime`` uses."""
    import random
    import zlib

    from hookgate.__main__ import _crc32

    rnd = random.Random(22)
    keys = [b"", b"/", b"/home/u/.venv", "/tmp/ünï/.venv".encode(), bytes(range(256))]
    keys += [bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 300))) for _ in range(200)]
    for k in keys:
        assert _crc32(k) == zlib.crc32(k), k


def test_a_deny_that_cannot_be_written_exits_2_not_0(tmp_path):
    """Claude Code's JSON deny exits 0: when the one-shot path cannot write it (stdout is
    /dev/full: every write fails), the process exits 2 — a deny on every platform — not 0 (an
    allow with the deny lost; before: 0 from the answer, then 120 from the interpreter's own
    failed flush at exit, which platforms take as an allow too)."""
    root, home = tmp_path / "proj", tmp_path / "home"
    root.mkdir(), home.mkdir()
    (root / ".git").mkdir()
    (root / ".env").write_text("K=1\n")
    env = {**h.server_env(home, tmp_path / "rt"), "CLAUDE_PROJECT_DIR": str(root), "HOOKGATE_SERVE": "off"}
    payload = h.payload(root, "Bash", {"command": "cat .env"})
    for client in h.CLIENTS:  # the launcher, and the static client that runs it
        ok = subprocess.run([client, "hook", "--platform", "claude-code"], cwd=root, env=env, input=payload,
                            capture_output=True, timeout=60)
        assert ok.returncode == 0 and b'"deny"' in ok.stdout, ok  # the JSON deny, written
        with open("/dev/full", "wb") as full:
            p = subprocess.run([client, "hook", "--platform", "claude-code"], cwd=root, env=env, input=payload,
                               stdout=full, stderr=subprocess.PIPE, timeout=60)
        assert p.returncode == 2, (client, p.returncode, p.stderr)
