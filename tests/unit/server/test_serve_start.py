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
