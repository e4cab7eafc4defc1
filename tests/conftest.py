"""Shared fixtures. Tests never touch the real $HOME (autouse guard below)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from hookgate.state.locks import SESSION_ENV_VARS
from tests.support import forkcli
from tests.support.payloads import claude_pre, encode  # noqa: F401 - claude_pre: tests written before tests/support/payloads.py import it from here

# pytest caches its assertion-rewritten test modules as .pyc (gitignored __pycache__/); where the
# environment sets PYTHONDONTWRITEBYTECODE it rewrote every test module on every run in every
# xdist worker (~2 s of CPU each). Only this process: what the tests run keep their environment.
sys.dont_write_bytecode = False

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REAL_HOME = os.path.expanduser("~")
HOOKGATE = os.path.join(os.path.dirname(sys.executable), "hookgate")
_WATCHED = [".claude", ".cursor", ".gemini", ".codex", os.path.join(".local", "share", "hookgate"), os.path.join(".config", "hookgate")]


def pytest_addoption(parser):
    parser.addoption(forkcli.OPTION, action="store_true", default=False,
                     help="run the typer CLI's calls through a fork server (the quick loop: tests/support/forkcli.py)")


def pytest_configure(config):
    if config.getoption(forkcli.OPTION):
        forkcli.enable()


def pytest_unconfigure(config):
    forkcli.stop()


def _snapshot() -> dict:
    snap = {}
    try:
        snap["."] = sorted(os.listdir(REAL_HOME))
    except OSError:
        snap["."] = None
    for rel in _WATCHED:
        p = os.path.join(REAL_HOME, rel)
        try:
            st = os.stat(p)
            snap[rel] = (st.st_mtime_ns, sorted(os.listdir(p)) if os.path.isdir(p) else None)
        except OSError:
            snap[rel] = None
    return snap


@pytest.fixture(autouse=True)
def _dont_touch_real_home(tmp_path_factory, monkeypatch):
    """Point HOME at a temp dir, and fail the test if the real HOME changed anyway."""
    before = _snapshot()
    fake = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(fake))
    monkeypatch.setenv("XDG_DATA_HOME", str(fake / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(fake / ".config"))
    # the decision server's socket and secret (ADR 0025): per test, never the machine's
    monkeypatch.setenv("HOOKGATE_RUNTIME_DIR", str(fake / ".run" / "hookgate"))
    for var in ("HOOKGATE_STATE_DIR", "CLAUDE_PROJECT_DIR", "CURSOR_PROJECT_DIR", "GEMINI_PROJECT_DIR"):
        monkeypatch.delenv(var, raising=False)
    # our own shell may run inside an agent: its session never leaks into a test (ADR 0013)
    for var in (*SESSION_ENV_VARS, "CLAUDE_PID"):
        monkeypatch.delenv(var, raising=False)
    yield fake
    after = _snapshot()
    assert after == before, f"a test wrote to the real HOME ({REAL_HOME}): {before} -> {after}"


@pytest.fixture
def home(_dont_touch_real_home):
    return _dont_touch_real_home


@pytest.fixture
def project(tmp_path):
    """A git-like project dir (``.git`` present, so state lives in .git/hookgate)."""
    root = tmp_path / "proj"
    (root / ".git").mkdir(parents=True)
    (root / "README.md").write_text("# demo\n")
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text("print('hi')\n")
    return root


def run_hook(payload, platform: str = "claude-code", cwd=None, env=None, timeout: float = 30):
    """Run the real ``hookgate hook`` command; return CompletedProcess (text).

    Like the platforms, the hook process starts in the project: *cwd* defaults to the payload's
    ``cwd`` (the governed project comes only from what the platform controls: ADR 0018)."""
    if cwd is None and isinstance(payload, dict) and isinstance(payload.get("cwd"), str) and os.path.isdir(payload["cwd"]):
        cwd = payload["cwd"]
    data = encode(payload)
    e = dict(os.environ)
    if env:
        e.update(env)
    return subprocess.run(
        [HOOKGATE, "hook", "--platform", platform],
        input=data, capture_output=True, timeout=timeout, cwd=cwd, env=e,
    )


def run_cli(*args, cwd=None, env=None, timeout: float = 60, input=None):
    e = dict(os.environ)
    if env:
        e.update(env)
    return forkcli.run([HOOKGATE, *args], text=True, timeout=timeout, cwd=cwd, env=e, input=input)


def ledger_records(project) -> list[dict]:
    p = os.path.join(str(project), ".git", "hookgate", "ledger.jsonl")
    if not os.path.exists(p):
        return []
    with open(p, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
