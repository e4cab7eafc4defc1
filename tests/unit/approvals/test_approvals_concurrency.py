"""ADR 0012: each request ends exactly once — two agents asking at once, two humans answering at
once, expiry while answering, many retries racing for one single-use approval."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import time

from tests.unit.approvals.helpers import (
    CI_FILE, ID_RX, approval_id, edit_request, hook, human_env, ledger, prefer_queue, request, requests, write_pre,
)
from tests.conftest import HOOKGATE

N = 6


def _spawn_hooks(project, payloads):
    procs = [subprocess.Popen([HOOKGATE, "hook", "--platform", plat], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, cwd=str(project)) for plat, _ in payloads]
    time.sleep(1.0)  # every process is up and blocked reading stdin: release them together
    for p, (_, payload) in zip(procs, payloads):
        p.stdin.write(json.dumps(payload).encode())
        p.stdin.close()
    out = []
    for p in procs:
        stdout = p.stdout.read().decode()
        p.stdout.close()
        p.stderr.close()
        out.append((stdout, p.wait(timeout=120)))
    return out


def _changes(project, rid):
    return [r["change"] for r in ledger(project) if r["kind"] == "approval" and r["approval_id"] == rid]


def test_agents_asking_at_once_share_one_request(project):
    prefer_queue(project)
    plats = ["claude-code", "cursor", "gemini-cli"] * 2
    outs = _spawn_hooks(project, [(p, write_pre(p, project, CI_FILE, "on: push\n", session=f"s{i}"))
                                  for i, p in enumerate(plats)])
    ids = {ID_RX.search(o).group(1) for o, _ in outs}
    assert len(ids) == 1, outs
    assert [r["status"] for r in requests(project)] == ["pending"]
    assert _changes(project, ids.pop()) == ["created"]


def test_humans_answering_at_once_end_it_once(project):
    prefer_queue(project)
    rid = approval_id(hook("claude-code", write_pre("claude-code", project, CI_FILE, "on: push\n"), project))
    cmds = [["approvals", "approve", rid, "--yes-i-am-human"], ["approvals", "deny", rid]] * (N // 2)
    procs = [subprocess.Popen([HOOKGATE, *c], cwd=str(project), env=human_env(), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL) for c in cmds]
    codes = [p.wait(timeout=120) for p in procs]
    assert sorted(codes) == [0] + [1] * (N - 1), codes
    final = request(project, rid)["status"]
    assert final in ("approved", "denied")
    assert _changes(project, rid) == ["created", final]


def test_retries_race_for_one_single_use_approval(project):
    prefer_queue(project)
    rid = approval_id(hook("claude-code", write_pre("claude-code", project, CI_FILE, "on: push\n"), project))
    r = subprocess.run([HOOKGATE, "approvals", "approve", rid, "--yes-i-am-human"], cwd=str(project),
                       env=human_env(), capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    plats = ["claude-code", "gemini-cli", "cursor"] * 2
    outs = _spawn_hooks(project, [(p, write_pre(p, project, CI_FILE, "on: push\n", session=f"r{i}"))
                                  for i, p in enumerate(plats)])
    allowed = [o for o, code in outs if code == 0 and not o.strip()]
    assert len(allowed) == 1, outs
    assert _changes(project, rid) == ["created", "approved", "consumed"]
    new_ids = {ID_RX.search(o).group(1) for o, _ in outs if o.strip()}
    assert len(new_ids) == 1 and rid not in new_ids  # the losers share one new request


def _answer(args):
    state, rid, approve, at = args
    from hookgate.approvals import store

    while time.time() < at:
        time.sleep(0.0005)
    try:
        store.answer(state, rid, approve=approve, by=f"p{approve}", now=time.time(),
                     digest=store.load(state, rid)["digest"])
        return "ok"
    except store.ApprovalError as e:
        return f"refused {e.code}"


def test_humans_answering_at_the_same_instant_end_it_once(project):
    prefer_queue(project)
    state = str(project / ".git" / "hookgate")
    rid = approval_id(hook("claude-code", write_pre("claude-code", project, CI_FILE, "on: push\n"), project))
    at = time.time() + 0.5
    with multiprocessing.get_context("fork").Pool(N) as pool:
        results = pool.map(_answer, [(state, rid, i % 2 == 0, at) for i in range(N)])
    assert results.count("ok") == 1, results
    assert len(_changes(project, rid)) == 2


def test_expiry_while_answering_ends_it_once(project):
    prefer_queue(project)
    state = str(project / ".git" / "hookgate")
    for round_ in range(3):
        rid = approval_id(hook("claude-code", write_pre("claude-code", project, CI_FILE, f"on: push # {round_}\n"),
                               project))
        boundary = time.time() + 0.4
        edit_request(project, rid, expires=boundary)
        jobs = [(state, rid, i % 2 == 0, boundary - 0.01 + 0.004 * i) for i in range(N)]
        with multiprocessing.get_context("fork").Pool(N) as pool:
            results = pool.map(_answer, jobs)
        ends = [c for c in _changes(project, rid) if c in ("approved", "denied", "expired")]
        assert len(ends) == 1, (results, _changes(project, rid))
        assert results.count("ok") == (0 if ends == ["expired"] else 1), results
        from hookgate.approvals import store

        assert store.load(state, rid)["status"] == ends[0]
