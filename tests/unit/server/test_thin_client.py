"""ADR 0025: the static thin client ``hookgate-client`` (client/hookgate-client.c), what
``hookgate install`` wires for command hooks. It forwards the payload unchanged, and whatever
goes wrong — a stopped (slow) server, stdin never closed, a huge payload, no launcher beside
it — it ends in the one-shot path's decision or a deny, within its time bounds; never "allow"."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time

import pytest

from tests.unit.validators.guards.helpers import build_project
from tests.unit.server import helpers as h


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    base = tmp_path_factory.mktemp("thin")
    root, home, rt = base / "proj", base / "home", base / "rt"
    root.mkdir()
    home.mkdir()
    build_project(root, home)
    p = h.start(home, rt)
    yield root, home, rt, p
    h.stop(p)


def _env(served):
    root, home, rt, _ = served
    return {**h.server_env(home, rt), "CLAUDE_PROJECT_DIR": str(root)}


def _hook(served, data, env=None, client=h.CLIENT, timeout=60):
    return subprocess.run([client, "hook", "--platform", "claude-code"], input=data, env=env or _env(served),
                          cwd=served[0], capture_output=True, timeout=timeout)


def _decisions(served) -> int:
    out = subprocess.run([h.HOOKGATE, "serve", "status"], env=_env(served), capture_output=True, text=True,
                         timeout=60).stdout
    return json.loads(out)["decisions"]


def test_the_client_is_built_static(served):
    with open(h.CLIENT, "rb") as f:
        assert f.read(4) == b"\x7fELF"
    r = subprocess.run(["ldd", h.CLIENT], capture_output=True, text=True)
    assert "not a dynamic executable" in (r.stdout + r.stderr) or "statically linked" in r.stdout


def test_a_large_payload_is_forwarded_unchanged(served):
    root = served[0]
    content = "x" * 300_000 + "\u00e9\n"  # several reads and writes on both sides
    data = h.payload(root, "Write", {"file_path": f"{root}/big.txt", "content": content})
    before = _decisions(served)
    a = _hook(served, data)
    assert _decisions(served) == before + 1, "not through the server"
    b = _hook(served, data, {**_env(served), "HOOKGATE_SERVE": "off"})
    assert (a.stdout, a.stderr, a.returncode) == (b.stdout, b.stderr, b.returncode)


def test_a_stopped_server_means_one_shot_within_bounds(served):
    """A server that accepts but never answers (SIGSTOP): the client waits at most 5.5 s, then
    the one-shot path decides with the same bytes — a deny for `cat .env`, not an allow."""
    root, _, _, p = served
    os.kill(p.pid, signal.SIGSTOP)
    try:
        t = time.monotonic()
        r = _hook(served, h.payload(root, "Bash", {"command": "cat .env"}))
        took = time.monotonic() - t
    finally:
        os.kill(p.pid, signal.SIGCONT)
    assert b'"deny"' in r.stdout, r.stdout + r.stderr
    assert 5.0 < took < 5.5 + 5.0 + 5.0, took  # waited for the server, then decided one-shot


def test_stdin_never_closed_is_a_deny_within_the_deadline(served):
    t = time.monotonic()
    p = subprocess.Popen([h.CLIENT, "hook", "--platform", "claude-code"], env=_env(served), cwd=served[0],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdin.write(b'{"session_id": "s"')
    p.stdin.flush()
    out, err = p.stdout.read(), p.stderr.read()  # the client exits with stdin still open
    p.wait(30)
    p.stdin.close()
    p.stdout.close()
    p.stderr.close()
    assert time.monotonic() - t < 10
    assert p.returncode == 2 and b"stdin not closed" in err, (out, err)


def test_other_commands_go_to_the_launcher(served):
    a = subprocess.run([h.CLIENT, "serve", "status"], env=_env(served), capture_output=True, text=True, timeout=60)
    assert a.returncode == 0 and json.loads(a.stdout)["pid"] == served[3].pid, a.stderr


def test_no_launcher_beside_it_is_a_deny(served, tmp_path):
    lone = tmp_path / "bin" / "hookgate-client"
    lone.parent.mkdir()
    shutil.copy(h.CLIENT, lone)
    r = _hook(served, h.payload(served[0], "Bash", {"command": "git status"}), client=str(lone))
    assert r.returncode == 2 and b"denied" in r.stderr, r.stderr


def test_the_client_through_a_sigkill_never_allows_and_loses_nothing(tmp_path):
    """Real hookgate-client processes while the server is SIGKILLed and restarted: every call is
    answered (by the server or one-shot), `cat .env` is always denied, every answer is in the
    ledger, and `audit verify` passes (ADR 0025; the 16 × 1,000 run is test_serve_crash.py)."""
    import threading

    root, home, rt = tmp_path / "p", tmp_path / "h", tmp_path / "rt"
    root.mkdir()
    home.mkdir()
    build_project(root, home)
    server = [h.start(home, rt)]
    env = {**h.server_env(home, rt), "CLAUDE_PROJECT_DIR": str(root)}
    got: list = []
    lock = threading.Lock()

    def client(ci: int) -> None:
        for i in range(12):
            cmd = "cat .env" if i % 2 == 0 else "git status"
            p = subprocess.run([h.CLIENT, "hook", "--platform", "claude-code"], env=env, cwd=root, timeout=60,
                               input=h.payload(root, "Bash", {"command": cmd}, f"k{ci}-{i}"), capture_output=True)
            with lock:
                got.append((f"k{ci}-{i}", cmd, p.returncode, p.stdout))

    threads = [threading.Thread(target=client, args=(ci,)) for ci in range(4)]
    for t in threads:
        t.start()
    while len(got) < 12:
        time.sleep(0.01)
    os.kill(server[0].pid, signal.SIGKILL)
    server[0].wait()
    server[0] = h.start(home, rt)
    for t in threads:
        t.join(300)
    h.stop(server[0])
    assert len(got) == 48
    for session, cmd, code, out in got:
        assert code == 0, (session, code)
        assert (b'"deny"' in out) == (cmd == "cat .env"), (session, cmd, out[:200])
    sessions = set()
    with open(root / ".git" / "hookgate" / "ledger.jsonl", encoding="utf-8") as f:
        for line in f:
            sessions.add(json.loads(line).get("session"))
    assert {s for s, *_ in got} <= sessions
    r = subprocess.run([h.HOOKGATE, "audit", "verify"], cwd=root, env={**env, "HOOKGATE_SERVE": "off"},
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def test_a_server_that_hangs_up_mid_request_means_one_shot_not_a_signal(served, tmp_path):
    """A server that dies while the client writes its request (here: one of this user's that
    accepts, then resets the connection unread) makes the client's write fail with EPIPE. Without
    MSG_NOSIGNAL that is a SIGPIPE: the client dies by a signal, which every platform treats as a
    hook crash — fail open. It must decide one-shot with the same bytes instead (a deny here)."""
    import socket
    import struct
    import threading

    rt = tmp_path / "rt"
    rt.mkdir(mode=0o700)
    (rt / "secret").write_text("s" * 64)
    os.chmod(rt / "secret", 0o600)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(h.sock_path(rt))
    srv.listen(8)
    stop = threading.Event()

    def hang_up() -> None:
        while not stop.is_set():
            try:
                c, _ = srv.accept()
            except OSError:
                return
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # a reset
            c.close()

    t = threading.Thread(target=hang_up, daemon=True)
    t.start()
    try:
        root = served[0]
        big = "x" * 2_000_000  # more than the socket buffers: the client is still writing at the reset
        data = h.payload(root, "Bash", {"command": f"cat .env # {big}"})
        env = {**_env(served), "HOOKGATE_RUNTIME_DIR": str(rt)}
        r = _hook(served, data, env=env)
    finally:
        stop.set()
        srv.close()
        t.join(5)
    assert r.returncode >= 0, f"the client died by signal {-r.returncode}: the platform would allow"
    assert b'"deny"' in r.stdout or r.returncode == 2, (r.returncode, r.stdout[-300:], r.stderr[-300:])
