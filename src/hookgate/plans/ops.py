"""``plan start|done|abandon`` and ``disputes resolve`` (ADR 0024): the state changes.

A started plan becomes claims of the session that carries it, through the existing claim API
(``hookgate.validators.coordination.claims``: modes, priorities, the fair queue): each write pattern is
claimed ``write`` on its literal prefix (``src/oauth/**`` → ``src/oauth``; ``**/*.py`` → the
whole project), each read pattern ``read``. A claim on a directory covers what is under it,
so the claims cover at least what the patterns do (coarser, never finer); the exact patterns
are what the coordination hook's ``outside-plan`` verdict and ``gate --plan`` compare against.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from hookgate.plans import globs, state
from hookgate.plans.verify import Report, ledger_record, plan_status, verify
from hookgate.errors import HookgateError

DEFAULT_TTL = 8 * 3600.0
DEFAULT_RUN = ("python3", "-m", "pytest", "-q")
CHECK_OUTPUT_TAIL = 4000


class PlanError(HookgateError):
    """Refused; str() says why and what to do. ``code`` is the exit status."""

    def __init__(self, msg: str, code: int = 1):
        super().__init__(msg)
        self.code = code


def claim_paths(root: str, patterns) -> list[str]:
    """Claim keys for patterns: their literal prefixes, as the claim API keys files —
    repository-relative, so every worktree of the repository meets them (ADR 0022) — with
    ``.`` for the whole tree; deduplicated, a key under another claimed one dropped."""
    from hookgate.validators.coordination import identity

    top = identity.worktree_top(root)
    out: list[str] = []
    for p in patterns:
        prefix = globs.literal_prefix(globs.segments(p))
        out.append(identity.key(os.path.join(root, *prefix) if prefix else root.rstrip("/") or "/", top))
    out = sorted(set(out))
    keep = []
    for p in out:
        if not any(identity.under(p, k) for k in keep):
            keep.append(p)
    return _claim_keys(root, keep)


def _claim_keys(root: str, paths: list[str]) -> list[str]:
    """The claim API's keys for absolute *paths*: repository-relative, so every worktree meets
    them (ADR 0022); absolute outside the repository."""
    from hookgate.validators.coordination import identity

    top = identity.worktree_top(root)
    return [identity.key(p, top) for p in paths]


def _find(rep: Report, plan_id: str):
    plan = next((p for p in rep.plans if p.id == plan_id), None)
    if plan is None:
        raise PlanError(f"no plan {plan_id!r} (plans live in .hookgate/plans/<id>.toml; `hookgate plan status` "
                        "lists them)", 2)
    return plan


def start_precheck(root: str, state_dir: str, plan_id: str, session: str, by: str = ""):
    """(report, plan, its run record) if *plan_id* may start for *session*; else PlanError."""
    rep = verify(root, state_dir, record=True, by=by)
    plan = _find(rep, plan_id)
    errs = [f for f in rep.about(plan_id) if f.severity == "error"]
    run = rep.data["runs"].get(plan_id) or {}
    if run.get("status") == "running" and run.get("session") != session:
        raise PlanError(f"{plan_id} is already running for session {run.get('session')}; "
                        f"`hookgate plan abandon {plan_id} --reason …` first to hand it over")
    if run.get("status") in ("done", "abandoned"):
        raise PlanError(f"{plan_id} is {run['status']}; a finished plan does not start again (write a new plan)")
    if errs:
        lines = "\n".join(f"  {f.where() or plan_id}: {f.message}" for f in errs)
        raise PlanError(f"{plan_id} does not verify ({len(errs)} finding(s)); not started:\n{lines}")
    st = plan_status(rep, plan)
    if run.get("status") != "running" and st["status"] != "ready":
        raise PlanError(f"{plan_id} is not ready: blocked by {', '.join(st['blocked_by'])}")
    if not session:
        raise PlanError("a plan is carried by a session: pass --session ID (e.g. the id you start the agent "
                        "with: `claude --session-id ID`)", 2)
    return rep, plan, run


def start(root: str, state_dir: str, plan_id: str, session: str, platform: str = "", by: str = "",
          ttl: float = DEFAULT_TTL, priority: str = "normal", worktree: str = "", promote_after: float = 120.0,
          ) -> dict:
    """Verify *plan_id*, then claim its patterns for *session*. Returns the run record plus
    ``granted``/``queued`` claim rows. Refuses (PlanError) a plan with findings, one that is
    not ready, one already running for another session, a finished one."""
    from hookgate.validators.coordination import claims, store

    rep, plan, run = start_precheck(root, state_dir, plan_id, session, by)
    from hookgate.validators.coordination import identity

    write_paths = claim_paths(root, plan.write)
    read_paths = [p for p in claim_paths(root, plan.read) if not any(identity.under(p, w) for w in write_paths)]
    # where the work happens: the plan's worktree (branch plan/<id>) or this checkout — the
    # merge gate's evidence (ADR 0022) is keyed by it
    where = identity.where(identity.worktree_top(worktree or run.get("worktree") or root))

    def claim(data):
        now = time.time()
        mine = []
        if write_paths:
            mine += claims.request(data, write_paths, session, platform, "write", priority, ttl, now, promote_after,
                                   where)
        if read_paths:
            mine += claims.request(data, read_paths, session, platform, "read", priority, ttl, now, promote_after,
                                   where)
        return [dict(c) for c in mine]

    got = store.mutate(state_dir, claim)
    _record_claims(state_dir, session, platform, got, where)
    now = time.time()
    record = {"status": "running", "session": session, "platform": platform, "started": run.get("started") or now,
              "digest": plan.digest, "file": plan.file, "claims": [c["id"] for c in got],
              "write": list(plan.write), "read": list(plan.read), "tests": list(plan.tests),
              "run": list(plan.run), "worktree": worktree or run.get("worktree", ""), "by": by}

    def save(data):
        now_run = data["runs"].get(plan_id) or {}
        if now_run.get("status") in ("done", "abandoned") or (
                now_run.get("status") == "running" and now_run.get("session") != session):
            # another `plan start` (or done/abandon) won the race since we verified
            raise PlanError(f"{plan_id} changed while starting ({now_run.get('status')}, session "
                            f"{now_run.get('session', '?')}); not started")
        data["runs"][plan_id] = dict(now_run, **record)

    try:
        state.mutate(state_dir, save)
    except PlanError:
        mine = [c["id"] for c in got if c["id"] not in (run.get("claims") or [])]
        if mine:
            _release(state_dir, {"session": session, "claims": mine})
        raise
    if run.get("status") != "running":
        ledger_record(state_dir, "start", plan=plan_id, session=session, by=by, digest=plan.digest,
                      claims=[{"id": c["id"], "path": c["path"], "mode": c["mode"]} for c in got],
                      worktree=record["worktree"])
    out = dict(record)
    out["granted"] = [c for c in got if claims.is_held(c)]
    out["queued"] = [c for c in got if not claims.is_held(c)]
    return out


def _record_claims(state_dir: str, session: str, platform: str, got: list, where: dict) -> None:
    """The ``kind: claim`` ledger records ``hookgate claim`` writes (the merge gate's evidence)."""
    from hookgate.core.engine import record_claims

    for mode in ("write", "read"):
        rows = [{"path": c["path"], "granted": c.get("granted") is not None, "mode": c["mode"]}
                for c in got if c["mode"] == mode]
        if rows:
            warning = record_claims(state_dir, session, platform, "plan start", rows, where)
            if warning:
                sys.stderr.write(warning + "\n")


def run_checks(run: dict, root: str, timeout: float) -> dict:
    """Run the plan's tests (as recorded at start): ``run`` argv (default pytest) + tests."""
    tests = list(run.get("tests") or [])
    if not tests:
        return {"ran": False, "ok": True, "why": "the plan names no checks.tests"}
    argv = list(run.get("run") or DEFAULT_RUN) + tests
    cwd = run.get("worktree") or root
    if not os.path.isdir(cwd):
        cwd = root
    t0 = time.time()
    try:
        p = subprocess.run(argv, cwd=cwd, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        return {"ran": False, "ok": False, "argv": argv, "why": f"{argv[0]!r} not found"}
    except subprocess.TimeoutExpired:
        return {"ran": True, "ok": False, "argv": argv, "why": f"timed out after {timeout:g}s"}
    out = (p.stdout + p.stderr).decode("utf-8", "replace")
    return {"ran": True, "ok": p.returncode == 0, "argv": argv, "cwd": cwd, "returncode": p.returncode,
            "seconds": round(time.time() - t0, 2), "output": out[-CHECK_OUTPUT_TAIL:]}


def done(root: str, state_dir: str, plan_id: str, by: str = "", timeout: float = 1800.0) -> dict:
    """Run the checks; on success release the plan's claims, mark it done, and return the
    dependants that became ready."""
    data = state.load(state_dir)
    run = data["runs"].get(plan_id)
    if not run or run.get("status") != "running":
        st = (run or {}).get("status") or "not started"
        raise PlanError(f"{plan_id} is {st}; only a running plan can be done")
    result = run_checks(run, root, timeout)
    if not result["ok"]:
        ledger_record(state_dir, "checks-failed", plan=plan_id, session=run.get("session", ""), by=by,
                      checks={k: v for k, v in result.items() if k != "output"})
        raise PlanError(f"{plan_id}: checks failed ({result.get('why') or 'exit ' + str(result.get('returncode'))}); "
                        "the plan stays running\n" + result.get("output", "")[-1500:])
    released = _release(state_dir, run)

    def save(d):
        r = d["runs"].get(plan_id)
        if r is None or r.get("status") != "running":
            raise PlanError(f"{plan_id} changed while its checks ran ({(r or {}).get('status')}); not marked done")
        r.update(status="done", finished=time.time(), checks={k: v for k, v in result.items() if k != "output"},
                 done_by=by)

    state.mutate(state_dir, save)
    ledger_record(state_dir, "done", plan=plan_id, session=run.get("session", ""), by=by,
                  checks={k: v for k, v in result.items() if k != "output"}, released=len(released))
    rep = verify(root, state_dir, record=False)
    unblocked = []
    for p in rep.plans:
        if plan_id in p.depends_on or any(w == plan_id for w, _l in state.orders(rep.data) if _l == p.id):
            if plan_status(rep, p)["status"] == "ready":
                unblocked.append(p.id)
    return {"plan": plan_id, "checks": result, "released": released, "unblocked": unblocked}


def _release(state_dir: str, run: dict) -> list[dict]:
    from hookgate.validators.coordination import claims, store

    ids = list(run.get("claims") or [])
    if not ids:
        return []

    def fn(data):
        gone = claims.release(data, session=run.get("session"), ids=ids)
        claims.schedule(data, time.time())
        return gone

    return store.mutate(state_dir, fn)


def abandon(state_dir: str, plan_id: str, reason: str, by: str = "") -> dict:
    data = state.load(state_dir)
    run = data["runs"].get(plan_id)
    if run and run.get("status") in ("done", "abandoned"):
        raise PlanError(f"{plan_id} is already {run['status']}")
    released = _release(state_dir, run) if run else []

    def save(d):
        r = d["runs"].setdefault(plan_id, {})
        r.update(status="abandoned", finished=time.time(), reason=reason, abandoned_by=by)

    state.mutate(state_dir, save)
    ledger_record(state_dir, "abandon", plan=plan_id, session=(run or {}).get("session", ""), by=by, reason=reason,
                  released=len(released))
    return {"plan": plan_id, "released": released}


def _no_cycle(root: str, data: dict, winner: str, loser: str) -> None:
    from hookgate.plans import load
    from hookgate.plans.graph import Graph

    plans, _found = load.load_all(root)
    g = Graph(plans, state.orders(data))
    if winner in g.index and loser in g.index and g.depends(winner, loser):
        raise PlanError(f"{winner} already waits for {loser} (through dependencies or other resolved disputes); "
                        f"making {loser} wait for {winner} would be a cycle — pick --winner {loser}")


def resolve_dispute(root: str, state_dir: str, dispute: str, winner: str, reason: str, by: str) -> dict:
    """Order the two plans: the loser waits for the winner (an order edge ``plan check``
    and ``plan status`` honour). Recorded in the ledger."""
    if not reason.strip():
        raise PlanError("--reason is required: say why this plan goes first", 2)

    def fn(data):
        d = data["disputes"].get(dispute)
        if d is None:
            raise PlanError(f"no dispute {dispute!r} (`hookgate disputes list`)", 2)
        if d.get("status") != "open":
            raise PlanError(f"dispute {dispute} is {d.get('status')}, not open")
        if winner not in d["plans"]:
            raise PlanError(f"--winner must be one of {', '.join(d['plans'])}", 2)
        loser = d["plans"][1] if d["plans"][0] == winner else d["plans"][0]
        _no_cycle(root, data, winner, loser)
        d.update(status="resolved", winner=winner, loser=loser, reason=reason, resolved_by=by,
                 resolved_at=time.time())
        return dict(d)

    d = state.mutate(state_dir, fn)
    ledger_record(state_dir, "dispute-resolved", dispute=dispute, plans=d["plans"], winner=winner,
                  loser=d["loser"], reason=reason, by=by)
    return d
