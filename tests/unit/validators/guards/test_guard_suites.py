"""ADR 0008/0009: adversarial (≥150) and benign (≥60) suites through the real hook code.

In-process through ``hookgate.core.hook.handle`` (the code path ``hookgate hook`` runs); a
representative subset runs as real ``hookgate hook`` subprocesses in test_guard_e2e.py.
"""

from __future__ import annotations

import pytest

from tests.unit.validators.guards.cases import ADVERSARIAL, BENIGN, BENIGN_ENGINE_GAPS, ENGINE_GAPS, TOOL_CASES
from tests.unit.validators.guards.cases_classes import ADVERSARIAL_CLASSES, BENIGN_CLASSES, TOOL_CLASS_CASES
from tests.unit.validators.guards.helpers import decide, guard_outcome

ADVERSARIAL = ADVERSARIAL + [c for c in ADVERSARIAL_CLASSES if c[0] not in {a for a, _ in ADVERSARIAL}]
BENIGN = BENIGN + [c for c in BENIGN_CLASSES if c not in set(BENIGN)]
TOOL_CASES = TOOL_CASES + TOOL_CLASS_CASES

EXPECT_GUARD = {"deny": "block", "ask": "checkpoint"}


def _id(s: str) -> str:
    return s.replace("\n", "⏎")[:60]


def _adv_params():
    out = []
    for cmd, want in ADVERSARIAL:
        marks = ()
        if cmd in ENGINE_GAPS:
            marks = (pytest.mark.xfail(strict=True, reason=f"shell-engine gap: {ENGINE_GAPS[cmd]}"),)
        out.append(pytest.param(cmd, want, id=_id(cmd), marks=marks))
    return out


def test_suite_sizes():
    assert len(ADVERSARIAL) >= 150
    assert len(BENIGN) >= 60


@pytest.mark.parametrize("cmd,want", _adv_params())
def test_adversarial_shell(guarded, cmd, want):
    root, home = guarded
    label, reason, rec = decide(root, home, "Bash", {"command": cmd}, session=f"adv-{hash(cmd)}")
    assert label == want, f"{cmd!r}: got {label}: {reason}"
    # the guard itself decided it, not only the generic indeterminate checkpoint
    assert guard_outcome(rec) == EXPECT_GUARD[want], rec.get("verdicts")
    if want == "deny":
        assert "Do not retry" in reason and "adr/000" in reason


def _benign_params():
    out = []
    for c in BENIGN:
        marks = ()
        if c in BENIGN_ENGINE_GAPS:
            marks = (pytest.mark.xfail(strict=True, reason=f"shell-engine gap: {BENIGN_ENGINE_GAPS[c]}"),)
        out.append(pytest.param(c, id=_id(c), marks=marks))
    return out


@pytest.mark.parametrize("cmd", _benign_params())
def test_benign_shell(guarded, cmd):
    root, home = guarded
    label, reason, rec = decide(root, home, "Bash", {"command": cmd}, session=f"ben-{hash(cmd)}")
    assert guard_outcome(rec) in ("allow", "warn"), f"{cmd!r}: {reason}"
    assert label in ("allow", "warn"), f"{cmd!r}: {label}: {reason}"


@pytest.mark.parametrize("tool,inp,want", [pytest.param(t, i, w, id=f"{t}-{list(i.values())[0]}") for t, i, w in TOOL_CASES])
def test_tools(guarded, tool, inp, want):
    root, home = guarded
    inp = {k: (v.replace("{root}", str(root)).replace("{home}", str(home)) if isinstance(v, str) else v)
           for k, v in inp.items()}
    label, reason, rec = decide(root, home, tool, inp, session=f"tool-{tool}-{hash(str(inp))}")
    assert label == want, f"{tool} {inp}: {label}: {reason}"


@pytest.mark.parametrize("cmd,var,value,want", [
    ("cat \"$F\"", "F", ".env", "deny"),
    ("echo x > \"$OUT\"", "OUT", "{root}/.env", "deny"),
    ("cat $KUBECONFIG", "KUBECONFIG", "{home}/.kube/config", "deny"),
    ("cat \"$F\"", "F", "README.md", "allow"),
    ("cat \"$F\"", None, None, "allow"),  # unset: bash passes an empty name, nothing is read
])
def test_free_variables_come_from_the_agent_environment(guarded, cmd, var, value, want):
    """A variable the command never assigns has the value of the agent's environment
    (which the hook inherits, ADR 0008): resolved, never guessed."""
    from tests.unit.validators.guards.helpers import env_for

    root, home = guarded
    env = env_for(home)
    if var:
        env[var] = value.replace("{root}", str(root)).replace("{home}", str(home))
    label, reason, _ = decide(root, home, "Bash", {"command": cmd}, session="free-vars", env=env)
    assert label == want, reason
