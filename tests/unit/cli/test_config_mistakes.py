"""Issue #16 item 9: config mistakes are hard to miss. A refused rollout.yaml is a FAIL in
`doctor` (with a Fix: line, exit 1, and in --json) and a non-zero `status`; a hand edit that
changes a stage is recorded as a `rollout_change` before the next decision, which carries the
new revision. Through the real command and the real hook."""

from __future__ import annotations

import json

from tests.conftest import ledger_records, run_cli, run_hook
from tests.support.payloads import claude_pre


def _init(project):
    r = run_cli("init", cwd=project)
    assert r.returncode == 0, r.stderr
    return project / ".hookgate" / "rollout.yaml"


def test_refused_config_fails_doctor_and_status(project, home):
    rollout = _init(project)
    rollout.write_text(rollout.read_text().replace('coordination: {stage: "monitor"}',
                                                   'coordination: {stage: "monitr"}'))
    r = run_cli("status", cwd=project)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "CONFIG REFUSED" in r.stdout and "monitr" in r.stdout
    r = run_cli("status", "--json", cwd=project)
    assert r.returncode == 1 and json.loads(r.stdout)["config_refusal"]["error"]
    r = run_cli("doctor", "--platform", "claude-code", cwd=project)
    assert r.returncode == 1, r.stdout
    lines = r.stdout.splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith("FAIL  config"))
    assert "monitr" in lines[i] and lines[i + 1].strip().startswith("Fix: ")
    assert lines[-1].startswith("1 check(s) FAILED")
    r = run_cli("doctor", "--platform", "claude-code", "--json", cwd=project)
    doc = json.loads(r.stdout)
    assert r.returncode == 1 and doc["summary"]["ok"] is False and doc["version"] == 1
    bad = [f for f in doc["findings"] if f["status"] == "FAIL"]
    assert [f["check"] for f in bad] == ["config"] and bad[0]["fix"]


def test_doctor_summarises_instead_of_listing(project, home):
    r = run_cli("doctor", "--platform", "claude-code", cwd=project)
    assert r.returncode == 0, r.stdout
    assert len(r.stdout.splitlines()) < 14  # a line per check (floor and decision server included), no payload list
    assert r.stdout.splitlines()[-1].startswith("all checks passed")
    v = run_cli("doctor", "--platform", "claude-code", "--verbose", cwd=project)
    assert len(v.stdout.splitlines()) > 20 and "pre_bash_git_status" in v.stdout


def test_hand_edit_of_a_stage_is_a_rollout_change_before_the_next_decision(project, home):
    rollout = _init(project)
    run_hook(claude_pre(project, "Read", {"file_path": str(project / "README.md")}), cwd=project)
    rev0 = [r for r in ledger_records(project) if r.get("kind") == "decision"][-1]["rollout_rev"]
    rollout.write_text(rollout.read_text().replace('coordination: {stage: "monitor"}',
                                                   'coordination: {stage: "warn"}'))
    run_hook(claude_pre(project, "Read", {"file_path": str(project / "README.md")}), cwd=project)
    recs = ledger_records(project)
    changes = [(i, r) for i, r in enumerate(recs) if r.get("kind") == "rollout_change"]
    assert len(changes) == 1, changes
    i, ch = changes[0]
    assert (ch["hook"], ch["from"], ch["to"], ch["who"]) == ("coordination", "monitor", "warn", "hand edit")
    nxt = recs[i + 1]
    assert nxt["kind"] == "decision" and nxt["rollout_rev"] == ch["rollout_rev"] != rev0
    # the same file seen again records nothing more
    run_hook(claude_pre(project, "Read", {"file_path": str(project / "README.md")}), cwd=project)
    assert len([r for r in ledger_records(project) if r.get("kind") == "rollout_change"]) == 1
    r = run_cli("audit", "tail", "-n", "5", cwd=project)
    assert "rollout_change" in r.stdout or "coordination" in r.stdout
