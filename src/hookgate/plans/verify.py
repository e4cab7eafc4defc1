"""``plan check``: load every plan, build the graph, run the validators, record disputes
(ADR 0024). Also the per-plan status that ``plan status`` draws and ``plan start`` requires."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from hookgate.plans import graph as graph_mod
from hookgate.plans import load, state, validators
from hookgate.plans.model import ERROR, Finding, Plan


@dataclass
class Report:
    plans: list[Plan]
    graph: graph_mod.Graph
    findings: list[Finding]
    overlaps: dict
    data: dict
    disputes: dict = field(default_factory=dict)  # (a, b) -> dispute id

    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    def about(self, plan_id: str) -> list[Finding]:
        return [f for f in self.findings if plan_id in f.plans]


def verify(root: str, state_dir: str, extra_files=(), record: bool = True, by: str = "") -> Report:
    """Everything ``plan check`` reports. With *record*, every collision between two plans of
    ``.hookgate/plans`` becomes (or stays) an open dispute, and a dispute whose plans no
    longer collide is withdrawn."""
    plans, findings = load.load_all(root, extra_files)
    try:
        data = state.load(state_dir)
    except state.CorruptState as e:
        findings.append(Finding("state-corrupt", f"{e}; move it aside to start over (runs and disputes in it "
                                "are not trusted)", (), state.state_path(state_dir)))
        data = state.empty()
    g, graph_findings, over = graph_mod.check_graph(plans, state.orders(data), state.finished(data))
    ctx = validators.Context(root, plans, g)
    findings += graph_findings + validators.run(plans, ctx)
    rep = Report(plans, g, findings, over, data)
    if record:
        rep.disputes = record_disputes(root, state_dir, rep, by)
    else:
        rep.disputes = {tuple(d["plans"]): d["id"] for d in data["disputes"].values() if d.get("status") == "open"}
    rep.findings = [_with_dispute(f, rep.disputes) for f in rep.findings]
    return rep


def _with_dispute(f: Finding, disputes: dict) -> Finding:
    if f.code != "overlap":
        return f
    did = disputes.get(tuple(f.plans))
    if not did:
        return f
    extra = dict(f.extra, dispute=did)
    msg = (f"{f.message}; dispute {did} is open — a human orders them with "
           f"`hookgate disputes resolve {did} --winner PLAN --reason …`")
    return Finding(f.code, msg, f.plans, f.file, f.line, f.key, f.severity, extra)


def record_disputes(root: str, state_dir: str, rep: Report, by: str) -> dict:
    pdir = os.path.realpath(load.plans_dir(root)) + os.sep
    reviewed = {p.id for p in rep.plans if os.path.realpath(p.file).startswith(pdir)}
    pairs = {pair: pats for pair, pats in rep.overlaps.items() if pair[0] in reviewed and pair[1] in reviewed}
    if not pairs and not any(d.get("status") == "open" for d in rep.data["disputes"].values()):
        return {}
    loaded = {p.id for p in rep.plans}
    opened: list[dict] = []

    def fn(data):
        t = state.now()
        out = {}
        for (a, b), pats in sorted(pairs.items()):
            did = state.dispute_id(a, b)
            d = data["disputes"].get(did)
            if d is None or d.get("status") == "withdrawn":
                d = {"id": did, "plans": [a, b], "status": "open", "created": t, "by": by}
                data["disputes"][did] = d
                opened.append(d)
            if d.get("status") == "open":
                d["patterns"] = [list(x) for x in pats]
                d["updated"] = t
                out[(a, b)] = did
        for d in data["disputes"].values():
            a, b = d["plans"]
            if d.get("status") == "open" and (a, b) not in pairs and a in loaded and b in loaded:
                d["status"] = "withdrawn"
                d["withdrawn_at"] = t
        return out

    out = state.mutate(state_dir, fn)
    for d in opened:
        ledger_record(state_dir, "dispute-opened", dispute=d["id"], plans=d["plans"], patterns=d.get("patterns", []))
    rep.data = state.load(state_dir)
    return out


def ledger_record(state_dir: str, event: str, **fields) -> dict:
    """One ``kind: plan`` ledger record (plan start/done/abandon, disputes)."""
    from hookgate.state import backend
    from hookgate.core.engine import _base_record

    rec = _base_record("plan", "")
    rec["event"] = event
    rec.update(fields)
    return backend.ledger_append(state_dir, rec)


# --- status ----------------------------------------------------------------------------------

STATUSES = ("running", "done", "abandoned", "ready", "blocked")


def plan_status(rep: Report, plan: Plan) -> dict:
    """``{"status", "blocked_by": [...], "disputes": [...], "drift": str, "run": {...}}``."""
    run = rep.data["runs"].get(plan.id) or {}
    out: dict = {"id": plan.id, "type": plan.type, "blocked_by": [], "disputes": [], "drift": "", "run": run}
    errs = [f for f in rep.about(plan.id) if f.severity == ERROR and f.code != "overlap"]
    if run.get("status") in ("running", "done", "abandoned"):
        out["status"] = run["status"]
        if run["status"] == "running" and run.get("digest") and run["digest"] != plan.digest:
            out["drift"] = "the plan file changed since it started (the running claims stay as started)"
        return out
    i = rep.graph.index[plan.id]
    runs = rep.data["runs"]
    for j in rep.graph.deps[i]:
        dep = rep.plans[j].id
        st = (runs.get(dep) or {}).get("status")
        if st != "done":
            out["blocked_by"].append(dep + (f" ({st})" if st else ""))
    for dep in plan.depends_on:
        if dep not in rep.graph.index:
            out["blocked_by"].append(f"{dep} (unknown)")
    if rep.graph.in_cycle(i):
        out["blocked_by"].append("a dependency cycle")
    for (a, b), did in rep.disputes.items():
        if plan.id in (a, b):
            out["disputes"].append(did)
            out["blocked_by"].append(f"dispute {did} with {b if a == plan.id else a}")
    if errs:
        out["blocked_by"].append(f"{len(errs)} finding(s) (hookgate plan check)")
    out["status"] = "blocked" if out["blocked_by"] else "ready"
    return out


def statuses(rep: Report, state_dir: str = "") -> list[dict]:
    out = [plan_status(rep, p) for p in rep.plans]
    if state_dir:
        _claims_of_running(out, state_dir)
    known = {p.id for p in rep.plans}
    for pid, run in sorted(rep.data["runs"].items()):
        if pid not in known and run.get("status") == "running":
            out.append({"id": pid, "type": "?", "status": "running", "blocked_by": [], "disputes": [], "run": run,
                        "drift": "its plan file is gone (the running claims stay as started)"})
    return out


def _claims_of_running(sts: list[dict], state_dir: str) -> None:
    """Per running plan: how many of its claims are held, queued, or gone (the session ended,
    or they expired without writes) — the run itself stays; ``plan start`` claims again."""
    import time

    from hookgate.validators.coordination import claims, store

    try:
        data = store.load(state_dir)
    except (store.CorruptState, ValueError, OSError):
        return
    now = time.time()
    live = {c["id"]: c for c in data.get("claims", []) if claims.live(c, now)}
    for st in sts:
        run = st.get("run") or {}
        if st["status"] != "running" or not run.get("claims"):
            continue
        mine = [c for c in (live.get(cid) for cid in run["claims"]) if c is not None and c.get("session") == run.get("session")]
        held = sum(1 for c in mine if claims.is_held(c))
        st["claims"] = {"held": held, "queued": len(mine) - held, "gone": len(run["claims"]) - len(mine)}
        if st["claims"]["gone"]:
            st["lapsed"] = (f"{st['claims']['gone']} of its {len(run['claims'])} claims are gone (session ended or "
                            f"expired); `hookgate plan start {st['id']} --session {run.get('session')}` claims again")
