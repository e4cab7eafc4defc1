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
import re

import pytest

from tests.e2e.realclients.clients import ensure_client
from tests.e2e.realclients.clients_more import (CODEX, COPILOT, OPENCODE, QWEN, ChatAPI, ResponsesAPI, codex_binary, codex_output_schemas,
                          opencode_config, recording_wrapper, run_codex, run_copilot, run_opencode, run_qwen,
                          schema_errors)
from tests.conftest import HOOKGATE, run_cli, run_hook

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


def recorded(project, command):
    """(command to install, checker): unless a stub is given, the real hookgate behind a recorder;
    the checker asserts every answer hookgate gave the client was clean — exit 0, nothing on
    stderr, stdout empty or one JSON object the platform's classifier accepts (the clients fail
    open on anything else, mostly without a word)."""
    if command is not None:
        return command, lambda platform, events=(): None
    log = project.parent / "hook-calls.jsonl"

    def check(platform, events=()):
        from hookgate.adapters import load

        calls = [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []
        seen = [json.loads(c["in"]).get("hook_event_name") for c in calls]
        for e in events:
            assert e in seen, (e, seen)
        for c in calls:
            assert c["rc"] == 0 and not c["err"], c
            assert load(platform).classify_output(c["out"], c["err"], c["rc"]) != "invalid", c
            assert not c["out"] or c["out"].count("\n") == 1 and isinstance(json.loads(c["out"]), dict), c
        return calls

    return recording_wrapper(str(project.parent / "rec"), HOOKGATE, str(log)), check


# --- Codex CLI ----------------------------------------------------------------------------------

CODEX_HOOK_ERRORS = re.compile(r"hook (?:failed|error|returned unsupported|output.*invalid)|invalid hook|"
                               r"failed to (?:parse|load) hooks", re.I)


@pytest.fixture(scope="module")
def codex_pkg():
    return ensure_client(CODEX)


@pytest.fixture(scope="module")
def codex_schemas(codex_pkg):
    schemas = codex_output_schemas(codex_binary(codex_pkg))
    assert "pre-tool-use.command.output" in schemas, sorted(schemas)
    return schemas


def _kebab(name: str) -> str:
    return "".join("-" + c.lower() if c.isupper() else c for c in name).lstrip("-")


def codex_case(codex_pkg, world, tool, *, arguments=None, patch=None, command=None, schemas=None):
    """Codex reports nothing when it rejects hook output (the tool just runs), so every answer
    hookgate gave in the run is recorded and checked against Codex's own embedded schema."""
    home, project = world
    log = project.parent / "hook-calls.jsonl"
    if command is None:
        command = recording_wrapper(str(project.parent / "rec"), HOOKGATE, str(log))
    install(home, project, "codex", command=command)
    api = ResponsesAPI(tool, arguments=arguments, custom_input=patch)
    with api:
        r = run_codex(codex_pkg, str(home), str(project), api.port)
    assert len(api.requests) >= 2, f"codex made {len(api.requests)} model request(s): {r.stderr[-3000:]}"
    assert not CODEX_HOOK_ERRORS.search(r.stdout + r.stderr), (r.stdout[-3000:], r.stderr[-3000:])
    if schemas is not None:
        calls = [json.loads(x) for x in log.read_text().splitlines()]
        events = [json.loads(c["in"])["hook_event_name"] for c in calls]
        assert "PreToolUse" in events and "SessionStart" in events, events
        for c, event in zip(calls, events):
            assert c["rc"] == 0 and not c["err"], c
            if c["out"].strip():
                errs = schema_errors(schemas[_kebab(event) + ".command.output"], json.loads(c["out"]))
                assert not errs, (event, errs, c["out"])
    return r, api


def test_codex_sanity_stub_must_deny(codex_pkg, tmp_path, world):
    home, project = world
    r, api = codex_case(codex_pkg, world, "apply_patch", patch=OK_PATCH, command=stub_deny(tmp_path))
    assert not (project / "src" / "ok.txt").exists(), "harness broken: a hook that always denies did not deny"
    assert any("sanity stub" in o for o in api.outputs()), api.outputs()


def test_codex_protected_write_is_not_performed(codex_pkg, codex_schemas, world):
    home, project = world
    r, api = codex_case(codex_pkg, world, "apply_patch", patch=ROLLOUT_PATCH, schemas=codex_schemas)
    assert not (project / ".hookgate" / "rollout.yaml").exists()
    outs = api.outputs()
    assert outs and "self-protection" in outs[0] and "hook" in outs[0].lower(), outs
    assert decisions(project, "apply_patch")[-1]["outcome"] == "block"


def test_codex_schema_oracle_can_fail(codex_schemas):
    """The oracle rejects what Codex rejects (ask is in the schema's enum but refused at run time)."""
    pre = codex_schemas["pre-tool-use.command.output"]
    assert schema_errors(pre, {"decision": "deny", "reason": "r"})  # "deny" is not approve|block
    assert schema_errors(pre, {"permission": "deny"})  # additionalProperties: false
    assert not schema_errors(pre, {"decision": "block", "reason": "r", "hookSpecificOutput": {
        "hookEventName": "PreToolUse", "permissionDecision": "deny", "permissionDecisionReason": "r"}})


def test_codex_protected_read_is_not_performed(codex_pkg, codex_schemas, world):
    home, project = world
    r, api = codex_case(codex_pkg, world, "exec_command", arguments={"cmd": "cat .env"}, schemas=codex_schemas)
    outs = api.outputs()
    assert outs and "read-guard" in outs[0], outs
    assert SECRET not in api.text() and SECRET not in r.stdout
    assert decisions(project, "Bash")[-1]["outcome"] == "block"


def test_codex_ordinary_write_is_performed(codex_pkg, codex_schemas, world):
    home, project = world
    r, api = codex_case(codex_pkg, world, "apply_patch", patch=OK_PATCH, schemas=codex_schemas)
    assert (project / "src" / "ok.txt").read_text() == "hello\n", (r.stdout[-3000:], api.outputs())
    rec = decisions(project, "apply_patch")
    assert rec and rec[-1]["outcome"] == "allow"  # the hook really ran and allowed
    assert [e for e in ledger(project) if e.get("kind") == "post" and e.get("tool") == "apply_patch"]
    # the budget reads Codex's rollout (token_count events; the stand-in reports 15 tokens a response).
    # The session's only PreToolUse ran before any response was recorded, so make the next call:
    pre = next(e for e in ledger(project) if e.get("kind") == "decision" and e.get("tool") == "apply_patch")
    rollouts = sorted((home / ".codex" / "sessions").rglob("rollout-*.jsonl"))
    assert rollouts
    nxt = {"session_id": pre["session"], "transcript_path": str(rollouts[-1]), "cwd": str(project),
           "hook_event_name": "PreToolUse", "model": "gpt-5.5", "permission_mode": "default", "turn_id": "t2",
           "tool_use_id": "c2", "tool_name": "Bash", "tool_input": {"command": "git status"}}
    assert run_hook(nxt, "codex", cwd=str(project), env={"HOME": str(home)}).returncode == 0
    b = run_cli("budget", "show", "--json", cwd=str(project), env={"HOME": str(home)})
    sessions = [v for v in json.loads(b.stdout)["sessions"] if v.get("platform") == "codex"]
    assert sessions and sessions[0]["tokens"]["total_tokens"] == 30 and not sessions[0]["malformed_lines"], b.stdout


# --- Copilot CLI --------------------------------------------------------------------------------

COPILOT_HOOK_ERRORS = re.compile(r"hook errored|hook timed out|hook exited with code|invalid hook|"
                                 r"failed to (?:parse|load|run) hook", re.I)


@pytest.fixture(scope="module")
def copilot_pkg():
    return ensure_client(COPILOT)


def copilot_case(copilot_pkg, world, tool, arguments, command=None, scope="user", trusted=False):
    home, project = world
    command, check = recorded(project, command)
    install(home, project, "copilot-cli", scope=scope, command=command)
    if trusted:
        (home / ".copilot").mkdir(exist_ok=True)
        (home / ".copilot" / "config.json").write_text(json.dumps({"trusted_folders": [str(project)]}))
    api = ChatAPI(tool, arguments)
    with api:
        r = run_copilot(copilot_pkg, str(home), str(project), api.port)
    assert tool in api.offered(), f"copilot did not offer {tool}: {sorted(api.offered())} {r.stderr[-2000:]}"
    logs = ""
    log_dir = home / ".copilot" / "logs"
    for f in sorted(log_dir.iterdir()) if log_dir.is_dir() else ():
        logs += f.read_text(errors="replace")
    errors = [ln for ln in logs.splitlines() if "[ERROR]" in ln and "hook" in ln.lower()]
    assert not errors, errors
    if not command.endswith("/stub/bin/hookgate"):  # (the sanity stub's exit 2 is reported as "hook exited with code 2": expected)
        assert not COPILOT_HOOK_ERRORS.search(r.stdout + json.dumps(api.tool_results())), api.tool_results()
        if scope == "user" or trusted:
            check("copilot-cli", ("SessionStart", "PreToolUse"))
    return r, api


def test_copilot_sanity_stub_must_deny(copilot_pkg, tmp_path, world):
    home, project = world
    r, api = copilot_case(copilot_pkg, world, "create", {"path": str(project / "src" / "ok.txt"), "file_text": "hi"},
                          command=stub_deny(tmp_path))
    assert not (project / "src" / "ok.txt").exists(), "harness broken: a hook that always denies did not deny"
    assert any("Denied by preToolUse hook: hook exited with code 2" in t for t in api.tool_results()), api.tool_results()


def test_copilot_protected_write_is_not_performed(copilot_pkg, world):
    home, project = world
    r, api = copilot_case(copilot_pkg, world, "create",
                          {"path": str(project / ".hookgate" / "rollout.yaml"), "file_text": "version: 1\n"})
    assert not (project / ".hookgate" / "rollout.yaml").exists()
    res = api.tool_results()
    assert res and res[0].startswith("Denied by preToolUse hook: hookgate blocked") and "self-protection" in res[0], res
    assert decisions(project, "Write")[-1]["outcome"] == "block"


def test_copilot_protected_read_is_not_performed(copilot_pkg, world):
    home, project = world
    r, api = copilot_case(copilot_pkg, world, "view", {"path": str(project / ".env")})
    res = api.tool_results()
    assert res and "read-guard" in res[0], res
    assert SECRET not in api.text() and SECRET not in r.stdout
    assert decisions(project, "Read")[-1]["outcome"] == "block"


def test_copilot_ordinary_write_is_performed(copilot_pkg, world):
    home, project = world
    r, api = copilot_case(copilot_pkg, world, "create", {"path": str(project / "src" / "ok.txt"), "file_text": "hello"})
    assert (project / "src" / "ok.txt").read_text() == "hello", api.tool_results()
    rec = decisions(project, "Write")
    assert rec and rec[-1]["outcome"] == "allow"


def test_copilot_repository_hooks_guard_in_a_trusted_folder(copilot_pkg, world):
    """The project-scope wiring (.github/hooks/hookgate.json) loads once the folder is trusted."""
    home, project = world
    r, api = copilot_case(copilot_pkg, world, "bash", {"command": "cat .env", "description": "read"},
                          scope="project", trusted=True)
    res = api.tool_results()
    assert res and "read-guard" in res[0] and SECRET not in api.text(), res
    assert decisions(project, "Bash")[-1]["outcome"] == "block"


def test_copilot_repository_hooks_do_not_load_untrusted_and_doctor_says_so(copilot_pkg, world):
    """Why doctor fails project-only Copilot wiring in an untrusted folder: Copilot really skips it."""
    home, project = world
    r, api = copilot_case(copilot_pkg, world, "create", {"path": str(project / "src" / "ok.txt"), "file_text": "hi"},
                          scope="project", trusted=False)
    assert (project / "src" / "ok.txt").exists() and not decisions(project, "Write")  # the hook never ran
    d = run_cli("doctor", "--platform", "copilot-cli", cwd=str(project),
                env={"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")})
    fails = [ln for ln in d.stdout.splitlines() if ln.startswith("FAIL") and "copilot-cli" in ln]
    assert d.returncode != 0 and any("is not in trusted_folders" in ln for ln in fails), d.stdout
    assert "// " in (home / ".copilot" / "config.json").read_text()  # Copilot's own file, comments and all


