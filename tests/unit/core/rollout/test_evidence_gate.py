"""ADR 0015: the evidence gate and the strict `promotion:` schema (table-driven units)."""

from __future__ import annotations

import pytest

from hookgate.core import config, evidence
from hookgate.core.yamlio import ConfigError


def _stats(evaluations=250, days=8.0, tp=20, fp=0, errors=0, hook="coordination"):
    s = evidence.Stats(hook, "all")
    s.evaluations, s.tp, s.fp, s.errors = evaluations, tp, fp, errors
    s.first, s.last = 0.0, days * 86400
    return s


GATE = [
    # (stats kwargs, stage, failing conditions)
    ({}, "monitor", []),
    ({"evaluations": 199}, "monitor", ["evaluations"]),
    ({"days": 6.9}, "monitor", ["days"]),
    ({"tp": 19}, "monitor", ["labelled"]),
    ({"tp": 19, "fp": 1}, "monitor", []),  # exactly 95 % meets "≥ 95 %"
    ({"tp": 18, "fp": 2}, "monitor", ["precision"]),
    ({"errors": 1, "evaluations": 1000}, "monitor", ["errors"]),  # 0.1 % is not < 0.1 %
    ({"errors": 1, "evaluations": 1001}, "monitor", []),
    ({"evaluations": 0, "tp": 0, "days": 0}, "monitor", ["evaluations", "days", "labelled", "precision", "errors"]),
]


@pytest.mark.parametrize("kw,stage,failing", GATE, ids=[str(i) for i in range(len(GATE))])
def test_gate_names_each_failing_condition(kw, stage, failing):
    res = evidence.gate(_stats(**kw), stage, {}, "coordination", {})
    assert [c["name"] for c in res["conditions"] if not c["ok"]] == failing
    assert res["ready"] is (not failing)
    assert res["target"] == "warn"


def test_gate_thresholds_come_from_the_config():
    res = evidence.gate(_stats(evaluations=50, days=1), "monitor", {"min_evaluations": 10, "min_days": 1}, "x", {})
    assert res["ready"]


@pytest.mark.parametrize("hook,facts,has_cmd,ok", [
    ("budget", {}, False, True),                                   # no checkpoint tier
    ("budget", {"checkpoint_hooks": {"budget"}}, False, False),    # it asked once: it has one
    ("write-guard", {"answered": 3}, False, False),                # tier, no approvals command
    ("write-guard", {"answered": 0}, True, False),                 # command, never answered
    ("write-guard", {"answered": 1}, True, True),
])
def test_warn_to_enforce_checkpoint_path(monkeypatch, hook, facts, has_cmd, ok):
    monkeypatch.setattr(evidence, "approvals_command_exists", lambda: has_cmd)
    res = evidence.gate(_stats(hook=hook), "warn", {}, hook, facts)
    cond = {c["name"]: c["ok"] for c in res["conditions"]}
    assert cond["checkpoint-path"] is ok and res["target"] == "enforce"
    # monitor → warn never asks for it
    assert "checkpoint-path" not in {c["name"] for c in evidence.gate(_stats(hook=hook), "monitor", {}, hook, facts)["conditions"]}


def test_enforce_has_no_next_stage():
    res = evidence.gate(_stats(), "enforce", {}, "read-guard", {})
    assert res == {"target": None, "ready": False, "conditions": [{"name": "stage", "ok": False, "detail": "already at enforce"}]}


def test_percentile_nearest_rank():
    assert evidence.percentile([], 50) is None
    assert evidence.percentile([5.0], 95) == 5.0
    vals = [float(v) for v in range(1, 101)]
    assert evidence.percentile(vals, 50) == 50.0 and evidence.percentile(vals, 95) == 95.0


def test_parse_ts():
    assert evidence.parse_ts("2026-11-01T00:00:00.000Z") == 1793491200.0
    assert evidence.parse_ts("2026-11-01") == 1793491200.0
    assert evidence.parse_ts("2026-11-01T00:00:00.500Z") == 1793491200.5
    assert evidence.parse_ts("yesterday") is None and evidence.parse_ts("") is None


@pytest.mark.parametrize("promotion,error", [
    ({"min_evaluations": 10}, None),
    ({"min_precision": 1}, None),
    ({"min_evaluations": True}, "expected an integer"),
    ({"min_evaluations": 2.5}, "expected an integer"),
    ({"min_precision": "0.9"}, "expected a number"),
    ({"min_precision": 1.5}, "out of range"),
    ({"max_error_rate": -0.1}, "out of range"),
    ({"min_dayz": 7}, "unknown key"),
    ("strict", "must be a mapping"),
])
def test_promotion_schema_is_strict(promotion, error):
    doc = {"version": 1, "promotion": promotion}
    if error is None:
        assert config.validate_rollout(doc, "r.yaml")["promotion"] == promotion
    else:
        with pytest.raises(ConfigError, match=error):
            config.validate_rollout(doc, "r.yaml")


def test_shipped_gate_defaults_match_the_adr():
    assert config.compile_shipped()["promotion"] == evidence.DEFAULT_GATE == {
        "min_evaluations": 200, "min_days": 7, "min_labelled": 20, "min_precision": 0.95, "max_error_rate": 0.001}
