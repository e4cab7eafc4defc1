"""ADR 0015: promote (gate, refusal, --force), demote, the global cap — through the real command,
with byte-level checks that rollout.yaml keeps every comment and line."""

from __future__ import annotations

import json
import os

from tests.unit.core.rollout.helpers import ROLLOUT_YAML, cli, records_of


def _yaml(project) -> str:
    return (project / ".hookgate" / "rollout.yaml").read_text(encoding="utf-8")


def _show(project) -> dict:
    res = cli(project, "rollout", "show", "--json")
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def _stages(project) -> dict:
    return {h["hook"]: h for h in _show(project)["hooks"]}


def test_promote_refused_names_the_failing_condition_and_changes_nothing(gov):
    before = len(records_of(gov, "rollout_change"))
    res = cli(gov, "rollout", "promote", "budget")
    assert res.returncode == 1
    assert "gate fails on errors" in res.stderr
    assert "[FAIL] error rate 0.33% (1 validator errors; need < 0.1%)" in res.stdout
    assert _yaml(gov) == ROLLOUT_YAML
    assert len(records_of(gov, "rollout_change")) == before


def test_promote_on_one_platform_is_judged_on_that_platform(gov):
    res = cli(gov, "rollout", "promote", "coordination", "--platform", "cursor")
    assert res.returncode == 1
    assert "gate fails on evaluations, days, labelled, precision" in res.stderr
    assert _yaml(gov) == ROLLOUT_YAML


def test_promote_success_edits_only_that_line_and_records_the_change(gov):
    res = cli(gov, "rollout", "promote", "coordination")
    assert res.returncode == 0, res.stderr
    assert "coordination: monitor → warn" in res.stdout
    change = records_of(gov, "rollout_change")[-1]
    assert change["hook"] == "coordination" and change["from"] == "monitor" and change["to"] == "warn"
    assert change["who"] == "tester" and change["forced"] is False and change["gate_failed"] == []
    assert change["evidence"]["evaluations"] == 270 and change["evidence"]["tp"] == 23
    old = '  coordination: {stage: "monitor"}  # trailing comment stays\n'
    new = (f'  coordination: {{stage: "warn", since: "{change["ts"]}", promoted_by: "tester"}}'
           "  # trailing comment stays\n")
    assert _yaml(gov) == ROLLOUT_YAML.replace(old, new)  # byte-level: every other byte kept
    assert _stages(gov)["coordination"]["stage"] == "warn"
    # the evidence window restarts at the promotion
    status = json.loads(cli(gov, "rollout", "status", "--json").stdout)
    co = next(h for h in status["hooks"] if h["hook"] == "coordination")
    assert co["since"]["ts"] == change["ts"] and co["since"]["who"] == "tester"
    assert next(r for r in co["evidence"] if r["platform"] == "all")["evaluations"] == 0
    # one step only: the next promote is refused for lack of evidence
    again = cli(gov, "rollout", "promote", "coordination")
    assert again.returncode == 1 and "0 evaluations" in again.stdout
    assert cli(gov, "audit", "verify").returncode == 0


def test_force_needs_a_reason_and_is_recorded(gov):
    res = cli(gov, "rollout", "promote", "budget", "--force")
    assert res.returncode != 0 and "--force needs --reason" in res.stderr
    assert _yaml(gov) == ROLLOUT_YAML
    res = cli(gov, "rollout", "promote", "budget", "--force", "--reason", "errors were a transcript race, fixed")
    assert res.returncode == 0, res.stderr
    assert "FORCED past the gate (errors)" in res.stdout
    change = records_of(gov, "rollout_change")[-1]
    assert change["forced"] is True and change["gate_failed"] == ["errors"]
    assert change["reason"] == "errors were a transcript race, fixed"
    # the bare scalar entry became a flow mapping on the same line; nothing else moved
    old = "  budget: warn   # bare scalar form\n"
    new = f'  budget: {{stage: enforce, since: "{change["ts"]}", promoted_by: "tester"}}   # bare scalar form\n'
    assert _yaml(gov) == ROLLOUT_YAML.replace(old, new)
    status = json.loads(cli(gov, "rollout", "status", "--json").stdout)
    assert next(h for h in status["hooks"] if h["hook"] == "budget")["since"]["forced"] is True


