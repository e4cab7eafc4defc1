"""ADR 0008/0009 bad input: odd paths are decided, never a crash; ambiguity in a protected
scope is denied."""

from __future__ import annotations

import pytest

from tests.unit.validators.guards.helpers import decide


@pytest.mark.parametrize("tool,inp,want", [
    ("Read", {"file_path": "README.md\x00"}, "allow"),
    ("Read", {"file_path": "x\x00/../.env"}, "deny"),
    ("Write", {"file_path": ".env\x00.txt", "content": "x"}, "deny"),
    ("Read", {"file_path": "a/" * 10000 + "b.txt"}, "allow"),
    ("Read", {"file_path": "a/" * 10000 + ".env"}, "deny"),
    ("Read", {"file_path": "/".join(["x"] * 5000) + "/secrets/k"}, "deny"),
    ("Read", {"file_path": "caf\udce9/notes.txt"}, "allow"),
    ("Read", {"file_path": "{root}\\.env".replace("/", "\\")}, "deny"),
    ("Read", {"file_path": "C:\\Users\\me\\.ssh\\id_rsa"}, "deny"),
    ("Read", {"file_path": "file://{root}/.env"}, "deny"),
    ("Read", {"file_path": "file://{root}/README.md"}, "allow"),
    ("Write", {"content": "x"}, "deny"),
    ("Write", {"file_path": None, "content": "x"}, "deny"),
    ("Write", {"file_path": 42, "content": "x"}, "deny"),
    ("Write", {"file_path": "", "content": "x"}, "deny"),
    ("Read", {"file_path": ["a", "b"]}, "deny"),
    ("Edit", {"file_path": ".ENV", "old_string": "a", "new_string": "b"}, "deny"),
    ("Read", {"file_path": "~/.SSH/ID_RSA"}, "deny"),
    ("Bash", {"command": "cat $'\\x00'.env"}, "deny"),
    ("Bash", {"command": "cat " + "a/" * 3000 + ".env"}, "deny"),
])
def test_odd_inputs_are_decided(guarded, tool, inp, want):
    root, home = guarded
    inp = {k: (v.replace("{root}", str(root)) if isinstance(v, str) else v) for k, v in inp.items()}
    label, reason, rec = decide(root, home, tool, inp, session="bad")
    assert label == want, reason
    assert rec.get("kind") == "decision" and not rec.get("validator_error"), rec


def test_relative_path_without_cwd(guarded):
    """No cwd in the payload: paths resolve against the project dir the adapter falls back to;
    a protected name is still protected."""
    import json

    from hookgate.core.hook import handle
    from hookgate.adapters import claude_code
    from tests.unit.validators.guards.helpers import env_for

    root, home = guarded
    payload = {"session_id": "nocwd", "hook_event_name": "PreToolUse", "tool_name": "Read",
               "tool_input": {"file_path": ".env"}}
    env = dict(env_for(home), CLAUDE_PROJECT_DIR=str(root))
    out, err, code = handle("claude-code", json.dumps(payload).encode(), env)
    assert claude_code.classify_output(out, err, code) == "deny"


def test_non_utf8_protected_path_is_denied(guarded):
    root, home = guarded
    label, reason, _ = decide(root, home, "Read", {"file_path": "caf\udce9/.env"}, session="bad")
    assert label in ("deny", "exit2-deny"), reason
