"""The dependency graph over all plans (ADR 0024). Iterative throughout: no recursion, so a
cycle of 1,000 plans (or a chain of 100,000) is as safe as a cycle of two.

- unknown dependencies and self-dependency;
- cycles: strongly connected components (Tarjan, with an explicit stack), each named by one
  shortest cycle through its first plan;
- order: plan A is ordered before B when a dependency path leads from B to A (``depends_on``
  plus the orders that resolved disputes added). Ancestor sets are bitsets (Python ints) over
  the condensation, computed once: ``ordered(a, b)`` is two bit tests;
- write-claim overlaps between plans that no path orders. Candidate pairs come from a trie of
  the patterns' literal prefixes (two patterns can match one path only if one's literal
  prefix is a prefix of the other's), so disjoint trees are never compared; each candidate is
  then decided by ``globs.overlap``.
"""

from __future__ import annotations

from hookgate.plans import globs
from hookgate.plans.model import ERROR, Finding, Plan

CYCLE_SHOWN = 12  # plans named in a cycle's one-line message (the --json finding has them all)


class Graph:
    def __init__(self, plans: list[Plan], orders=()):
        """*orders*: ``(before, after)`` pairs from resolved disputes (after waits for before)."""
        self.plans = plans
        self.index = {p.id: i for i, p in enumerate(plans)}
        n = len(plans)
        self.deps: list[list[int]] = [[] for _ in range(n)]
        self.findings: list[Finding] = []
        for i, p in enumerate(plans):
            for d in p.depends_on:
                j = self.index.get(d)
                if j is None:
                    self.findings.append(Finding(
                        "unknown-dependency", f"{p.id} depends on {d!r}, which is not a plan "
                        f"(no .hookgate/plans/*.toml has plan.id = {d!r})", (p.id,), p.file,
                        p.line_of("plan.depends_on"), "plan.depends_on", extra={"dependency": d}))
                elif j == i:
                    self.findings.append(Finding(
                        "self-dependency", f"{p.id} depends on itself", (p.id,), p.file,
                        p.line_of("plan.depends_on"), "plan.depends_on"))
                else:
                    self.deps[i].append(j)
        for before, after in orders:
            a, b = self.index.get(after), self.index.get(before)
            if a is not None and b is not None and a != b and b not in self.deps[a]:
                self.deps[a].append(b)
        self.scc_of, self.sccs = _tarjan(self.deps)
        self._cycles()
        self.anc = _ancestors(self.deps, self.scc_of, self.sccs)

    # --- order ---------------------------------------------------------------------------

    def ordered(self, i: int, j: int) -> bool:
        """Whether a dependency path leads from one to the other (either way)."""
        return bool((self.anc[i] >> j) & 1 or (self.anc[j] >> i) & 1)

    def ordered_ids(self, a: str, b: str) -> bool:
        return self.ordered(self.index[a], self.index[b])

    def depends(self, a: str, b: str) -> bool:
        """Whether *a* (transitively) waits for *b*."""
        return bool((self.anc[self.index[a]] >> self.index[b]) & 1)

    def in_cycle(self, i: int) -> bool:
        return len(self.sccs[self.scc_of[i]]) > 1

    # --- cycles --------------------------------------------------------------------------

    def _cycles(self) -> None:
        for comp in self.sccs:
            if len(comp) < 2:
                continue
            start = min(comp, key=lambda k: self.plans[k].id)
            path = self._shortest_cycle(start, set(comp))
            names = [self.plans[k].id for k in path] + [self.plans[start].id]
            shown = names if len(names) <= CYCLE_SHOWN else names[: CYCLE_SHOWN - 2] + ["…"] + names[-1:]
            p = self.plans[start]
            self.findings.append(Finding(
                "cycle", f"dependency cycle of {len(path)} plans: {' → '.join(shown)}"
                + (f" ({len(comp)} plans are in this cycle's component)" if len(comp) != len(path) else ""),
                tuple(sorted(self.plans[k].id for k in comp)), p.file, p.line_of("plan.depends_on"),
                "plan.depends_on", extra={"cycle": names}))

    def _shortest_cycle(self, start: int, comp: set) -> list[int]:
        parent = {start: -1}
        frontier = [start]
        while frontier:
            nxt = []
            for u in frontier:
                for v in self.deps[u]:
                    if v == start:
                        path = [u]
                        while parent[path[-1]] != -1:
                            path.append(parent[path[-1]])
                        return path[::-1]
                    if v in comp and v not in parent:
                        parent[v] = u
                        nxt.append(v)
            frontier = nxt
        return [start]  # unreachable for a real component

    # --- overlaps ------------------------------------------------------------------------

    def overlaps(self, skip=frozenset()) -> dict[tuple[str, str], list[tuple[str, str]]]:
        """``{(a, b): [(pattern of a, pattern of b), …]}`` for unordered plans whose write
        claims can cover one path (a < b by id). Plans in *skip* (done/abandoned) are left out.

        Each trie node holds ``{pattern: bitset of plans}``; for a pattern, the plans that may
        collide with it are, per node on its prefix path and per distinct pattern there, one
        bitset minus the plans ordered with it — so a chain of 2,000 plans all claiming
        ``src/**`` costs 2,000 big-int operations, not 2,000,000 pair tests."""
        if not self.plans:
            return {}
        desc = _descendants(self.deps, self.scc_of, self.sccs)
        root: dict = {}
        items = []  # (plan index, pattern, prefix path)
        for i, p in enumerate(self.plans):
            if p.id in skip:
                continue
            for w in p.write:
                prefix = globs.literal_prefix(globs.segments(w.lower()))
                node = root
                for s in prefix:
                    node = node.setdefault(s, {})
                bucket = node.setdefault("", {})
                bucket[w] = bucket.get(w, 0) | (1 << i)
                items.append((i, w, prefix))
        out: dict[tuple[str, str], list[tuple[str, str]]] = {}
        meets: dict[tuple[str, str], bool] = {}
        for i, w, prefix in items:
            excluded = self.anc[i] | desc[i] | (1 << i)
            upto_i = (1 << (i + 1)) - 1
            node = root
            nodes = [root]
            for s in prefix:
                node = node[s]
                nodes.append(node)
            last = len(nodes) - 1
            for depth, nd in enumerate(nodes):
                for v, bits in nd.get("", {}).items():
                    cand = bits & ~excluded
                    if depth == last:
                        cand &= ~upto_i  # same node: each pair once, from its lower plan
                    if not cand:
                        continue
                    key = (w, v)
                    m = meets.get(key)
                    if m is None:
                        m = meets[key] = meets[(v, w)] = globs.overlap(w, v)
                    if not m:
                        continue
                    while cand:
                        low = cand & -cand
                        j = low.bit_length() - 1
                        cand ^= low
                        a, b = self.plans[i].id, self.plans[j].id
                        pair, pats = ((a, b), (w, v)) if a < b else ((b, a), (v, w))
                        lst = out.setdefault(pair, [])
                        if pats not in lst:
                            lst.append(pats)
        return out


