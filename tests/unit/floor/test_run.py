"""``hookgate run``: refusals (never unprotected), the plan, and hook calls brokered outside."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.unit.floor.helpers import HOOKGATE, make_project, run_env
from tests.support.payloads import claude_pre



@pytest.fixture
def proj(tmp_path):
    base = str(tmp_path)
    home = os.path.join(base, "home")
    os.makedirs(home)
    root = make_project(base, home)
    return root, home, run_env(home, base)


def _run(args, root, env, **kw):
    return subprocess.run([HOOKGATE, "run", *args], cwd=root, env=env, capture_output=True, text=True, timeout=60, **kw)


@pytest.mark.parametrize("bwrap", ["/nonexistent/bwrap", "fails-setup", "false"])
def test_refuses_without_a_floor_and_never_runs_the_command(proj, tmp_path, bwrap):
    root, _home, env = proj
    marker = os.path.join(str(tmp_path), "ran")
    if bwrap == "fails-setup":  # prints like bwrap, exits 1, never starts the command
        fake = tmp_path / "bwrap"
        fake.write_text("#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n")
        fake.chmod(0o755)
        bwrap = str(fake)
    elif bwrap == "false":
        bwrap = shutil.which("false")
    env = dict(env, HOOKGATE_BWRAP=bwrap)
    p = _run(["--", "touch", marker], root, env)
    assert p.returncode == 125, p.stderr
    assert "hookgate run: refused, no floor" in p.stderr
    assert p.stderr.count("hookgate run:") == 1
    assert not os.path.exists(marker)


def test_usage(proj):
    root, _home, env = proj
    assert _run([], root, env).returncode == 2
    assert _run(["--bogus", "x"], root, env).returncode == 2
    assert "usage: hookgate run" in _run(["--help"], root, env).stdout


def test_plan_lists_masks(proj):
    root, home, env = proj
    p = _run(["--plan"], root, env)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert os.path.join(root, ".env") in out and os.path.join(root, "server.pem") in out
    assert os.path.join(root, "secrets") in out
    assert os.path.join(home, ".ssh", "id_ed25519") in out and os.path.join(home, ".ssh") in out
    assert os.path.join(home, ".ssh", "id_ed25519.pub") + "\n" not in out
    assert os.path.join(root, ".env.example") not in out
    assert repr(os.path.join(root, "dir with space", ".env")) in out
    assert os.path.join(root, ".git", "hookgate") in out


def test_exit_status_and_stdin_pass_through(proj):
    root, _home, env = proj
    p = subprocess.run([HOOKGATE, "run", "--", "sh", "-c", "cat; exit 7"], cwd=root, env=env, input="in\n",
                       capture_output=True, text=True, timeout=60)
    assert (p.returncode, p.stdout) == (7, "in\n")


def test_a_file_created_later_is_not_masked_but_the_hook_still_denies(proj):
    """The documented residual (ADR 0020): masks are taken when the floor starts."""
    root, _home, env = proj
    cmd = "sleep 0.3; cat late.env"
    p = subprocess.Popen([HOOKGATE, "run", "--", "sh", "-c", cmd], cwd=root, env=env, stdout=subprocess.PIPE, text=True)
    with open(os.path.join(root, "late.env"), "w") as f:
        f.write("LATE\n")
    out, _ = p.communicate(timeout=60)
    assert "LATE" in out  # not masked: created after the floor started


def _payload(root, command):
    return json.dumps(claude_pre(root, "Bash", {"command": command}, tool_use_id="t1"))


def _ledger(root):
    p = os.path.join(root, ".git", "hookgate", "ledger.jsonl")
    with open(p, encoding="utf-8") as f:
        return [json.loads(x) for x in f if x.strip() and '"seq": 0}' not in x]


def test_hook_inside_the_floor_is_decided_outside_and_recorded(proj):
    root, _home, env = proj
    os.remove(os.path.join(root, ".git", "hookgate", "ledger.jsonl"))
    deny = subprocess.run([HOOKGATE, "run", "--", HOOKGATE, "hook", "--platform", "claude-code"], cwd=root, env=env,
                          input=_payload(root, "cat .env"), capture_output=True, text=True, timeout=60)
    assert deny.returncode == 0, deny.stderr
    assert json.loads(deny.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"
    allow = subprocess.run([HOOKGATE, "run", "--", HOOKGATE, "hook", "--platform", "claude-code"], cwd=root, env=env,
                           input=_payload(root, "ls"), capture_output=True, text=True, timeout=60)
    assert allow.returncode == 0 and "deny" not in allow.stdout, allow.stdout + allow.stderr
    recs = _ledger(root)
    assert [r.get("outcome") for r in recs][-2:] == ["block", "allow"]


def test_hook_inside_the_floor_without_the_broker_still_denies(proj):
    """Without the broker the ledger cannot be written (read-only state dir): the decision is
    still the hook's — a protected read is denied, never let through."""
    root, _home, env = proj
    p = subprocess.run([HOOKGATE, "run", "--", "sh", "-c", f"unset HOOKGATE_FLOOR_BROKER; {HOOKGATE} hook --platform claude-code"],
                       cwd=root, env=env, input=_payload(root, "cat .env"), capture_output=True, text=True, timeout=60)
    assert "deny" in p.stdout or p.returncode == 2, p.stdout + p.stderr


def test_broker_socket_cannot_be_replaced_from_inside(proj):
    root, _home, env = proj
    p = _run(["--", "sh", "-c", 'rm -f "$HOOKGATE_FLOOR_BROKER" && echo removed; '
              'touch "$(dirname "$HOOKGATE_FLOOR_BROKER")/x" && echo planted'], root, env)
    assert "removed" not in p.stdout and "planted" not in p.stdout, p.stdout
