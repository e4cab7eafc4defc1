"""``hookgate install`` writes the agents' own sandboxes (ADR 0020): merged, byte-idempotent,
uninstall gives back the original bytes; refused when unparseable; off with --no-floor or
when the sandbox cannot start here."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from tests.support import forkcli
from tests.unit.floor.helpers import HOOKGATE, make_project, run_env


FOREIGN = (b'{\n    "permissions": {"deny": ["Bash(rm -rf:*)"], "allow": ["Read"]},\n'
           b'    "sandbox": {"enabled": false, "excludedCommands": ["docker"],\n'
           b'                "filesystem": {"denyRead": ["/opt/other"], "allowWrite": ["/var/tmp"]}},\n'
           b'    "model": "x"\n}')


@pytest.fixture
def proj(tmp_path):
    base = str(tmp_path)
    home = os.path.join(base, "home")
    os.makedirs(home)
    root = make_project(base, home)
    return root, home, run_env(home, base)


def cli(args, root, env):
    return forkcli.run([HOOKGATE, *args], cwd=root, env=env, text=True, timeout=120)


def _read(p):
    with open(p, "rb") as f:
        return f.read()


def _settings(root):
    return os.path.join(root, ".claude", "settings.json")


@pytest.mark.parametrize("original", [None, FOREIGN, b"{}\n", b'{"sandbox": {}}', b'{"hooks": {}}\n'])
def test_claude_floor_round_trip(proj, original):
    root, home, env = proj
    path = _settings(root)
    os.remove(path)
    if original is not None:
        with open(path, "wb") as f:
            f.write(original)
    p = cli(["install", "--platform", "claude-code"], root, env)
    assert p.returncode == 0, p.stderr
    doc = json.loads(_read(path))
    sb = doc["sandbox"]
    assert (sb["enabled"], sb["failIfUnavailable"], sb["allowUnsandboxedCommands"]) == (True, True, False)
    deny_read = sb["filesystem"]["denyRead"]
    assert os.path.join(root, ".env") in deny_read and os.path.join(root, "secrets") in deny_read
    assert os.path.join(home, ".ssh", "id_ed25519") in deny_read
    assert not any(e.endswith(".env.example") for e in deny_read)
    deny_write = sb["filesystem"]["denyWrite"]
    assert os.path.join(root, ".git", "hookgate") in deny_write and os.path.join(root, ".hookgate") in deny_write
    assert os.path.join(root, ".git") not in deny_write  # git must still commit
    assert all(not set("*?[") & set(e) for e in deny_write + deny_read)  # literal paths only (Linux)
    assert all(os.path.isabs(e) for e in deny_write + deny_read)
    assert {"path": os.path.join(home, ".aws", "credentials"), "mode": "deny"} in sb["credentials"]["files"]
    if original == FOREIGN:
        assert sb["excludedCommands"] == ["docker"]
        assert doc["permissions"] == {"deny": ["Bash(rm -rf:*)"], "allow": ["Read"]}
        assert deny_read[0] == "/opt/other" and "/var/tmp" in sb["filesystem"]["allowWrite"]
    first = _read(path)
    assert cli(["install", "--platform", "claude-code"], root, env).returncode == 0
    assert _read(path) == first  # byte-idempotent
    p = cli(["uninstall", "--platform", "claude-code"], root, env)
    assert p.returncode == 0, p.stderr
    if original is None:
        assert not os.path.exists(path)
    else:
        assert _read(path) == original
    assert not os.path.exists(path + ".hookgate-floor.json")


def test_no_floor_takes_a_previous_floor_out(proj):
    root, _home, env = proj
    path = _settings(root)
    with open(path, "wb") as f:
        f.write(FOREIGN)
    assert cli(["install", "--platform", "claude-code"], root, env).returncode == 0
    p = cli(["install", "--platform", "claude-code", "--no-floor"], root, env)
    assert p.returncode == 0, p.stderr
    doc = json.loads(_read(path))
    assert doc["sandbox"] == json.loads(FOREIGN)["sandbox"]
    assert "hooks" in doc
    assert not os.path.exists(path + ".hookgate-floor.json")
    assert cli(["uninstall", "--platform", "claude-code"], root, env).returncode == 0
    assert _read(path) == FOREIGN


def test_unparseable_settings_are_refused_with_the_path(proj):
    root, _home, env = proj
    path = _settings(root)
    bad = b'{\n  // a comment\n  "sandbox": {"enabled": false}\n}\n'
    with open(path, "wb") as f:
        f.write(bad)
    p = cli(["install", "--platform", "claude-code"], root, env)
    assert p.returncode != 0
    assert path in p.stderr and "comments" in p.stderr
    assert _read(path) == bad


def test_floor_not_enabled_when_the_sandbox_cannot_start(proj, tmp_path):
    root, _home, env = proj
    bindir = tmp_path / "bin"  # a PATH with git but no bwrap/socat
    bindir.mkdir()
    os.symlink(shutil.which("git"), bindir / "git")
    env = dict(env, PATH=str(bindir))
    p = cli(["install", "--platform", "claude-code"], root, env)
    assert p.returncode == 0, p.stderr
    assert "apt-get install bubblewrap socat" in p.stderr
    doc = json.loads(_read(_settings(root)))
    assert "sandbox" not in doc and "PreToolUse" in doc["hooks"]


@pytest.mark.parametrize("original", [None, b"node_modules/", b"node_modules/\n", b""])
def test_ignore_files_round_trip(proj, original):
    root, _home, env = proj
    for name, plat in ((".geminiignore", "gemini-cli"), (".cursorignore", "cursor")):
        path = os.path.join(root, name)
        if original is not None:
            with open(path, "wb") as f:
                f.write(original)
        assert cli(["install", "--platform", plat], root, env).returncode == 0
        text = _read(path).decode()
        assert ".env\n" in text and "!.env.example\n" in text and "secrets/\n" in text
        if original:
            assert text.startswith("node_modules/\n")
        first = _read(path)
        assert cli(["install", "--platform", plat], root, env).returncode == 0
        assert _read(path) == first
        assert cli(["uninstall", "--platform", plat], root, env).returncode == 0
        if original is None:
            assert not os.path.exists(path)
        else:
            assert _read(path) == original


def test_gemini_tool_sandboxing(proj):
    root, _home, env = proj
    path = os.path.join(root, ".gemini", "settings.json")
    orig = _read(path)
    assert cli(["install", "--platform", "gemini-cli"], root, env).returncode == 0
    assert json.loads(_read(path))["security"]["toolSandboxing"] is True
    assert cli(["uninstall", "--platform", "gemini-cli"], root, env).returncode == 0
    assert _read(path) == orig


@pytest.mark.realclient
def test_every_key_written_is_in_the_installed_claude_schema(proj):
    """Never a schema-invalid entry: each key hookgate writes is a key of the installed
    Claude Code's settings schema (zod source in the binary)."""
    from tests.e2e.realclients.clients import CLAUDE, ensure_client

    pkg = ensure_client(CLAUDE)  # installed into the suite's own npm cache when missing
    claude_bin = os.path.join(os.path.dirname(pkg), "claude-code-linux-x64", "claude")
    root, _home, env = proj
    assert cli(["install", "--platform", "claude-code"], root, env).returncode == 0
    sb = json.loads(_read(_settings(root)))["sandbox"]
    keys = set(sb) | set(sb["filesystem"]) | set(sb["credentials"]) | {k for e in sb["credentials"]["files"] for k in e}
    with open(claude_bin, "rb") as f:
        blob = f.read()
    for k in keys:
        assert (k + ":").encode() in blob, k
    assert b'mode:F(["deny","mask"])' in blob