def _tarjan(deps: list[list[int]]) -> tuple[list[int], list[list[int]]]:
    """Strongly connected components, iteratively. Components come out dependencies first
    (reverse topological order of the ``depends on`` edges)."""
    n = len(deps)
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    scc_of = [-1] * n
    sccs: list[list[int]] = []
    counter = 0
    for root in range(n):
        if index[root] != -1:
            continue
        work = [(root, 0)]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack[root] = True
        while work:
            v, k = work[-1]
            if k < len(deps[v]):
                work[-1] = (v, k + 1)
                w = deps[v][k]
                if index[w] == -1:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack[w] = True
                    work.append((w, 0))
                elif on_stack[w]:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                u = work[-1][0]
                low[u] = min(low[u], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    scc_of[w] = len(sccs)
                    comp.append(w)
                    if w == v:
                        break
                sccs.append(comp)
    return scc_of, sccs


def _ancestors(deps, scc_of, sccs) -> list[int]:
    """Per plan, the bitset of plans it (transitively) depends on; members of a cycle depend
    on each other."""
    comp_bits = [0] * len(sccs)
    for c, comp in enumerate(sccs):  # dependencies first, so every dep's bits are final
        members = 0
        for v in comp:
            members |= 1 << v
        bits = members if len(comp) > 1 else 0
        for v in comp:
            for w in deps[v]:
                cw = scc_of[w]
                if cw != c:
                    bits |= comp_bits[cw] | (1 << w)
        comp_bits[c] = bits
    return [comp_bits[scc_of[v]] for v in range(len(deps))]


def _descendants(deps, scc_of, sccs) -> list[int]:
    """Per plan, the bitset of plans that (transitively) depend on it."""
    rdeps: list[list[int]] = [[] for _ in deps]
    for v, ds in enumerate(deps):
        for w in ds:
            rdeps[w].append(v)
    comp_bits = [0] * len(sccs)
    for c in range(len(sccs) - 1, -1, -1):  # dependants first
        comp = sccs[c]
        bits = 0
        if len(comp) > 1:
            for v in comp:
                bits |= 1 << v
        for v in comp:
            for w in rdeps[v]:
                cw = scc_of[w]
                if cw != c:
                    bits |= comp_bits[cw] | (1 << w)
        comp_bits[c] = bits
    return [comp_bits[scc_of[v]] for v in range(len(deps))]


def check_graph(plans: list[Plan], orders=(), skip=frozenset()) -> tuple[Graph, list[Finding], dict]:
    """(graph, its findings, the unordered overlaps)."""
    g = Graph(plans, orders)
    found = list(g.findings)
    over = g.overlaps(skip)
    by_id = {p.id: p for p in plans}
    for (a, b), pats in sorted(over.items()):
        pa = by_id[a]
        shown = ", ".join(f"{x} ∩ {y}" for x, y in pats[:3]) + (f" (+{len(pats) - 3} more)" if len(pats) > 3 else "")
        found.append(Finding(
            "overlap", f"{a} and {b} both claim to write {shown}, and neither depends on the other",
            (a, b), pa.file, pa.line_of("claims.write"), "claims.write", ERROR,
            extra={"patterns": [list(x) for x in pats]}))
    return g, found, over