# --- Qwen Code ----------------------------------------------------------------------------------

QWEN_HOOK_ERRORS = re.compile(r"hook[^\n]{0,80}(?:failed|error|timed out|invalid)|invalid hook|"
                              r"Invalid configuration|Invalid hook event name", re.I)


@pytest.fixture(scope="module")
def qwen_pkg():
    return ensure_client(QWEN)


def qwen_case(qwen_pkg, world, tool, arguments, command=None):
    home, project = world
    settings = home / ".qwen" / "settings.json"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({"security": {"auth": {"selectedType": "openai"}}}))
    command, check = recorded(project, command)
    install(home, project, "qwen-code", command=command)
    api = ChatAPI(tool, arguments)
    with api:
        r = run_qwen(qwen_pkg, str(home), str(project), api.port)
    assert tool in api.offered(), f"qwen did not offer {tool}: {sorted(api.offered())} {r.stderr[-2000:]}"
    assert not QWEN_HOOK_ERRORS.search(r.stderr), r.stderr[-3000:]
    events = json_lines(r.stdout)
    results = [c for e in events if e.get("type") == "user"
               for c in (e.get("message") or {}).get("content") or () if isinstance(c, dict) and c.get("type") == "tool_result"]
    final = [e for e in events if e.get("type") == "result"]
    assert final, r.stdout[-3000:]
    check("qwen-code", ("SessionStart", "PreToolUse"))
    return r, api, results, final[-1]


