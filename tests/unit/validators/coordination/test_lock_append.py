"""ADR 0013: `hookgate lock append` — whole lines under flock, fail-fast, crash-safe."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from hookgate.state import locks
from tests.conftest import HOOKGATE

WORKER = r"""
import json, sys
from hookgate.__main__ import main
path, worker, n, pad = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
for i in range(n):
    rec = json.dumps({"w": worker, "i": i, "pad": "x" * pad})
    rc = main(["lock", "append", path, "--record", rec, "--timeout", "30s"])
    if rc != 0:
        sys.exit(rc)
"""

HOLDER = r"""
import os, sys, time
from hookgate.state import locks
from hookgate.cli.lockcli import context
path = os.path.abspath(sys.argv[1])
note, hpath = context(path, "hookgate lock run " + sys.argv[1] + " -- sleep", sys.argv[2])
fd = locks.lock_file(path, 5, note, hpath)
print("locked", flush=True)
time.sleep(60)
"""


def _check_lines(path: str, workers: int, per: int, pad: int) -> None:
    with open(path, "rb") as f:
        data = f.read()
    assert data.endswith(b"\n")
    lines = data.split(b"\n")[:-1]
    assert len(lines) == workers * per
    last = {}
    seen = set()
    for raw in lines:
        rec = json.loads(raw)  # an interleaved line would not parse
        assert set(rec) == {"w", "i", "pad"} and rec["pad"] == "x" * pad
        key = (rec["w"], rec["i"])
        assert key not in seen
        seen.add(key)
        assert rec["i"] > last.get(rec["w"], -1), "a worker's records must stay in its order"
        last[rec["w"]] = rec["i"]
    assert len(seen) == workers * per


def _run_workers(path: str, workers: int, per: int, pad: int, cwd) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, path, str(w), str(per), str(pad)], cwd=cwd)
             for w in range(workers)]
    codes = [p.wait(timeout=600) for p in procs]
    assert codes == [0] * workers


@pytest.mark.slow
def test_16_processes_x_500_appends_give_8000_intact_lines(project):
    """The done-when stress: 16 concurrent processes each run `lock append` 500 times (the real
    lean command, in-process after one interpreter start) on one file."""
    path = str(project / ".agents" / "log.jsonl")
    _run_workers(path, 16, 500, 700, project)
    _check_lines(path, 16, 500, 700)


def test_concurrent_real_command_appends(project):
    """The same through separately spawned `hookgate lock append` processes (fewer: each is
    a Python start)."""
    path = project / "tasks.jsonl"
    procs = []
    for w in range(8):
        script = "; ".join(
            f"{HOOKGATE} lock append tasks.jsonl --record '{{\"w\":{w},\"i\":{i},\"pad\":\"{'x' * 3000}\"}}'"
            for i in range(6)
        )
        procs.append(subprocess.Popen(["sh", "-c", f"set -e; {script}"], cwd=project))
    assert [p.wait(timeout=300) for p in procs] == [0] * 8
    _check_lines(str(path), 8, 6, 3000)


def _start_holder(project, rel: str, session: str = "sess-holder"):
    p = subprocess.Popen([sys.executable, "-c", HOLDER, rel, session], cwd=project, stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "locked"
    return p


def test_contended_append_fails_fast_naming_the_holder_and_sigkill_releases(project):
    holder = _start_holder(project, "board.jsonl")
    try:
        t0 = time.monotonic()
        r = subprocess.run([HOOKGATE, "lock", "append", "board.jsonl", "--record", '{"a":1}', "--timeout", "500ms"],
                           cwd=project, capture_output=True, text=True, timeout=30)
        elapsed = time.monotonic() - t0
        assert r.returncode == 75, r.stderr
        assert f"pid {holder.pid}" in r.stderr
        assert "session sess-holder" in r.stderr
        assert "retry in a few seconds" in r.stderr
        assert "hookgate lock run board.jsonl" in r.stderr
        assert 0.5 <= elapsed < 2.5, elapsed  # 0.5 s timeout + one interpreter start
        assert (project / "board.jsonl").read_text() == ""
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        holder.stdout.close()
    t0 = time.monotonic()
    r = subprocess.run([HOOKGATE, "lock", "append", "board.jsonl", "--record", '{"a":2}', "--timeout", "500ms"],
                       cwd=project, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert (project / "board.jsonl").read_text() == '{"a":2}\n'


def test_api_timeout_is_bounded_and_names_the_holder(project):
    holder = _start_holder(project, "api.jsonl", "s-api")
    try:
        from hookgate.cli.lockcli import holder_path
        from hookgate.state.paths import state_dir

        path = str(project / "api.jsonl")
        t0 = time.monotonic()
        with pytest.raises(locks.LockTimeout) as info:
            locks.append_record(path, {"x": 1}, timeout=0.2, holder_path=holder_path(state_dir(str(project)), path))
        assert 0.2 <= time.monotonic() - t0 < 0.6
        assert f"pid {holder.pid}" in info.value.holder and "s-api" in info.value.holder
        assert "retry in a few seconds" in str(info.value)
    finally:
        holder.kill()
        holder.wait(timeout=10)
        holder.stdout.close()


def test_holder_found_through_proc_locks_without_a_note(project):
    """A foreign process (not hookgate) holding flock is still named, by pid (Linux)."""
    if not os.path.exists("/proc/locks"):
        pytest.skip("no /proc/locks")
    code = "import fcntl, os, time; fd = os.open('x.jsonl', os.O_RDWR | os.O_CREAT); fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)"
    p = subprocess.Popen([sys.executable, "-c", code], cwd=project, stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "locked"
        r = subprocess.run([HOOKGATE, "lock", "append", "x.jsonl", "--record", "{}", "--timeout", "0.2"],
                           cwd=project, capture_output=True, text=True, timeout=30)
        assert r.returncode == 75 and f"pid {p.pid}" in r.stderr
    finally:
        p.kill()
        p.wait(timeout=10)
        p.stdout.close()


def test_waiter_follows_a_replaced_file(project):
    """A holder that rewrites the file by rename: the waiting record lands in the new file."""
    path = str(project / "t.jsonl")
    with open(path, "w") as f:
        f.write('{"old":1}\n')
    fd = locks.lock_file(path, 1)
    waiter = subprocess.Popen([HOOKGATE, "lock", "append", "t.jsonl", "--record", '{"new":2}', "--timeout", "10s"], cwd=project)
    time.sleep(0.5)
    locks.atomic_write(path, b'{"rewritten":1}\n')
    locks.release(fd)
    assert waiter.wait(timeout=30) == 0
    with open(path) as f:
        assert f.read() == '{"rewritten":1}\n{"new":2}\n'


@pytest.mark.parametrize(
    "args,code,msg",
    [
        (["f.jsonl", "--record", "not json"], 2, "not valid JSON"),
        (["f.jsonl"], 2, "missing --record"),
        (["--record", "{}"], 2, "missing FILE"),
        (["f.jsonl", "--record", "{}", "--timeout", "soon"], 2, "lock append"),
        (["f.jsonl", "g.jsonl", "--record", "{}"], 2, "one FILE only"),
    ],
)
def test_usage_errors_append_nothing(project, args, code, msg):
    r = subprocess.run([HOOKGATE, "lock", "append", *args], cwd=project, capture_output=True, text=True, timeout=30)
    assert r.returncode == code and msg in r.stderr
    assert not (project / "f.jsonl").exists()


def test_record_is_normalised_to_one_line(project):
    r = subprocess.run([HOOKGATE, "lock", "append", ".agents/a/b.jsonl", "--record", '{\n "k": "multi\\nline",\n "n": 1\n}'],
                       cwd=project, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert (project / ".agents" / "a" / "b.jsonl").read_text() == '{"k":"multi\\nline","n":1}\n'
    r = subprocess.run([HOOKGATE, "lock", "append", ".agents/a/b.jsonl", "--record", "-"], input='{"s":"stdin"}',
                       cwd=project, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and (project / ".agents" / "a" / "b.jsonl").read_text().endswith('{"s":"stdin"}\n')


def test_lock_append_is_on_the_lean_path(project):
    code = ("import sys\nfrom hookgate.__main__ import main\n"
            "rc = main(['lock', 'append', 'l.jsonl', '--record', '{}'])\n"
            "heavy = [m for m in ('typer', 'click', 'rich', 'pydantic', 'structlog', 'filelock', 'yaml') if m in sys.modules]\n"
            "print(rc, heavy)\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=project, capture_output=True, text=True, timeout=30)
    assert r.stdout.strip() == "0 []", r.stderr


@pytest.mark.parametrize("text,secs", [("2s", 2.0), ("500ms", 0.5), ("1.5", 1.5), ("2m", 120.0), ("0", 0.0)])
def test_parse_duration(text, secs):
    from hookgate.cli.lockcli import parse_duration

    assert parse_duration(text) == secs
