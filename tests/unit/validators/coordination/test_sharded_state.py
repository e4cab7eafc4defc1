"""ADR 0027: leases and claims in shards — a decision reads what concerns its paths; the
previous format is migrated transparently, nothing lost, under many processes and kill -9."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from hookgate.validators.coordination import claims, leases, store

NOW = time.time()


def _lease(session: str) -> dict:
    return {"session": session, "platform": "cursor", "since": NOW, "renewed": NOW, "expires": NOW + 3600,
            "via": "Write", "ttl": 3600.0}


def _claim(cid: str, path: str, session: str, mode: str = "write") -> dict:
    return {"id": cid, "path": path, "session": session, "platform": "cursor", "mode": mode, "priority": "normal",
            "ttl": 3600.0, "requested": NOW, "refreshed": NOW, "granted": NOW, "expires": NOW + 3600}


def _v2(state: str, n_leases: int = 300, n_claims: int = 30) -> bytes:
    doc = {"v": 2, "seq": n_claims,
           "leases": {f"pkg{i % 7}/f{i}.py": _lease(f"s{i % 5}") for i in range(n_leases)},
           "claims": [_claim(f"c{i + 1}", f"pkg{i % 7}/dir{i}", f"s{i % 5}") for i in range(n_claims)]
           + [_claim(f"c{n_claims + 1}", "docs/secret/plan.md", "sx", "exclusive")],
           "preempted": [{"session": "s1", "claim": "c1", "path": "pkg0/dir0", "mode": "write", "by": "s2", "at": NOW}]}
    doc["seq"] = n_claims + 1
    raw = json.dumps(doc).encode()
    os.makedirs(store.coord_dir(state), exist_ok=True)
    with open(store.state_path(state), "wb") as f:
        f.write(raw)
    return raw


def test_v2_state_is_read_as_is_then_migrated_whole(tmp_path):
    state = str(tmp_path / "state")
    raw = _v2(state)
    before = store.load(state)
    assert before["v"] == 2 and len(before["leases"]) == 300 and len(before["claims"]) == 31
    view = store.load_for(state, ["pkg3/f3.py"])  # read without the lock: still v2, whole
    assert view["leases"]["pkg3/f3.py"]["session"] == "s3"
    store.mutate(state, lambda d: None)  # the first change migrates
    with open(store.state_path(state), "rb") as f:
        main = json.loads(f.read())
    assert main["v"] == 3 and main["migrated_from"] == 2 and "leases" not in main
    with open(store.state_path(state) + ".v2", "rb") as f:
        assert f.read() == raw  # the original, kept
    after = store.load(state)
    assert after["leases"] == before["leases"]
    assert sorted(after["claims"], key=lambda c: c["id"]) == sorted(before["claims"], key=lambda c: c["id"])
    assert after["preempted"] == before["preempted"] and after["seq"] == before["seq"]
    assert [c["id"] for c in after["claims"]] == [f"c{i}" for i in range(1, 32)]  # creation order


def test_a_decision_reads_only_what_concerns_its_paths(tmp_path):
    state = str(tmp_path / "state")
    _v2(state)
    store.mutate(state, lambda d: None)
    view = store.load_for(state, ["pkg3/f3.py"])
    assert set(view["leases"]) <= {"pkg3/f3.py"} | {k for k in store.load(state)["leases"]
                                                    if store.shard_of(k) == store.shard_of("pkg3/f3.py")}
    assert "pkg3/f3.py" in view["leases"] and len(view["leases"]) < 10
    assert leases.conflict(view, "pkg3/f3.py", "other", NOW) is not None
    # a claim on a directory covers a file below it: read from the claim shard of the directory
    view = store.load_for(state, ["pkg2/dir2/deep/x.py"])
    assert [c["id"] for c in claims.blocking(view, "pkg2/dir2/deep/x.py", "other", "write", NOW)] == ["c3"]
    # an exclusive claim below a directory blocks its reads: found through the main document's index
    view = store.load_for(state, ["docs"])
    assert [c["id"] for c in claims.blocking(view, "docs", "other", "read", NOW)] == ["c31"]
    # the same questions over the whole state give the same answers
    full = store.load(state)
    for key, mode in (("pkg2/dir2/deep/x.py", "write"), ("docs", "read"), ("pkg3/f3.py", "write")):
        part = store.load_for(state, [key])
        assert claims.blocking(part, key, "other", mode, NOW) == claims.blocking(full, key, "other", mode, NOW)
        assert leases.conflict(part, key, "other", NOW) == leases.conflict(full, key, "other", NOW)


def test_changes_append_and_logs_stay_bounded(tmp_path):
    state = str(tmp_path / "state")
    for i in range(500):  # the owner renewing one lease, over and over
        store.mutate_for(state, ["a.py"], lambda d, i=i: leases.take(d, "a.py", "s1", "cc", "Write", NOW + i, 900.0))
    path = store.shard_path(state, store.shard_of("a.py"))
    with open(path, "rb") as f:
        lines = f.read().count(b"\n")
    assert lines <= 2 * 1 + store.COMPACT_SLACK + 1
    assert store.load(state)["leases"]["a.py"]["renewed"] == NOW + 499
    store.mutate_for(state, ["a.py"], lambda d: leases.release(d, paths=["a.py"]))
    assert not os.path.exists(path) and store.load(state)["leases"] == {}


def test_a_torn_append_is_skipped_and_never_glued_to(tmp_path):
    state = str(tmp_path / "state")
    store.mutate_for(state, ["a.py"], lambda d: leases.take(d, "a.py", "s1", "cc", "Write", NOW, 900.0))
    path = store.shard_path(state, store.shard_of("a.py"))
    with open(path, "ab") as f:
        f.write(b'{"l":"a.py","v":{"session":"s9"')  # a writer killed mid-append
    assert store.load(state)["leases"]["a.py"]["session"] == "s1"
    store.mutate_for(state, ["a.py"], lambda d: leases.take(d, "a.py", "s1", "cc", "Write", NOW + 60, 900.0))
    got = store.load(state)["leases"]["a.py"]
    assert got["session"] == "s1" and got["renewed"] == NOW + 60


WORKER = r"""
import sys, time
from hookgate.validators.coordination import leases, store
state, me, start = sys.argv[1], sys.argv[2], int(sys.argv[3])
for j in range(start, start + 100000):
    key = f"w{me}/f{j}.py"
    while True:
        try:
            store.mutate_for(state, [key], lambda d: leases.take(d, key, "s" + me, "cc", "Write", time.time(), 3600.0),
                             timeout=5)
            break
        except Exception as e:  # a held lock: try again
            continue
    print(key, flush=True)
