"""ADR 0025: the ledger's fsync runs in the server's group-commit thread, never before an
answer; a SIGKILL loses no answered decision; the in-memory hash chain never chains past a
ledger it did not leave as it is.

A slow disk is made real with ``strace``'s fault injection: every ``fsync`` of the server
process is delayed by 400 ms (``-e inject=fsync:delay_enter``). The same server with the
window 0 (fsync before answering) is slow by that much: the injection works, and the fast
answers are the thread's doing."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from hookgate.server.client import Conn
from hookgate.state import ledger
from tests.unit.server import helpers as h
from tests.unit.validators.guards.helpers import build_project, env_for

DELAY_S = 0.4
STRACE = shutil.which("strace")


def _slow_disk_server(home, rt, window_ms: float) -> subprocess.Popen:
    assert STRACE, "strace is needed to make the disk slow (scripts/test installs it)"
    os.makedirs(str(rt), mode=0o700, exist_ok=True)
    with open(os.path.join(str(rt), "test-server.log"), "ab") as log:
        p = subprocess.Popen([STRACE, "-f", "-qq", "--seccomp-bpf", "-o", "/dev/null", "-e", "trace=fsync,fdatasync",
                              "-e", f"inject=fsync,fdatasync:delay_enter={int(DELAY_S * 1e6)}",
                              h.HOOKGATE, "serve", "--idle", "300", "--group-commit-ms", str(window_ms)],
                             env=h.server_env(home, rt), cwd="/", stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                             start_new_session=True)
    h.wait_up(rt, p)
    return p


def _project(tmp_path):
    root, home, rt = tmp_path / "p", tmp_path / "h", tmp_path / "rt"
    root.mkdir()
    home.mkdir()
    build_project(root, home)
    return root, home, rt


def _ask(conn, root, tool, inp, session):
    t = time.perf_counter()
    s, _, body = conn.request("POST", "/v1/hook/claude-code", h.payload(root, tool, inp, session),
                              {"X-Hookgate-Project-Dir": str(root)})
    assert s == 200
    return time.perf_counter() - t, json.loads(body)


def _ledger_sessions(root) -> list[str]:
    with open(os.path.join(str(root), ".git", "hookgate", "ledger.jsonl"), encoding="utf-8") as f:
        return [json.loads(line).get("session", "") for line in f]


def _server_pid(rt) -> int:
    return h.info(rt)["pid"]


@pytest.mark.parametrize("window_ms", [10, 0])
def test_answers_do_not_wait_for_a_slow_fsync(tmp_path, window_ms):
    root, home, rt = _project(tmp_path)
    p = _slow_disk_server(home, rt, window_ms)
    try:
        conn = Conn(("127.0.0.1", h.info(rt)["port"]), 30)
        _ask(conn, root, "Bash", {"command": "git status"}, "warm")  # first decision: imports, config
        times = []
        for i in range(8):
            dt, out = _ask(conn, root, "Bash", {"command": "cat .env"} if i % 2 else {"command": "git status"}, f"s{i}")
            times.append(dt)
            if i % 2:
                assert out["hookSpecificOutput"]["permissionDecision"] == "deny"
        conn.close()
        if window_ms:
            # every fsync takes 0.4 s, yet no answer waited for one (the loaded machine's wall
            # time for a decision stays far below that)
            assert sorted(times)[len(times) // 2] < DELAY_S / 4, times
            assert max(times) < DELAY_S, times
        else:  # fsync before answering: each answer waits for its fsync — the injection works
            assert min(times) >= DELAY_S * 0.9, times
        assert _ledger_sessions(root)[-8:] == [f"s{i}" for i in range(8)]  # written before the answers
    finally:
        os.killpg(p.pid, signal.SIGTERM)
        p.wait(30)
    r = subprocess.run([h.HOOKGATE, "audit", "verify"], cwd=root, env={**env_for(home), "HOOKGATE_SERVE": "off"},
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def test_sigkill_during_the_window_loses_no_answered_decision(tmp_path):
    """The fsync of the answered records is still pending (0.4 s) when the server is killed:
    the records are in the file all the same — a process crash loses nothing; only a machine
    crash could lose the window."""
    root, home, rt = _project(tmp_path)
    p = _slow_disk_server(home, rt, 10)
    try:
        conn = Conn(("127.0.0.1", h.info(rt)["port"]), 30)
        for i in range(6):
            _ask(conn, root, "Write", {"file_path": f"{root}/n{i}.txt", "content": "x"}, f"k{i}")
        os.kill(_server_pid(rt), signal.SIGKILL)  # the server, not strace: mid-window, mid-fsync
        conn.close()
    finally:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait(30)
    assert [s for s in _ledger_sessions(root) if s.startswith("k")] == [f"k{i}" for i in range(6)]
    r = subprocess.run([h.HOOKGATE, "audit", "verify"], cwd=root, env={**env_for(home), "HOOKGATE_SERVE": "off"},
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def _rec(i: int) -> dict:
    return {"kind": "note", "ts": "2026-12-07T00:00:00Z", "i": i}


def test_the_chain_in_memory_follows_other_writers(tmp_path):
    """A process that appends again takes ``prev`` from memory only while the ledger is what it
    left; a one-shot append in between, or the last record rewritten in place (same size), is
    read from the file."""
    sd = str(tmp_path / "state")
    ledger.append_file(sd, _rec(0), fsync=False)
    ledger.append_file(sd, _rec(1), fsync=False)
    path = ledger.ledger_path(sd)
    assert path in ledger._TAILS
    other = subprocess.run(
        [sys.executable, "-c",
         "import sys; from hookgate.state import ledger; ledger.append_file(sys.argv[1], "
         "{'kind': 'note', 'ts': '2026-12-07T00:00:00Z', 'i': 'other'}, fsync=False)", sd],
        capture_output=True, text=True)
    assert other.returncode == 0, other.stderr
    ledger.append_file(sd, _rec(2), fsync=False)
    assert ledger.verify(path).ok
    # the last record replaced by another of the same size (what a same-size in-place rewrite
    # would leave): the chain continues from what the file says
    with open(path, "rb") as f:
        lines = f.read().splitlines(keepends=True)
    last = json.loads(lines[-1])
    forged = {k: v for k, v in last.items() if k != "hash"}
    forged["i"] = 9  # same length as 2
    forged["hash"] = ledger.chain_hash(forged["prev"], {k: v for k, v in forged.items() if k != "hash"})
    new_last = (ledger.canonical(forged) + "\n").encode()
    assert len(new_last) == len(lines[-1])
    with open(path, "r+b") as f:
        f.seek(sum(map(len, lines[:-1])))
        f.write(new_last)
    ledger.append_file(sd, _rec(3), fsync=False)
    res = ledger.verify(path)
    assert res.ok and res.count == 5, res.reason


def test_the_chain_in_memory_is_what_a_fresh_read_gives(tmp_path, monkeypatch):
    """Without the memory (every append reads the tail) the bytes are the same."""
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    for i in range(20):
        ledger.append_file(a, _rec(i), fsync=False)
        assert ledger.ledger_path(a) in ledger._TAILS
    for i in range(20):
        ledger._TAILS.clear()
        ledger.append_file(b, _rec(i), fsync=False)
    with open(ledger.ledger_path(a), "rb") as fa, open(ledger.ledger_path(b), "rb") as fb:
        assert fa.read() == fb.read()