def test_already_at_enforce(gov):
    res = cli(gov, "rollout", "promote", "read-guard")
    assert res.returncode == 1 and "already at enforce" in res.stderr


def test_demote_any_number_of_steps_without_a_gate(gov):
    res = cli(gov, "rollout", "demote", "read-guard")  # enforce → monitor (the default), no evidence needed
    assert res.returncode == 0, res.stderr
    change = records_of(gov, "rollout_change")[-1]
    assert (change["hook"], change["from"], change["to"]) == ("read-guard", "enforce", "monitor")
    old = '  read-guard: {stage: "enforce"}   # shipped default\n'
    new = f'  read-guard: {{stage: "monitor", since: "{change["ts"]}", promoted_by: "tester"}}   # shipped default\n'
    assert _yaml(gov) == ROLLOUT_YAML.replace(old, new)
    assert _stages(gov)["read-guard"]["platforms"]["claude-code"] == "monitor"


def test_demote_block_mapping_keeps_comments_and_order(gov):
    res = cli(gov, "rollout", "demote", "write-guard", "--to", "monitor")
    assert res.returncode == 0, res.stderr
    ts = records_of(gov, "rollout_change")[-1]["ts"]
    expected = ROLLOUT_YAML.replace(
        '    stage: "warn"        # held at warn while we tune the tiers\n',
        '    stage: "monitor"        # held at warn while we tune the tiers\n',
    ).replace(
        '      cursor: "monitor"\n',
        f'      cursor: "monitor"\n    since: "{ts}"\n    promoted_by: "tester"\n',
    )
    assert _yaml(gov) == expected
    # every original line is still there, in order
    lines = _yaml(gov).splitlines()
    it = iter(lines)
    assert all(any(line == x for x in it) for line in ROLLOUT_YAML.splitlines() if "stage: \"warn\"" not in line)


def test_demote_on_one_platform(gov):
    res = cli(gov, "rollout", "demote", "read-guard", "--platform", "cursor", "--to", "warn")
    assert res.returncode == 0, res.stderr
    assert _yaml(gov) == ROLLOUT_YAML.replace(
        '  read-guard: {stage: "enforce"}   # shipped default\n',
        '  read-guard: {stage: "enforce", platforms: {cursor: "warn"}}   # shipped default\n',
    )
    plats = _stages(gov)["read-guard"]["platforms"]
    assert plats == {p: ("warn" if p == "cursor" else "enforce") for p in plats}  # every other platform keeps it
    assert records_of(gov, "rollout_change")[-1]["target_platform"] == "cursor"


def test_demote_refusals(gov):
    pinned = cli(gov, "rollout", "demote", "self-protection")
    assert pinned.returncode == 1 and "pinned to enforce" in pinned.stderr
    up = cli(gov, "rollout", "demote", "coordination", "--to", "warn")
    assert up.returncode == 1 and "not lower" in up.stderr
    unknown = cli(gov, "rollout", "demote", "no-such-hook")
    assert unknown.returncode == 1 and "unknown hook" in unknown.stderr
    assert _yaml(gov) == ROLLOUT_YAML


