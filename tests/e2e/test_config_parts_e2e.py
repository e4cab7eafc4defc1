"""The real ``hookgate hook`` command with a 400-rule project policy: a decision made from the
config's marshal copy, loaded key by key (ADR 0027, session 8), is the decision made from the
verified JSON cache; a copy whose parts were tampered with still denies what the rules deny (the
slow path decides, and writes a good copy again)."""

from __future__ import annotations

import json
import os

import pytest

from tests.conftest import run_hook

SHAPES = ("secret{i}.txt", "config/prod{i}.yml", "vault{i}/", "~/.tool{i}/credentials", "*.key{i}",
          "deploy/**/token{i}.json", "keys{i}/*.pem")


def _yaml(n: int, kind: str) -> str:
    tier = "deny" if kind == "read" else "block"
    out = ["policy:", "  rules:"]
    for i in range(n):
        out += [f"    - id: bench-{kind}-{i}", f"      tier: {tier}",
                f"      paths: [\"{SHAPES[i % len(SHAPES)].format(i=i)}\"]"]
    return "\n".join(out) + "\n"


@pytest.fixture
def ruled(project, home):
    cfg = project / ".hookgate"
    (cfg / "hooks").mkdir(parents=True)
    (cfg / "rollout.yaml").write_text("version: 1\nhooks:\n  read-guard: enforce\n  write-guard: enforce\n")
    for kind in ("read", "write"):
        (cfg / "hooks" / f"{kind}-guard.yaml").write_text(_yaml(400, kind))
    state = project / ".git" / "hookgate"
    for _ in range(2):  # compiles; then verifies the JSON cache and writes the marshal copy
        r = run_hook(_payload(project, "Read", {"file_path": str(project / "README.md")}, "warm"), env=_env(project))
        assert r.returncode == 0, r.stderr
    assert (state / "config.marshal").exists()
    return project, state


def _env(project) -> dict:
    return {"CLAUDE_PROJECT_DIR": str(project), "HOOKGATE_SERVE": "off"}


def _payload(project, tool: str, tool_input: dict, session: str) -> dict:
    return {"session_id": session, "cwd": str(project), "hook_event_name": "PreToolUse", "tool_name": tool,
            "tool_input": tool_input}


def _decision(r) -> tuple:
    assert r.returncode in (0, 2), r.stderr
    out = json.loads(r.stdout) if r.stdout.strip() else {}
    spec = out.get("hookSpecificOutput") or {}
    return r.returncode, spec.get("permissionDecision"), spec.get("permissionDecisionReason"), r.stderr


def _cases(p) -> list:
    return [("Write", {"file_path": f"{p}/src/app.py", "content": "x"}),
            ("Write", {"file_path": f"{p}/secret0.txt", "content": "x"}),
            ("Read", {"file_path": f"{p}/README.md"}),
            ("Read", {"file_path": f"{p}/vault2/notes"}),
            ("Read", {"file_path": f"{p}/x.key4"}),
            ("Bash", {"command": "cat README.md src/app.py | grep -c x"}),
            ("Bash", {"command": "cat config/prod1.yml"}),
            ("Bash", {"command": "rm -rf ~/.tool3"}),
            ("Bash", {"command": "cat deploy/a/token5.json keys6/id.pem"}),
            ("Bash", {"command": "cat ./*.key4"})]


def test_the_real_hook_decides_from_the_copy_as_from_the_json(ruled):
    project, state = ruled
    copy = state / "config.marshal"
    denied = 0
    for n, (tool, inp) in enumerate(_cases(project)):
        before = copy.stat()
        fast = _decision(run_hook(_payload(project, tool, inp, f"fast{n}"), env=_env(project)))
        after = copy.stat()
        assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)  # read, not rewritten
        os.unlink(copy)  # the JSON cache decides (and writes the copy again)
        slow = _decision(run_hook(_payload(project, tool, inp, f"slow{n}"), env=_env(project)))
        assert copy.exists()
        assert fast == slow, (tool, inp)
        denied += fast[1] == "deny"
    assert denied >= 6  # the cases reach the rules (a differential of allows alone proves little)


def test_tampered_parts_still_deny_and_the_copy_is_written_again(ruled):
    project, state = ruled
    copy = state / "config.marshal"
    raw = copy.read_bytes()
    mac, _, rest = raw.partition(b"\n")
    end = len(mac) + 1 + 11 + int(rest[:10])
    # every byte after the header: each part's digest in the signed header no longer matches
    copy.write_bytes(raw[:end] + bytes(b ^ 0x5A for b in raw[end:]))
    for n, (tool, inp, rule) in enumerate([
        ("Bash", {"command": "cat secret7.txt"}, "bench-read-7"),
        ("Write", {"file_path": f"{project}/a/b/secret14.txt", "content": "x"}, "bench-write-14"),
        ("Read", {"file_path": f"{project}/z.key11"}, "bench-read-11"),
    ]):
        code, decision, reason, _err = _decision(run_hook(_payload(project, tool, inp, f"t{n}"), env=_env(project)))
        assert decision == "deny" and rule in reason, (tool, inp, reason)
    fixed = copy.read_bytes()
    assert fixed != raw[:end] + bytes(b ^ 0x5A for b in raw[end:])  # the slow path wrote a good copy again
