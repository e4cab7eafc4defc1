"""ADR 0024: the hot path's view of running plans — which plan a session carries, whether a
write is inside it, and which `hookgate plan done` an agent's shell may run."""

from __future__ import annotations

import pytest

from hookgate.validators.self_protection import own_plan
from hookgate.plans import running, state


@pytest.fixture
def st(tmp_path):
    d = str(tmp_path / "state")

    def fn(data):
        data["runs"]["p1"] = {"status": "running", "session": "s1", "write": ["src/a/**", "docs/x.md"], "read": []}
        data["runs"]["p2"] = {"status": "done", "session": "s2", "write": ["lib/**"], "read": []}

    state.mutate(d, fn)
    return d


def test_running_index_lists_only_running_plans(st):
    assert running.index(st) == {"s1": {"plan": "p1", "write": ["src/a/**", "docs/x.md"], "read": []}}
    assert running.carried(st, "s2") is None and running.carried(st, "") is None


@pytest.mark.parametrize("rel,outside", [
    ("src/a/b.py", False), ("src/a", False), ("src/a/x/y/z.py", False), ("docs/x.md", False),
    ("src/b.py", True), ("src/ab/c.py", True), ("docs/y.md", True), ("docs/x.md.bak", True), ("README.md", True),
])
def test_outside_table(st, rel, outside):
    assert running.outside(running.carried(st, "s1"), rel) is outside


# (argv after `hookgate`, session, allowed)
OWN = [
    (("plan", "done", "p1"), "s1", True),
    (("plan", "done", "p1", "--json"), "s1", True),
    (("plan", "done", "p1", "--timeout", "5m"), "s1", True),
    (("plan", "done", "--timeout=5m", "p1"), "s1", True),
    (("plan", "done", "p1"), "s2", False),  # p1 is not s2's
    (("plan", "done", "p2"), "s2", False),  # done already: carries nothing
    (("plan", "done", "p1"), "", False),  # no session from the platform
    (("plan", "done"), "s1", False),
    (("plan", "done", "p1", "p2"), "s1", False),
    (("plan", "done", "p1", "--session", "s1"), "s1", False),  # unknown option
    (("plan", "done", "p1", "--timeout"), "s1", True),  # a dangling value: typer refuses it
    (("plan", "done", None), "s1", False),  # unresolvable word
]


@pytest.mark.parametrize("args,session,allowed", OWN)
def test_own_plan_table(st, args, session, allowed):
    assert own_plan(args, session, st) is allowed


def test_an_unreadable_index_is_nobodys_plan(st):
    with open(state.running_path(st), "w") as f:
        f.write("[1, 2")
    with pytest.raises(running.Unreadable):
        running.carried(st, "s1")
    assert own_plan(("plan", "done", "p1"), "s1", st) is False
