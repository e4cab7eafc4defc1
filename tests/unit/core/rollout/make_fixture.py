"""Regenerate ``fixtures/ledger.jsonl``: the recorded ledger behind tests/unit/core/rollout (ADR 0015).

Run: ``.venv/bin/python tests/unit/core/rollout/make_fixture.py``. Records have the engine's shape
(without prev/hash: ``conftest.load_ledger_fixture`` re-chains them through ``state.backend.ledger_append``);
``${PROJECT}`` stands for the test project. The figures the tests assert are derived by hand in
``test_status.py`` from the rules below, not from this script.

- coordination (monitor) on claude-code: 240 calls spread evenly over exactly 10 days from
  2026-11-01; latency_ms = 1 + i % 100; i % 10 == 0 → raw block (24 would-blocks), i % 10 == 5 →
  raw warn (24); would-blocks labelled 23 tp + 1 fp (i == 50).
- coordination on cursor: 30 calls on 2026-11-03, every 10 minutes; i in (0, 15) → block,
  unlabelled; latency 20.
- budget (warn since a rollout_change on 2026-11-01T12:00Z): 10 calls before that change (5
  would-blocks, unlabelled — outside the window); then 300 calls over exactly 8 days from
  2026-11-02; i % 14 == 0 → block (22 would-blocks, all tp); i == 7 → validator error; latency 8.
- write-guard (warn) on claude-code: 250 calls over exactly 9 days from 2026-11-01; i % 12 == 0
  → would-block (21: checkpoint when i % 24 == 0, else block), all tp; latency 3.
- read-guard (enforce) on claude-code: 12 allow calls on 2026-11-10.
- one bad_input and one crash record (no verdicts; ignored by the evidence).
"""

from __future__ import annotations

import json
import os
import time

BASE = 1793491200  # 2026-11-01T00:00:00Z
DAY = 86400
HERE = os.path.dirname(os.path.abspath(__file__))
SP = {"hook": "self-protection", "raw": "allow", "stage": "enforce", "effective": "allow", "would_block": False}
EFFECT = {"monitor": {"allow": "allow", "warn": "allow", "checkpoint": "allow", "block": "allow"},
          "warn": {"allow": "allow", "warn": "warn", "checkpoint": "warn", "block": "warn"},
          "enforce": {"allow": "allow", "warn": "warn", "checkpoint": "checkpoint", "block": "block"}}
RANK = {"allow": 0, "warn": 1, "checkpoint": 2, "block": 3}


def ts(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(round(t % 1 * 1000)) % 1000:03d}Z"


def decision(rid: str, t: float, platform: str, hook: str, stage: str, raw: str, latency: float,
             path: str, error: str = "") -> dict:
    v = {"hook": hook, "raw": raw, "stage": stage, "effective": EFFECT[stage][raw],
         "would_block": raw in ("block", "checkpoint")}
    if raw != "allow":
        v.update(rule=f"{hook}-rule", reason=f"{hook} flags {path}", adr=f"adr/{hook}.md")
    if error:
        v["error"] = error
    verdicts = [dict(SP), v]
    outcome = max((x["effective"] for x in verdicts), key=RANK.get)
    rec = {"v": 1, "id": rid, "ts": ts(t), "kind": "decision", "platform": platform, "version": "0.1.0",
           "session": f"sess-{platform}", "event": "PreToolUse" if platform == "claude-code" else "preToolUse",
           "cwd": "${PROJECT}", "tool": "Write", "tool_kind": "write",
           "input": {"file_path": "${PROJECT}/" + path, "content": "x"},
           "input_digest": "0" * 64, "accesses": [["${PROJECT}/" + path, "write", True, "Write.file_path", "Write"]],
           "verdicts": verdicts, "outcome": outcome, "would_block": v["would_block"], "rollout_rev": "fixture",
           "latency_ms": latency}
    if error:
        rec["validator_error"] = True
    return rec


