"""ADR 0027: the ledger's readers at scale — `audit verify` from a checkpoint, `rollout status`
from a rollup, both bound to the ledger (a tampered or stale one is never believed), and
`audit tail` / `replay` / `rollout status` / `audit verify` in bounded memory."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess

import pytest

from hookgate.core import evidence
from hookgate.state import ledger
from hookgate.core import rollup
from hookgate.validators import KNOWN_HOOKS
from tests.conftest import HOOKGATE, REPO

_spec = importlib.util.spec_from_file_location("scaling", os.path.join(REPO, "benchmarks", "scaling.py"))
scaling = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scaling)


def _state(project) -> str:
    return os.path.join(str(project), ".git", "hookgate")


def _norm(f: dict):
    stats = {h: [(p, st.to_dict()) for p, st in per.items()] for h, per in f["stats"].items()}
    return stats, sorted(f["checkpoint_hooks"]), f["answered"], [c.get("id") for c in f["changes"]]


CFGS = [{"hooks": {}}, {"hooks": {"read-guard": {"since": "2026-11-30"}, "budget": {"since": "2030-01-01"}}}]


@pytest.mark.parametrize("cfg", CFGS)
def test_the_rollup_gives_exactly_the_streamed_evidence(project, cfg):
    path = scaling.make_ledger(_state(project), 6000)
    want = _norm(evidence.collect_path(path, cfg, KNOWN_HOOKS))
    assert want == _norm(evidence.collect(ledger.iter_records(path), cfg, KNOWN_HOOKS))
    assert _norm(rollup.collect(_state(project), path, cfg, KNOWN_HOOKS)) == want  # built
    assert _norm(rollup.collect(_state(project), path, cfg, KNOWN_HOOKS)) == want  # reused
    # records appended since: the rollup is extended, still exact
    with open(path, "rb") as f:
        tail = f.read().splitlines()[-1]
    prev = json.loads(tail)["hash"]
    with open(path, "ab") as f:
        for i in range(50):
            body = {"v": 1, "id": f"new{i:08d}", "ts": "2030-01-02T00:00:%02d.000Z" % i, "kind": "decision",
                    "platform": "qwen-code", "latency_ms": 1.5 + i, "prev": prev,
                    "verdicts": [{"hook": "budget", "raw": "block" if i % 2 else "allow", "would_block": bool(i % 2),
                                  "effective": "allow", "stage": "monitor"}]}
            body["hash"] = ledger.chain_hash(prev, body)
            prev = body["hash"]
            f.write((ledger.canonical(body) + "\n").encode())
    want = _norm(evidence.collect_path(path, cfg, KNOWN_HOOKS))
    assert _norm(rollup.collect(_state(project), path, cfg, KNOWN_HOOKS)) == want


def _tamper_record(path: str, line_no: int, old: bytes, new: bytes) -> None:
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")
    assert old in lines[line_no]
    lines[line_no] = lines[line_no].replace(old, new, 1)
    with open(path, "wb") as f:
        f.write(b"\n".join(lines))


def test_a_stale_or_tampered_rollup_is_never_believed(project):
    state = _state(project)
    path = scaling.make_ledger(state, 3000)
    cfg = {"hooks": {}}
    rollup.collect(state, path, cfg, KNOWN_HOOKS)
    # the ledger edited under the rollup (an old record's outcome): the rollup is stale
    _tamper_record(path, 31, b'"raw":"block"', b'"raw":"allow"')
    want = _norm(evidence.collect_path(path, cfg, KNOWN_HOOKS))
    got = _norm(rollup.collect(state, path, cfg, KNOWN_HOOKS))
    assert got == want
    assert got[0]["write-guard"][0][1]["raw"]["allow"] == want[0]["write-guard"][0][1]["raw"]["allow"]
    # a column changed: its digest no longer matches the header
    col = os.path.join(state, "rollup", "h2.col")
    with open(col, "r+b") as f:
        f.seek(31)
        f.write(b"\x00")
    assert _norm(rollup.collect(state, path, cfg, KNOWN_HOOKS)) == want
    # a header forged without the key (counts changed, MAC left as it was)
    hp = os.path.join(state, "rollup", "header.json")
    with open(hp) as f:
        head = json.load(f)
    head["answered"] = 999
    with open(hp, "w") as f:
        json.dump(head, f)
    assert rollup._load_head(state, rollup._key(state), list(KNOWN_HOOKS)) is None
    assert rollup.collect(state, path, cfg, KNOWN_HOOKS)["answered"] == want[2]


def test_verify_from_its_checkpoint_still_finds_an_edit_in_the_verified_part(project):
    state = _state(project)
    path = scaling.make_ledger(state, 3000)
    from hookgate.core import config

    key = config._key(state, create=True)
    first = ledger.verify(path, state, key)
    assert first.ok and first.count == 3000
    assert os.path.exists(os.path.join(state, ledger.CHECKPOINT_NAME))
    again = ledger.verify(path, state, key)
    assert again.ok and again.count == 3000
    _tamper_record(path, 100, b'"outcome":"allow"', b'"outcome":"block"')
    bad = ledger.verify(path, state, key)
    assert not bad.ok and bad.bad_line == 101 and "record edited" in bad.reason or "hash" in bad.reason
    r = subprocess.run([HOOKGATE, "audit", "verify"], cwd=str(project), capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "line 101" in r.stderr + r.stdout


def test_a_forged_checkpoint_is_ignored(project):
    state = _state(project)
    path = scaling.make_ledger(state, 500)
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")
    size_400 = sum(len(x) + 1 for x in lines[:400])
    # an agent's checkpoint claiming that bad bytes were verified: no key, so no MAC
    _tamper_record(path, 10, b'"outcome":"allow"', b'"outcome":"block"')
    cp = {"v": 1, "offset": size_400, "count": 400, "lines": 400, "prev": json.loads(lines[399])["hash"],
          "digest": "0" * 64, "mac": "0" * 64}
    with open(os.path.join(state, ledger.CHECKPOINT_NAME), "w") as f:
        json.dump(cp, f)
    from hookgate.core import config

    res = ledger.verify(path, state, config._key(state, create=True))
    assert not res.ok and res.bad_line == 11


def _peak_rss_mb(argv, cwd) -> tuple[int, str]:
    p = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = p.stdout.read()
    p.stdout.close()
    _pid, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    assert p.returncode == 0, out[-2000:]
    return ru.ru_maxrss // 1024, out.decode(errors="replace")


@pytest.mark.slow  # a scaling measurement over a large ledger
@pytest.mark.parametrize("argv", [["rollout", "status"], ["audit", "verify"], ["audit", "tail", "-n", "5"],
                                  ["audit", "tail", "-n", "5", "--unlabelled"]])
def test_readers_memory_does_not_grow_with_the_ledger(tmp_path, argv):
    """The same command on a ledger 8 times larger: peak RSS grows by a few MB (columns of the
    rollup), not by the records (the old readers held every record: ~7 GB at 1 M)."""
    peaks = []
    for n in (5000, 40000):
        root = tmp_path / f"p{n}"
        (root / ".git").mkdir(parents=True)
        scaling.make_ledger(str(root / ".git" / "hookgate"), n)
        rss, out = _peak_rss_mb([HOOKGATE, *argv], str(root))
        peaks.append(rss)
    assert peaks[1] - peaks[0] < 40, peaks  # 35,000 more records held whole would be > 100 MB


def test_replay_streams_and_keeps_a_bounded_report(project, monkeypatch):
    from hookgate.cli import replay

    state = _state(project)
    scaling.make_ledger(state, 400)
    monkeypatch.setattr(replay, "MAX_KEPT", 5)
    from hookgate.core import config

    compiled = config.compile_config(str(project))
    compiled = dict(compiled, hooks=dict(compiled["hooks"], **{"write-guard": {"stage": "enforce"}}))
    res = replay.run_replay(str(project), compiled, None)
    assert res["replayed"] > 300 and len(res["changed"]) <= 5
    assert res["changed_count"] >= len(res["changed"])
