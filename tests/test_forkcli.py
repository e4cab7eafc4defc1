"""The quick loop's CLI fork server (tests/support/forkcli.py) answers as the real command
does: same exit status, stdout and stderr bytes, the call's cwd, environment and stdin."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.conftest import HOOKGATE
from tests.support import forkcli

CALLS = [
    ["--version"],
    ["status"],
    ["nosuchcmd"],
    ["status", "--bogus"],
    ["plan", "status", "--json"],
    ["approvals", "approve", "deadbeef"],  # reads stdin: refuses when it is not a terminal
    ["audit", "verify"],
]


@pytest.fixture
def served(monkeypatch):
    """forkcli on, and the real command out of its reach: every call below is the server's."""
    monkeypatch.setattr(forkcli, "_enabled", [True])

    def no_real(*a, **k):
        raise AssertionError("forkcli ran the real command")

    monkeypatch.setattr(forkcli, "_real", no_real)
    yield
    forkcli.stop()


@pytest.mark.parametrize("args", CALLS, ids=" ".join)
def test_same_answer_as_the_real_command(project, home, served, args):
    env = dict(os.environ, HOME=str(home))
    real = subprocess.run([HOOKGATE, *args], cwd=project, env=env, input=b"y\n", capture_output=True, timeout=60)
    got = forkcli.run([HOOKGATE, *args], cwd=project, env=env, input=b"y\n", timeout=60)
    assert (got.returncode, got.stdout, got.stderr) == (real.returncode, real.stdout, real.stderr)


def test_the_call_gets_its_cwd_environment_and_text(project, home, served, tmp_path):
    other = tmp_path / "elsewhere"
    (other / ".git").mkdir(parents=True)
    a = forkcli.run([HOOKGATE, "status"], cwd=project, env=dict(os.environ, HOME=str(home)), text=True)
    b = forkcli.run([HOOKGATE, "status"], cwd=other, env=dict(os.environ, HOME=str(home)), text=True)
    assert str(project) in a.stdout and str(other) in b.stdout and str(project) not in b.stdout
    # HOOKGATE_STATE_DIR moves the state dir: the child sees the call's environment, not the server's
    state = tmp_path / "state"
    c = forkcli.run([HOOKGATE, "status"], cwd=project, env=dict(os.environ, HOME=str(home), HOOKGATE_STATE_DIR=str(state)),
                    text=True)
    assert str(state) in c.stdout, c.stdout


def test_the_lean_commands_are_real(monkeypatch, project):
    """`hook` (and the other lean paths) never go through the server."""
    monkeypatch.setattr(forkcli, "_enabled", [True])
    seen = []
    monkeypatch.setattr(forkcli, "_real", lambda argv, **k: seen.append(argv) or subprocess.CompletedProcess(argv, 0))
    forkcli.run([HOOKGATE, "hook", "--platform", "claude-code"], cwd=project, input=b"{}")
    assert seen == [[HOOKGATE, "hook", "--platform", "claude-code"]]