def build() -> list[dict]:
    recs: list[tuple[float, dict]] = []
    labels: list[tuple[str, str, str]] = []
    for i in range(240):
        t = BASE + i * (10 * DAY) / 239
        raw = "block" if i % 10 == 0 else "warn" if i % 10 == 5 else "allow"
        rid = f"co{i:04d}"
        recs.append((t, decision(rid, t, "claude-code", "coordination", "monitor", raw, float(1 + i % 100),
                                 "tasks/board.json" if raw != "allow" else f"src/m{i}.py")))
        if raw == "block":
            labels.append((rid, "coordination", "fp" if i == 50 else "tp"))
    for i in range(30):
        t = BASE + 2 * DAY + i * 600
        raw = "block" if i in (0, 15) else "allow"
        recs.append((t, decision(f"cu{i:04d}", t, "cursor", "coordination", "monitor", raw, 20.0,
                                 "tasks/board.json" if raw != "allow" else f"src/c{i}.py")))
    for i in range(10):
        t = BASE + i * 3600
        raw = "block" if i % 2 == 0 else "allow"
        recs.append((t, decision(f"bo{i:04d}", t, "claude-code", "budget", "monitor", raw, 8.0, f"src/b{i}.py")))
    change_t = BASE + DAY / 2
    recs.append((change_t, {"v": 1, "id": "chg-budget", "ts": ts(change_t), "kind": "rollout_change", "platform": "",
                            "version": "0.1.0", "hook": "budget", "scope": "stage", "target_platform": "",
                            "from": "monitor", "to": "warn", "who": "alice", "forced": False, "reason": "",
                            "evidence": {}, "file": "${PROJECT}/.hookgate/rollout.yaml", "rollout_rev": "fixture"}))
    for i in range(300):
        t = BASE + DAY + i * (8 * DAY) / 299
        raw = "block" if i % 14 == 0 else "allow"
        rid = f"bu{i:04d}"
        recs.append((t, decision(rid, t, "claude-code", "budget", "warn", raw, 8.0, f"src/u{i}.py",
                                 error="RuntimeError: transcript unreadable" if i == 7 else "")))
        if raw == "block":
            labels.append((rid, "budget", "tp"))
    for i in range(250):
        t = BASE + i * (9 * DAY) / 249
        raw = ("checkpoint" if i % 24 == 0 else "block") if i % 12 == 0 else "allow"
        rid = f"wg{i:04d}"
        recs.append((t, decision(rid, t, "claude-code", "write-guard", "warn", raw, 3.0, f"src/w{i}.py")))
        if raw != "allow":
            labels.append((rid, "write-guard", "tp"))
    for i in range(12):
        t = BASE + 9 * DAY + i * 60
        recs.append((t, decision(f"rg{i:04d}", t, "claude-code", "read-guard", "enforce", "allow", 2.0, f"src/r{i}.py")))
    t = BASE + 5 * DAY
    recs.append((t, {"v": 1, "id": "bad00001", "ts": ts(t), "kind": "bad_input", "platform": "claude-code",
                     "version": "0.1.0", "error": "stdin is not JSON", "input_digest": "0" * 64, "input_bytes": 3,
                     "outcome": "block", "latency_ms": 1.0}))
    recs.append((t + 1, {"v": 1, "id": "crash001", "ts": ts(t + 1), "kind": "crash", "platform": "claude-code",
                         "version": "0.1.0", "error": "boom", "outcome": "block", "latency_ms": 1.0}))
    recs.sort(key=lambda p: p[0])
    out = [r for _t, r in recs]
    lt = BASE + 10 * DAY + 3600
    for n, (rid, hook, label) in enumerate(labels):
        out.append({"v": 1, "id": f"lab{n:04d}", "ts": ts(lt + n), "kind": "label", "platform": "claude-code",
                    "version": "0.1.0", "target": rid, "hook": hook, "label": label, "note": "", "who": "alice"})
    return out


if __name__ == "__main__":
    path = os.path.join(HERE, "fixtures", "ledger.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for rec in build():
            f.write(json.dumps(rec, sort_keys=True, separators=(",", ":")) + "\n")
    print("wrote", path)
