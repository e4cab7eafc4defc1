"""Conformance through the real Codex CLI, Copilot CLI, Qwen Code and OpenCode, offline (ADR 0023).

Each client runs as its pinned npm release against a localhost stand-in for its model API
(``clients_more``), with the wiring ``hookgate install`` writes. Per client: a must-deny sanity
case (a stub ``hookgate`` that always denies — a broken harness looks exactly like "allow"), a
protected write and a protected read that are really not performed (the file is not there, the
secret never reaches the model), an ordinary write that really is, the decision in hookgate's
ledger, and no hook error reported by the client. Skipped, with the reason, when node/npm or the
pinned package is unavailable.
"""

from __future__ import annotations

import json
import os
import re

import pytest

from clients import ensure_client
from clients_more import (CODEX, COPILOT, OPENCODE, QWEN, ChatAPI, ResponsesAPI, opencode_config, run_codex,
                          run_copilot, run_opencode, run_qwen)
from conftest import run_cli

pytestmark = pytest.mark.realclient

SECRET = "sk-live-HOOKGATE-CANARY-0123456789"
ROLLOUT_PATCH = "*** Begin Patch\n*** Add File: .hookgate/rollout.yaml\n+version: 1\n*** End Patch\n"
OK_PATCH = "*** Begin Patch\n*** Add File: src/ok.txt\n+hello\n*** End Patch\n"


@pytest.fixture
def world(tmp_path):
    home = tmp_path / "home"
    project = tmp_path / "proj"
    for d in (home, project / ".git", project / "src"):
        d.mkdir(parents=True)
    (project / "README.md").write_text("# demo\n")
    (project / ".env").write_text(f"API_KEY={SECRET}\n")
    return home, project


def install(home, project, platform, scope="user", command=None):
    args = ["install", "--platform", platform, "--scope", scope]
    if command:
        args += ["--command", command]
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
    r = run_cli(*args, cwd=str(project), env=env)
    assert r.returncode == 0, r.stderr


def stub_deny(tmp_path) -> str:
    d = tmp_path / "stub" / "bin"
    d.mkdir(parents=True)
    p = d / "hookgate"
    p.write_text("#!/bin/sh\ncat >/dev/null\necho 'sanity stub: denied' >&2\nexit 2\n")
    p.chmod(0o755)
    return str(p)


def ledger(project) -> list[dict]:
    p = project / ".git" / "hookgate" / "ledger.jsonl"
    return [json.loads(x) for x in p.read_text().splitlines() if x.strip()] if p.exists() else []


def decisions(project, tool) -> list[dict]:
    return [r for r in ledger(project) if r.get("kind") == "decision" and r.get("tool") == tool]


def json_lines(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict):
            out.append(obj)
    return out


# --- Codex CLI ----------------------------------------------------------------------------------

CODEX_HOOK_ERRORS = re.compile(r"hook (?:failed|error|returned unsupported|output.*invalid)|invalid hook|"
                               r"failed to (?:parse|load) hooks", re.I)


@pytest.fixture(scope="module")
def codex_pkg():
    return ensure_client(CODEX)


def codex_case(codex_pkg, world, tool, *, arguments=None, patch=None, command=None):
    home, project = world
    install(home, project, "codex", command=command)
    api = ResponsesAPI(tool, arguments=arguments, custom_input=patch)
    with api:
        r = run_codex(codex_pkg, str(home), str(project), api.port)
    assert len(api.requests) >= 2, f"codex made {len(api.requests)} model request(s): {r.stderr[-3000:]}"
    assert not CODEX_HOOK_ERRORS.search(r.stdout + r.stderr), (r.stdout[-3000:], r.stderr[-3000:])
    return r, api


def test_codex_sanity_stub_must_deny(codex_pkg, tmp_path, world):
    home, project = world
    r, api = codex_case(codex_pkg, world, "apply_patch", patch=OK_PATCH, command=stub_deny(tmp_path))
    assert not (project / "src" / "ok.txt").exists(), "harness broken: a hook that always denies did not deny"
    assert any("sanity stub" in o for o in api.outputs()), api.outputs()


def test_codex_protected_write_is_not_performed(codex_pkg, world):
    home, project = world
    r, api = codex_case(codex_pkg, world, "apply_patch", patch=ROLLOUT_PATCH)
    assert not (project / ".hookgate" / "rollout.yaml").exists()
    outs = api.outputs()
    assert outs and "self-protection" in outs[0] and "hook" in outs[0].lower(), outs
    assert decisions(project, "apply_patch")[-1]["outcome"] == "block"


def test_codex_protected_read_is_not_performed(codex_pkg, world):
    home, project = world
    r, api = codex_case(codex_pkg, world, "exec_command", arguments={"cmd": "cat .env"})
    outs = api.outputs()
    assert outs and "read-guard" in outs[0], outs
    assert SECRET not in api.text() and SECRET not in r.stdout
    assert decisions(project, "Bash")[-1]["outcome"] == "block"


def test_codex_ordinary_write_is_performed(codex_pkg, world):
    home, project = world
    r, api = codex_case(codex_pkg, world, "apply_patch", patch=OK_PATCH)
    assert (project / "src" / "ok.txt").read_text() == "hello\n", (r.stdout[-3000:], api.outputs())
    rec = decisions(project, "apply_patch")
    assert rec and rec[-1]["outcome"] == "allow"  # the hook really ran and allowed
    assert [e for e in ledger(project) if e.get("kind") == "post" and e.get("tool") == "apply_patch"]
