"""ADR 0025: ``hookgate serve start`` runs on every UserPromptSubmit of the http wiring: with
the server up it answers from a health check alone — no argparse, no server module, no
``socket`` (the C module) — and with it down it still starts one."""

from __future__ import annotations

import subprocess
import sys

from tests.unit.server import helpers as h


def _imports(env) -> tuple[subprocess.CompletedProcess, set[str]]:
    r = subprocess.run([sys.executable, "-X", "importtime", h.HOOKGATE, "serve", "start", "--idle", "60"],
                       env=env, capture_output=True, text=True, timeout=60)
    mods = {line.rsplit("|", 1)[-1].strip() for line in r.stderr.splitlines() if line.startswith("import time:")}
    return r, mods


def test_serve_start_is_cheap_when_the_server_is_up(tmp_path):
    home, rt = tmp_path / "h", tmp_path / "rt"
    home.mkdir()
    env = {**h.server_env(home, rt), "HOOKGATE_SERVE_PORT": "0"}
    p = h.start(home, rt)
    try:
        r, mods = _imports(env)
        assert r.returncode == 0 and "already running" in r.stdout, r.stdout + r.stderr
        assert not mods & {"argparse", "hookgate.server.loop", "socket", "selectors", "subprocess"}, sorted(mods)
    finally:
        h.stop(p)
    # down: the same command starts it (the slow path, then up)
    r, mods = _imports(env)
    try:
        assert r.returncode == 0 and "started" in r.stdout, r.stdout + r.stderr[-2000:]
        assert "argparse" in mods
        h.wait_up(rt)
    finally:
        subprocess.run([h.HOOKGATE, "serve", "stop"], env=env, capture_output=True, timeout=60)


def _execs(argv, env) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Run *argv* under strace: (its result, the programs its process exec'd, in order; its
    children are not followed: a server it starts lives on)."""
    import os
    import re
    import shutil
    import tempfile

    strace = shutil.which("strace")
    assert strace, "strace is needed (scripts/test installs it)"
    with tempfile.NamedTemporaryFile(suffix=".strace") as log:
        r = subprocess.run([strace, "-qq", "-o", log.name, "-e", "trace=execve", *argv], env=env,
                           capture_output=True, text=True, timeout=60)
        with open(log.name, encoding="utf-8", errors="replace") as f:
            progs = [os.path.basename(m.group(1)) for line in f
                     if (m := re.search(r'execve\("([^"]+)"', line)) and "= 0" in line]
    return r, progs


def test_the_thin_client_answers_serve_start_itself_when_the_server_is_up(tmp_path):
    """What `hookgate install` wires on UserPromptSubmit (installer/server.py start_handler):
    with the server up, ``hookgate-client serve start`` answers from a socket health check —
    no Python started (before: it exec'd the launcher, a Python start of 19–22 ms on every
    prompt); with the server down it execs the launcher, which starts it."""
    home, rt = tmp_path / "h", tmp_path / "rt"
    home.mkdir()
    env = {**h.server_env(home, rt), "HOOKGATE_SERVE_PORT": "0"}
    argv = [h.CLIENT, "serve", "start", "--port", "0", "--idle", "60"]
    p = h.start(home, rt)
    try:
        r, progs = _execs(argv, env)
        assert r.returncode == 0 and r.stdout == f"hookgate serve: already running ({h.sock_path(rt)})\n", r
        assert progs == ["hookgate-client"], progs  # before: ["hookgate-client", "hookgate", …]
        py = subprocess.run([h.HOOKGATE, *argv[1:]], env=env, capture_output=True, text=True, timeout=60)
        assert py.stdout == r.stdout  # says what the launcher says
    finally:
        h.stop(p)
    r, progs = _execs(argv, env)  # down: the launcher starts it
    try:
        assert r.returncode == 0 and "started" in r.stdout, r.stdout + r.stderr[-2000:]
        assert "hookgate" in progs[1:], progs
        h.wait_up(rt)
    finally:
        subprocess.run([h.HOOKGATE, "serve", "stop"], env=env, capture_output=True, timeout=60)


def test_serve_start_never_blocks_the_prompt_when_it_cannot_start(tmp_path):
    """A UserPromptSubmit hook that exits 2 blocks the user's prompt: a client with no launcher
    beside it (and no server) says why on stderr and exits 1, a non-blocking error."""
    import shutil

    lone = tmp_path / "bin"
    lone.mkdir()
    shutil.copy2(h.CLIENT, lone / "hookgate-client")
    home, rt = tmp_path / "h", tmp_path / "rt"
    home.mkdir()
    r = subprocess.run([str(lone / "hookgate-client"), "serve", "start", "--idle", "60"],
                       env=h.server_env(home, rt), capture_output=True, text=True, timeout=60)
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert "decision server was not started" in r.stderr and r.stdout == ""
