"""Conformance through the real clients, offline (tests/realclients/; ADR 0010/0011).

The real Gemini CLI (``--fake-responses``) and the real Claude Code binary (``-p`` against a
localhost stand-in for the Messages API) run with the wiring ``hookgate install`` writes. Per
client: a must-deny sanity case (a stub hook that always denies: a broken harness looks exactly
like "allow"), a protected write and a protected read that are really not performed, an ordinary
write that really is, and no hook-output/settings error from the client's own validator.
Skipped, with the reason, when node/npm or the pinned package is unavailable.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.e2e.realclients.clients import (CLAUDE, GEMINI, MessagesAPI, ensure_client, gemini_responses, run_claude,
                     run_gemini)
from tests.conftest import run_cli

pytestmark = pytest.mark.realclient

SECRET = "sk-live-HOOKGATE-CANARY-0123456789"
CLIENT_ERRORS = re.compile(r"Invalid configuration|Invalid hook event name|Invalid setting skipped|"
                           r"validation failed|Expected number|is not a valid", re.I)


@pytest.fixture
def world(tmp_path):
    home = tmp_path / "home"
    project = tmp_path / "proj"
    for d in (home, project / ".git", project / "src"):
        d.mkdir(parents=True)
    (project / "README.md").write_text("# demo\n")
    (project / ".env").write_text(f"API_KEY={SECRET}\n")
    (project / "secrets").mkdir()
    (project / "secrets" / "token.txt").write_text(f"{SECRET}\n")
    return home, project


def install(home, project, platform, command=None):
    args = ["install", "--platform", platform, "--scope", "user"]
    if command:
        args += ["--command", command]
    r = run_cli(*args, cwd=str(project), env={"HOME": str(home)})
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


# --- Gemini CLI ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def gemini_pkg():
    return ensure_client(GEMINI)


def gemini_case(gemini_pkg, tmp_path, world, tool, args, command=None):
    home, project = world
    settings = home / ".gemini" / "settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"privacy": {"usageStatisticsEnabled": False},
                                    "security": {"auth": {"selectedType": "gemini-api-key"}}}))
    install(home, project, "gemini-cli", command)
    resp = tmp_path / "turns.jsonl"
    gemini_responses(str(resp), tool, args)
    r = run_gemini(gemini_pkg, str(home), str(project), str(resp))
    assert not CLIENT_ERRORS.search(r.stderr), r.stderr[-3000:]
    return r


def gemini_tool_results(r) -> list[dict]:
    out = []
    for line in r.stdout.splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if obj.get("type") == "tool_result":
            out.append(obj)
    return out


def test_gemini_sanity_stub_must_deny(gemini_pkg, tmp_path, world):
    home, project = world
    r = gemini_case(gemini_pkg, tmp_path, world, "write_file", {"file_path": "src/ok.txt", "content": "hi"},
                    command=stub_deny(tmp_path))
    assert not (project / "src" / "ok.txt").exists(), "harness broken: a hook that always denies did not deny"
    assert any(t.get("status") == "error" for t in gemini_tool_results(r)), r.stdout[-2000:]


def test_gemini_protected_write_is_not_performed(gemini_pkg, tmp_path, world):
    home, project = world
    r = gemini_case(gemini_pkg, tmp_path, world, "write_file",
                    {"file_path": ".hookgate/rollout.yaml", "content": "version: 1\nhooks: {}\n"})
    assert not (project / ".hookgate" / "rollout.yaml").exists()
    res = gemini_tool_results(r)
    assert res and res[0]["status"] == "error" and "policy_violation" in json.dumps(res[0]), r.stdout[-2000:]
    assert "self-protection" in json.dumps(res[0])
    assert decisions(project, "write_file")[-1]["outcome"] == "block"


def test_gemini_protected_read_is_not_performed(gemini_pkg, tmp_path, world):
    home, project = world
    # (.env itself is refused by Gemini's own file filter before any hook runs)
    r = gemini_case(gemini_pkg, tmp_path, world, "read_file", {"file_path": "secrets/token.txt"})
    res = gemini_tool_results(r)
    assert res and res[0]["status"] == "error", r.stdout[-2000:]
    assert SECRET not in r.stdout and SECRET not in r.stderr
    assert decisions(project, "read_file")[-1]["outcome"] == "block"


def test_gemini_ordinary_write_is_performed(gemini_pkg, tmp_path, world):
    home, project = world
    r = gemini_case(gemini_pkg, tmp_path, world, "write_file", {"file_path": "src/ok.txt", "content": "hello"})
    assert (project / "src" / "ok.txt").read_text() == "hello", r.stdout[-2000:] + r.stderr[-2000:]
    rec = decisions(project, "write_file")
    assert rec and rec[-1]["outcome"] == "allow"  # the hook really ran and allowed


# --- Claude Code --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def claude_pkg():
    return ensure_client(CLAUDE)


def claude_case(claude_pkg, tmp_path, world, tool, tool_input, command=None):
    home, project = world
    install(home, project, "claude-code", command)
    debug = tmp_path / "claude-debug.log"
    with MessagesAPI(tool, tool_input) as api:
        r = run_claude(claude_pkg, str(home), str(project), api.port, str(debug))
    events = []
    for line in r.stdout.splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            pass
    dbg = debug.read_text(errors="replace") if debug.exists() else ""
    assert not CLIENT_ERRORS.search(dbg), [m.group(0) for m in CLIENT_ERRORS.finditer(dbg)]
    assert api.requests, f"claude made no API request: {r.stderr[-2000:]}"
    return r, events, api.requests


def claude_tool_results(events) -> list[dict]:
    out = []
    for e in events:
        if e.get("type") == "user":
            for c in (e.get("message") or {}).get("content") or ():
                if isinstance(c, dict) and c.get("type") == "tool_result":
                    out.append(c)
    return out


def hook_responses(events) -> list[dict]:
    return [e for e in events if e.get("type") == "system" and e.get("subtype") == "hook_response"]


def test_claude_sanity_stub_must_deny(claude_pkg, tmp_path, world):
    home, project = world
    target = project / "src" / "ok.txt"
    r, events, _ = claude_case(claude_pkg, tmp_path, world, "Write", {"file_path": str(target), "content": "hi"},
                               command=stub_deny(tmp_path))
    assert not target.exists(), "harness broken: a hook that always denies did not deny"
    res = claude_tool_results(events)
    assert res and res[0].get("is_error"), r.stdout[-3000:]


def test_claude_protected_write_is_not_performed(claude_pkg, tmp_path, world):
    home, project = world
    target = project / ".hookgate" / "rollout.yaml"
    r, events, _ = claude_case(claude_pkg, tmp_path, world, "Write", {"file_path": str(target), "content": "x: 1\n"})
    assert not target.exists()
    res = claude_tool_results(events)
    assert res and res[0].get("is_error") and "self-protection" in json.dumps(res[0]), r.stdout[-3000:]
    assert decisions(project, "Write")[-1]["outcome"] == "block"
    assert hook_responses(events), "no hook_response event: --include-hook-events changed?"
    for h in hook_responses(events):  # the client's validator accepted hookgate's output
        assert "validation failed" not in json.dumps(h), h


def test_claude_protected_read_is_not_performed(claude_pkg, tmp_path, world):
    home, project = world
    r, events, requests = claude_case(claude_pkg, tmp_path, world, "Read", {"file_path": str(project / ".env")})
    res = claude_tool_results(events)
    assert res and res[0].get("is_error"), r.stdout[-3000:]
    assert all(SECRET not in json.dumps(q["body"]) for q in requests)  # the model never saw it
    assert decisions(project, "Read")[-1]["outcome"] == "block"


def test_claude_ordinary_write_is_performed(claude_pkg, tmp_path, world):
    home, project = world
    target = project / "src" / "ok.txt"
    r, events, _ = claude_case(claude_pkg, tmp_path, world, "Write", {"file_path": str(target), "content": "hello"})
    assert target.exists() and target.read_text() == "hello", r.stdout[-3000:] + r.stderr[-2000:]
    assert decisions(project, "Write")[-1]["outcome"] == "allow"
    assert hook_responses(events), "no hook_response event: --include-hook-events changed?"
    for h in hook_responses(events):
        assert h.get("outcome") != "error", h
