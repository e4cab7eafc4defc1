"""ADR 0027: the ledger's writer keeps its checkpoint and rollup current (``core/upkeep.py``,
started by ``ledger.append_file`` every ``UPKEEP_EVERY`` bytes), so the first `audit verify` /
`rollout status` on a big ledger hookgate wrote reads only what was appended since; what the
upkeep extends is bound to the ledger as before (a forged checkpoint is not believed, an edit in
the verified part is still found by `audit verify`); the hook's caller never waits for it; a
SIGKILLed upkeep leaves files that are valid or absent."""

from __future__ import annotations

import fcntl
import importlib.util
import json
import os
import signal
import subprocess
import time


from hookgate.core import config, evidence, rollup, upkeep
from hookgate.state import ledger
from hookgate.validators import KNOWN_HOOKS
from tests.conftest import HOOKGATE, REPO
from tests.support import payloads

_spec = importlib.util.spec_from_file_location("scaling", os.path.join(REPO, "benchmarks", "scaling.py"))
scaling = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scaling)

SMALL = 64 << 10


def _state(project) -> str:
    return os.path.join(str(project), ".git", "hookgate")


def _rec(i: int, pad: int = 0) -> dict:
    return {"v": 1, "id": f"r{i:08d}", "ts": "2026-12-07T10:00:%02d.000Z" % (i % 60), "kind": "decision",
            "platform": "claude-code", "latency_ms": 1.0 + i % 7, "pad": "x" * pad,
            "verdicts": [{"hook": "write-guard", "raw": "block" if i % 5 == 0 else "allow", "would_block": i % 5 == 0,
                          "effective": "allow", "stage": "monitor"}]}


def _checkpoint(state) -> dict:
    try:
        with open(os.path.join(state, ledger.CHECKPOINT_NAME)) as f:
            return json.load(f)
    except OSError:
        return {}


def _rollup_offset(state) -> int:
    try:
        with open(os.path.join(state, "rollup", "header.json")) as f:
            return json.load(f)["offset"]
    except OSError:
        return 0


def _upkeep_running(state) -> bool:
    fd = os.open(os.path.join(state, upkeep.LOCK_NAME), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)


