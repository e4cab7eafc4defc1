"""ADR 0028, Done-when 1: two clones of one repository with separate state dirs and one
PostgreSQL (two machines: two decision servers, two runtime dirs), through the real
``hookgate hook`` launcher and the real ``hookgate`` CLI."""

from __future__ import annotations

import json
import os
import subprocess
import time

from tests.unit.approvals.helpers import approval_id, classify, on_pty, write_pre
from tests.conftest import HOOKGATE, run_hook
from tests.unit.server import helpers as h
from tests.e2e.state.conftest import git, hookgate_cli, make_repo

DENIES = ("deny", "exit2-deny")


def _hook(clone, rt, payload):
    return run_hook(payload, env={"CLAUDE_PROJECT_DIR": str(clone), "HOOKGATE_RUNTIME_DIR": str(rt)})


def _write(clone, rel, session):
    return write_pre("claude-code", clone, rel, "x = 1\n", session=session)


def _db_lines(pg) -> list[dict]:
    out = pg["cluster"].psql("SELECT line FROM hookgate_ledger ORDER BY repo, seq", db=pg["database"])
    return [json.loads(x) for x in out.splitlines() if x.strip()]


def test_two_clones_share_leases_approvals_and_one_chain(tmp_path, home, pg):
    a, b = tmp_path / "machine-a" / "repo", tmp_path / "machine-b" / "repo"
    make_repo(a, pg)
    b.parent.mkdir()
    git("clone", "-q", str(a), str(b), cwd=tmp_path)
    assert os.path.realpath(a / ".git") != os.path.realpath(b / ".git")  # two state dirs
    r = hookgate_cli("state", "migrate", "--yes", cwd=a)
    assert r.returncode == 0 and "0001_initial.sql" in r.stdout, r.stderr
    rta, rtb = tmp_path / "rt-a", tmp_path / "rt-b"
    servers = [h.start(home, rta), h.start(home, rtb)]
    try:
        # a lease taken through A's hook denies the same repo-relative write through B's
        first = _hook(a, rta, _write(a, "src/app.py", "agent-on-a"))
        assert classify("claude-code", first) == "allow", first
        other = _hook(b, rtb, _write(b, "src/app.py", "agent-on-b"))
        assert classify("claude-code", other) in DENIES, other
        text = other.stdout.decode() + other.stderr.decode()
        assert "src/app.py" in text and "agent-on-a" in text
        # …but not another file, and A's owner keeps writing
        assert classify("claude-code", _hook(b, rtb, _write(b, "src/other.py", "agent-on-b"))) == "allow"
        assert classify("claude-code", _hook(a, rta, _write(a, "src/app.py", "agent-on-a"))) == "allow"

        # a checkpoint queued from B is approved from A; the retry on B is allowed once
        queued = _hook(b, rtb, _write(b, ".github/workflows/ci.yml", "agent-on-b"))
        assert classify("claude-code", queued) in DENIES, queued
        rid = approval_id(queued)
        shown = hookgate_cli("approvals", "list", "--json", cwd=a)
        assert rid in shown.stdout, shown.stderr
        # an agent on B waits for the answer; a human on A gives it; B hears it at once (NOTIFY)
        waiter = subprocess.Popen([HOOKGATE, "approvals", "wait", rid, "--timeout", "120"], cwd=str(b),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)
        assert waiter.poll() is None
        rc, out = on_pty(["approvals", "approve", rid], a)
        assert rc == 0, out
        t_answered = time.monotonic()
        wout, werr = waiter.communicate(timeout=60)
        heard = time.monotonic() - t_answered
        assert waiter.returncode == 0 and f"approval request {rid}: approved" in wout, wout + werr
        assert heard < 5.0, heard  # not a poll: the notification (a process start is most of it)
        retry = _hook(b, rtb, _write(b, ".github/workflows/ci.yml", "agent-on-b"))
        assert classify("claude-code", retry) == "allow", retry
        again = _hook(b, rtb, _write(b, ".github/workflows/ci.yml", "agent-on-b"))
        assert classify("claude-code", again) in DENIES, again

        # both clones' records are in one verified chain, in the database (no ledger files)
        for clone in (a, b):
            v = hookgate_cli("audit", "verify", cwd=clone)
            assert v.returncode == 0 and "chain intact" in v.stdout and "postgres://" in v.stdout, v.stdout + v.stderr
            assert not (clone / ".git" / "hookgate" / "ledger.jsonl").exists()
        recs = _db_lines(pg)
        cwds = {r.get("cwd") for r in recs if r.get("kind") == "decision"}
        assert {str(a), str(b)} <= cwds
        kinds = [(r.get("kind"), r.get("change")) for r in recs if r.get("kind") == "approval"]
        assert ("approval", "created") in kinds and ("approval", "approved") in kinds and ("approval", "consumed") in kinds
        n = int(pg["cluster"].psql("SELECT count(*) FROM hookgate_ledger", db=pg["database"]))
        assert f"OK: {n} records" in hookgate_cli("audit", "verify", cwd=b).stdout
        st = hookgate_cli("state", "status", "--json", cwd=b)
        info = json.loads(st.stdout)
        assert info["health"] == "ok" and info["backend"] == "postgres" and info["ledger_records"] == n
    finally:
        for s in servers:
            h.stop(s)