"""


@pytest.mark.slow  # stress: many processes, SIGKILL at random moments
def test_many_processes_and_kill_9_during_migration_lose_nothing(tmp_path):
    """8 writers on a v2 state (the first migrates it), each killed with SIGKILL at random
    moments and restarted: every lease a writer reported taken is there, every lease of the v2
    state is there, and the state reads cleanly."""
    state = str(tmp_path / "state")
    _v2(state, n_leases=2000, n_claims=100)
    original = store.load(state)
    done: set = set()
    rng = random.Random(7)
    nxt = dict.fromkeys(range(8), 0)
    kills = 0
    for _round in range(4):
        procs = {i: subprocess.Popen([sys.executable, "-c", WORKER, state, str(i), str(nxt[i])],
                                     stdout=subprocess.PIPE, text=True) for i in range(8)}
        firsts = {i: p.stdout.readline().strip() for i, p in procs.items()}  # each has taken one
        time.sleep(rng.uniform(0.05, 0.6))  # then SIGKILL at a random moment of its work
        for p in procs.values():
            p.send_signal(signal.SIGKILL)
            kills += 1
        for i, p in procs.items():
            out, _ = p.communicate()
            got = [ln for ln in [firsts[i]] + out.splitlines() if ln.endswith(".py")]
            done.update(got)
            nxt[i] += len(got) + 1  # the one in flight may or may not have landed
    final = store.load(state)
    assert kills == 32 and len(done) >= 32
    missing = done - set(final["leases"])
    assert not missing, sorted(missing)[:5]
    for k, lease in original["leases"].items():
        assert final["leases"].get(k) == lease
    assert sorted(c["id"] for c in final["claims"]) == sorted(c["id"] for c in original["claims"])
    with open(store.state_path(state)) as f:
        assert json.load(f)["v"] == 3