def test_global_cap_demotes_everything_but_pinned_and_lifts_byte_exact(gov):
    res = cli(gov, "rollout", "cap", "monitor")
    assert res.returncode == 0, res.stderr
    # the new top-level key goes right after the last top-level entry, before the trailing comment
    assert _yaml(gov) == ROLLOUT_YAML.replace(
        "  budget: warn   # bare scalar form\n",
        '  budget: warn   # bare scalar form\nglobal_stage_cap: "monitor"\n',
    )
    show = _show(gov)
    assert show["global_stage_cap"] == "monitor"
    for h in show["hooks"]:
        expected = "enforce" if h["hook"] == "self-protection" else "monitor"
        assert set(h["platforms"].values()) == {expected}, h
    text = cli(gov, "rollout", "status").stdout
    assert "GLOBAL STAGE CAP: monitor" in text
    lifted = cli(gov, "rollout", "cap", "none")
    assert lifted.returncode == 0, lifted.stderr
    assert _yaml(gov) == ROLLOUT_YAML
    caps = [r for r in records_of(gov, "rollout_change") if r["scope"] == "cap"]
    assert [(r["from"], r["to"]) for r in caps] == [("none", "monitor"), ("monitor", "none")]


def test_global_cap_reaches_the_hot_path(gov):
    from tests.conftest import ledger_records, run_hook
    from tests.support.payloads import claude_pre

    assert cli(gov, "rollout", "cap", "monitor").returncode == 0
    payload = claude_pre(gov, "Write", {"file_path": str(gov / "src" / "new.py"), "content": "x"})
    assert run_hook(payload, cwd=str(gov)).returncode == 0
    rec = [r for r in ledger_records(gov) if r.get("kind") == "decision"][-1]
    stages = {v["hook"]: v["stage"] for v in rec["verdicts"]}
    assert stages["self-protection"] == "enforce"
    assert all(s == "monitor" for h, s in stages.items() if h != "self-protection"), stages


def test_promote_creates_the_project_file_from_the_shipped_one(project):
    from hookgate.state.resources import data_path

    res = cli(project, "rollout", "promote", "coordination", "--force", "--reason", "trial")
    assert res.returncode == 0, res.stderr
    with open(data_path("rollout.yaml"), encoding="utf-8") as f:
        shipped = f.read()
    text = (project / ".hookgate" / "rollout.yaml").read_text(encoding="utf-8")
    assert "created" in res.stdout
    assert len(text.splitlines()) == len(shipped.splitlines())
    changed = [(a, b) for a, b in zip(shipped.splitlines(), text.splitlines()) if a != b]
    assert len(changed) == 1 and changed[0][0].strip().startswith("coordination:")


def test_invalid_project_file_is_refused_untouched(gov):
    bad = ROLLOUT_YAML.replace("budget: warn", "budget: off")
    (gov / ".hookgate" / "rollout.yaml").write_text(bad, encoding="utf-8")
    res = cli(gov, "rollout", "demote", "coordination", "--to", "monitor")
    assert res.returncode == 1
    res = cli(gov, "rollout", "cap", "monitor")
    assert res.returncode == 1 and "fix the file by hand first" in res.stderr
    assert (gov / ".hookgate" / "rollout.yaml").read_text(encoding="utf-8") == bad
    assert os.path.exists(gov / ".hookgate" / "rollout.yaml")


def test_warn_to_enforce_waits_for_an_answered_checkpoint(gov):
    from hookgate.state import backend

    res = cli(gov, "rollout", "promote", "write-guard")
    assert res.returncode == 1 and "gate fails on checkpoint-path" in res.stderr
    # a human answered a checkpoint (issue 6 records `kind: approval` with approved_by)
    backend.ledger_append(str(gov / ".git" / "hookgate"), {
        "v": 1, "id": "appr0001", "ts": "2026-11-10T12:00:00.000Z", "kind": "approval", "platform": "claude-code",
        "approval_id": "a1", "change": "approved", "status": "approved", "approved_by": "alice"})
    res = cli(gov, "rollout", "promote", "write-guard")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "[ok] approvals command present; 1 checkpoints answered" in res.stdout
    plats = _stages(gov)["write-guard"]["platforms"]
    assert plats == {p: ("monitor" if p == "cursor" else "enforce") for p in plats} and "claude-code" in plats
