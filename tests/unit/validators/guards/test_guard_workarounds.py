"""ADR 0009: deny-workaround detection — a blocked path reached again by another route in
the same session is flagged (workaround_of) and the session's warn tier becomes checkpoint."""

from __future__ import annotations

import json
import os

from tests.conftest import run_cli
from tests.unit.validators.guards.helpers import decide, fresh_project


def test_write_then_shell_is_flagged_and_escalates(tmp_path):
    root, home = fresh_project(tmp_path)
    label, _, first = decide(root, home, "Write", {"file_path": f"{root}/.env", "content": "x"}, session="w1")
    assert label == "deny" and "workaround_of" not in first
    label, reason, second = decide(root, home, "Bash", {"command": "cat > .env <<'EOF'\nK=1\nEOF"}, session="w1")
    assert label == "deny"
    assert second["workaround_of"] == first["id"], second
    assert first["id"] in reason
    # escalation: lockfiles (warn) are now held for approval in this session only
    label, reason, _ = decide(root, home, "Write", {"file_path": f"{root}/package-lock.json", "content": "{}"}, session="w1")
    assert label == "ask", reason
    label, _, _ = decide(root, home, "Write", {"file_path": f"{root}/package-lock.json", "content": "{}"}, session="w2")
    assert label == "warn"


def test_same_route_retry_is_not_a_workaround(tmp_path):
    root, home = fresh_project(tmp_path)
    decide(root, home, "Bash", {"command": "cat .env"}, session="r1")
    _, _, rec = decide(root, home, "Bash", {"command": "cat .env"}, session="r1")
    assert "workaround_of" not in rec


def test_read_then_other_reader_is_flagged(tmp_path):
    root, home = fresh_project(tmp_path)
    _, _, first = decide(root, home, "Read", {"file_path": f"{home}/.ssh/id_rsa"}, session="k1")
    _, _, second = decide(root, home, "Bash", {"command": "base64 ~/.ssh/id_rsa"}, session="k1")
    assert second.get("workaround_of") == first["id"]
    _, _, other = decide(root, home, "Bash", {"command": "base64 ~/.ssh/id_rsa"}, session="k2")
    assert "workaround_of" not in other  # another session starts clean


def test_audit_tail_workarounds(tmp_path):
    root, home = fresh_project(tmp_path)
    _, _, first = decide(root, home, "Write", {"file_path": f"{root}/.env", "content": "x"}, session="a1")
    _, _, second = decide(root, home, "Bash", {"command": "echo x > .env"}, session="a1")
    decide(root, home, "Bash", {"command": "ls"}, session="a1")
    r = run_cli("audit", "tail", "--workarounds", "--json", cwd=str(root), env={"HOME": str(home)})
    assert r.returncode == 0, r.stderr
    recs = [json.loads(x) for x in r.stdout.splitlines() if x.strip()]
    assert [x["id"] for x in recs] == [second["id"]]
    assert recs[0]["workaround_of"] == first["id"]
    r = run_cli("audit", "tail", "--workarounds", cwd=str(root), env={"HOME": str(home)})
    assert f"workaround_of={first['id']}" in r.stdout
    assert os.path.isdir(os.path.join(root, ".git", "hookgate", "guard-sessions"))
