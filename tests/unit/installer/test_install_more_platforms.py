"""Install, uninstall and doctor for Codex, Copilot CLI, Qwen Code and OpenCode through the real
command (ADR 0023): the OpenCode plugin round trip (byte-idempotent, foreign plugins untouched, a
foreign file of the same name refused), and the per-platform checks — Qwen's executionSandbox,
Codex's hooks switch and trust notes, Copilot's trusted folders — plus self-protection of every
new wiring file, project and user scope, through the real hook."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import HOOKGATE, run_cli, run_hook
from hookgate.installer import checks, merge, plugin, platform_checks, targets
from hookgate.adapters import claude_code, opencode


def cli(project, home, *args):
    return run_cli(*args, cwd=str(project), env={"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")})


def plugin_path(project, home, scope="project"):
    return project / ".opencode" / "plugin" / "hookgate.js" if scope == "project" else \
        home / ".config" / "opencode" / "plugin" / "hookgate.js"


@pytest.mark.parametrize("scope", ["project", "user"])
def test_opencode_plugin_round_trip_with_foreign_plugins(project, home, scope):
    path = plugin_path(project, home, scope)
    path.parent.mkdir(parents=True)
    foreign = path.parent / "mine.js"
    foreign.write_bytes(b"export const Mine = async () => ({})\r\n")
    r = cli(project, home, "install", "--platform", "opencode", "--scope", scope)
    assert r.returncode == 0, r.stderr
    data = path.read_bytes()
    assert data == plugin.render("opencode", HOOKGATE) and data.startswith(opencode.PLUGIN_MARKER.encode())
    mtime = path.stat().st_mtime_ns
    r = cli(project, home, "install", "--platform", "opencode", "--scope", scope)
    assert r.returncode == 0 and "unchanged" in r.stdout
    assert path.read_bytes() == data and path.stat().st_mtime_ns == mtime  # not even rewritten
    res = checks.wiring_checks("opencode", str(home), str(project), HOOKGATE)
    assert res and all(ok for _, ok, _ in res), res
    r = cli(project, home, "uninstall", "--platform", "opencode", "--scope", scope)
    assert r.returncode == 0, r.stderr
    assert not path.exists() and foreign.read_bytes() == b"export const Mine = async () => ({})\r\n"
    r = cli(project, home, "uninstall", "--platform", "opencode", "--scope", scope)
    assert r.returncode == 0 and not path.exists()


def test_opencode_refuses_a_foreign_file_of_the_same_name_and_writes_nothing(project, home):
    path = plugin_path(project, home)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"// my own hookgate.js\n")
    r = cli(project, home, "install", "--platform", "all")
    assert r.returncode == 1 and str(path) in r.stderr
    assert path.read_bytes() == b"// my own hookgate.js\n"
    assert not (project / ".claude" / "settings.json").exists()  # all or nothing
    r = cli(project, home, "uninstall", "--platform", "opencode")
    assert r.returncode == 0 and path.read_bytes() == b"// my own hookgate.js\n"
    res = checks.wiring_checks("opencode", str(home), str(project), HOOKGATE)
    assert any(not ok and "not hookgate's plugin" in d for _, ok, d in res), res


def test_opencode_stale_or_edited_plugin_is_reported_and_replaced(project, home, tmp_path):
    old = tmp_path / "old" / "hookgate"
    old.parent.mkdir()
    old.write_text("#!/bin/sh\n")
    old.chmod(0o755)
    assert cli(project, home, "install", "--platform", "opencode", "--command", str(old)).returncode == 0
    res = checks.wiring_checks("opencode", str(home), str(project), HOOKGATE)
    assert any(not ok and "stale path" in d for _, ok, d in res), res
    path = plugin_path(project, home)
    assert cli(project, home, "install", "--platform", "opencode").returncode == 0
    assert plugin.registered_path(path.read_bytes()) == HOOKGATE
    path.write_bytes(path.read_bytes().replace(b"throw new Error(v.deny)", b"void 0"))
    res = checks.wiring_checks("opencode", str(home), str(project), HOOKGATE)
    assert any(not ok and "differs" in d for _, ok, d in res), res


def test_every_new_settings_file_keeps_foreign_entries_and_restores_bytes(project, home):
    """Foreign content of each kind the platforms allow, installed over and taken out again."""
    seeds = {
        "codex": {"hooks": {"PreToolUse": [{"matcher": "^Bash$", "hooks": [{"type": "command", "command": "/opt/x"}]}]}},
        "copilot-cli": {"version": 1, "hooks": {"preToolUse": [{"type": "command", "bash": "./a.sh"}]}},
        "qwen-code": {"general": {"vimMode": True}, "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "x"}]}]}},
    }
    paths = {}
    for p, doc in seeds.items():
        t = targets.target(p, "project", str(home), str(project))
        os.makedirs(os.path.dirname(t.path), exist_ok=True)
        raw = json.dumps(doc, indent=3).encode() + b"\n"
        with open(t.path, "wb") as f:
            f.write(raw)
        paths[p] = (t.path, raw)
    for _ in range(2):
        r = cli(project, home, "install", "--platform", "codex", "--platform", "copilot-cli", "--platform", "qwen-code")
        assert r.returncode == 0, r.stderr
    for p, (path, _raw) in paths.items():
        with open(path, "rb") as f:
            doc = json.loads(f.read())
        assert merge.remove_ours(doc, p)[0] == seeds[p]
        assert sorted(checks.our_handlers(doc, p)) == sorted(checks.REQUIRED[p])
    copilot = json.loads(Path(paths["copilot-cli"][0]).read_text())
    assert copilot["hooks"]["preToolUse"] == seeds["copilot-cli"]["hooks"]["preToolUse"]  # camelCase foreign entry kept
    assert all(h["timeoutSec"] <= 60 for k, hs in copilot["hooks"].items() if k[0].isupper() for h in hs)
    r = cli(project, home, "uninstall", "--platform", "codex", "--platform", "copilot-cli", "--platform", "qwen-code")
    assert r.returncode == 0, r.stderr
    for p, (path, raw) in paths.items():
        with open(path, "rb") as f:
            assert f.read() == raw, p


def test_wiring_shapes(project, home):
    assert cli(project, home, "install", "--platform", "codex", "--platform", "copilot-cli",
               "--platform", "qwen-code").returncode == 0
    cx = json.loads((project / ".codex" / "hooks.json").read_text())
    assert tuple(cx["hooks"]) == ("PreToolUse", "PostToolUse", "SessionStart", "Stop")
    assert all("matcher" not in g for hs in cx["hooks"].values() for g in hs)  # Codex: no matcher = every tool
    cp = json.loads((project / ".github" / "hooks" / "hookgate.json").read_text())
    assert cp["version"] == 1 and all(k[0].isupper() for k in cp["hooks"])  # PascalCase: Claude's protocol
    qw = json.loads((project / ".qwen" / "settings.json").read_text())
    assert all(g["hooks"][0]["timeout"] < 1000 for hs in qw["hooks"].values() for g in hs)  # seconds, not ms


def test_qwen_execution_sandbox_is_reported_by_install_and_doctor(project, home):
    (home / ".qwen").mkdir()
    (home / ".qwen" / "settings.json").write_text(json.dumps(
        {"tools": {"executionSandbox": {"filesystem": "workspace-write", "network": "closed"}}}))
    r = cli(project, home, "install", "--platform", "qwen-code")
    assert r.returncode == 0 and "executionSandbox" in r.stderr and "disables executable hooks" in r.stderr
    res = checks.wiring_checks("qwen-code", str(home), str(project), HOOKGATE)
    assert any(n == "qwen-execution-sandbox" and not ok for n, ok, _ in res), res
    d = cli(project, home, "doctor", "--platform", "qwen-code")
    fails = [ln for ln in d.stdout.splitlines() if ln.startswith("FAIL") and "qwen-code" in ln]
    assert d.returncode != 0 and fails and "executionSandbox" in fails[0], d.stdout


def test_qwen_folder_trust_and_disable_all_hooks(project, home):
    (home / ".qwen").mkdir()
    (home / ".qwen" / "settings.json").write_text(json.dumps({"security": {"folderTrust": {"enabled": True}}}))
    assert cli(project, home, "install", "--platform", "qwen-code").returncode == 0
    res = checks.wiring_checks("qwen-code", str(home), str(project), HOOKGATE)
    assert any(n == "qwen-trusted-folder" and not ok for n, ok, _ in res), res
    (home / ".qwen" / "trustedFolders.json").write_text(json.dumps({str(project): "TRUST_FOLDER"}))
    assert all(ok for _, ok, _ in checks.wiring_checks("qwen-code", str(home), str(project), HOOKGATE))
    doc = json.loads((project / ".qwen" / "settings.json").read_text())
    (project / ".qwen" / "settings.json").write_text(json.dumps({**doc, "disableAllHooks": True}))
    res = checks.wiring_checks("qwen-code", str(home), str(project), HOOKGATE)
    assert any(n == "qwen-hooks-enabled" and not ok for n, ok, _ in res), res


def test_codex_doctor_checks_and_notes(project, home):
    r = cli(project, home, "install", "--platform", "codex", "--scope", "user")
    assert r.returncode == 0 and "/hooks" in r.stderr  # the trust note
    res = checks.wiring_checks("codex", str(home), str(project), HOOKGATE)
    assert all(ok for _, ok, _ in res), res
    text = " ".join(d for _, _, d in res)
    assert "write_stdin" in text and "exec session" in text and "trust" in text
    (home / ".codex" / "config.toml").write_text('model = "x"\n[features]\nhooks = false\n')
    res = checks.wiring_checks("codex", str(home), str(project), HOOKGATE)
    assert any(n == "codex-hooks-enabled" and not ok for n, ok, _ in res), res


def test_copilot_trusted_folder_check(project, home):
    assert cli(project, home, "install", "--platform", "copilot-cli").returncode == 0
    res = dict((n, (ok, d)) for n, ok, d in checks.wiring_checks("copilot-cli", str(home), str(project), HOOKGATE))
    assert res["copilot-trusted-folder"][0] is False and "trusted_folders" in res["copilot-trusted-folder"][1]
    (home / ".copilot").mkdir()
    (home / ".copilot" / "config.json").write_text(json.dumps({"trusted_folders": [str(project.parent)]}))
    assert all(ok for _, ok, _ in checks.wiring_checks("copilot-cli", str(home), str(project), HOOKGATE))
    (home / ".copilot" / "config.json").write_text(json.dumps({"trusted_folders": []}))
    assert cli(project, home, "install", "--platform", "copilot-cli", "--scope", "user").returncode == 0
    res = dict((n, (ok, d)) for n, ok, d in checks.wiring_checks("copilot-cli", str(home), str(project), HOOKGATE))
    assert res["copilot-trusted-folder"][0] is True and "user-scope wiring still guards" in res["copilot-trusted-folder"][1]
    assert platform_checks.copilot_trusted(str(home), str(project)) is False
    # as Copilot writes it: two comment lines first
    (home / ".copilot" / "config.json").write_text(
        "// User settings belong in settings.json.\n// This file is managed automatically.\n"
        + json.dumps({"firstLaunchAt": "x", "trusted_folders": [str(project)]}, indent=2))
    assert platform_checks.copilot_trusted(str(home), str(project)) is True


# --- self-protection of the new wiring --------------------------------------------------------

WIRING = [
    ".codex/hooks.json", ".codex/config.toml", ".codex/anything.toml", "~/.codex/hooks.json", "~/.codex/config.toml",
    ".github/hooks/hookgate.json", ".github/hooks/other.json", "~/.copilot/hooks/hookgate.json",
    "~/.copilot/config.json", "~/.copilot/settings.json", ".github/copilot/settings.json",
    ".github/copilot/settings.local.json", ".qwen/settings.json", "~/.qwen/settings.json",
    "~/.qwen/trustedFolders.json", ".opencode/plugin/hookgate.js", ".opencode/plugin/evil.js",
    ".opencode/plugins/evil.ts", "~/.config/opencode/plugin/hookgate.js", "~/.config/opencode/opencode.json",
    "opencode.json", ".opencode/opencode.jsonc",
]


def _abs(project, home, rel):
    return str(home / rel[2:]) if rel.startswith("~/") else str(project / rel)


@pytest.mark.parametrize("rel", WIRING)
def test_new_wiring_is_self_protected(project, home, rel):
    target = _abs(project, home, rel)
    for payload in (
        {"session_id": "s", "cwd": str(project), "hook_event_name": "PreToolUse", "tool_name": "Write",
         "tool_input": {"file_path": target, "content": "{}"}},
        {"session_id": "s", "cwd": str(project), "hook_event_name": "PreToolUse", "tool_name": "Bash",
         "tool_input": {"command": f"echo '{{}}' > '{target}'"}},
    ):
        r = run_hook(payload, cwd=str(project))
        out = r.stdout.decode()
        assert claude_code.classify_output(out, r.stderr.decode(), r.returncode) == "deny", (rel, out, r.stderr)
        assert "self-protection" in out


@pytest.mark.parametrize("rel", [".github/workflows/x.md", "src/opencode.py", ".qwen-notes.txt", "docs/codex.md"])
def test_neighbours_of_the_wiring_are_not_self_protected(project, home, rel):
    r = run_hook({"session_id": "s", "cwd": str(project), "hook_event_name": "PreToolUse", "tool_name": "Write",
                  "tool_input": {"file_path": _abs(project, home, rel), "content": "x"}}, cwd=str(project))
    assert "self-protection" not in r.stdout.decode()


def test_deleting_a_directory_holding_wiring_is_self_protected(project, home):
    for cmd in ("rm -rf .github", "rm -rf .opencode", f"rm -rf {home}/.copilot", "rm -rf .qwen"):
        r = run_hook({"session_id": "s", "cwd": str(project), "hook_event_name": "PreToolUse", "tool_name": "Bash",
                      "tool_input": {"command": cmd}}, cwd=str(project))
        assert "self-protection" in r.stdout.decode(), cmd
