"""ADR 0015: `hookgate replay` re-decides recorded actions (real hook, real command) against the
current policy and a candidate policy dir, and says what it could not see."""

from __future__ import annotations

import json

from tests.conftest import ledger_records, run_hook
from tests.support.payloads import claude_pre
from tests.unit.core.rollout.helpers import cli


def _record_actions(project):
    (project / "tasks").mkdir()
    calls = [
        ("Write", {"file_path": str(project / "tasks" / "board.json"), "content": "[]"}),  # coordination file
        ("Write", {"file_path": str(project / ".hookgate" / "hooks" / "x.yaml"), "content": "x"}),  # self-protection
        ("Write", {"file_path": str(project / "src" / "big.py"), "content": "y" * 300}),  # truncated in the ledger
        ("Read", {"file_path": str(project / "README.md")}),
    ]
    for tool, inp in calls:
        run_hook(claude_pre(project, tool, inp), cwd=str(project))
    return [r for r in ledger_records(project) if r.get("kind") == "decision"]


def _replay(project, *args) -> dict:
    res = cli(project, "replay", "--json", *args)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def test_replay_against_the_current_policy_changes_nothing(project):
    recs = _record_actions(project)
    assert len(recs) == 4
    out = _replay(project)
    assert (out["replayed"], len(out["changed"]), out["unchanged"], out["errors"]) == (4, 0, 4, [])
    assert out["truncated_inputs"] == 1
    assert "cut to 200 characters" in out["note"]
    text = cli(project, "replay").stdout
    assert "replayed 4 recorded actions against the current policy" in text
    assert "cut to 200 characters" in text and "1 with truncated input" in text


def test_replay_against_a_candidate_policy_lists_what_changes(project, tmp_path):
    recs = _record_actions(project)
    board = recs[0]
    assert board["outcome"] == "allow" and board["would_block"]  # coordination is at monitor
    cand = tmp_path / "candidate"
    (cand / "hooks").mkdir(parents=True)
    (cand / "rollout.yaml").write_text('version: 1\nhooks:\n  coordination: {stage: "enforce"}\n')
    (cand / "hooks" / "coordination.yaml").write_text('policy:\n  coordination_files: ["src/*.py"]\n')
    out = _replay(project, "--policy", str(cand))
    changed = {c["id"]: c for c in out["changed"]}
    assert set(changed) == {recs[0]["id"], recs[2]["id"]}
    assert changed[board["id"]]["outcome"] == ["allow", "block"]
    hook = changed[board["id"]]["hooks"][0]
    assert hook["hook"] == "coordination" and hook["raw"] == ["block", "block"] and hook["effective"] == ["allow", "block"]
    big = changed[recs[2]["id"]]
    assert big["truncated_input"] is True and big["hooks"][0]["raw"] == ["allow", "block"]
    assert out["policy"].startswith("candidate ")
    res = cli(project, "replay", "--policy", str(cand), "--exit-code")
    assert res.returncode == 1
    assert "2 would change" in res.stdout and "outcome allow → block" in res.stdout
    assert "~ " in res.stdout  # the truncated record is marked


def test_replay_never_touches_live_state(project, tmp_path):
    _record_actions(project)
    state = project / ".git" / "hookgate"
    before = {p.name: p.stat().st_mtime_ns for p in state.rglob("*") if p.is_file()}
    _replay(project)
    after = {p.name: p.stat().st_mtime_ns for p in state.rglob("*") if p.is_file()}
    assert after == before


def test_replay_since_and_a_recorded_older_decision(project):
    from hookgate.state import backend

    _record_actions(project)
    # a decision recorded under an older policy that let an agent write hookgate's config
    old = {"v": 1, "id": "old00001", "ts": "2026-01-01T00:00:00.000Z", "kind": "decision", "platform": "claude-code",
           "session": "s0", "event": "PreToolUse", "cwd": str(project), "tool": "Write", "tool_kind": "write",
           "input": {"file_path": str(project / ".hookgate" / "rollout.yaml"), "content": "x"},
           "verdicts": [{"hook": "self-protection", "raw": "allow", "stage": "enforce", "effective": "allow",
                         "would_block": False}], "outcome": "allow", "would_block": False}
    backend.ledger_append(str(project / ".git" / "hookgate"), old)
    out = _replay(project)
    assert [c["id"] for c in out["changed"]] == ["old00001"]
    assert out["changed"][0]["outcome"] == ["allow", "block"]
    assert _replay(project, "--since", "2026-06-01")["changed"] == []
    recent = _replay(project, "--since", "1d")
    assert recent["replayed"] == 4
    bad = cli(project, "replay", "--since", "last tuesday")
    assert bad.returncode != 0 and "--since" in bad.stderr


def test_replay_refuses_a_candidate_that_does_not_compile(project, tmp_path):
    cand = tmp_path / "bad"
    cand.mkdir()
    (cand / "rollout.yaml").write_text("version: 1\nhooks:\n  coordination: {stage: off}\n")
    res = cli(project, "replay", "--policy", str(cand))
    assert res.returncode == 1 and "candidate policy does not compile" in res.stderr