def test_qwen_sanity_stub_must_deny(qwen_pkg, tmp_path, world):
    home, project = world
    r, api, results, final = qwen_case(qwen_pkg, world, "write_file",
                                       {"file_path": str(project / "src" / "ok.txt"), "content": "hi"},
                                       command=stub_deny(tmp_path))
    assert not (project / "src" / "ok.txt").exists(), "harness broken: a hook that always denies did not deny"
    assert results and results[0].get("is_error") and "sanity stub" in json.dumps(results[0]), results


def test_qwen_protected_write_is_not_performed(qwen_pkg, world):
    home, project = world
    r, api, results, final = qwen_case(qwen_pkg, world, "write_file",
                                       {"file_path": str(project / ".hookgate" / "rollout.yaml"), "content": "version: 1\n"})
    assert not (project / ".hookgate" / "rollout.yaml").exists()
    assert results and results[0].get("is_error") and "self-protection" in json.dumps(results[0]), results
    assert [d["tool_name"] for d in final.get("permission_denials") or ()] == ["write_file"]
    assert decisions(project, "write_file")[-1]["outcome"] == "block"


def test_qwen_protected_read_is_not_performed(qwen_pkg, world):
    home, project = world
    r, api, results, final = qwen_case(qwen_pkg, world, "read_file", {"file_path": str(project / ".env")})
    assert results and results[0].get("is_error") and "read-guard" in json.dumps(results[0]), results
    assert SECRET not in api.text() and SECRET not in r.stdout
    assert decisions(project, "read_file")[-1]["outcome"] == "block"


