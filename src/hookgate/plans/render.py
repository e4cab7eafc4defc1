"""``plan status`` as a text graph (ADR 0024).

Each plan is printed once, under its first dependency that comes before it (a forest over
the dependency DAG, in dependency order); a plan with more dependencies says which others it
also waits for. Plans in a cycle are roots. Indentation stops growing past ``MAX_INDENT``
levels (a chain of 1,000 plans stays readable). Iterative.
"""

from __future__ import annotations

import time

MAX_INDENT = 16
MARK = {"done": "[x]", "running": "[>]", "ready": "[ ]", "blocked": "[-]", "abandoned": "[~]"}


def _ago(t) -> str:
    from hookgate.validators.coordination.validator import _ago as ago

    return ago(time.time() - float(t or time.time()))


def describe(st: dict) -> str:
    s = st["status"]
    run = st.get("run") or {}
    if s == "running":
        out = f"running  session {run.get('session', '?')}, for {_ago(run.get('started'))}"
        if run.get("worktree"):
            out += f", worktree {run['worktree']}"
        c = st.get("claims")
        if c and c.get("queued"):
            out += f", waiting for {c['queued']} claim(s)"
    elif s in ("done", "abandoned"):
        out = f"{s} {_ago(run.get('finished'))} ago"
        if run.get("reason"):
            out += f" ({run['reason']})"
    elif s == "blocked":
        out = "blocked-by " + ", ".join(st["blocked_by"])
    else:
        out = "ready"
    if st.get("drift"):
        out += f"  DRIFT: {st['drift']}"
    if st.get("lapsed"):
        out += f"  LAPSED: {st['lapsed']}"
    return out


def text_graph(rep, statuses: list[dict]) -> list[str]:
    g = rep.graph
    by_id = {s["id"]: s for s in statuses}
    n = len(rep.plans)
    scc_rank = {}
    for c, comp in enumerate(g.sccs):
        for v in comp:
            scc_rank[v] = c
    parent = [-1] * n
    kids: list[list[int]] = [[] for _ in range(n)]
    for i in range(n):
        cands = [j for j in g.deps[i] if scc_rank[j] < scc_rank[i]]
        if cands:
            parent[i] = min(cands, key=lambda j: rep.plans[j].id)
            kids[parent[i]].append(i)
    order = sorted(range(n), key=lambda i: (scc_rank[i], rep.plans[i].id))
    rows: list[tuple[str, str]] = []
    for root in (i for i in order if parent[i] == -1):
        stack = [(root, 0)]
        while stack:
            i, depth = stack.pop()
            p = rep.plans[i]
            st = by_id[p.id]
            shown = min(depth, MAX_INDENT)
            lead = ("   " * (shown - 1) + "└─ ") if depth else ""
            if depth > MAX_INDENT:
                lead = lead[:-3] + f"└{depth}─ "
            others = [rep.plans[j].id for j in g.deps[i] if j != parent[i]]
            also = f"  (also after {', '.join(others)})" if others else ""
            rows.append((f"{lead}{MARK.get(st['status'], '[?]')} {p.id}", f"{describe(st)}{also}"))
            for k in sorted(kids[i], key=lambda j: rep.plans[j].id, reverse=True):
                stack.append((k, depth + 1))
    for st in statuses:
        if st["id"] not in g.index:  # a running plan whose file is gone
            rows.append((f"{MARK['running']} {st['id']}", describe(st)))
    col = min(60, max((len(a) for a, _b in rows), default=0) + 2)
    return [f"{a}{' ' * max(2, col - len(a))}{b}" for a, b in rows]
