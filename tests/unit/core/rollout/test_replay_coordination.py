"""Issue #16 item 10: `hookgate replay` judges coordination against the lease and claim state as
it was at each record's time — an ended session's lease or a claim made from a terminal does
not show up as a "change". Real hook, real CLI."""

from __future__ import annotations

import json

from tests.conftest import ledger_records, run_cli, run_hook
from tests.support.payloads import claude_pre
from tests.unit.core.rollout.helpers import cli


def _write(project, rel, session):
    return run_hook(claude_pre(project, "Write", {"file_path": str(project / rel), "content": "x = 1\n"},
                               session=session), cwd=str(project))


def _end(project, session):
    p = {"session_id": session, "transcript_path": "", "cwd": str(project), "hook_event_name": "SessionEnd",
         "reason": "exit"}
    return run_hook(p, cwd=str(project))


def _coordination(rec):
    return next(v for v in rec["verdicts"] if v["hook"] == "coordination")


def test_replay_reports_no_false_coordination_changes(project):
    (project / "src").mkdir(exist_ok=True)
    _write(project, "src/a.py", "agent-A")          # A takes a lease on src/a.py
    _write(project, "src/a.py", "agent-B")          # B meets A's lease: lease-held (would block)
    _end(project, "agent-A")                        # A ends: its lease is released
    _write(project, "src/a.py", "agent-C")          # C writes freely
    r = run_cli("claim", "src/b.py", "--session", "human-1", cwd=project)
    assert r.returncode == 0, r.stderr
    _write(project, "src/b.py", "agent-C")          # C meets the claim: claim-held (would block)
    decisions = [x for x in ledger_records(project) if x.get("kind") == "decision"]
    rules = [_coordination(d).get("rule", "") for d in decisions]
    assert rules == ["", "lease-held", "", "claim-held"], rules
    res = cli(project, "replay", "--json")
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["changed"] == [], json.dumps(out["changed"], indent=1)
    assert out["replayed"] >= 4


def test_replay_applies_the_candidate_on_conflict_to_recorded_conflicts(project, tmp_path):
    (project / "src").mkdir(exist_ok=True)
    _write(project, "src/a.py", "agent-A")
    _write(project, "src/a.py", "agent-B")
    cand = tmp_path / "cand"
    (cand / "hooks").mkdir(parents=True)
    (cand / "rollout.yaml").write_text('version: 1\nhooks:\n  coordination: {stage: "enforce"}\n')
    (cand / "hooks" / "coordination.yaml").write_text("policy:\n  on_conflict: checkpoint\n")
    res = cli(project, "replay", "--json", "--policy", str(cand))
    assert res.returncode == 0, res.stderr
    changed = json.loads(res.stdout)["changed"]
    assert len(changed) == 1 and changed[0]["outcome"] == ["allow", "checkpoint"], changed
    hook = changed[0]["hooks"][0]
    assert hook["hook"] == "coordination" and hook["raw"] == ["block", "checkpoint"] and hook["rule"] == "lease-held"
