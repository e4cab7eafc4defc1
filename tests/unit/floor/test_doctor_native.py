"""``hookgate doctor``'s live probe goes through each agent's *own* sandbox, as configured
(ADR 0020): the real Claude Code binary (its bubblewrap sandbox with the settings install
wrote) and the real ``codex sandbox`` (the permission profile install wrote). A floor that is
configured but not effective is a FAIL with a ``Fix:``; the probe's time is said.
"""

from __future__ import annotations

import json
import os

import pytest

from tests.unit.floor.helpers import make_project, run_env
from tests.unit.floor.test_doctor_floor import cli, floor_lines

from tests.e2e.realclients.clients import CLAUDE, CLAUDE_NEW, ensure_client  # noqa: E402
from tests.e2e.realclients.clients_more import CODEX, codex_binary  # noqa: E402

pytestmark = pytest.mark.realclient


def _claude_exe(spec) -> str:
    pkg = ensure_client(spec)
    return os.path.join(os.path.dirname(pkg), "claude-code-linux-x64", "claude")


@pytest.fixture
def world(tmp_path):
    base = str(tmp_path)
    home = os.path.join(base, "home")
    os.makedirs(home)
    root = make_project(base, home)
    return base, root, home


def _env(base, home, **agents):
    """run_env with a bin dir holding the named agents (name -> executable) first on PATH."""
    env = run_env(home, base)
    bindir = os.path.join(base, "agents-bin")
    os.makedirs(bindir, exist_ok=True)
    for name, exe in agents.items():
        os.symlink(exe, os.path.join(bindir, name))
    env["PATH"] = bindir + os.pathsep + env["PATH"]
    return env


def _doctor(platform, root, env):
    p = cli(["doctor", "--json", "--verbose", "--platform", platform], root, env)
    return floor_lines(p.stdout), p


def test_claude_probe_runs_claudes_own_sandbox(world):
    base, root, home = world
    env = _env(base, home, claude=_claude_exe(CLAUDE))
    p = cli(["install", "--platform", "claude-code"], root, env)
    assert p.returncode == 0, p.stderr
    assert "PreSkillShellCommand not registered: Claude Code 2.1.330" in p.stderr
    lines, p = _doctor("claude-code", root, env)
    status, detail = lines["floor-probe"]
    assert status == "PASS" and "Claude Code's sandbox" in detail and "refused" in detail, detail
    assert " s)" in detail  # its time is said
    assert lines["skill-shell"][0] == "WARN" and "2.1.330" in lines["skill-shell"][1]
    # configured but not effective: the file-system layer dropped in user settings
    os.makedirs(os.path.join(home, ".claude"), exist_ok=True)
    with open(os.path.join(home, ".claude", "settings.json"), "w") as f:
        json.dump({"sandbox": {"filesystem": {"disabled": True}}}, f)
    lines, p = _doctor("claude-code", root, env)
    assert p.returncode != 0
    status, detail = lines["floor-probe"]
    assert status == "FAIL" and "readable through the sandbox" in detail and "Fix:" in detail, lines
    assert lines["floor-filesystem"][0] == "FAIL"


def test_claude_new_version_registers_pre_skill_shell_command(world):
    base, root, home = world
    env = _env(base, home, claude=_claude_exe(CLAUDE_NEW))
    path = os.path.join(root, ".claude", "settings.json")
    with open(path, "rb") as f:
        original = f.read()
    p = cli(["install", "--platform", "claude-code"], root, env)
    assert p.returncode == 0 and "PreSkillShellCommand registered (Claude Code 2.1.337" in p.stderr, p.stderr
    with open(path, "rb") as f:
        first = f.read()
    assert "PreSkillShellCommand" in json.loads(first)["hooks"]
    assert cli(["install", "--platform", "claude-code"], root, env).returncode == 0
    with open(path, "rb") as f:
        assert f.read() == first  # byte-idempotent with the extra event
    lines, _p = _doctor("claude-code", root, env)
    assert lines["skill-shell"][0] == "PASS" and lines["floor-probe"][0] == "PASS", lines
    # the same settings under an older Claude: registered but unknown -> FAIL with a Fix
    env_old = _env(base + "/old", home, claude=_claude_exe(CLAUDE))
    lines, _p = _doctor("claude-code", root, env_old)
    assert lines["skill-shell"][0] == "FAIL" and "Fix:" in lines["skill-shell"][1]
    assert cli(["uninstall", "--platform", "claude-code"], root, env).returncode == 0
    with open(path, "rb") as f:
        assert f.read() == original


