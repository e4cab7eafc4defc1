"""ADR 0024: the DAG checks — unknown deps, self-dependency, cycles (named), overlaps between
plans no dependency path orders — and the glob overlap they rest on."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hookgate.plans import globs
from hookgate.plans.graph import Graph, check_graph
from tests.unit.plans.helpers import plan


def codes(found) -> list[tuple[str, tuple]]:
    return sorted((f.code, f.plans) for f in found)


# (name, plans, orders from resolved disputes, expected (code, plans) findings)
CASES = [
    ("clean chain", [plan("a", write=["src/x.py"]), plan("b", ["a"], write=["src/x.py"])], [], []),
    ("unknown dependency", [plan("a", ["ghost"])], [], [("unknown-dependency", ("a",))]),
    ("self dependency", [plan("a", ["a"])], [], [("self-dependency", ("a",))]),
    ("two-cycle", [plan("a", ["b"]), plan("b", ["a"])], [], [("cycle", ("a", "b"))]),
    ("three-cycle plus a tail", [plan("a", ["b"]), plan("b", ["c"]), plan("c", ["a"]), plan("d", ["a"])], [],
     [("cycle", ("a", "b", "c"))]),
    ("two separate cycles", [plan("a", ["b"]), plan("b", ["a"]), plan("c", ["d"]), plan("d", ["c"])], [],
     [("cycle", ("a", "b")), ("cycle", ("c", "d"))]),
    ("unordered overlap", [plan("a", write=["src/**"]), plan("b", write=["src/auth.py"])], [],
     [("overlap", ("a", "b"))]),
    ("ordered by a direct dependency", [plan("a", write=["src/**"]), plan("b", ["a"], write=["src/auth.py"])], [], []),
    ("ordered by a path", [plan("a", write=["src/*.py"]), plan("m", ["a"]), plan("b", ["m"], write=["src/x.py"])],
     [], []),
    ("siblings of one parent are unordered", [plan("root"), plan("a", ["root"], write=["lib/x"]),
                                              plan("b", ["root"], write=["lib/x/y.c"])], [], [("overlap", ("a", "b"))]),
    ("disjoint trees", [plan("a", write=["src/a/**"]), plan("b", write=["src/b/**"])], [], []),
    ("globs that cannot meet", [plan("a", write=["src/*.py"]), plan("b", write=["src/*.js"])], [], []),
    ("globs that can meet", [plan("a", write=["**/*.py"]), plan("b", write=["src/x/*"])], [],
     [("overlap", ("a", "b"))]),
    ("case-insensitive file systems", [plan("a", write=["README.md"]), plan("b", write=["readme.md"])], [],
     [("overlap", ("a", "b"))]),
    ("read claims never collide", [plan("a", read=["src/**"]), plan("b", write=["src/x.py"])], [], []),
    ("a resolved dispute orders them", [plan("a", write=["src/**"]), plan("b", write=["src/auth.py"])],
     [("a", "b")], []),
    ("plans in one cycle are ordered (the cycle is the finding)",
     [plan("a", ["b"], write=["x"]), plan("b", ["a"], write=["x"])], [], [("cycle", ("a", "b"))]),
]


@pytest.mark.parametrize("name,plans,orders,expected", CASES, ids=[c[0] for c in CASES])
def test_dag_checks(name, plans, orders, expected):
    _g, found, _over = check_graph(plans, orders)
    assert codes(found) == sorted(expected)


def test_cycle_is_named_and_located():
    plans = [plan("a", ["b"], file="/p/a.toml"), plan("b", ["c"]), plan("c", ["a"])]
    _g, found, _ = check_graph(plans)
    (f,) = found
    assert "a → b → c → a" in f.message and f.extra["cycle"] == ["a", "b", "c", "a"]
    assert f.file == "/p/a.toml" and f.key == "plan.depends_on"


def test_a_cycle_of_1000_plans_does_not_recurse():
    """Iterative algorithms: with the recursion limit at 120 a recursive DFS would fail here."""
    n = 1000
    plans = [plan(f"p{i:04d}", [f"p{(i + 1) % n:04d}"], write=[f"src/f{i}.py"]) for i in range(n)]
    plans += [plan(f"q{i:05d}", [f"q{i + 1:05d}"] if i + 1 < 20000 else []) for i in range(20000)]  # long chain
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(120)
    try:
        g, found, _ = check_graph(plans)
    finally:
        sys.setrecursionlimit(old)
    (f,) = found
    assert f.code == "cycle" and len(f.extra["cycle"]) == n + 1 and len(f.plans) == n
    assert "cycle of 1000 plans" in f.message and "…" in f.message and len(f.message) < 400
    assert g.depends("q00000", "q19999") and not g.depends("q19999", "q00000")


def test_order_is_transitive_and_directed():
    g = Graph([plan("a"), plan("b", ["a"]), plan("c", ["b"]), plan("d")])
    assert g.depends("c", "a") and not g.depends("a", "c")
    assert g.ordered_ids("a", "c") and g.ordered_ids("c", "a")
    assert not g.ordered_ids("d", "a")


def test_done_plans_are_left_out_of_overlaps():
    plans = [plan("a", write=["src/**"]), plan("b", write=["src/auth.py"])]
    assert check_graph(plans, skip=frozenset({"a"}))[2] == {}


def test_overlap_lists_every_colliding_pattern_pair_once():
    plans = [plan("a", write=["src/x.py", "src/y/**"]), plan("b", write=["src/*.py", "src/y/z"])]
    over = check_graph(plans)[2]
    assert over == {("a", "b"): [("src/x.py", "src/*.py"), ("src/y/**", "src/y/z")]} or \
        sorted(over[("a", "b")]) == sorted([("src/x.py", "src/*.py"), ("src/y/**", "src/y/z")])


# --- glob overlap ---------------------------------------------------------------------------

OVERLAP = [
    ("src/auth.py", "src/auth.py", True),
    ("src/auth.py", "src/**", True),
    ("src", "src/x/y", True),  # a directory claim covers what is under it
    ("src/*.py", "src/auth.py", True),
    ("src/*.py", "src/a/b.py", False),
    ("src/*.py", "src/*.js", False),
    ("src/a/*.py", "src/b/*.py", False),
    ("**/x.py", "a/b/x.py", True),
    ("a/**/c", "**/b/**", True),
    ("a/**/c/*.md", "b/**/*.md", False),
    ("a/**/c/*.md", "a/b/**/*.py", True),  # a/b/c/x.md/y.py: a claim covers what is below it
    ("docs/*.md", "src/*.py", False),
    ("src/[ab].py", "src/c.py", False),
    ("src/[ab].py", "src/?.py", True),
    ("src/[!a].py", "src/a.py", False),
    ("x/**", "y/**", False),
]


@pytest.mark.parametrize("a,b,expected", OVERLAP)
def test_glob_overlap_table(a, b, expected):
    assert globs.overlap(a, b) is expected
    assert globs.overlap(b, a) is expected


SEG = st.sampled_from(["src", "a", "b", "x.py", "y.md", "*", "*.py", "?", "[ab]", "**", "a*", "*b"])
NAME = st.sampled_from(["src", "a", "b", "x.py", "y.md", "ab", "ba", "c", "z.py"])


@settings(max_examples=600, deadline=None)
@given(st.lists(SEG, min_size=1, max_size=5), st.lists(SEG, min_size=1, max_size=5),
       st.lists(NAME, min_size=1, max_size=6))
def test_overlap_is_sound(a, b, path):
    """Never "no" when some path is covered by both: the overlap check may over-report, not miss."""
    pa, pb = globs.normalize("/".join(a)), globs.normalize("/".join(b))
    p = "/".join(path)
    if globs.match(pa, p) and globs.match(pb, p):
        assert globs.overlap(pa, pb), (pa, pb, p)


@settings(max_examples=300, deadline=None)
@given(st.lists(SEG, min_size=1, max_size=5), st.lists(NAME, min_size=1, max_size=6))
def test_a_pattern_overlaps_every_path_it_matches(a, path):
    pa, p = globs.normalize("/".join(a)), "/".join(path)
    if globs.match(pa, p):
        assert globs.overlap(pa, p)


def _reach(deps: dict, a: str, b: str) -> bool:
    seen, todo = set(), [a]
    while todo:
        x = todo.pop()
        for y in deps.get(x, ()):
            if y == b:
                return True
            if y not in seen:
                seen.add(y)
                todo.append(y)
    return False


PATS = ["src/**", "src/a.py", "src/*.py", "docs/x.md", "src/b/**", "**/*.md", "lib", "lib/x/y"]


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=9).flatmap(lambda n: st.tuples(
    st.just(n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=14),
    st.lists(st.lists(st.sampled_from(PATS), max_size=3), min_size=n, max_size=n))))
def test_graph_agrees_with_a_naive_model(spec):
    """Order (bitsets over the condensation) and overlaps (trie + bitsets) equal brute force:
    reachability by search, every pattern pair of every unordered plan pair compared."""
    n, edges, writes = spec
    ids = [f"p{i}" for i in range(n)]
    deps = {x: sorted({ids[b] for a, b in edges if ids[a] == x and a != b}) for x in ids}
    plans = [plan(x, deps[x], write=writes[i]) for i, x in enumerate(ids)]
    g = Graph(plans)
    for a in ids:
        for b in ids:
            if a != b:
                assert g.depends(a, b) == _reach(deps, a, b), (a, b, deps)
    expected = {}
    for i in range(n):
        for j in range(i + 1, n):
            a, b = ids[i], ids[j]
            if _reach(deps, a, b) or _reach(deps, b, a):
                continue
            pairs = {(w, v) for w in set(writes[i]) for v in set(writes[j]) if globs.overlap(w, v)}
            if pairs:
                expected[(a, b)] = pairs
    got = {k: set(v) for k, v in g.overlaps().items()}
    assert got == expected
    cyc = {f.plans for f in g.findings if f.code == "cycle"}
    assert all(all(_reach(deps, x, x) for x in members) for members in cyc)
    assert {x for m in cyc for x in m} == {x for x in ids if _reach(deps, x, x)}


def test_status_text_graph_of_a_long_chain_stays_readable():
    from hookgate.plans import render
    from hookgate.plans.verify import Report, statuses

    plans = [plan(f"p{i:04d}", [f"p{i - 1:04d}"] if i else []) for i in range(1000)] + [plan("lone")]
    g = Graph(plans)
    rep = Report(plans, g, [], {}, {"runs": {"p0000": {"status": "done"}}, "disputes": {}})
    lines = render.text_graph(rep, statuses(rep))
    assert len(lines) == 1001
    assert lines[0].startswith("[x] p0000") and lines[-1].startswith("[ ] lone")
    p1 = next(line for line in lines if "] p0001 " in line)
    assert p1.startswith("└─ [ ] p0001") and "ready" in p1
    deep = next(line for line in lines if "] p0999 " in line)
    assert "└999─" in deep and "blocked-by p0998" in deep and len(deep) < 200
