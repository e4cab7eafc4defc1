"""ADR 0013 end to end: two simulated Claude Code sessions through the real `hookgate hook`."""

from __future__ import annotations

import json
import os
import time

import pytest

from tests.conftest import ledger_records, run_cli, run_hook
from tests.unit.validators.coordination.conftest import bash, enforce, outcome, reason, session_end, state_file, write


def _coordination_verdict(rec):
    return next(v for v in rec["verdicts"] if v["hook"] == "coordination")


def test_second_session_denied_while_lease_lives_then_allowed_after_release(project):
    enforce(project)
    assert outcome(write(project, "s1")) == "allow"
    assert outcome(write(project, "s1", tool="Edit")) == "allow"  # the owner keeps writing
    second = write(project, "s2", tool="Edit")
    assert outcome(second) == "deny"
    why = reason(second)
    assert "src/app.py" in why and "claude-code session s1" in why and "lease since" in why
    assert "work on something else" in why and "adr/0013-coordination.md" in why

    listed = run_cli("locks", "list", cwd=project)
    assert listed.returncode == 0, listed.stderr
    assert "src/app.py" in listed.stdout and "session s1" in listed.stdout
    snap = json.loads(run_cli("locks", "list", "--json", cwd=project).stdout)
    assert [(r["rel"], r["session"]) for r in snap["leases"]] == [("src/app.py", "s1")]

    r = run_cli("locks", "release", "src/app.py", cwd=project)
    assert r.returncode == 0 and "released 1 lease" in r.stdout
    assert outcome(write(project, "s2")) == "allow"  # s2 now takes the lease
    assert outcome(write(project, "s1")) == "deny"
    assert json.loads(run_cli("locks", "list", "--json", cwd=project).stdout)["leases"][0]["session"] == "s2"


def test_lease_ends_at_ttl_expiry(project):
    enforce(project, "policy:\n  lease_ttl_seconds: 1\n  lease_renew_seconds: 1\n")
    assert outcome(write(project, "s1")) == "allow"
    assert outcome(write(project, "s2")) == "deny"
    time.sleep(1.2)
    assert outcome(write(project, "s2")) == "allow"
    from hookgate.validators.coordination import store

    assert [v["session"] for v in store.load(os.path.dirname(os.path.dirname(state_file(project))))["leases"].values()] == ["s2"]


def test_lease_ends_at_the_owners_session_end(project):
    enforce(project)
    assert outcome(write(project, "s1")) == "allow"
    assert outcome(write(project, "s2")) == "deny"
    assert session_end(project, "s1").returncode == 0
    assert outcome(write(project, "s2")) == "allow"


def test_other_files_are_not_affected(project):
    enforce(project)
    assert outcome(write(project, "s1", "src/app.py")) == "allow"
    assert outcome(write(project, "s2", "README.md")) == "allow"
    assert outcome(write(project, "s1", "README.md")) == "deny"


def test_checkpoint_policy_asks_instead(project):
    enforce(project, 'policy:\n  on_conflict: "checkpoint"\n')
    assert outcome(write(project, "s1")) == "allow"
    assert outcome(write(project, "s2")) == "ask"


def test_monitor_stage_records_would_block_and_allows(project):
    """Shipped stage: monitor. The lease is still taken and the ledger says what would block."""
    assert outcome(write(project, "s1")) == "allow"
    assert outcome(write(project, "s2")) == "allow"
    v = _coordination_verdict(ledger_records(project)[-1])
    assert v["stage"] == "monitor" and v["raw"] == "block" and v["would_block"] and v["rule"] == "lease-held"


def test_shell_write_to_a_leased_file_is_denied(project):
    enforce(project)
    assert outcome(write(project, "s1")) == "allow"
    r = bash(project, "s2", "echo hi > src/app.py")
    # the shell engine reports the redirect's write; if it misses it, this fails (never skips)
    assert _coordination_verdict(ledger_records(project)[-1])["raw"] == "block", ledger_records(project)[-1]
    assert outcome(r) == "deny" and "session s1" in reason(r)