def _trust(home, root, extra=""):
    os.makedirs(os.path.join(home, ".codex"), exist_ok=True)
    with open(os.path.join(home, ".codex", "config.toml"), "w") as f:
        f.write(extra + f'[projects.{json.dumps(root)}]\ntrust_level = "trusted"\n')


def test_codex_probe_runs_codex_sandbox(world):
    base, root, home = world
    env = _env(base, home, codex=codex_binary(ensure_client(CODEX)))
    assert cli(["install", "--platform", "codex"], root, env).returncode == 0
    _trust(home, root)
    lines, p = _doctor("codex", root, env)
    assert all(s == "PASS" for s, _d in lines.values()), lines
    assert "codex sandbox:" in lines["floor-probe"][1] and "refused" in lines["floor-probe"][1]
    # untrusted project: Codex ignores .codex/config.toml -> the probe reads the secret -> FAIL
    os.remove(os.path.join(home, ".codex", "config.toml"))
    lines, p = _doctor("codex", root, env)
    assert p.returncode != 0
    assert lines["floor-trust"][0] == "FAIL" and "Fix:" in lines["floor-trust"][1]
    assert lines["floor-probe"][0] == "FAIL" and "readable through the sandbox" in lines["floor-probe"][1]
    # a user-layer sandbox_mode does not undo the project's profile (measured): still PASS
    _trust(home, root, 'sandbox_mode = "workspace-write"\n')
    lines, p = _doctor("codex", root, env)
    assert lines["floor-sandbox_mode"][0] == "PASS" and lines["floor-probe"][0] == "PASS", lines
    # sandbox_mode in the profile's own file: Codex ignores the profile -> FAIL (check and probe)
    cfg = os.path.join(root, ".codex", "config.toml")
    with open(cfg, encoding="utf-8") as f:
        text = f.read()
    with open(cfg, "w", encoding="utf-8") as f:
        f.write(text.replace('default_permissions = "hookgate"\n', 'default_permissions = "hookgate"\nsandbox_mode = "workspace-write"\n'))
    _trust(home, root)
    lines, p = _doctor("codex", root, env)
    assert lines["floor-sandbox_mode"][0] == "FAIL" and "Fix:" in lines["floor-sandbox_mode"][1], lines
    assert p.returncode != 0


@pytest.mark.parametrize("platform,agent", [("copilot-cli", "copilot"), ("qwen-code", "qwen"), ("opencode", "opencode")])
def test_platforms_without_a_native_floor_say_so(world, platform, agent):
    base, root, home = world
    lines, _p = _doctor(platform, root, run_env(home, base))
    assert lines["floor"][0] == "PASS"
    assert "no native floor" in lines["floor"][1] and f"hookgate run -- {agent}" in lines["floor"][1]


def test_gemini_probe_runs_geminis_own_tool_sandbox(world):
    from tests.e2e.realclients.clients import GEMINI

    base, root, home = world
    gemini = os.path.join(ensure_client(GEMINI), "bundle", "gemini.js")
    env = _env(base, home, gemini=gemini)
    assert cli(["install", "--platform", "gemini-cli"], root, env).returncode == 0
    lines, _p = _doctor("gemini-cli", root, env)
    status, detail = lines["floor-probe"]
    assert status == "PASS" and "Gemini CLI's tool sandbox" in detail and "refused" in detail, lines
    # configured but not effective: .geminiignore without hookgate's lines -> secrets/, keys readable
    with open(os.path.join(root, ".geminiignore"), "w") as f:
        f.write("node_modules/\n")
    lines, p = _doctor("gemini-cli", root, env)
    assert p.returncode != 0
    status, detail = lines["floor-probe"]
    assert status == "FAIL" and "readable through the sandbox" in detail and "Fix:" in detail, lines