# --- Codex: a permission profile in config.toml (floor.codex) ------------------------------

CODEX_FOREIGN = (b'# my codex config\nmodel = "gpt-5.5"\napproval_policy = "on-request"\n\n'
                 b'[permissions.mine]\nextends = ":read-only"\n\n[mcp_servers.x]\ncommand = "x"')  # no final newline


def _codex_cfg(root):
    return os.path.join(root, ".codex", "config.toml")


@pytest.mark.parametrize("original", [None, CODEX_FOREIGN, CODEX_FOREIGN + b"\n", b""])
def test_codex_profile_round_trip(proj, original):
    import tomllib

    root, home, env = proj
    path = _codex_cfg(root)
    if original is not None:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(original)
    p = cli(["install", "--platform", "codex"], root, env)
    assert p.returncode == 0, p.stderr
    assert "permission profile 'hookgate' written" in p.stderr
    doc = tomllib.loads(_read(path).decode())
    assert doc["default_permissions"] == "hookgate"
    prof = doc["permissions"]["hookgate"]
    assert prof["extends"] == ":workspace"
    fs = prof["filesystem"]
    assert fs[os.path.join(root, ".env")] == "none" and fs[os.path.join(root, "secrets")] == "none"
    assert fs[os.path.join(root, "dir with space", ".env")] == "none"
    assert fs[os.path.join(home, ".ssh", "id_ed25519")] == "none"
    assert fs[os.path.join(root, ".hookgate")] == "read" and fs[os.path.join(root, ".git", "hookgate")] == "read"
    assert os.path.join(root, ".env.example") not in fs and os.path.join(root, ".git") not in fs
    assert all(os.path.isabs(k) and os.path.lexists(k) for k in fs)  # literal, existing (no placeholders)
    if original and original.strip():
        assert doc["model"] == "gpt-5.5" and doc["permissions"]["mine"] == {"extends": ":read-only"}
        assert doc["mcp_servers"] == {"x": {"command": "x"}}
    first = _read(path)
    assert cli(["install", "--platform", "codex"], root, env).returncode == 0
    assert _read(path) == first  # byte-idempotent
    assert cli(["uninstall", "--platform", "codex"], root, env).returncode == 0
    if original is None:
        assert not os.path.exists(path)
    else:
        assert _read(path) == original


