"""ADR 0027: the coordination state's collection (``store.gc``, run by the ledger's upkeep):
leases and claims expired long ago go, and the shard files they leave empty; live ones and
what readers see never change; each call examines a bounded batch and the next continues;
many writers and collectors SIGKILLed at random lose nothing."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

from hookgate.core import upkeep
from hookgate.validators.coordination import store

NOW = time.time()


def _lease(session: str, expires: float) -> dict:
    return {"session": session, "platform": "cursor", "since": NOW - 7200, "renewed": NOW - 7200,
            "expires": expires, "via": "Write", "ttl": 900.0}


def _claim(cid: str, path: str, expires: float, mode: str = "write") -> dict:
    return {"id": cid, "path": path, "session": "s1", "platform": "cursor", "mode": mode, "priority": "normal",
            "ttl": 900.0, "requested": NOW - 7200, "refreshed": NOW - 7200, "granted": NOW - 7200, "expires": expires}


def _seed(state: str, n_dead: int, n_live: int) -> None:
    def fn(d):
        for i in range(n_dead):
            d["leases"][f"old/f{i}.py"] = _lease("gone", NOW - 3600)
        for i in range(n_live):
            d["leases"][f"live/f{i}.py"] = _lease("here", NOW + 3600)
        d["claims"].append(_claim("c1", "old/dir", NOW - 3600, "exclusive"))
        d["claims"].append(_claim("c2", "live/dir", NOW + 3600, "exclusive"))
    store.mutate(state, fn)


def _files(state: str) -> set:
    return set(os.listdir(os.path.join(store.coord_dir(state), store.SHARD_DIR)))


def test_expired_entries_and_their_empty_shards_are_collected_live_ones_kept(tmp_path):
    state = str(tmp_path / "state")
    _seed(state, 300, 50)
    before = store.load(state)
    n_files = len(_files(state))
    assert len(before["leases"]) == 350
    # a just-expired lease stays (grace): readers already ignore it, nothing is gained
    store.mutate(state, lambda d: d["leases"].__setitem__("fresh/x.py", _lease("s", time.time() - 1)))
    total = upkeep.collect(state)
    after = store.load(state)
    assert set(after["leases"]) == {k for k in before["leases"] if k.startswith("live/")} | {"fresh/x.py"}
    assert [c["id"] for c in after["claims"]] == ["c2"]
    assert total["leases"] == 300 and total["claims"] == 1
    assert len(_files(state)) < n_files and total["removed"] > 0
    with open(store.state_path(state)) as f:
        raw = f.read()
    assert "old/dir" not in raw and "live/dir" in raw  # excl follows the claims
    assert store.load_for(state, ["live/dir/a.py"])["claims"][0]["id"] == "c2"


def test_each_call_is_bounded_and_the_next_continues(tmp_path):
    state = str(tmp_path / "state")
    _seed(state, 200, 0)
    shards = len(_files(state))
    seen = 0
    calls = 0
    while store.load(state)["leases"]:
        got = store.gc(state, batch=16)
        assert got["shards"] <= 16
        seen += got["shards"]
        calls += 1
        assert calls <= shards  # always progressing
    assert seen >= shards - 16  # every shard examined once, give or take the last batch


def test_a_change_in_progress_wins(tmp_path):
    state = str(tmp_path / "state")
    _seed(state, 20, 0)
    got: dict = {}

    def fn(d):
        got.update(store.gc(state))  # the state lock is held by this change
        return None

    store.mutate(state, fn)
    assert got["shards"] == 0 and len(store.load(state)["leases"]) == 20


def test_old_holder_notes_go(tmp_path):
    state = str(tmp_path / "state")
    hd = os.path.join(store.coord_dir(state), store.HOLDERS_DIR)
    os.makedirs(hd)
    for name, age in (("old.json", 2 * store.HOLDER_MAX_AGE), ("new.json", 10)):
        p = os.path.join(hd, name)
        with open(p, "w") as f:
            f.write("{}")
        os.utime(p, (NOW - age, NOW - age))
    assert store.gc(state)["holders"] == 1 and os.listdir(hd) == ["new.json"]


WRITER = r"""
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
        except Exception:
            continue
    print(key, flush=True)
"""

COLLECTOR = r"""
import sys
from hookgate.validators.coordination import store
while True:
    store.gc(sys.argv[1], batch=8, timeout=0.05)
"""


@pytest.mark.slow  # stress: many processes, SIGKILL at random moments
def test_writers_and_collectors_killed_at_random_lose_nothing(tmp_path):
    state = str(tmp_path / "state")
    _seed(state, 3000, 500)
    live = {k: v for k, v in store.load(state)["leases"].items() if k.startswith("live/")}
    done: set = set()
    rng = random.Random(11)
    nxt = dict.fromkeys(range(4), 0)
    for _round in range(4):
        writers = {i: subprocess.Popen([sys.executable, "-c", WRITER, state, str(i), str(nxt[i])],
                                       stdout=subprocess.PIPE, text=True) for i in range(4)}
        collectors = [subprocess.Popen([sys.executable, "-c", COLLECTOR, state]) for _ in range(3)]
        firsts = {i: p.stdout.readline().strip() for i, p in writers.items()}
        time.sleep(rng.uniform(0.1, 0.7))
        for p in [*writers.values(), *collectors]:
            p.send_signal(signal.SIGKILL)
        for p in collectors:
            p.wait()
        for i, p in writers.items():
            out, _ = p.communicate()
            got = [ln for ln in [firsts[i]] + out.splitlines() if ln.endswith(".py")]
            done.update(got)
            nxt[i] += len(got) + 1
    final = store.load(state)  # reads cleanly: no torn shard, no corrupt document
    assert not done - set(final["leases"]), sorted(done - set(final["leases"]))[:5]
    for k, lease in live.items():
        assert final["leases"].get(k) == lease
    upkeep.collect(state, rounds=1000)
    final = store.load(state)
    assert not [k for k in final["leases"] if k.startswith("old/")]
    assert not done - set(final["leases"])
