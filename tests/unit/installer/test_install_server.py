"""ADR 0025: ``hookgate install`` wires the decision server. Claude Code in project scope gets
the http door (``onFailure: "block"``) and ``serve start`` on SessionStart/UserPromptSubmit;
command-hook platforms get the static thin client; a systemd ``--user`` unit where
``systemctl --user`` works; ``--no-server`` opts out; install is byte-idempotent, uninstall
restores the original bytes; doctor says whether the server is up and which door each
platform uses."""

from __future__ import annotations

import json
import os
import shlex
import subprocess

from hookgate.installer import merge
from hookgate.server import runtime
from tests.conftest import HOOKGATE, run_cli

CLIENT = os.path.join(os.path.dirname(HOOKGATE), "hookgate-client")
SEED = {"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "echo mine"}]}],
                  "UserPromptSubmit": [{"hooks": [{"type": "command", "command": "echo prompt"}]}]},
        "model": "x"}


def _read(p) -> bytes:
    with open(p, "rb") as f:
        return f.read()


def _settings(project):
    return os.path.join(str(project), ".claude", "settings.json")


def test_claude_project_scope_gets_the_http_door_idempotent_and_uninstall_restores(project):
    path = _settings(project)
    os.makedirs(os.path.dirname(path))
    seed = (json.dumps(SEED, indent=2) + "\n").encode()
    with open(path, "wb") as f:
        f.write(seed)
    r = run_cli("install", "--platform", "claude-code", "--no-floor", cwd=str(project))
    assert r.returncode == 0, r.stderr
    first = _read(path)
    doc = json.loads(first)
    port = runtime.default_port()
    pre = doc["hooks"]["PreToolUse"]
    assert pre[0] == SEED["hooks"]["PreToolUse"][0]  # foreign entry first, untouched
    http = pre[1]["hooks"][0]
    assert http == {"type": "http", "url": f"http://127.0.0.1:{port}/v1/hook/claude-code",
                    "headers": {"X-Hookgate-Project-Dir": str(project)}, "timeout": 30, "onFailure": "block"}
    for ev in ("PostToolUse", "PostToolUseFailure"):
        assert doc["hooks"][ev][0]["hooks"][0]["type"] == "http"
    start = doc["hooks"]["SessionStart"][0]["hooks"][0]
    # through the thin client: it answers `serve start` itself when the server is up (ADR 0025)
    assert shlex.split(start["command"]) == [CLIENT, "serve", "start", "--port", str(port), "--idle", "28800"]
    assert shlex.split(doc["hooks"]["SessionStart"][0]["hooks"][1]["command"])[1:] == ["hook", "--platform", "claude-code"]
    assert doc["hooks"]["UserPromptSubmit"][0] == SEED["hooks"]["UserPromptSubmit"][0]
    assert doc["hooks"]["UserPromptSubmit"][1]["hooks"][0] == start
    assert "server: " in r.stderr
    r = run_cli("install", "--platform", "claude-code", "--no-floor", cwd=str(project))
    assert r.returncode == 0 and _read(path) == first  # byte-idempotent
    d = run_cli("doctor", "--platform", "claude-code", cwd=str(project))
    assert "claude-code/door" in d.stdout and "http door" in d.stdout, d.stdout
    assert "decision server not running" in d.stdout
    r = run_cli("uninstall", "--platform", "claude-code", cwd=str(project))
    assert r.returncode == 0 and _read(path) == seed


def test_no_server_and_user_scope_keep_command_hooks_through_the_client(project, home):
    r = run_cli("install", "--platform", "claude-code", "--no-floor", "--no-server", cwd=str(project))
    assert r.returncode == 0, r.stderr
    doc = json.loads(_read(_settings(project)))
    assert "UserPromptSubmit" not in doc["hooks"]
    for entries in doc["hooks"].values():
        h = entries[0]["hooks"][0]
        assert h["type"] == "command" and shlex.split(h["command"]) == [CLIENT, "hook", "--platform", "claude-code"]
    r = run_cli("install", "--platform", "claude-code", "--no-floor", "--scope", "user", cwd=str(project))
    assert r.returncode == 0, r.stderr
    doc = json.loads(_read(os.path.join(str(home), ".claude", "settings.json")))
    assert all(e[0]["hooks"][0]["type"] == "command" for e in doc["hooks"].values())  # no project header there


def test_command_hook_platforms_run_the_static_client(project):
    r = run_cli("install", "--platform", "cursor", "--platform", "gemini-cli", "--no-floor", cwd=str(project))
    assert r.returncode == 0, r.stderr
    cur = json.loads(_read(os.path.join(str(project), ".cursor", "hooks.json")))
    gem = json.loads(_read(os.path.join(str(project), ".gemini", "settings.json")))
    cmds = [h["command"] for hs in cur["hooks"].values() for h in hs]
    cmds += [g["hooks"][0]["command"] for ev in gem["hooks"].values() for g in ev]
    assert cmds and all(shlex.split(c)[0] == CLIENT for c in cmds)
    d = run_cli("doctor", "--platform", "cursor", cwd=str(project))
    assert "via hookgate-client" in d.stdout and "FAIL  wiring" not in d.stdout, d.stdout


def _fake_systemctl(tmp_path, ok: bool = True):
    bindir = tmp_path / "fakebin"
    bindir.mkdir()
    log = tmp_path / "systemctl.log"
    sc = bindir / "systemctl"
    sc.write_text(f"#!/bin/sh\necho \"$*\" >> {log}\nexit {0 if ok else 1}\n")
    sc.chmod(0o755)
    return {"PATH": f"{bindir}:{os.environ['PATH']}"}, log


