"""``hookgate doctor`` proves the floor (ADR 0020): on/off per platform, coverage of today's
protected files, and a live must-deny probe; configured-but-ineffective is a FAIL + Fix."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from tests.support import need
from tests.support import forkcli
from tests.unit.floor.helpers import HOOKGATE, make_project, run_env

@pytest.fixture(autouse=True)
def _floor_programs():
    need.programs("bwrap", "socat")  # scripts/test installs them; missing fails, never skips


@pytest.fixture
def proj(tmp_path):
    base = str(tmp_path)
    home = os.path.join(base, "home")
    os.makedirs(home)
    root = make_project(base, home)
    return root, home, run_env(home, base)


def cli(args, root, env):
    return forkcli.run([HOOKGATE, *args], cwd=root, env=env, text=True, timeout=180)


def floor_lines(out: str) -> dict:
    """{check name: (PASS|FAIL, detail with its Fix)} from `doctor --json` (ADR 0019's findings;
    a floor that passes whole is one finding whose items are the individual checks)."""
    res = {}
    for f in json.loads(out)["findings"]:
        if f["check"] != "floor":
            continue
        for it in f["items"]:
            res[it["name"]] = ("PASS" if it["ok"] else "FAIL", it["detail"])
        if not f["items"]:
            res[f["name"] or "floor"] = (f["status"], f["detail"] + (f" Fix: {f['fix']}" if f["fix"] else ""))
    return res


def test_off_then_on_then_stale_then_unable(proj, tmp_path):
    root, _home, env = proj
    lines = floor_lines(cli(["doctor", "--json", "--platform", "claude-code"], root, env).stdout)
    assert lines["floor"][0] == "PASS" and "OFF" in lines["floor"][1]
    assert cli(["install", "--platform", "claude-code"], root, env).returncode == 0
    p = cli(["doctor", "--json", "--platform", "claude-code"], root, env)
    lines = floor_lines(p.stdout)
    assert "ON" in lines["floor"][1]
    assert all(s == "PASS" for n, (s, _) in lines.items() if n != "skill-shell"), p.stdout
    assert lines["skill-shell"][0] == "WARN" and "no `claude` on PATH" in lines["skill-shell"][1]  # the gap, named
    assert "floor-probe" in lines
    # a secret created after install: not covered → FAIL with a Fix
    with open(os.path.join(root, "new.pem"), "w") as f:
        f.write("k\n")
    p = cli(["doctor", "--json", "--platform", "claude-code"], root, env)
    lines = floor_lines(p.stdout)
    assert lines["floor-coverage"][0] == "FAIL" and "Fix:" in lines["floor-coverage"][1]
    assert p.returncode != 0
    os.remove(os.path.join(root, "new.pem"))
    # a foreign excludedCommands escape hatch → FAIL
    path = os.path.join(root, ".claude", "settings.local.json")
    with open(path, "w") as f:
        json.dump({"sandbox": {"excludedCommands": ["python3:*"]}}, f)
    lines = floor_lines(cli(["doctor", "--json", "--platform", "claude-code"], root, env).stdout)
    assert lines["floor-excludedCommands"][0] == "FAIL" and "Fix:" in lines["floor-excludedCommands"][1]
    os.remove(path)
    # configured, but the sandbox cannot start here → FAIL with a Fix
    bindir = tmp_path / "bin"
    bindir.mkdir()
    os.symlink(shutil.which("git"), bindir / "git")
    lines = floor_lines(cli(["doctor", "--json", "--platform", "claude-code"], root, dict(env, PATH=str(bindir))).stdout)
    assert lines["floor-probe"][0] == "FAIL" and "Fix:" in lines["floor-probe"][1]
    assert "bubblewrap" in lines["floor-probe"][1]
