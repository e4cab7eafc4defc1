"""Faults the floor must meet with one clear line and no unprotected run (ADR 0020): user
namespaces forbidden — for real, in a user namespace whose ``user.max_user_namespaces`` is 0
(the setting is per namespace: the machine's own is untouched)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.unit.floor.helpers import HOOKGATE, make_project, run_env


@pytest.fixture
def proj(tmp_path):
    base = str(tmp_path)
    home = os.path.join(base, "home")
    os.makedirs(home)
    root = make_project(base, home)
    return root, home, run_env(home, base)


def _no_userns(argv, root, env):
    """*argv* in a user namespace where no further user namespace may be created."""
    unshare = shutil.which("unshare")
    assert unshare, "util-linux unshare is required"
    wrapper = ["unshare", "-Ur", "sh", "-c", 'echo 0 > /proc/sys/user/max_user_namespaces && exec "$@"', "sh"]
    return subprocess.run(wrapper + argv, cwd=root, env=env, capture_output=True, text=True, timeout=120)


def test_sanity_bwrap_cannot_start_there(proj):
    root, _home, env = proj
    p = _no_userns(["bwrap", "--dev-bind", "/", "/", "--unshare-user", "true"], root, env)
    assert p.returncode != 0 and "namespace" in p.stderr


def test_run_refuses_and_never_runs_the_command(proj, tmp_path):
    root, _home, env = proj
    marker = str(tmp_path / "ran")
    p = _no_userns([HOOKGATE, "run", "--", "touch", marker], root, env)
    assert p.returncode == 125, p.stderr
    assert p.stderr.count("hookgate run:") == 1 and "refused, no floor" in p.stderr  # bwrap says its own line first
    assert "user namespaces are disabled" in p.stderr
    assert not os.path.exists(marker)


def test_install_leaves_the_hook_wired_and_writes_no_sandbox_setting(proj):
    root, _home, env = proj
    p = _no_userns([HOOKGATE, "install", "--platform", "claude-code"], root, env)
    assert p.returncode == 0, p.stderr
    assert "floor: claude-code: not enabled" in p.stderr and "user namespaces are disabled" in p.stderr
    with open(os.path.join(root, ".claude", "settings.json"), encoding="utf-8") as f:
        doc = json.load(f)
    assert "sandbox" not in doc and "PreToolUse" in doc["hooks"]  # nothing that would stop Claude from starting
