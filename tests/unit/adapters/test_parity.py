"""Parity table: the same action gets the same decision on all seven platforms (Claude Code,
Cursor, Gemini CLI, Codex, Copilot CLI, Qwen Code, OpenCode).

Each row is one action, expressed in each platform's own payload (docs/platforms.md §1.3, §2.3,
§3.3), run through the real ``hookgate hook`` command. Asserted per row: the ledger's verdicts
(hook, raw, effective, rule) and accesses (path, mode) are identical on all three platforms, and
each platform's rendered output is what that merged outcome must look like there (a checkpoint
is a native ask where the event can ask, else a deny). Rows with a known answer under the
shipped config also pin the outcome.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import ledger_records, run_hook
from tests.support.payloads import action_pre
from hookgate.adapters import load

PLATFORMS = ("claude-code", "cursor", "gemini-cli", "codex", "copilot-cli", "qwen-code", "opencode")

# (id, action, argument, expected merged effective outcome or None = parity only)
ROWS = [
    ("write-ordinary", "write", "src/new.py", "allow"),
    ("write-hookgate-rollout", "write", ".hookgate/rollout.yaml", "block"),
    ("write-claude-settings", "write", ".claude/settings.json", "block"),
    ("write-claude-settings-local", "write", ".claude/settings.local.json", "block"),
    ("write-cursor-hooks", "write", ".cursor/hooks.json", "block"),
    ("write-gemini-settings", "write", ".gemini/settings.json", "block"),
    ("write-user-claude-settings", "write", "~/.claude/settings.json", "block"),
    ("write-dotdot-hookgate", "write", "src/../.hookgate/hooks/x.yaml", "block"),
    ("write-dotenv", "write", ".env", None),
    ("edit-ordinary", "edit", "src/app.py", "allow"),
    ("edit-hookgate-manifest", "edit", ".hookgate/hooks/write-guard.yaml", "block"),
    ("edit-gemini-user-settings", "edit", "~/.gemini/settings.json", "block"),
    ("read-readme", "read", "README.md", "allow"),
    ("read-hookgate-rollout", "read", ".hookgate/rollout.yaml", None),
    ("read-dotenv", "read", ".env", None),
    ("read-ssh-key", "read", "~/.ssh/id_rsa", None),
    ("grep-src", "grep", "src", "allow"),
    ("shell-git-status", "shell", "git status", "allow"),
    ("shell-cat-readme", "shell", "cat README.md", "allow"),
    ("shell-echo-claude-settings", "shell", "echo '{}' > .claude/settings.json", "block"),
    ("shell-rm-hookgate", "shell", "rm -rf .hookgate", "block"),
    ("shell-hookgate-promote", "shell", "hookgate rollout promote write-guard", "block"),
    ("shell-hookgate-status", "shell", "hookgate status", "allow"),
    ("shell-python-m-hookgate", "shell", "python3 -m hookgate install --platform all", "block"),
    ("shell-cat-dotenv", "shell", "cat .env", None),
    ("shell-eval-unknown", "shell", 'eval "$CMD"', None),
    ("mcp-write-hookgate", "mcp-write", ".hookgate/hooks/budget.yaml", "block"),
    ("mcp-read-readme", "mcp-read", "README.md", "allow"),
]


def can_ask(platform: str, action: str) -> bool:
    if platform in ("claude-code", "qwen-code"):
        return True
    if platform == "cursor":
        return action in ("shell", "mcp-write", "mcp-read")
    return False  # Gemini: native ask is opt-in (headless gemini -p hangs on it); Codex, Copilot, OpenCode: none


def rendered_class(platform: str, out) -> str:
    c = load(platform).classify_output(out.stdout.decode(), out.stderr.decode(), out.returncode)
    return {"exit2-deny": "deny"}.get(c, c)


def expected_class(merged: str, platform: str, action: str) -> str:
    return {"allow": "allow", "warn": "warn", "block": "deny",
            "checkpoint": "ask" if can_ask(platform, action) else "deny"}[merged]


def _merged(verdicts: list[dict]) -> str:
    rank = {"allow": 0, "warn": 1, "checkpoint": 2, "block": 3}
    return max((v["effective"] for v in verdicts), key=rank.get, default="allow")


@pytest.mark.parametrize("row", ROWS, ids=[r[0] for r in ROWS])
def test_same_decision_on_all_platforms(row, project, home):
    name, action, arg, expected = row
    (project / ".env").write_text("SECRET=1\n")
    seen = {}
    for platform in PLATFORMS:
        before = len(ledger_records(project))
        out = run_hook(action_pre(platform, action, arg, str(project), str(home)), platform, cwd=str(project))
        recs = [r for r in ledger_records(project)[before:] if r["kind"] == "decision"]
        assert len(recs) == 1, f"{platform}: expected one decision record, got {recs} / {out.stderr!r}"
        rec = recs[0]
        verdicts = sorted((v["hook"], v["raw"], v["effective"], v.get("rule", "")) for v in rec["verdicts"])
        accesses = sorted((a[0], a[1]) for a in rec.get("accesses", []))
        merged = _merged(rec["verdicts"])
        got = rendered_class(platform, out)
        assert got == expected_class(merged, platform, action), (platform, got, merged, out.stdout, out.stderr)
        if out.stdout.strip():
            json.loads(out.stdout)  # stdout carries nothing but JSON
        seen[platform] = (verdicts, accesses, merged)
    first = seen["claude-code"]
    for platform in PLATFORMS[1:]:
        assert seen[platform][0] == first[0], f"verdicts differ: claude-code {first[0]} vs {platform} {seen[platform][0]}"
        assert seen[platform][1] == first[1], f"accesses differ: claude-code {first[1]} vs {platform} {seen[platform][1]}"
    if expected is not None:
        assert first[2] == expected, f"{name}: expected {expected}, got {first[2]}"


def test_table_is_big_enough():
    assert len(ROWS) >= 20
