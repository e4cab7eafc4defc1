"""``hookgate install`` / ``uninstall`` through the real command, asserted byte for byte (ADR 0011).

HOME and the project are temp dirs (conftest), pre-seeded with foreign hooks and, for Gemini,
comments.
"""

from __future__ import annotations

import json
import os
import shlex
import stat

import pytest

from tests.conftest import HOOKGATE, run_cli
from hookgate.installer import checks, merge, targets
from hookgate.adapters import cursor

WIRED = os.path.join(os.path.dirname(HOOKGATE), "hookgate-client")  # the static thin client (ADR 0025)

FOREIGN = {
    "claude-code": {
        "permissions": {"allow": ["Bash(ls)"]},
        "hooks": {
            "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "/opt/other/guard pre", "timeout": 5}]}],
            "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}],
        },
        "model": "opus",
    },
    "cursor": {"version": 1, "hooks": {"beforeShellExecution": [{"command": "./audit.sh", "timeout": 5}],
                                       "afterFileEdit": [{"command": "./fmt.sh"}]}},
    "gemini-cli": {"hooks": {"BeforeTool": [{"matcher": "write_file", "hooks": [
        {"name": "other-guard", "type": "command", "command": "/opt/g", "timeout": 2000}]}]},
        "privacy": {"usageStatisticsEnabled": False}},
    "codex": {"hooks": {"PreToolUse": [{"matcher": "^Bash$", "hooks": [{"type": "command", "command": "/opt/codex-guard", "timeout": 5}]}],
                        "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}]}},
    "copilot-cli": {"version": 1, "hooks": {"preToolUse": [{"type": "command", "bash": "./audit.sh", "timeoutSec": 5}],
                                            "PreToolUse": [{"type": "command", "command": "/opt/other", "timeoutSec": 5}]}},
    "qwen-code": {"security": {"auth": {"selectedType": "openai"}}, "hooks": {"PreToolUse": [{"matcher": "run_shell_command", "hooks": [
        {"type": "command", "command": "/opt/q", "timeout": 5}]}]}, "model": {"name": "qwen3-coder"}},
}
# hand-written formatting (not what json.dumps would produce): uninstall must give these bytes back
def seed_bytes(platform: str) -> bytes:
    return json.dumps(FOREIGN[platform], indent=4, sort_keys=False).replace("\n", "\r\n").encode() + b"\r\n"


def files(project, home, scope="project"):
    root = str(project) if scope == "project" else str(home)
    # (OpenCode's wiring is a whole plugin file, not a merged settings file: test_install_more_platforms.py)
    return {p: targets.target(p, scope, str(home), str(project)).path for p in targets.PLATFORMS
            if targets.layout(p) != "plugin"} if root else {}


def seed(project, home, scope="project"):
    out = {}
    for p, path in files(project, home, scope).items():
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(seed_bytes(p))
        out[p] = path
    return out


def read(path) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def install(project, *args):
    return run_cli("install", *args, cwd=str(project))


@pytest.mark.parametrize("scope", ["project", "user"])
def test_install_keeps_foreign_entries_in_order_and_is_idempotent(project, home, scope):
    paths = seed(project, home, scope)
    r = install(project, "--platform", "all", "--scope", scope)
    assert r.returncode == 0, r.stderr
    first = {p: read(f) for p, f in paths.items()}
    for p, path in paths.items():
        doc = json.loads(first[p])
        from hookgate.floor import native  # the floor's settings are hookgate's too (ADR 0020)

        stripped, removed = merge.remove_ours(native.strip(doc, native.read_sidecar(path)), p)
        assert stripped == FOREIGN[p], p  # foreign entries untouched, in order
        # + `serve start` twice (ADR 0025), where Claude's own sandbox is off: with it on, Claude
        # keeps command hooks (its sandbox proxy refuses the loopback http door)
        server = p == "claude-code" and scope == "project" and (doc.get("sandbox") or {}).get("enabled") is not True
        assert removed == len(checks.REQUIRED[p]) + (2 if server else 0)
        ours = checks.our_handlers(doc, p)
        if server:
            assert len(ours.pop("UserPromptSubmit")) == 1 and len(ours["SessionStart"]) == 2
            ours["SessionStart"] = ours["SessionStart"][1:]
        assert sorted(ours) == sorted(checks.REQUIRED[p]) and all(len(v) == 1 for v in ours.values())
        assert os.path.exists(path + merge.BACKUP_SUFFIX) and read(path + merge.BACKUP_SUFFIX) == seed_bytes(p)
        # foreign entries come first in a shared event, ours after
        if p == "claude-code":
            assert doc["hooks"]["PreToolUse"][0]["hooks"][0]["command"] == "/opt/other/guard pre"
    mtimes = {p: os.stat(f).st_mtime_ns for p, f in paths.items()}
    r = install(project, "--platform", "all", "--scope", scope)
    assert r.returncode == 0
    assert {p: read(f) for p, f in paths.items()} == first  # byte-identical
    assert {p: os.stat(f).st_mtime_ns for p, f in paths.items()} == mtimes  # not even rewritten
    r = run_cli("uninstall", "--platform", "all", "--scope", scope, cwd=str(project))
    assert r.returncode == 0, r.stderr
    for p, path in paths.items():
        assert read(path) == seed_bytes(p), p  # the original bytes
        assert not os.path.exists(path + merge.BACKUP_SUFFIX)


def test_registered_command_and_units(project, home):
    assert install(project, "--platform", "all", "--no-server").returncode == 0  # the command hooks
    f = files(project, home)
    claude = json.loads(read(f["claude-code"]))
    cur = json.loads(read(f["cursor"]))
    gem = json.loads(read(f["gemini-cli"]))
    handlers = [g["hooks"][0] for ev in claude["hooks"].values() for g in ev]
    handlers += [h for ev in cur["hooks"].values() for h in ev]
    handlers += [g["hooks"][0] for ev in gem["hooks"].values() for g in ev]
    for h in handlers:
        argv = shlex.split(h["command"])
        assert argv[0] == WIRED and os.path.isabs(argv[0]) and "-m" not in argv and "python" not in argv[0]
    pre = claude["hooks"]["PreToolUse"][0]["hooks"][0]
    assert pre["onFailure"] == "block" and pre["timeout"] == 30  # seconds
    assert all(g["hooks"][0]["timeout"] >= 1000 for ev in gem["hooks"].values() for g in ev)  # milliseconds
    for ev_name, hs in cur["hooks"].items():
        assert ev_name in cursor.DOCUMENTED_EVENTS
        assert hs[0]["timeout"] <= 60  # seconds
        assert hs[0].get("failClosed") is (True if ev_name in cursor.GUARD_EVENTS else None)
    assert tuple(cur["hooks"]) == cursor.WIRED_EVENTS and cur["version"] == 1
    assert all(g["hooks"][0]["name"].startswith("hookgate:") for ev in gem["hooks"].values() for g in ev)


def test_path_with_spaces_is_quoted(project, home, tmp_path):
    d = tmp_path / "dir with space" / "bin"
    d.mkdir(parents=True)
    exe = d / "hookgate"
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(0o755)
    assert install(project, "--platform", "cursor", "--command", str(exe)).returncode == 0
    h = json.loads(read(files(project, home)["cursor"]))["hooks"]["preToolUse"][0]
    assert shlex.split(h["command"]) == [str(exe), "hook", "--platform", "cursor"]


@pytest.mark.parametrize("bad", [
    b'{"hooks": {"BeforeTool": []}, // trailing comment\n}',
    b'{\n  /* block comment */\n  "hooks": {}\n}\n',
    b"{not json", b"[1, 2]", b'{"hooks": []}', b'{"hooks": {"BeforeTool": {}}}', b'{"a": 1, "a": 2}',
])
def test_unparseable_file_is_refused_and_nothing_is_written(project, home, bad):
    paths = files(project, home)
    os.makedirs(os.path.dirname(paths["gemini-cli"]))
    with open(paths["gemini-cli"], "wb") as f:
        f.write(bad)
    r = install(project, "--platform", "all")
    assert r.returncode != 0
    assert paths["gemini-cli"] in r.stderr
    assert read(paths["gemini-cli"]) == bad
    assert not os.path.exists(paths["claude-code"]) and not os.path.exists(paths["cursor"])  # all or nothing
    assert not os.path.exists(paths["gemini-cli"] + merge.BACKUP_SUFFIX)
    r = run_cli("uninstall", "--platform", "gemini-cli", cwd=str(project))
    assert r.returncode != 0 and read(paths["gemini-cli"]) == bad


def test_dry_run_writes_nothing_and_prints_a_diff(project, home):
    paths = seed(project, home)
    r = install(project, "--platform", "all", "--dry-run")
    assert r.returncode == 0
    assert "+" in r.stdout and "hook --platform cursor" in r.stdout
    for p, path in paths.items():
        assert read(path) == seed_bytes(p) and not os.path.exists(path + merge.BACKUP_SUFFIX)


def test_created_file_is_removed_on_uninstall(project, home):
    path = files(project, home)["cursor"]
    assert install(project, "--platform", "cursor").returncode == 0
    assert os.path.exists(path) and not os.path.exists(path + merge.BACKUP_SUFFIX)
    assert run_cli("uninstall", "--platform", "cursor", cwd=str(project)).returncode == 0
    assert not os.path.exists(path)
    # uninstall with nothing there is a clean no-op
    assert run_cli("uninstall", "--platform", "cursor", cwd=str(project)).returncode == 0


def test_user_edits_after_install_survive_uninstall(project, home):
    paths = seed(project, home)
    assert install(project, "--platform", "claude-code").returncode == 0
    doc = json.loads(read(paths["claude-code"]))
    doc["env"] = {"FOO": "1"}
    with open(paths["claude-code"], "w") as f:
        json.dump(doc, f)
    assert run_cli("uninstall", "--platform", "claude-code", cwd=str(project)).returncode == 0
    after = json.loads(read(paths["claude-code"]))
    assert after == {**FOREIGN["claude-code"], "env": {"FOO": "1"}}


def test_stale_path_is_replaced_not_duplicated(project, home, tmp_path):
    old = tmp_path / "old" / "bin" / "hookgate"
    old.parent.mkdir(parents=True)
    old.write_text("#!/bin/sh\n")
    old.chmod(0o755)
    assert install(project, "--platform", "gemini-cli", "--command", str(old)).returncode == 0
    r = run_cli("doctor", "--platform", "gemini-cli", cwd=str(project))
    assert "stale path" in r.stdout and r.returncode != 0
    assert install(project, "--platform", "gemini-cli").returncode == 0
    doc = json.loads(read(files(project, home)["gemini-cli"]))
    ours = checks.our_handlers(doc, "gemini-cli")
    assert all(len(v) == 1 and shlex.split(v[0]["command"])[0] == WIRED for v in ours.values())


def test_file_mode_is_preserved(project, home):
    paths = seed(project, home)
    os.chmod(paths["claude-code"], 0o640)
    assert install(project, "--platform", "claude-code").returncode == 0
    assert stat.S_IMODE(os.stat(paths["claude-code"]).st_mode) == 0o640


@pytest.mark.parametrize("platform,mutate,needle", [
    ("claude-code", lambda d: d["hooks"]["PreToolUse"][0]["hooks"][0].update(timeout=30000), "milliseconds"),
    ("claude-code", lambda d: d["hooks"]["PreToolUse"][0]["hooks"][0].pop("onFailure"), "onFailure"),
    ("gemini-cli", lambda d: d["hooks"]["BeforeTool"][0]["hooks"][0].update(timeout=30), "seconds"),
    ("cursor", lambda d: d["hooks"]["beforeReadFile"][0].pop("failClosed"), "failClosed"),
    ("cursor", lambda d: d["hooks"].pop("beforeShellExecution"), "missing events"),
    ("cursor", lambda d: d["hooks"]["preToolUse"].append(dict(d["hooks"]["preToolUse"][0])), "duplicated"),
    ("cursor", lambda d: d["hooks"].update(beforeFileEdit=[{"command": "x"}]), "unknown Cursor event"),
])
def test_doctor_reports_wiring_problems(project, home, platform, mutate, needle):
    assert install(project, "--platform", platform).returncode == 0
    path = files(project, home)[platform]
    doc = json.loads(read(path))
    mutate(doc)
    with open(path, "w") as f:
        json.dump(doc, f)
    res = checks.wiring_checks(platform, str(home), str(project), HOOKGATE)
    assert any(needle in detail and not ok for _, ok, detail in res), res


def test_wiring_checks_pass_after_install(project, home):
    assert install(project, "--platform", "all").returncode == 0
    # Copilot loads repository hooks only in trusted folders (ADR 0023; test_install_more_platforms.py)
    (home / ".copilot").mkdir()
    (home / ".copilot" / "config.json").write_text(json.dumps({"trusted_folders": [str(project)]}))
    for p in targets.PLATFORMS:
        res = checks.wiring_checks(p, str(home), str(project), HOOKGATE)
        assert res and all(ok for _, ok, _ in res), res


def test_warns_when_claude_and_cursor_are_both_wired(project, home):
    assert install(project, "--platform", "claude-code").returncode == 0
    r = install(project, "--platform", "cursor")
    assert r.returncode == 0 and "Cursor also runs Claude Code hooks" in r.stderr


def test_cli_arguments(project):
    assert install(project).returncode != 0  # --platform is required
    assert install(project, "--platform", "windsurf").returncode != 0
    assert install(project, "--platform", "cursor", "--scope", "global").returncode != 0
    assert install(project, "--platform", "cursor", "--command", "hookgate").returncode != 0  # not absolute


@pytest.mark.parametrize("seeded", [False, True], ids=["created-by-install", "pre-existing"])
def test_reinstall_after_user_edit_then_uninstall_leaves_no_hookgate(project, home, seeded):
    """Issue #16 item 5: install, the user edits the file, install again, uninstall → not one
    hookgate entry remains, and the user's edit is still there (the second install used to back
    up a file that already held hookgate, and uninstall "restored" it: four entries remained)."""
    path = files(project, home)["claude-code"]
    if seeded:
        seed(project, home)
    assert install(project, "--platform", "claude-code").returncode == 0
    doc = json.loads(read(path))
    doc["hooks"].setdefault("Stop", []).append({"hooks": [{"type": "command", "command": "my-notifier"}]})
    doc["hooks"]["PreToolUse"].insert(0, {"matcher": "Edit", "hooks": [{"type": "command", "command": "mine"}]})
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
    assert install(project, "--platform", "claude-code").returncode == 0
    r = run_cli("uninstall", "--platform", "claude-code", cwd=str(project))
    assert r.returncode == 0, r.stderr
    after = json.loads(read(path))
    assert checks.our_handlers(after, "claude-code") == {}
    assert "hookgate" not in read(path).decode()
    cmds = [h["command"] for evs in after["hooks"].values() for e in evs for h in e.get("hooks", [])]
    assert "my-notifier" in cmds and "mine" in cmds
    assert not os.path.exists(path + merge.BACKUP_SUFFIX) or seeded
