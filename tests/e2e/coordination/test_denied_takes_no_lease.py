"""ADR 0013: a call an earlier validator denies takes no coordination lease (through the real
``hookgate hook``). Before, ``echo x > .claude/settings.json`` was denied by self-protection yet
left a 15-minute lease on the file that blocked every other session's write of it."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ledger_records, run_cli
from tests.unit.validators.coordination.conftest import bash, enforce, outcome, reason, write


def _leases(project) -> list[tuple[str, str]]:
    r = run_cli("locks", "list", "--json", cwd=project)
    assert r.returncode == 0, r.stderr
    return [(x["rel"], x["session"]) for x in json.loads(r.stdout)["leases"]]


def _verdict(project, hook: str) -> dict:
    return next(v for v in ledger_records(project)[-1]["verdicts"] if v["hook"] == hook)


@pytest.mark.parametrize("call", [
    lambda p, s: bash(p, s, "echo x > .claude/settings.json"),  # the shell route (redirect)
    lambda p, s: write(p, s, ".claude/settings.json"),  # the Write tool
], ids=["shell-redirect", "write-tool"])
def test_a_denied_protected_write_leaves_no_lease_for_other_sessions(project, call):
    enforce(project)
    (project / ".claude").mkdir()
    first = call(project, "sA")
    assert outcome(first) == "deny"
    assert _verdict(project, "self-protection")["effective"] == "block"
    assert _verdict(project, "coordination")["raw"] == "allow"  # its own verdict is unchanged
    assert _leases(project) == []  # before the fix: [(".claude/settings.json", "sA")]

    second = call(project, "sB")
    assert outcome(second) == "deny"  # self-protection still denies B …
    coord = _verdict(project, "coordination")
    assert coord["raw"] == "allow", coord  # … but A holds nothing that blocks B
    assert "sA" not in reason(second) and "another agent" not in reason(second)
    assert _leases(project) == []


def test_an_allowed_write_still_takes_its_lease(project):
    enforce(project)
    assert outcome(write(project, "sA")) == "allow"
    assert _leases(project) == [("src/app.py", "sA")]
    denied = write(project, "sB")
    assert outcome(denied) == "deny" and "session sA" in reason(denied)


def test_a_write_that_is_only_warned_about_still_takes_its_lease(project):
    """A warn verdict (write-guard's lockfile tier) is no deny: the write goes ahead, leased."""
    enforce(project)
    assert outcome(write(project, "sA", "package-lock.json")) == "warn"
    assert _verdict(project, "write-guard")["effective"] == "warn"
    assert _leases(project) == [("package-lock.json", "sA")]
    assert outcome(write(project, "sB", "package-lock.json")) == "deny"
    assert _verdict(project, "coordination")["rule"] == "lease-held"


def test_a_block_at_monitor_stage_is_no_deny_and_the_write_is_leased(project):
    """write-guard rolled back to monitor: its block on .env only records what it would do; the
    write goes ahead, so coordination leases it as any other."""
    enforce(project)
    (project / ".hookgate" / "rollout.yaml").write_text(
        'version: 1\nhooks:\n  coordination: {stage: "enforce"}\n  write-guard: {stage: "monitor"}\n')
    assert outcome(write(project, "sA", ".env")) == "allow"
    wg = _verdict(project, "write-guard")
    assert (wg["raw"], wg["effective"]) == ("block", "allow"), wg
    assert _leases(project) == [(".env", "sA")]
