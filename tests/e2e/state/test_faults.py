"""ADR 0028: what happens when the shared state cannot be reached, and the failures it must
survive — through the real ``hookgate hook`` and a real PostgreSQL.

- the one-shot hook (no decision server) never imports psycopg; it denies a write that needs
  a lease and a checkpoint, with a sentence that says why and what to do; it still decides a
  read; its records wait in the outbox and reach the chain, in order, when the server runs;
- a machine that dies holding a lease (its server SIGKILLed) holds it only for its TTL;
- a machine whose clock is hours ahead does not see other machines' leases as expired, and its
  own leases are timed by the database's clock;
- the outbox: many processes appending while killed with SIGKILL leave whole lines; a drain
  interrupted after shipping ships nothing twice.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from tests.unit.approvals.helpers import classify, shell_pre, write_pre
from tests.conftest import run_hook
from tests.unit.server import helpers as h
from tests.e2e.state.conftest import git, hookgate_cli, make_repo

DENIES = ("deny", "exit2-deny")


def _hook(clone, payload, rt=None):
    env = {"CLAUDE_PROJECT_DIR": str(clone)}
    if rt is None:
        env["HOOKGATE_SERVE"] = "off"
    else:
        env["HOOKGATE_RUNTIME_DIR"] = str(rt)
    return run_hook(payload, env=env)


def _read(clone, session="s1"):
    p = write_pre("claude-code", clone, "src/app.py", "", session=session)
    p["tool_name"] = "Read"
    p["tool_input"] = {"file_path": str(clone / "src" / "app.py")}
    return p


def _chain(pg) -> list[dict]:
    out = pg["cluster"].psql("SELECT line FROM hookgate_ledger ORDER BY seq", db=pg["database"])
    return [json.loads(x) for x in out.splitlines() if x.strip()]


def test_one_shot_denies_what_needs_shared_state_and_queues_its_records(tmp_path, home, pg):
    repo = tmp_path / "repo"
    make_repo(repo, pg)
    assert hookgate_cli("state", "migrate", "--yes", cwd=repo).returncode == 0
    w = _hook(repo, write_pre("claude-code", repo, "src/app.py", "x", session="s1"))
    assert classify("claude-code", w) in DENIES, w
    text = w.stdout.decode() + w.stderr.decode()
    assert "PostgreSQL" in text and "hookgate serve start" in text and "src/app.py" in text, text
    ck = _hook(repo, shell_pre("claude-code", repo, 'read X; eval "$X"', session="s1"))  # a checkpoint, no lease
    assert classify("claude-code", ck) in DENIES, ck
    assert "shared approval queue cannot be reached" in ck.stdout.decode() + ck.stderr.decode(), ck
    r = _hook(repo, _read(repo))
    assert classify("claude-code", r) == "allow", r
    from hookgate.state import outbox

    sd = str(repo / ".git" / "hookgate")
    waiting = outbox.pending(sd)
    assert [x.get("tool") for x in waiting] == ["Write", "Bash", "Read"]
    assert not os.path.exists(os.path.join(sd, "ledger.jsonl"))
    assert _chain(pg) == []
    time.sleep(1.1)
    st = json.loads(hookgate_cli("state", "status", "--json", cwd=repo).stdout)
    assert st["outbox_records"] == 3 and st["lag_s"] >= 1.0 and st["health"] == "ok", st

    # the decision server ships them, in order, before its own records
    rt = tmp_path / "rt"
    srv = h.start(home, rt)
    try:
        ok = _hook(repo, write_pre("claude-code", repo, "src/app.py", "x", session="s1"), rt)
        assert classify("claude-code", ok) == "allow", ok
    finally:
        h.stop(srv)
    chain = _chain(pg)
    assert [x["id"] for x in chain[:3]] == [x["id"] for x in waiting]
    assert chain[3]["tool"] == "Write" and chain[3]["outcome"] == "allow"
    assert outbox.waiting_bytes(sd) == 0
    assert hookgate_cli("audit", "verify", cwd=repo).returncode == 0


def test_one_shot_path_never_imports_psycopg(tmp_path, home, pg):
    repo = tmp_path / "repo"
    make_repo(repo, pg)
    payload = write_pre("claude-code", repo, "src/app.py", "x", session="s1")
    code = ("import io, sys\n"
            "sys.stdin = io.TextIOWrapper(io.BytesIO(sys.argv[1].encode()))\n"
            "from hookgate.__main__ import main\n"
            "rc = main(['hook', '--platform', 'claude-code'])\n"
            "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in ('psycopg', 'psycopg_binary', 'typing')))\n")
    env = dict(os.environ, CLAUDE_PROJECT_DIR=str(repo), HOOKGATE_SERVE="off")
    p = subprocess.run([sys.executable, "-c", code, json.dumps(payload)], capture_output=True, text=True,
                       cwd=str(repo), env=env, timeout=60)
    assert "LOADED []" in p.stdout, p.stdout + p.stderr
    assert "hookgate serve start" in p.stdout + p.stderr  # it was the shared-state deny, not a crash


def test_machine_dying_with_a_lease_holds_it_for_its_ttl(tmp_path, home, pg):
    a, b = tmp_path / "a", tmp_path / "b"
    make_repo(a, pg)
    (a / ".hookgate" / "hooks" / "coordination.yaml").write_text("policy:\n  lease_ttl_seconds: 3\n")
    git("add", "-A", cwd=a)
    git("commit", "-q", "-m", "short leases", cwd=a)
    git("clone", "-q", str(a), str(b), cwd=tmp_path)
    assert hookgate_cli("state", "migrate", "--yes", cwd=a).returncode == 0
    rta, rtb = tmp_path / "rta", tmp_path / "rtb"
    sa, sb = h.start(home, rta), h.start(home, rtb)
    try:
        assert classify("claude-code", _hook(a, write_pre("claude-code", a, "src/app.py", "x", session="dying"), rta)) == "allow"
        os.kill(sa.pid, signal.SIGKILL)  # the machine dies holding the lease
        sa.wait()
        t_dead = time.monotonic()
        d = _hook(b, write_pre("claude-code", b, "src/app.py", "y", session="survivor"), rtb)
        assert classify("claude-code", d) in DENIES and "dying" in d.stdout.decode() + d.stderr.decode(), d
        time.sleep(max(0.0, 3.5 - (time.monotonic() - t_dead)))
        ok = _hook(b, write_pre("claude-code", b, "src/app.py", "y", session="survivor"), rtb)
        assert classify("claude-code", ok) == "allow", ok
    finally:
        h.stop(sb)
        h.stop(sa)


@pytest.mark.skipif(not shutil.which("faketime"), reason="scripts/test installs faketime")
def test_skewed_clock_sees_leases_by_the_database_clock(tmp_path, home, pg):
    a, b = tmp_path / "a", tmp_path / "b"
    make_repo(a, pg)
    git("clone", "-q", str(a), str(b), cwd=tmp_path)
    assert hookgate_cli("state", "migrate", "--yes", cwd=a).returncode == 0
    rta, rtb = tmp_path / "rta", tmp_path / "rtb"
    sa = h.start(home, rta)
    # machine B's clock is 2 hours ahead: by its own clock A's 15-minute lease has long expired
    os.makedirs(rtb, mode=0o700)
    env = dict(h.server_env(home, rtb), FAKETIME="+2h", FAKETIME_DONT_FAKE_MONOTONIC="1",
               LD_PRELOAD=_libfaketime())
    with open(rtb / "test-server.log", "ab") as log:
        sb = subprocess.Popen([h.HOOKGATE, "serve", "--idle", "300"], env=env, cwd="/", stdin=subprocess.DEVNULL,
                              stdout=log, stderr=log)
    h.wait_up(rtb, sb)
    try:
        assert classify("claude-code", _hook(a, write_pre("claude-code", a, "src/app.py", "x", session="on-a"), rta)) == "allow"
        d = _hook(b, write_pre("claude-code", b, "src/app.py", "y", session="on-b"), rtb)
        assert classify("claude-code", d) in DENIES and "on-a" in d.stdout.decode() + d.stderr.decode(), d
        # B's own lease: timed by the database's clock, not B's
        assert classify("claude-code", _hook(b, write_pre("claude-code", b, "src/b.py", "y", session="on-b"), rtb)) == "allow"
        row = pg["cluster"].psql("SELECT since - extract(epoch from now()), expires - since FROM hookgate_leases "
                                 "WHERE session = 'on-b'", db=pg["database"])
        skew, ttl = (float(x) for x in row.split("|"))
        assert abs(skew) < 60 and ttl == 900.0, row
        recs = _chain(pg)
        b_rec = next(r for r in recs if r.get("session") == "on-b")
        assert b_rec["ts"] > recs[0]["ts"]  # its own records carry its clock (the chain order is the database's)
    finally:
        h.stop(sb)
        h.stop(sa)


def _libfaketime() -> str:
    import glob

    for p in glob.glob("/usr/lib/*/faketime/libfaketime.so.1") + glob.glob("/usr/lib/faketime/libfaketime.so.1"):
        return p
    pytest.fail("libfaketime.so.1 not found (scripts/test installs faketime)")


# --- the outbox itself ------------------------------------------------------------------------

_APPENDER = """
import sys
from hookgate.state import outbox
sd, who = sys.argv[1], sys.argv[2]
i = 0
while True:
    outbox.append(sd, {"v": 1, "id": f"{who}-{i}", "kind": "t", "pad": "x" * (i % 3000)})
    i += 1