def test_qwen_ordinary_write_is_performed(qwen_pkg, world):
    home, project = world
    r, api, results, final = qwen_case(qwen_pkg, world, "write_file",
                                       {"file_path": str(project / "src" / "ok.txt"), "content": "hello"})
    assert (project / "src" / "ok.txt").read_text() == "hello", results
    assert not final.get("permission_denials")
    rec = decisions(project, "write_file")
    assert rec and rec[-1]["outcome"] == "allow"


# --- OpenCode -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def opencode_pkg():
    return ensure_client(OPENCODE)


def opencode_case(opencode_pkg, world, tool, arguments, command=None, scope="project"):
    home, project = world
    command, check = recorded(project, command)
    install(home, project, "opencode", scope=scope, command=command)
    api = ChatAPI(tool, arguments)
    with api:
        opencode_config(str(project), api.port)
        r = run_opencode(opencode_pkg, str(home), str(project))
    assert tool in api.offered(), f"opencode did not offer {tool}: {sorted(api.offered())} {r.stderr[-2000:]}"
    log_dir = home / ".local" / "share" / "opencode" / "log"
    logs = "".join(f.read_text(errors="replace") for f in sorted(log_dir.iterdir())) if log_dir.is_dir() else ""
    bad = [ln for ln in logs.splitlines() if "level=ERROR" in ln and "plugin" in ln.lower()]
    assert not bad and "plugin" not in r.stderr.lower(), (bad, r.stderr[-2000:])  # the plugin loaded and ran
    tools = [e["part"] for e in json_lines(r.stdout) if e.get("type") == "tool_use"]
    assert tools, r.stdout[-3000:]
    check("opencode", ("tool.execute.before",))
    return r, api, tools[0]["state"]


