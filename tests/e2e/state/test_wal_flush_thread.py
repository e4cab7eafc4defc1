"""ADR 0028 (amended, session 8): the decision server's WAL flush of a shared-state database —
sealing the in-flight journal, the barrier, deleting what the barrier covers — runs in the
group-commit thread and the database's flush thread, never in the thread that answers
decisions; a SIGKILL of the server with flushes pending loses no answered decision.

A slow flush is made real with ``strace``'s fault injection: every ``rename`` of the in-flight
journal (the seal, ``-P`` limits it to that path) is delayed by 400 ms, and strace's log names
the thread that made each call. Before, the server's main thread sealed the journal at the
window's end, so an answer that came in meanwhile waited for the rename."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time

from hookgate.adapters.claude_code import classify_output
from hookgate.server.client import Conn, hook_via
from tests.e2e.state.conftest import hookgate_cli, make_repo
from tests.e2e.state.test_faults import _chain, _read
from tests.unit.server import helpers as h

DELAY_S = 0.4
STRACE = shutil.which("strace")
INFLIGHT = "ledger.inflight.jsonl"


def _traced_server(home, rt, journal: str, log: str, window_ms: float) -> subprocess.Popen:
    assert STRACE, "strace is needed to make the seal slow (scripts/test installs it)"
    os.makedirs(str(rt), mode=0o700, exist_ok=True)
    with open(os.path.join(str(rt), "test-server.log"), "ab") as out:
        p = subprocess.Popen([STRACE, "-f", "-qq", "-o", log, "-P", journal, "-e", "trace=rename,renameat,renameat2",
                              "-e", f"inject=rename,renameat,renameat2:delay_enter={int(DELAY_S * 1e6)}",
                              h.HOOKGATE, "serve", "--idle", "300", "--group-commit-ms", str(window_ms)],
                             env=h.server_env(home, rt), cwd="/", stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                             start_new_session=True)
    h.wait_up(rt, p)
    return p


def _env(home, repo) -> dict:
    return {"HOME": str(home), "PATH": os.environ.get("PATH", ""), "CLAUDE_PROJECT_DIR": str(repo)}


def _ask(conn, home, repo, session: str, i: int) -> tuple[float, str]:
    p = _read(repo, session=session)
    p["tool_input"]["offset"] = i
    t = time.perf_counter()
    out = hook_via(conn, "claude-code", json.dumps(p).encode(), _env(home, repo), str(repo))
    return time.perf_counter() - t, classify_output(*out)


def test_the_seal_runs_off_the_answering_thread_and_answers_do_not_wait_for_it(tmp_path, home, pg):
    repo = tmp_path / "repo"
    make_repo(repo, pg)
    assert hookgate_cli("state", "migrate", "--yes", cwd=repo).returncode == 0
    rt, log = tmp_path / "rt", str(tmp_path / "strace.log")
    journal = str(repo / ".git" / "hookgate" / INFLIGHT)
    srv = _traced_server(home, rt, journal, log, window_ms=5)
    try:
        pid = h.info(rt)["pid"]
        conn = Conn(h.sock_path(rt), 30)
        assert _ask(conn, home, repo, "warm", 0)[1] == "allow"  # imports, config, the connections
        time.sleep(DELAY_S * 2)  # the warm-up's seal is over
        times = []
        for i in range(12):  # each answer journals a record; each window's end seals the journal
            dt, out = _ask(conn, home, repo, "s", i)
            assert out == "allow"
            times.append(dt)
            time.sleep(0.03)  # past the window: a seal (0.4 s) is under way while the next one asks
        conn.close()
        time.sleep(DELAY_S * 2)  # the last seal is over
    finally:  # a SIGKILL: a clean stop's last flush runs in the main thread, rightly (nothing to answer)
        os.killpg(srv.pid, signal.SIGKILL)
        srv.wait(30)
    with open(log, encoding="utf-8", errors="replace") as f:
        calls = [ln for ln in f if "rename" in ln and INFLIGHT in ln]
    tids = {int(m.group(1)) for ln in calls if (m := re.match(r"(\d+)\s", ln))}
    assert calls, "the journal was never sealed: the injection did not apply"
    assert pid not in tids, f"the main thread ({pid}) sealed the journal: {calls[:3]}"
    # a seal takes 0.4 s and one was under way for most of these answers: none waited for it
    assert sorted(times)[len(times) // 2] < DELAY_S / 2, times
    chain = _chain(pg)
    assert {(r.get("session"), (r.get("input") or {}).get("offset")) for r in chain} >= {("s", i) for i in range(12)}


def test_sigkill_with_flushes_pending_loses_no_answered_decision(tmp_path, home, pg_private):
    """A 5 s window: the server is killed (SIGKILL) with every barrier still pending, and the
    database crashes right after (immediate stop: asynchronous commits not on its disk are
    lost). A new server re-ships the journal on its first use of the state dir: every answered
    decision is in the chain, once, and ``audit verify`` passes."""
    pg = pg_private
    repo = tmp_path / "repo"
    make_repo(repo, pg)
    assert hookgate_cli("state", "migrate", "--yes", cwd=repo).returncode == 0
    rt = tmp_path / "rt"
    srv = h.start(home, rt, group_commit_ms=5000)
    answered: list[tuple[str, int]] = []
    lock = threading.Lock()

    def client(ci):
        conn = Conn(h.sock_path(rt), 30)
        for i in range(25):
            if _ask(conn, home, repo, f"k-{ci}", i)[1] == "allow":
                with lock:
                    answered.append((f"k-{ci}", i))
        conn.close()

    try:
        ts = [threading.Thread(target=client, args=(ci,)) for ci in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(120)
        import glob

        from hookgate.state import outbox

        journals = glob.glob(str(repo / ".git" / "hookgate" / "ledger.inflight*.jsonl"))
        pending = sum(len(outbox.read_records(p)) for p in journals)
        assert pending > 0, journals  # answered records whose WAL flush has not run yet
        os.kill(h.info(rt)["pid"], signal.SIGKILL)  # flushes pending: the window is 5 s
        srv.wait(30)
        pg["cluster"].stop("immediate")
        pg["cluster"].start()
        srv = h.start(home, rt, group_commit_ms=10)
        conn = Conn(h.sock_path(rt), 30)
        assert _ask(conn, home, repo, "after", 0)[1] == "allow"  # first use of the state dir: re-ship
        conn.close()
        end = time.monotonic() + 30
        while time.monotonic() < end and not any(r.get("session") == "after" for r in _chain(pg)):
            time.sleep(0.2)
    finally:
        h.stop(srv)
    chain = _chain(pg)
    have = {(r.get("session"), (r.get("input") or {}).get("offset")) for r in chain}
    missing = [a for a in answered if a not in have]
    # (an allow is what a lost record would hide; a loaded machine may deny a call at its deadline)
    assert len(answered) >= 90 and not missing, (len(answered), missing[:10])
    assert len({r["id"] for r in chain}) == len(chain)
    v = hookgate_cli("audit", "verify", cwd=repo)
    assert v.returncode == 0, v.stdout + v.stderr
