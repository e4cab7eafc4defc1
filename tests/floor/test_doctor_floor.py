"""``hookgate doctor`` proves the floor (ADR 0020): on/off per platform, coverage of today's
protected files, and a live must-deny probe; configured-but-ineffective is a FAIL + Fix."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.floor.helpers import HOOKGATE, make_project, run_env



@pytest.fixture
def proj(tmp_path):
    base = str(tmp_path)
    home = os.path.join(base, "home")
    os.makedirs(home)
    root = make_project(base, home)
    return root, home, run_env(home, base)


def cli(args, root, env):
    return subprocess.run([HOOKGATE, *args], cwd=root, env=env, capture_output=True, text=True, timeout=180)


def floor_lines(out: str) -> dict:
    """{check name: (PASS|FAIL|WARN, its text and Fix line)} of the floor findings."""
    res, last = {}, None
    for line in out.splitlines():
        parts = line.split(None, 3)
        if len(parts) >= 3 and parts[0] in ("PASS", "FAIL", "WARN") and parts[1].startswith("floor"):
            last = parts[1]
            res[last] = (parts[0], line)
        elif last and line.startswith(" ") and line.strip().startswith("Fix:"):
            res[last] = (res[last][0], res[last][1] + " " + line.strip())
        else:
            last = None
    return res


def test_off_then_on_then_stale_then_unable(proj, tmp_path):
    root, _home, env = proj
    lines = floor_lines(cli(["doctor", "--platform", "claude-code"], root, env).stdout)
    assert lines["floor"][0] == "PASS" and "OFF" in lines["floor"][1]
    assert cli(["install", "--platform", "claude-code"], root, env).returncode == 0
    p = cli(["doctor", "--platform", "claude-code"], root, env)
    lines = floor_lines(p.stdout)
    assert "ON" in lines["floor"][1]
    assert all(s == "PASS" for s, _ in lines.values()), p.stdout
    assert "floor-probe" in lines
    # a secret created after install: not covered → FAIL with a Fix
    with open(os.path.join(root, "new.pem"), "w") as f:
        f.write("k\n")
    p = cli(["doctor", "--platform", "claude-code"], root, env)
    lines = floor_lines(p.stdout)
    assert lines["floor-coverage"][0] == "FAIL" and "Fix:" in lines["floor-coverage"][1]
    assert p.returncode != 0
    os.remove(os.path.join(root, "new.pem"))
    # a foreign excludedCommands escape hatch → FAIL
    path = os.path.join(root, ".claude", "settings.local.json")
    with open(path, "w") as f:
        json.dump({"sandbox": {"excludedCommands": ["python3:*"]}}, f)
    lines = floor_lines(cli(["doctor", "--platform", "claude-code"], root, env).stdout)
    assert lines["floor-excludedCommands"][0] == "FAIL" and "Fix:" in lines["floor-excludedCommands"][1]
    os.remove(path)
    # configured, but the sandbox cannot start here → FAIL with a Fix
    bindir = tmp_path / "bin"
    bindir.mkdir()
    os.symlink(shutil.which("git"), bindir / "git")
    lines = floor_lines(cli(["doctor", "--platform", "claude-code"], root, dict(env, PATH=str(bindir))).stdout)
    assert lines["floor-probe"][0] == "FAIL" and "Fix:" in lines["floor-probe"][1]
    assert "bubblewrap" in lines["floor-probe"][1]