def test_opencode_sanity_stub_must_deny(opencode_pkg, tmp_path, world):
    home, project = world
    r, api, state = opencode_case(opencode_pkg, world, "write", {"filePath": str(project / "src" / "ok.txt"), "content": "hi"},
                                  command=stub_deny(tmp_path))
    assert not (project / "src" / "ok.txt").exists(), "harness broken: a hook that always denies did not deny"
    assert state["status"] == "error" and "sanity stub: denied" in state["error"], state


def test_opencode_protected_write_is_not_performed(opencode_pkg, world):
    home, project = world
    r, api, state = opencode_case(opencode_pkg, world, "write",
                                  {"filePath": str(project / ".hookgate" / "rollout.yaml"), "content": "version: 1\n"})
    assert not (project / ".hookgate" / "rollout.yaml").exists()
    assert state["status"] == "error" and state["error"].startswith("hookgate blocked") and "self-protection" in state["error"]
    assert any("self-protection" in t for t in api.tool_results())  # the model got the reason
    assert decisions(project, "write")[-1]["outcome"] == "block"


def test_opencode_protected_read_is_not_performed(opencode_pkg, world):
    home, project = world
    r, api, state = opencode_case(opencode_pkg, world, "read", {"filePath": str(project / ".env")})
    assert state["status"] == "error" and "read-guard" in state["error"], state
    assert SECRET not in api.text() and SECRET not in r.stdout
    assert decisions(project, "read")[-1]["outcome"] == "block"


def test_opencode_ordinary_write_is_performed_user_scope_plugin(opencode_pkg, world):
    home, project = world
    r, api, state = opencode_case(opencode_pkg, world, "write", {"filePath": str(project / "src" / "ok.txt"), "content": "hello"},
                                  scope="user")
    assert (project / "src" / "ok.txt").read_text() == "hello", state
    assert state["status"] == "completed", state
    rec = decisions(project, "write")
    assert rec and rec[-1]["outcome"] == "allow"
    assert [e for e in ledger(project) if e.get("kind") == "post" and e.get("tool") == "write"]  # tool.execute.after


def test_opencode_plugin_fails_closed_when_hookgate_is_gone(opencode_pkg, tmp_path, world):
    """A plugin whose hookgate cannot start denies (every command-hook platform would allow)."""
    home, project = world
    exe = tmp_path / "gone" / "hookgate"
    exe.parent.mkdir()
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(0o755)
    install(home, project, "opencode", command=str(exe))
    exe.unlink()
    api = ChatAPI("write", {"filePath": str(project / "src" / "ok.txt"), "content": "hi"})
    with api:
        opencode_config(str(project), api.port)
        r = run_opencode(opencode_pkg, str(home), str(project))
    assert not (project / "src" / "ok.txt").exists(), r.stdout[-2000:]
    state = [e["part"] for e in json_lines(r.stdout) if e.get("type") == "tool_use"][0]["state"]
    assert state["status"] == "error" and "could not run" in state["error"], state


def test_copilot_fails_closed_when_hookgate_is_gone(copilot_pkg, tmp_path, world):
    """What install warns about for committed repository wiring: a preToolUse hook that cannot
    start denies every call in Copilot CLI."""
    home, project = world
    exe = tmp_path / "gone" / "hookgate"
    exe.parent.mkdir()
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(0o755)
    install(home, project, "copilot-cli", command=str(exe))
    exe.unlink()
    api = ChatAPI("create", {"path": str(project / "src" / "ok.txt"), "file_text": "hi"})
    with api:
        run_copilot(copilot_pkg, str(home), str(project), api.port)
    assert not (project / "src" / "ok.txt").exists(), api.tool_results()
    assert any(t.startswith("Denied by preToolUse hook") for t in api.tool_results()), api.tool_results()