def _wait_for(pred, timeout=90.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False


def _norm(f: dict):
    stats = {h: [(p, st.to_dict()) for p, st in per.items()] for h, per in f["stats"].items()}
    return stats, sorted(f["checkpoint_hooks"]), f["answered"], [c.get("id") for c in f["changes"]]


def test_the_writer_keeps_checkpoint_and_rollup_current(project, monkeypatch):
    monkeypatch.setattr(ledger, "UPKEEP_EVERY", SMALL)
    state = _state(project)
    path = ledger.ledger_path(state)
    for i in range(700):  # ~300 KB: past four boundaries, each starting a real upkeep process
        ledger.append_file(state, _rec(i, 200), fsync=False)
    size = os.path.getsize(path)
    last_boundary = size // SMALL * SMALL
    assert _wait_for(lambda: _checkpoint(state).get("offset", 0) >= last_boundary - 2048 and not _upkeep_running(state))
    assert _wait_for(lambda: _rollup_offset(state) >= last_boundary - 2048)
    cp = _checkpoint(state)
    assert cp["v"] == ledger.CHECKPOINT_VERSION and size - cp["offset"] < SMALL + 2048
    # the readers start from them (the whole prefix re-hashed, never believed on its word)
    key = config._key(state, create=True)
    assert ledger.read_checkpoint(state, path, key) is not None
    res = ledger.verify(path, state, key)
    assert res.ok and res.count == 700
    cfg = {"hooks": {}}
    assert _norm(rollup.collect(state, path, cfg, KNOWN_HOOKS)) == _norm(evidence.collect_path(path, cfg, KNOWN_HOOKS))


def test_an_old_ledger_without_checkpoint_is_migrated_once_in_the_background(project, monkeypatch):
    state = _state(project)
    path = scaling.make_ledger(state, 3000)  # written before the upkeep existed: no checkpoint, no rollup
    assert not _checkpoint(state)
    monkeypatch.setattr(ledger, "UPKEEP_EVERY", os.path.getsize(path) + 100)
    for i in range(3):
        ledger.append_file(state, _rec(i, 100), fsync=False)
    assert _wait_for(lambda: _checkpoint(state).get("count") == 3003 and _rollup_offset(state) == os.path.getsize(path))
    assert ledger.verify(path, state, config._key(state, create=True)).count == 3003


def test_the_upkeep_believes_no_forged_checkpoint_and_verify_still_finds_an_edit(project):
    state = _state(project)
    path = scaling.make_ledger(state, 2000)
    key = config._key(state, create=True)
    assert upkeep.run(state) == 0 and _checkpoint(state)["count"] == 2000
    # an edit in the verified part, then more records: the upkeep extends (it reads only the
    # new bytes) — `audit verify` re-hashes the prefix, finds it changed, walks it all
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")
    assert b'"outcome":"allow"' in lines[40]
    lines[40] = lines[40].replace(b'"outcome":"allow"', b'"outcome":"block"', 1)
    with open(path, "r+b") as f:
        f.write(b"\n".join(lines))
    for i in range(5):
        ledger.append_file(state, _rec(i), fsync=False)
    assert upkeep.run(state) == 0
    bad = ledger.verify(path, state, key)
    assert not bad.ok and bad.bad_line == 41
    r = subprocess.run([HOOKGATE, "audit", "verify"], cwd=str(project), capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "line 41" in r.stderr + r.stdout
    # a checkpoint without the key's MAC claiming the edited prefix was verified: not believed
    cp = _checkpoint(state)
    cp.update(count=1, mac="0" * 64)
    with open(os.path.join(state, ledger.CHECKPOINT_NAME), "w") as f:
        json.dump(cp, f)
    assert upkeep.run(state) == 0
    assert _checkpoint(state).get("mac") == "0" * 64 or _checkpoint(state)["offset"] < sum(len(x) + 1 for x in lines[:40])
    assert not ledger.verify(path, state, key).ok


def test_the_hook_caller_never_waits_for_the_upkeep(project, home):
    """A real ``hookgate hook`` whose record crosses the boundary returns at once (stdout and
    stderr closed) while the upkeep it started is still walking an old 20,000-record ledger."""
    state = _state(project)
    path = scaling.make_ledger(state, 20000)
    size = os.path.getsize(path)
    boundary = (size // ledger.UPKEEP_EVERY + 1) * ledger.UPKEEP_EVERY
    ledger.UPKEEP_EVERY, saved = 1 << 62, ledger.UPKEEP_EVERY  # no upkeep from this process's fill-up
    try:
        overhead = len(ledger.canonical(dict(_rec(0), prev="0" * 64, hash="0" * 64))) + 1
        while boundary - os.path.getsize(path) > 700:  # fill to just below the boundary
            gap = boundary - os.path.getsize(path)
            ledger.append_file(state, _rec(0, max(0, min(gap - 500 - overhead, 200_000))), fsync=False)
    finally:
        ledger.UPKEEP_EVERY = saved
    payload = payloads.encode(payloads.claude_pre(project, "Bash", {"command": "git status"}, "s-upkeep"))
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", ""), "CLAUDE_PROJECT_DIR": str(project),
           "HOOKGATE_RUNTIME_DIR": os.environ["HOOKGATE_RUNTIME_DIR"]}
    t = time.monotonic()
    r = subprocess.run([HOOKGATE, "hook", "--platform", "claude-code"], input=payload, capture_output=True,
                       cwd=str(project), env=env, timeout=60)
    took = time.monotonic() - t
    assert r.returncode == 0, r.stderr
    assert os.path.getsize(path) > boundary
    assert _wait_for(lambda: _upkeep_running(state), 10), "the crossing append started no upkeep"
    assert _upkeep_running(state), f"upkeep already done: the test proves nothing (hook took {took:.2f} s)"
    assert _wait_for(lambda: not _upkeep_running(state) and _checkpoint(state).get("offset") == os.path.getsize(path))


def test_a_killed_upkeep_leaves_valid_files_or_none(project):
    state = _state(project)
    path = scaling.make_ledger(state, 20000)
    key = config._key(state, create=True)
    cfg = {"hooks": {}}
    want = _norm(evidence.collect_path(path, cfg, KNOWN_HOOKS))
    for delay in (0.2, 0.5, 0.9, 1.4, 2.0):
        p = subprocess.Popen([HOOKGATE, "upkeep", os.path.abspath(state)])
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        cp = ledger.read_checkpoint(state, path, key)
        if cp is not None:  # MAC'd and within the file: and its prefix really verified
            with open(path, "rb") as f:
                assert ledger.prefix_digest(f, cp["offset"], cp) is not None
        assert _norm(rollup.collect(state, path, cfg, KNOWN_HOOKS)) == want
        res = ledger.verify(path, state, key)
        assert res.ok and res.count == 20000
        for name in (ledger.CHECKPOINT_NAME,):
            os.unlink(os.path.join(state, name))
        for f in os.listdir(os.path.join(state, "rollup")):
            os.unlink(os.path.join(state, "rollup", f))