@pytest.mark.parametrize(
    "rel,expected_cmd",
    [(".agents/notes/log.jsonl", "hookgate lock append .agents/notes/log.jsonl --record"),
     ("tasks/board.json", "hookgate lock run tasks/board.json --")],
)
def test_direct_write_to_a_coordination_file_is_denied_with_the_command(project, rel, expected_cmd):
    enforce(project)
    r = write(project, "s1", rel)
    assert outcome(r) == "deny"
    assert expected_cmd in reason(r) and "coordination file" in reason(r)
    assert _coordination_verdict(ledger_records(project)[-1])["rule"] == "coordination-file"


def test_shell_append_to_a_coordination_file_is_denied_but_hookgate_lock_is_allowed(project):
    enforce(project)
    r = bash(project, "s1", "echo '{}' >> .agents/log.jsonl")
    assert _coordination_verdict(ledger_records(project)[-1])["raw"] == "block", ledger_records(project)[-1]
    assert outcome(r) == "deny" and "hookgate lock append .agents/log.jsonl" in reason(r)
    ok = bash(project, "s1", "hookgate lock append .agents/log.jsonl --record '{\"done\": 1}'")
    assert outcome(ok) == "allow", reason(ok)
    assert _coordination_verdict(ledger_records(project)[-1])["raw"] == "allow"


def test_project_adds_coordination_files(project):
    enforce(project, "policy:\n  coordination_files: [\"notes/*.md\"]\n")
    assert outcome(write(project, "s1", "notes/plan.md")) == "deny"
    assert outcome(write(project, "s1", "tasks/board.json")) == "deny"  # shipped pattern kept


def test_exclusive_claim_blocks_other_sessions_reads_and_writes(project):
    enforce(project)
    r = run_cli("claim", "src", "--mode", "exclusive", "--session", "s1", cwd=project)
    assert r.returncode == 0, r.stderr + r.stdout
    read = run_hook({"session_id": "s2", "cwd": str(project), "hook_event_name": "PreToolUse",
                     "tool_name": "Read", "tool_input": {"file_path": str(project / "src" / "app.py")}})
    assert outcome(read) == "deny" and "exclusive claim" in reason(read)
    assert outcome(write(project, "s2")) == "deny"
    assert outcome(write(project, "s1")) == "allow"
    r = run_cli("claim", "--release", "--session", "s1", cwd=project)
    assert r.returncode == 0
    assert outcome(write(project, "s2", "src/other.py")) == "allow"


def test_claim_queues_behind_a_lease_and_is_granted_after_release(project):
    enforce(project)
    assert outcome(write(project, "s1")) == "allow"
    r = run_cli("claim", "src/app.py", "--mode", "write", "--session", "s2", "--json", cwd=project)
    assert r.returncode == 75
    row = json.loads(r.stdout)["claims"][0]
    assert not row["granted"] and row["waiting_on"].startswith("lease:")
    assert "src/app.py" in run_cli("locks", "list", cwd=project).stdout
    session_end(project, "s1")
    r = run_cli("claim", "src/app.py", "--mode", "write", "--session", "s2", "--json", cwd=project)
    assert r.returncode == 0 and json.loads(r.stdout)["claims"][0]["granted"]


def test_corrupt_state_is_set_aside_not_wedging_writes(project):
    """ADR 0027: a corrupt main document is set aside without losing the leases (they live in
    shards); a corrupt shard is set aside and only its leases end."""
    import glob

    enforce(project)
    assert outcome(write(project, "s1")) == "allow"
    with open(state_file(project), "w") as f:
        f.write("{not json")
    assert outcome(write(project, "s2")) == "deny"  # s1's lease is still there
    assert glob.glob(state_file(project) + ".corrupt-*")
    shards = glob.glob(os.path.join(os.path.dirname(state_file(project)), "shards", "*.jsonl"))
    assert len(shards) == 1
    with open(shards[0], "w") as f:
        f.write("[1]\n")  # a line that parses but is no change record (a torn line is only skipped)
    assert outcome(write(project, "s2")) == "allow"
    assert glob.glob(shards[0] + ".corrupt-*")
