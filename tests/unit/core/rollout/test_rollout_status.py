"""ADR 0015: `hookgate rollout status` figures from the recorded ledger fixture (real command).

Expected figures follow from the rules in make_fixture.py's docstring, worked out by hand:
coordination/claude-code latencies are 1..100 twice and 1..40 once more (240 values): the
120th smallest is 40 (p50) and the 228th is 94 (p95).
"""

from __future__ import annotations

import json

from tests.unit.core.rollout.helpers import cli


def _status(project) -> dict:
    res = cli(project, "rollout", "status", "--json")
    assert res.returncode == 0, res.stderr
    return {h["hook"]: h for h in json.loads(res.stdout)["hooks"]}


def _row(hook: dict, platform: str) -> dict:
    return next(r for r in hook["evidence"] if r["platform"] == platform)


def test_status_figures_for_a_ready_hook(gov):
    co = _status(gov)["coordination"]
    assert co["stage"] == "monitor"
    claude = _row(co, "claude-code")
    assert claude["evaluations"] == 240
    assert claude["raw"] == {"allow": 192, "warn": 24, "checkpoint": 0, "block": 24}
    assert (claude["would_block"], claude["tp"], claude["fp"], claude["unlabelled"]) == (24, 23, 1, 0)
    assert claude["errors"] == 0
    assert (claude["p50_ms"], claude["p95_ms"]) == (40.0, 94.0)
    assert claude["days"] == 10.0
    cursor = _row(co, "cursor")
    assert (cursor["evaluations"], cursor["would_block"], cursor["unlabelled"]) == (30, 2, 2)
    everything = _row(co, "all")
    assert (everything["evaluations"], everything["would_block"], everything["tp"], everything["fp"]) == (270, 26, 23, 1)
    assert abs(everything["precision"] - 23 / 24) < 1e-9
    assert co["readiness"] == {"target": "warn", "ready": True, "conditions": co["readiness"]["conditions"]}
    assert all(c["ok"] for c in co["readiness"]["conditions"])
    # per-platform readiness: cursor alone has too little evidence
    assert _row(co, "cursor")["readiness"]["ready"] is False
    # chart: one line per UTC day of the window, 2026-11-03 has 3 claude + 2 cursor would-blocks
    assert co["chart"][0].startswith("2026-11-01 ")
    day3 = next(line for line in co["chart"] if line.startswith("2026-11-03 "))
    assert day3.endswith(" 5") and "#" * 30 in day3  # the busiest day gets the full bar


def test_status_window_starts_at_the_last_rollout_change(gov):
    bu = _status(gov)["budget"]
    assert bu["stage"] == "warn"
    assert bu["since"]["ts"] == "2026-11-01T12:00:00.000Z" and bu["since"]["who"] == "alice"
    row = _row(bu, "all")
    # the 10 monitor-stage calls (5 unlabelled would-blocks) before the change are outside the window
    assert (row["evaluations"], row["would_block"], row["tp"], row["unlabelled"], row["errors"]) == (300, 22, 22, 0, 1)
    failing = [c["name"] for c in bu["readiness"]["conditions"] if not c["ok"]]
    assert bu["readiness"]["target"] == "enforce" and failing == ["errors"]


def test_status_warn_to_enforce_needs_a_checkpoint_path(gov):
    wg = _status(gov)["write-guard"]
    row = _row(wg, "all")
    assert row["raw"]["checkpoint"] == 11 and row["raw"]["block"] == 10 and row["tp"] == 21
    cond = {c["name"]: c for c in wg["readiness"]["conditions"]}
    assert [n for n, c in cond.items() if not c["ok"]] == ["checkpoint-path"]
    assert wg["platform_overrides"] == {"cursor": "monitor"}


def test_status_text_says_ready_and_why_not(gov):
    res = cli(gov, "rollout", "status")
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "coordination: monitor" in out
    assert "promote → warn: READY" in out
    assert "promote → enforce: not ready: error rate 0.33% (1 validator errors" in out
    assert "self-protection: enforce (pinned)" in out and "promote: n/a (already at enforce)" in out
    assert "would-blocks per day" in out
    assert "since 2026-11-01T12:00:00.000Z by alice" in out


def test_status_ignores_records_without_verdicts(gov):
    # bad_input and crash records are in the fixture; self-protection counts only decisions
    sp = _status(gov)["self-protection"]
    assert _row(sp, "all")["evaluations"] == 240 + 30 + 10 + 300 + 250 + 12