@pytest.mark.parametrize("foreign,why", [
    (b'sandbox_mode = "workspace-write"\n', "sandbox_mode"),
    (b'default_permissions = "mine"\n[permissions.mine]\nextends = ":workspace"\n', "already selects"),
    (b'[permissions.hookgate]\nextends = ":read-only"\n', "did not write"),
])
def test_codex_profile_never_clobbers_the_users_choice(proj, foreign, why):
    root, _home, env = proj
    path = _codex_cfg(root)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(foreign)
    p = cli(["install", "--platform", "codex"], root, env)
    assert p.returncode == 0, p.stderr
    assert "floor: codex: not enabled" in p.stderr and why in p.stderr and path in p.stderr
    assert _read(path) == foreign
    assert os.path.exists(os.path.join(root, ".codex", "hooks.json"))  # the hook is still wired


def test_codex_unparseable_config_is_refused_with_the_path(proj):
    root, _home, env = proj
    path = _codex_cfg(root)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    bad = b'model = "x\n[broken\n'
    with open(path, "wb") as f:
        f.write(bad)
    p = cli(["install", "--platform", "codex"], root, env)
    assert p.returncode != 0 and path in p.stderr and "TOML" in p.stderr
    assert _read(path) == bad
    assert not os.path.exists(os.path.join(root, ".codex", "hooks.json"))  # nothing written unless all can be


def test_codex_toml_quoting_of_awkward_paths():
    import tomllib

    from hookgate.floor import codex
    from hookgate.installer import merge

    odd = ['/p/a "quoted"\\back', "/p/new\nline", "/p/tab\there", "/p/del\x7f", "/p/ünï"]
    doc = tomllib.loads("\n".join(codex.profile_lines(odd, [])))
    assert list(doc["permissions"]["hookgate"]["filesystem"]) == odd
    with pytest.raises(merge.Refusal):
        codex.profile_lines(["/p/bad\udcff"], [])
