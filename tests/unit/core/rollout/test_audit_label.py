"""ADR 0015: `hookgate audit label` appends label records (never edits old ones); fp → fixture;
`audit tail --unlabelled` lists what needs review. Real command, recorded ledger fixture."""

from __future__ import annotations

import json

from tests.conftest import ledger_records
from tests.unit.core.rollout.helpers import cli, records_of


def test_unlabelled_lists_only_unreviewed_would_blocks(gov):
    res = cli(gov, "audit", "tail", "--unlabelled", "-n", "100", "--json")
    assert res.returncode == 0, res.stderr
    ids = [json.loads(line)["id"] for line in res.stdout.splitlines()]
    # 5 budget would-blocks before its change + 2 cursor coordination ones; labelled ones are absent
    assert ids == ["bo0000", "bo0002", "bo0004", "bo0006", "bo0008", "cu0000", "cu0015"]
    text = cli(gov, "audit", "tail", "--unlabelled").stdout
    assert "cu0015" in text and "[coordination]" in text


def test_label_fp_appends_a_record_and_writes_a_fixture(gov):
    before = ledger_records(gov)
    res = cli(gov, "audit", "label", "cu0015", "fp", "--note", "the board is this agent's own")
    assert res.returncode == 0, res.stderr
    after = ledger_records(gov)
    assert after[: len(before)] == before  # old records untouched, byte for byte (same parsed objects)
    lab = after[-1]
    assert lab["kind"] == "label" and lab["target"] == "cu0015" and lab["hook"] == "coordination"
    assert lab["label"] == "fp" and lab["note"] == "the board is this agent's own" and lab["who"] == "tester"
    fixture = gov / ".hookgate" / "fixtures" / "coordination" / "cu0015.json"
    data = json.loads(fixture.read_text(encoding="utf-8"))
    assert data["expected"] == "allow" and data["hook"] == "coordination" and data["platform"] == "cursor"
    assert data["input"]["file_path"].endswith("tasks/board.json")
    assert data["recorded_verdict"]["raw"] == "block"
    assert lab["fixture"] == ".hookgate/fixtures/coordination/cu0015.json"
    assert cli(gov, "audit", "verify").returncode == 0
    # it now counts in the evidence and is gone from the review list
    status = json.loads(cli(gov, "rollout", "status", "--json").stdout)
    co = next(h for h in status["hooks"] if h["hook"] == "coordination")
    cursor = next(r for r in co["evidence"] if r["platform"] == "cursor")
    assert (cursor["fp"], cursor["unlabelled"]) == (1, 1)
    ids = [json.loads(x)["id"] for x in cli(gov, "audit", "tail", "--unlabelled", "--json").stdout.splitlines()]
    assert "cu0015" not in ids
    # relabel: the latest label wins and the fixture goes
    res = cli(gov, "audit", "label", "cu0015", "tp")
    assert res.returncode == 0 and not fixture.exists()
    status = json.loads(cli(gov, "rollout", "status", "--json").stdout)
    co = next(h for h in status["hooks"] if h["hook"] == "coordination")
    cursor = next(r for r in co["evidence"] if r["platform"] == "cursor")
    assert (cursor["tp"], cursor["fp"]) == (1, 0)
    assert len(records_of(gov, "label")) == len([r for r in before if r.get("kind") == "label"]) + 2


def test_label_refusals(gov):
    n = len(ledger_records(gov))
    allow = cli(gov, "audit", "label", "co0001", "tp")
    assert allow.returncode == 1 and "not a would-block" in allow.stderr
    missing = cli(gov, "audit", "label", "nope", "fp")
    assert missing.returncode == 1 and "no record" in missing.stderr
    bad = cli(gov, "audit", "label", "cu0015", "maybe")
    assert bad.returncode == 1 and "tp or fp" in bad.stderr
    wrong_hook = cli(gov, "audit", "label", "cu0015", "fp", "--hook", "budget")
    assert wrong_hook.returncode == 1 and "did not flag" in wrong_hook.stderr
    assert len(ledger_records(gov)) == n
    assert not (gov / ".hookgate" / "fixtures").exists()
