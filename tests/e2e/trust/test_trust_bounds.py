"""ADR 0018 items 2, 4, 5, 7 through the real ``hookgate hook`` on every platform: no input,
held lock, FIFO or clock can stall a decision past the deadline or end it in a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from hookgate.core.hook import DEADLINE_S, DECIDE_S
from tests.conftest import HOOKGATE
from tests.support import need
from tests.support.marks import quick_first
from tests.e2e.trust.helpers import DENY, PLATFORMS, label, ledger, make_repo, platform_env, run, shell, write


@pytest.fixture
def repo(tmp_path, home):
    return make_repo(tmp_path / "repo"), str(home)


def _side(repo: str) -> list[dict]:
    p = os.path.join(repo, ".git", "hookgate", "ledger.side.jsonl")
    if not os.path.exists(p):
        return []
    with open(p, encoding="utf-8") as f:
        return [json.loads(x) for x in f if x.strip()]


# --- item 2: the deadline --------------------------------------------------------------------

@pytest.mark.parametrize("platform", quick_first(PLATFORMS))  # waits out the deadline: one platform in the quick loop
def test_stdin_never_closed_is_denied_before_the_deadline(repo, platform):
    """A platform (or anything in between) that never closes stdin: before, the hook waited
    forever and the platform's timeout let the call run."""
    root, home = repo
    env = platform_env(platform, root, home)
    p = subprocess.Popen([HOOKGATE, "hook", "--platform", platform], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=root)
    t = time.monotonic()
    p.stdin.write(json.dumps(write(platform, f"{root}/.hookgate/rollout.yaml", root, root))[:-5].encode())
    p.stdin.flush()
    try:
        p.wait(DEADLINE_S + 5)  # stdin stays open: the hook must answer on its own
        took = time.monotonic() - t
    finally:
        p.kill()
        p.stdin.close()
    out, err = p.stdout.read(), p.stderr.read()
    p.stdout.close()
    p.stderr.close()
    assert p.returncode == 2 and b"denied" in err and b"stdin not closed" in err, (out, err)
    assert took < DEADLINE_S + 0.5, took
    assert [r["kind"] for r in ledger(root)] == ["bad_input"]


@pytest.mark.slow  # a control (it proves the test above tests something): waits 5 s, in the full run
def test_stdin_hang_control_the_alarm_is_what_ends_it(repo):
    """Without the deadline the same call would wait: a plain read of the pipe is still pending
    after DECIDE_S + 1 s."""
    code = "import sys; sys.stdin.buffer.read(); print('read')"
    p = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    p.stdin.write(b"{")
    p.stdin.flush()
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            p.wait(DECIDE_S + 1)
    finally:
        p.kill()
        p.wait()
        p.stdin.close()
        p.stdout.close()


# --- item 4: a held lock ------------------------------------------------------------------------

HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(60)
"""


@pytest.fixture
def held_ledger(repo):
    root, _ = repo
    state = os.path.join(root, ".git", "hookgate")
    os.makedirs(state, exist_ok=True)
    h = subprocess.Popen([sys.executable, "-c", HOLDER, os.path.join(state, "ledger.jsonl")], stdout=subprocess.PIPE,
                         env=dict(os.environ, HOOKGATE_SESSION="stalling-agent"))
    assert h.stdout.readline().strip() == b"held"
    yield h
    h.kill()
    h.wait()
    h.stdout.close()


@pytest.mark.parametrize("platform", quick_first(PLATFORMS))  # waits out the deadline: one platform in the quick loop
def test_an_agent_holding_the_ledger_cannot_stall_others(repo, held_ledger, platform):
    """Before: every other agent's call waited 20 s, was denied, and was not recorded."""
    root, home = repo
    env = platform_env(platform, root, home)
    t = time.monotonic()
    p = run(platform, write(platform, f"{root}/.claude/settings.json", root, root), env, cwd=root)
    took = time.monotonic() - t
    assert label(platform, p) in DENY and took < DEADLINE_S, (took, p.stdout, p.stderr)
    text = (p.stdout + p.stderr).decode()
    assert f"pid {held_ledger.pid}" in text and "side log" in text, text
    t = time.monotonic()
    p = run(platform, write(platform, f"{root}/notes.txt", root, root), env, cwd=root)
    took = time.monotonic() - t
    assert label(platform, p) in ("allow", "warn") and took < DEADLINE_S, (took, p.stdout, p.stderr)
    side = _side(root)
    assert [r["outcome"] for r in side] == ["block", "warn" if label(platform, p) == "warn" else "allow"] or \
        [r["outcome"] for r in side][:1] == ["block"], side
    assert len(side) == 2 and all(f"pid {held_ledger.pid}" in r["record_error"] for r in side), side
    assert "stalling-agent" in side[0]["record_error"]


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("command", ["flock {s}/ledger.jsonl sleep 600", "exec 3< {s}/ledger.jsonl; flock 3 sleep 600",
                                     "cat {s}/ledger.jsonl", "python3 -c 'import fcntl; fcntl.flock(open(\"{s}/lock\"), 2)'",
                                     "tail -f .git/hookgate/ledger.jsonl"])
