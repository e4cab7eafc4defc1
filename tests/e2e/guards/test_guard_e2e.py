"""ADR 0008/0009 end to end: a representative subset through the real `hookgate hook`."""

from __future__ import annotations

import json

import pytest

from hookgate.adapters import claude_code
from tests.conftest import ledger_records, run_hook
from tests.support.payloads import claude_pre
from tests.unit.validators.guards.helpers import build_project

CASES = [
    ("Bash", {"command": "cat .env"}, "deny"),
    ("Bash", {"command": "echo K=1 | tee -a .env.local"}, "deny"),
    ("Bash", {"command": "python3 -c \"print(open('.env').read())\""}, "deny"),
    ("Bash", {"command": "bash -c 'cp ~/.ssh/id_rsa /tmp/k'"}, "deny"),
    ("Bash", {"command": "cat envlink"}, "deny"),
    ("Bash", {"command": "F=$(cat list.txt); cat \"$F\""}, "deny"),  # list.txt holds ".env" (read now)
    ("Bash", {"command": "xargs -a .env touch"}, "deny"),  # never read by the hook: unknown
    ("Bash", {"command": "cat files.txt | xargs wc -l"}, "allow"),
    ("Bash", {"command": "echo x >> .github/workflows/ci.yml"}, "ask"),
    ("Bash", {"command": "ls -la .env && git add .env.example"}, "allow"),
    ("Bash", {"command": "WORK=$(mktemp -d); ls > \"$WORK/out.log\""}, "allow"),
    ("Write", {"file_path": ".env", "content": "x"}, "deny"),
    ("Read", {"file_path": "~/.aws/credentials"}, "deny"),
    ("Grep", {"pattern": "KEY", "glob": ".env*"}, "deny"),
    ("Write", {"file_path": "package-lock.json", "content": "{}"}, "warn"),
    ("Read", {"file_path": "README.md"}, "allow"),
    # issue 18's classes (ADR 0021)
    ("Bash", {"command": "cat .{a..z}{a..z}{a..z}"}, "deny"),
    ("Bash", {"command": "true && A=.e; cat \"${A}nv\""}, "deny"),
    ("Bash", {"command": "F=$(find . -name .env); python3 -c \"print(open('$F').read())\""}, "deny"),
    ("Bash", {"command": "git -c alias.x='!cat .env' x"}, "deny"),
    ("Bash", {"command": "PAGER='cat .env' git log"}, "deny"),
    ("Bash", {"command": "sed -n '1r .env' README.md"}, "deny"),
    ("Bash", {"command": "bash scripts/show-env.sh"}, "deny"),
    ("Bash", {"command": "grep -r KEY ."}, "deny"),
    ("Bash", {"command": "git -c color.ui=always log -1"}, "allow"),
    ("Grep", {"pattern": "KEY", "output_mode": "content"}, "deny"),
    ("mcp__shell__run", {"command": "cat .env"}, "deny"),
]


@pytest.fixture
def e2e(tmp_path, home):
    root = tmp_path / "proj"
    root.mkdir()
    build_project(root, home)
    return root, home


@pytest.mark.parametrize("tool,inp,want", CASES, ids=[f"{t}:{list(i.values())[0]}" for t, i, _ in CASES])
def test_real_hook(e2e, tool, inp, want):
    root, home = e2e
    r = run_hook(claude_pre(root, tool, inp, session=f"e2e-{tool}"), cwd=str(root), env={"HOME": str(home)})
    got = claude_code.classify_output(r.stdout.decode(), r.stderr.decode(), r.returncode)
    assert got == want, (r.stdout, r.stderr)
    if want == "deny":
        reason = json.loads(r.stdout)["hookSpecificOutput"]["permissionDecisionReason"]
        assert "rule " in reason and "adr/000" in reason and "Do not retry" in reason
    rec = ledger_records(root)[-1]
    assert rec["outcome"] == {"deny": "block", "ask": "checkpoint", "warn": "warn", "allow": "allow"}[want]