def test_a_user_service_where_systemd_user_works(project, home, tmp_path):
    env, log = _fake_systemctl(tmp_path)
    r = run_cli("install", "--platform", "claude-code", "--no-floor", cwd=str(project), env=env)
    assert r.returncode == 0, r.stderr
    unit = os.path.join(str(home), ".config", "systemd", "user", f"hookgate-serve-{runtime.key()}.service")
    text = _read(unit).decode()
    assert f"ExecStart={HOOKGATE} serve --port {runtime.default_port()} --idle 28800\n" in text
    assert log.read_text().splitlines() == ["--user show-environment", "--user daemon-reload",
                                            f"--user enable --now {os.path.basename(unit)}"]
    r = run_cli("install", "--platform", "claude-code", "--no-floor", cwd=str(project), env=env)
    assert "unchanged" in r.stderr and _read(unit).decode() == text
    r = run_cli("uninstall", "--platform", "claude-code", cwd=str(project), env=env)
    assert r.returncode == 0 and not os.path.exists(unit)
    assert f"--user disable --now {os.path.basename(unit)}" in log.read_text()


def test_no_service_where_systemd_user_does_not_work(project, home, tmp_path):
    env, _ = _fake_systemctl(tmp_path, ok=False)
    r = run_cli("install", "--platform", "claude-code", "--no-floor", cwd=str(project), env=env)
    assert r.returncode == 0 and "starts on demand" in r.stderr, r.stderr
    assert not os.path.exists(os.path.join(str(home), ".config", "systemd"))
    r = run_cli("install", "--platform", "claude-code", "--no-floor", "--no-server", cwd=str(project), env=env)
    assert "systemd" not in r.stderr


def test_doctor_says_the_server_is_up_and_on_which_port(project):
    import socket

    with socket.socket() as s:  # a free port: the default one is shared by every test of this venv
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = run_cli("install", "--platform", "claude-code", "--no-floor", "--server-port", str(port), cwd=str(project))
    assert r.returncode == 0, r.stderr
    r = run_cli("serve", "start", "--port", str(port), cwd=str(project))
    assert r.returncode == 0, r.stderr
    try:
        d = run_cli("doctor", "--platform", "claude-code", cwd=str(project))
        assert f"loopback port {port}" in d.stdout, d.stdout
        assert "PASS  server" in d.stdout
    finally:
        run_cli("serve", "stop", cwd=str(project))
    assert merge.read_bytes(_settings(project)) is not None


def test_the_wired_client_decides_like_the_launcher(project):
    """What install wires for command hooks answers as the launcher does (server down here)."""
    (project / ".env").write_text("K=1\n")
    env = {**os.environ, "CLAUDE_PROJECT_DIR": str(project)}
    out = []
    for exe, session in ((CLIENT, "s1"), (HOOKGATE, "s2")):  # own sessions: history is state
        payload = json.dumps({"session_id": session, "cwd": str(project), "hook_event_name": "PreToolUse",
                              "tool_name": "Bash", "tool_input": {"command": "cat .env"}}).encode()
        p = subprocess.run([exe, "hook", "--platform", "claude-code"], input=payload, cwd=project, env=env,
                           capture_output=True, timeout=60)
        out.append((p.stdout, p.returncode))
    assert b'"deny"' in out[0][0] and out[0] == out[1]


def test_an_agent_cannot_rewrite_the_service_unit(project, home):
    """Self-protection (ADR 0025): the unit's ExecStart is what runs as the server at login.
    Another unit in the same dir is not hookgate's and is allowed (so the rule is what denies)."""
    from tests.conftest import run_hook
    from tests.support.payloads import claude_pre

    cfg = os.path.join(str(home), ".config", "systemd", "user")
    ours, other = f"{cfg}/hookgate-serve-{runtime.key()}.service", f"{cfg}/other.service"
    for tool, inp in (("Write", {"file_path": ours, "content": "[Service]\nExecStart=/tmp/fake\n"}),
                      ("Bash", {"command": f"echo 'ExecStart=/tmp/fake' >> {ours}"})):
        r = run_hook(claude_pre(project, tool, inp))
        assert b'"deny"' in r.stdout, (tool, r.stdout, r.stderr)
    r = run_hook(claude_pre(project, "Write", {"file_path": other, "content": "x"}))
    assert b'"deny"' not in r.stdout, r.stdout


def test_serve_wiring_prints_what_install_writes(project):
    """`hookgate serve wiring` is the hooks `hookgate install` writes in project scope (same
    port, same thin client, same events), so a hand-wired project matches an installed one."""
    path = _settings(project)
    r = run_cli("install", "--platform", "claude-code", "--no-floor", cwd=str(project))
    assert r.returncode == 0, r.stderr
    installed = json.loads(_read(path))["hooks"]
    w = subprocess.run([HOOKGATE, "serve", "wiring"], cwd=str(project), capture_output=True, text=True, timeout=60)
    assert w.returncode == 0, w.stderr
    assert json.loads(w.stdout)["hooks"] == installed
    port = runtime.default_port() + 1
    w = subprocess.run([HOOKGATE, "serve", "wiring", "--port", str(port)], cwd=str(project), capture_output=True,
                       text=True, timeout=60)
    assert f"127.0.0.1:{port}/" in w.stdout and f"--port {port} " in w.stdout
    assert "sandbox" not in w.stderr
    with open(path) as f:
        doc = json.load(f)
    doc["sandbox"] = {"enabled": True}
    with open(path, "w") as f:
        json.dump(doc, f)
    w = subprocess.run([HOOKGATE, "serve", "wiring"], cwd=str(project), capture_output=True, text=True, timeout=60)
    assert w.returncode == 0 and "keeps command hooks" in w.stderr