def test_agents_cannot_open_state_files(repo, platform, command):
    root, home = repo
    env = platform_env(platform, root, home)
    p = run(platform, shell(platform, command.format(s=f"{root}/.git/hookgate"), root, root), env, cwd=root)
    assert label(platform, p) in DENY, (p.stdout, p.stderr)


# --- item 5: path fields are bounded regular files ----------------------------------------------

@pytest.mark.parametrize("platform", ["claude-code", "gemini-cli"])
@pytest.mark.parametrize("kind", ["fifo", "device", "directory"])
def test_transcript_path_that_is_not_a_regular_file(repo, tmp_path, platform, kind):
    """Before: a FIFO as transcript_path hung the hook forever (the platform then let the call run)."""
    root, home = repo
    if kind == "fifo":
        path = str(tmp_path / "t.jsonl")
        os.mkfifo(path)
    elif kind == "device":
        path = "/dev/zero"
    else:
        path = str(tmp_path)
    env = platform_env(platform, root, home)
    for target, want in ((f"{root}/.hookgate/x.yaml", DENY), (f"{root}/notes.txt", ("allow", "warn"))):
        t = time.monotonic()
        p = run(platform, write(platform, target, root, root, transcript=path), env, cwd=root, timeout=DEADLINE_S + 5)
        assert label(platform, p) in want and time.monotonic() - t < DEADLINE_S, (p.stdout, p.stderr)
    assert [r["kind"] for r in ledger(root)] == ["decision", "decision"]


# --- item 7: clocks -----------------------------------------------------------------------------

@pytest.fixture
def faketime() -> str:
    return need.program("faketime")  # scripts/test installs it; missing fails, never skips


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("clock", [["2263-01-01 00:00:00"], ["-f", "+0 x-1"], ["-f", "+0 x0.001"]])
def test_odd_clocks_are_decided_and_recorded(repo, platform, clock, faketime):
    """Past 2262 every Python clock raises OverflowError; before, the hook ended in a traceback
    (exit 1: fail-open) before its catch-all. A clock running backwards or nearly stopped must
    not stretch any wait either."""
    root, home = repo
    env = platform_env(platform, root, home)
    env["FAKETIME_DONT_FAKE_MONOTONIC"] = "0"
    for target, want in ((f"{root}/.hookgate/rollout.yaml", DENY), (f"{root}/notes.txt", ("allow", "warn"))):
        data = json.dumps(write(platform, target, root, root)).encode()
        t = time.monotonic()
        p = subprocess.run([faketime, *clock, HOOKGATE, "hook", "--platform", platform], input=data,
                           capture_output=True, env=env, cwd=root, timeout=30)
        assert label(platform, p) in want, (clock, p.stdout, p.stderr)
        assert b"Traceback" not in p.stderr and time.monotonic() - t < DEADLINE_S + 1
    recs = ledger(root)
    assert [r["outcome"] for r in recs] == ["block", "allow"], recs


def test_faketime_really_breaks_the_clock():
    """The clock tests test something: under faketime 2263 Python's clocks raise."""
    p = subprocess.run([need.program("faketime"), "2263-01-01 00:00:00", sys.executable, "-c", "import time; time.perf_counter()"],
                       capture_output=True, env=dict(os.environ, FAKETIME_DONT_FAKE_MONOTONIC="0"))
    assert p.returncode == 1 and b"OverflowError" in p.stderr