"""


def test_outbox_appenders_killed_leave_whole_lines_and_drain_ships_each_once(tmp_path):
    from hookgate.state import outbox

    sd = str(tmp_path / "state")
    os.makedirs(sd)
    procs = [subprocess.Popen([sys.executable, "-c", _APPENDER, sd, f"p{k}"]) for k in range(8)]
    time.sleep(2.0)
    for p in procs:
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
    recs = outbox.pending(sd)
    assert len(recs) > 100
    bad = [r for r in recs if r.get("kind") != "t"]
    assert not bad, bad[:3]  # whole lines only (a torn one would show as kind outbox_torn)
    per = {}
    for r in recs:
        who, n = r["id"].split("-")
        per.setdefault(who, []).append(int(n))
    for who, ns in per.items():
        assert ns == list(range(len(ns))), who  # each writer's records in its order, none lost between

    shipped: list[str] = []

    def ship_then_die(batch):
        shipped.extend(r["id"] for r in batch)
        raise KeyboardInterrupt  # killed after the insert, before the cursor moved

    with pytest.raises(KeyboardInterrupt):
        outbox.drain(sd, ship_then_die, batch=50)
    seen = set()

    def ship(batch):  # the database keeps a record id once: so does this stand-in
        for r in batch:
            if r["id"] not in seen:
                seen.add(r["id"])
                shipped.append(r["id"])

    seen.update(shipped)
    assert outbox.drain(sd, ship) == len(recs)  # re-read from the cursor: the first 50 again
    assert len(shipped) == len(set(shipped)) == len(recs)
    assert outbox.waiting_bytes(sd) == 0 and os.path.getsize(outbox.outbox_path(sd)) == 0


def test_database_crash_loses_no_answered_record(tmp_path, home, pg_private):
    """The server commits asynchronously and flushes the WAL within its window; a database that
    crashes (immediate stop: no shutdown checkpoint) inside that window loses those commits — the
    server's in-flight journal has them, and re-ships them in order when it reconnects."""
    import threading

    pg = pg_private
    repo = tmp_path / "repo"
    make_repo(repo, pg)
    assert hookgate_cli("state", "migrate", "--yes", cwd=repo).returncode == 0
    rt = tmp_path / "rt"
    srv = h.start(home, rt, group_commit_ms=200)  # a wide window: many commits not yet on disk
    from hookgate.server.client import Conn, hook_via

    answered: list[tuple[str, str]] = []
    lock = threading.Lock()
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", ""), "CLAUDE_PROJECT_DIR": str(repo)}

    def client(ci):
        conn = Conn(h.sock_path(rt), 30)
        for i in range(40):
            p = _read(repo, session=f"crash-{ci}")
            p["tool_input"]["offset"] = i
            out = hook_via(conn, "claude-code", json.dumps(p).encode(), env, str(repo))
            if classify_output(*out) == "allow":
                with lock:
                    answered.append((f"crash-{ci}", i))
        conn.close()

    from hookgate.adapters.claude_code import classify_output

    try:
        ts = [threading.Thread(target=client, args=(ci,)) for ci in range(8)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(120)
        pg["cluster"].stop("immediate")  # the database crashes right after the last answers
        pg["cluster"].start()
        after = _hook(repo, _read(repo, session="after"), rt)
        assert classify("claude-code", after) == "allow", after
        from hookgate.state import outbox

        end = time.monotonic() + 30  # the server ships (journal first, then the outbox) within its ticks
        while time.monotonic() < end and not any(r.get("session") == "after" for r in _chain(pg)):
            time.sleep(0.2)
        assert outbox.waiting_bytes(str(repo / ".git" / "hookgate")) == 0
    finally:
        h.stop(srv)
    chain = _chain(pg)
    have = {(r.get("session"), (r.get("input") or {}).get("offset")) for r in chain}
    missing = [a for a in answered if a not in have]
    assert len(answered) == 320 and not missing, missing[:10]
    assert len({r["id"] for r in chain}) == len(chain)
    assert hookgate_cli("audit", "verify", cwd=repo).returncode == 0
