"""``hookgate run`` against the attack suite and the benign suite (ADR 0020).

Each attack first runs with plain bash and must leak there (a secret marker in its output,
or a protected file/directory changed): an attack that does not leak without the floor
proves nothing. Then it runs under ``hookgate run -- bash -c`` and must not.

Each benign command runs in two identical fresh projects, with and without the floor, and
must give the same stdout and exit status.
"""

from __future__ import annotations

import os

import pytest

from tests.unit.floor import cases
from tests.unit.floor.helpers import leaked, make_project, protected_state, run, run_env


ATTACKS = cases.attacks()


def _params(attacks):
    """Every attack runs in the full run. The quick loop (``scripts/test --quick``) runs every
    attack but the breadth of the reader table: every reader against ``.env`` and ``cat``
    against every other secret stay in it; the other short readers against the other secrets
    (70 cases of the same two mechanisms) are marked ``slow``."""
    out = []
    for a in attacks:
        breadth = a[1] == "reader" and not a[0].endswith("-env") and not a[0].startswith("read-cat-")
        out.append(pytest.param(a, id=a[0], marks=(pytest.mark.slow,) if breadth else ()))
    return out


def test_suite_sizes():
    assert len(ATTACKS) >= 100
    assert len(cases.BENIGN) >= 40
    assert len({a[0] for a in ATTACKS}) == len(ATTACKS)
    assert len({b[0] for b in cases.BENIGN}) == len(cases.BENIGN)


def _fresh(tmp_path, name: str):
    base = str(tmp_path / name)
    home = os.path.join(base, "home")
    os.makedirs(home)
    root = make_project(base, home)
    return root, home, run_env(home, base)


@pytest.mark.parametrize("case", _params(ATTACKS))
def test_attack(case, tmp_path):
    name, _cls, cmd, kind = case
    # ground truth: without the floor the attack really leaks
    root, home, env = _fresh(tmp_path, "plain")
    before = protected_state(root, home)
    p = run(cmd, root, env, floor=False)
    after = protected_state(root, home)
    if kind == "read":
        assert leaked(p), f"{name}: does not leak even without the floor\n{p.stdout}\n{p.stderr}"
    else:
        assert after != before, f"{name}: changes nothing even without the floor\n{p.stderr}"
    # under the floor it does not
    root, home, env = _fresh(tmp_path, "floor")
    before = protected_state(root, home)
    q = run(cmd, root, env, floor=True)
    assert q.returncode != 125, f"{name}: no floor was built: {q.stderr}"
    after = protected_state(root, home)
    assert not leaked(q), f"{name}: leaked under the floor\n{q.stdout}\n{q.stderr}"
    assert after == before, f"{name}: changed a protected path under the floor\n{q.stderr}"


def _norm(text: str, root: str, base: str) -> str:
    return text.replace(root, "<ROOT>").replace(base, "<BASE>")


@pytest.mark.parametrize("case", cases.BENIGN, ids=[b[0] for b in cases.BENIGN])
def test_benign(case, tmp_path):
    name, cmd = case
    outs = []
    for floor in (False, True):
        root, home, env = _fresh(tmp_path, "floor" if floor else "plain")
        p = run(cmd, root, env, floor=floor)
        base = os.path.dirname(root)
        outs.append((p.returncode, _norm(p.stdout, root, base), _norm(p.stderr, root, base)))
    (c0, o0, e0), (c1, o1, e1) = outs
    assert (c1, o1) == (c0, o0), f"{name}: differs under the floor\nplain: {c0} {o0!r} {e0!r}\nfloor: {c1} {o1!r} {e1!r}"
    assert e1 == e0, f"{name}: stderr differs under the floor\nplain: {e0!r}\nfloor: {e1!r}"
