"""ADR 0004: the hash-chained ledger — concurrency, tamper evidence, torn tails."""

from __future__ import annotations

import json
import multiprocessing
import os

import pytest

from hookgate.state import ledger
from tests.conftest import run_cli, run_hook
from tests.support.payloads import claude_pre


def _read(path) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _write(path, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)


def _worker(args):
    project, n, worker = args
    from hookgate.core.hook import handle

    env = dict(os.environ, CLAUDE_PROJECT_DIR=project)
    for i in range(n):
        payload = {"session_id": f"w{worker}", "cwd": project, "hook_event_name": "PreToolUse",
                   "tool_name": "Write", "tool_input": {"file_path": f"{project}/f{worker}_{i}.txt", "content": "x"}}
        out, err, code = handle("claude-code", json.dumps(payload).encode(), env)
        assert code == 0 and out == "", (out, err)
    return n


@pytest.mark.slow  # 3200 hook processes: the stress of the full run
def test_16_processes_x_200_calls_exact_count_and_intact_chain(project):
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(16) as pool:
        done = sum(pool.map(_worker, [(str(project), 200, w) for w in range(16)]))
    assert done == 3200
    path = ledger.ledger_path(str(project / ".git" / "hookgate"))
    res = ledger.verify(path)
    assert res.ok, (res.bad_line, res.reason)
    assert res.count == 3200
    lines = _read(path).split(b"\n")
    assert lines[-1] == b"" and len(lines) == 3201
    r = run_cli("audit", "verify", cwd=project)
    assert r.returncode == 0 and "3200 records" in r.stdout


def test_real_processes_append_concurrently(project):
    """A smaller run through the real command in parallel subprocesses."""
    import subprocess
    import sys

    from tests.conftest import HOOKGATE

    procs = []
    for i in range(24):
        payload = json.dumps(claude_pre(project, "Write", {"file_path": str(project / f"p{i}.txt"), "content": "x"}))
        p = subprocess.Popen([HOOKGATE, "hook", "--platform", "claude-code"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, cwd=str(project))
        p.stdin.write(payload.encode())
        p.stdin.close()
        procs.append(p)
    assert all(p.wait(60) == 0 for p in procs)
    res = ledger.verify(ledger.ledger_path(str(project / ".git" / "hookgate")))
    assert res.ok and res.count == 24
    del sys


def _fill(project, n=5):
    for i in range(n):
        r = run_hook(claude_pre(project, "Write", {"file_path": str(project / f"a{i}.txt"), "content": "x"}), cwd=project)
        assert r.returncode == 0
    return ledger.ledger_path(str(project / ".git" / "hookgate"))


def test_editing_any_byte_of_any_record_is_detected(project):
    path = _fill(project, 4)
    original = _read(path)
    lines = original.split(b"\n")[:-1]
    offsets = []
    pos = 0
    for i, line in enumerate(lines):
        offsets.append((i + 1, pos, len(line)))
        pos += len(line) + 1
    # flip bytes at several positions in every record (start, middle, end of the line)
    for line_no, start, length in offsets:
        for rel in (0, 1, length // 3, length // 2, length - 2, length - 1):
            data = bytearray(original)
            c = data[start + rel]
            data[start + rel] = ord("7") if c != ord("7") else ord("8")
            with open(path, "wb") as f:
                f.write(bytes(data))
            res = ledger.verify(path)
            assert not res.ok, (line_no, rel)
            assert res.bad_line == line_no, (line_no, rel, res.bad_line, res.reason)
    with open(path, "wb") as f:
        f.write(original)
    assert ledger.verify(path).ok


def test_deleting_a_record_is_detected(project):
    path = _fill(project, 4)
    lines = _read(path).split(b"\n")
    del lines[1]
    _write(path, b"\n".join(lines))
    res = ledger.verify(path)
    assert not res.ok and res.bad_line == 2
    r = run_cli("audit", "verify", cwd=project)
    assert r.returncode != 0 and "line 2" in r.stderr


def test_torn_tail_is_reported_and_repair_truncates_only_it(project):
    path = _fill(project, 3)
    intact = _read(path)
    with open(path, "ab") as f:
        f.write(b'{"id":"torn","kind":"decision","outc')  # killed mid-write
    r = run_cli("audit", "verify", cwd=project)
    assert r.returncode != 0 and "torn" in r.stderr
    r = run_cli("audit", "verify", "--repair", cwd=project)
    assert r.returncode == 0, r.stderr
    assert _read(path) == intact


def test_append_after_a_torn_tail_keeps_chain_and_repair_removes_only_the_torn_line(project):
    path = _fill(project, 2)
    with open(path, "ab") as f:
        f.write(b'{"id":"torn","kind":"deci')
    _fill(project, 2)  # later writers chain over the torn fragment
    res = ledger.verify(path)
    assert not res.ok and res.torn_lines == [3]
    assert ledger.repair(path) == [3]
    res = ledger.verify(path)
    assert res.ok and res.count == 4


def test_repair_refuses_real_tampering(project):
    path = _fill(project, 3)
    data = _read(path).replace(b'"outcome":"allow"', b'"outcome":"block"', 1)
    _write(path, data)
    assert ledger.repair(path) == []
    r = run_cli("audit", "verify", "--repair", cwd=project)
    assert r.returncode != 0


@pytest.mark.parametrize("secret", [
    "AKIAABCDEFGHIJKLMNOP",
    "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "sk-ant-api03-abcdefghijklmnopqrstuvwxyz",
])
def test_ledger_redacts_secrets_and_keeps_a_digest(project, secret):
    cmd = f"curl -H 'Authorization: Bearer {secret}' https://x && API_TOKEN={secret} ./run"
    r = run_hook(claude_pre(project, "Write", {"file_path": str(project / "a.sh"), "content": cmd * 50}), cwd=project)
    assert r.returncode == 0
    raw = _read(ledger.ledger_path(str(project / ".git" / "hookgate"))).decode("utf-8")
    assert secret not in raw
    rec = json.loads(raw.strip().splitlines()[-1])
    assert len(rec["input_digest"]) == 64
    assert "more chars" in rec["input"]["content"]
