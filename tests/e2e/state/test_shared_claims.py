"""ADR 0028: claims across machines. A claim taken with `hookgate claim` on machine B binds
agents on machine A at once — writes (checked against the database in the lease take) and reads
(checked against the decision server's copy of the claims, which every change NOTIFYs away)."""

from __future__ import annotations

import time

from tests.unit.approvals.helpers import classify, write_pre
from tests.conftest import run_hook
from tests.unit.server import helpers as h
from tests.e2e.state.conftest import git, hookgate_cli, make_repo

DENIES = ("deny", "exit2-deny")


def _hook(clone, rt, payload):
    return run_hook(payload, env={"CLAUDE_PROJECT_DIR": str(clone), "HOOKGATE_RUNTIME_DIR": str(rt)})


def _read(clone, rel, session):
    p = write_pre("claude-code", clone, rel, "", session=session)
    p["tool_name"] = "Read"
    p["tool_input"] = {"file_path": str(clone / rel)}
    return p


def test_a_claim_on_one_machine_binds_reads_and_writes_on_another(tmp_path, home, pg):
    a, b = tmp_path / "a", tmp_path / "b"
    make_repo(a, pg)
    git("clone", "-q", str(a), str(b), cwd=tmp_path)
    assert hookgate_cli("state", "migrate", "--yes", cwd=a).returncode == 0
    rt = tmp_path / "rt-a"
    srv = h.start(home, rt)
    try:
        for _ in range(3):  # the server now holds a copy of the (empty) claims
            assert classify("claude-code", _hook(a, rt, _read(a, "src/app.py", "reader"))) == "allow"
        r = hookgate_cli("claim", "src/app.py", "--mode", "exclusive", "--session", "owner-on-b", cwd=b)
        assert r.returncode == 0, r.stdout + r.stderr
        r = hookgate_cli("claim", "src/lib.py", "--mode", "write", "--session", "owner-on-b", cwd=b)
        assert r.returncode == 0, r.stdout + r.stderr
        got = None
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            got = _hook(a, rt, _read(a, "src/app.py", "reader"))
            if classify("claude-code", got) in DENIES:
                break
        assert classify("claude-code", got) in DENIES, got
        assert "owner-on-b" in got.stdout.decode() + got.stderr.decode()
        w = _hook(a, rt, write_pre("claude-code", a, "src/lib.py", "x", session="writer"))
        assert classify("claude-code", w) in DENIES and "owner-on-b" in w.stdout.decode() + w.stderr.decode(), w
        listed = hookgate_cli("locks", "list", cwd=a)
        assert "owner-on-b" in listed.stdout, listed.stdout + listed.stderr
        # released on B: A may read again
        assert hookgate_cli("claim", "--release", "--session", "owner-on-b", cwd=b).returncode == 0
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            got = _hook(a, rt, _read(a, "src/app.py", "reader"))
            if classify("claude-code", got) == "allow":
                break
        assert classify("claude-code", got) == "allow", got
    finally:
        h.stop(srv)
