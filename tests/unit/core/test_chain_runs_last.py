"""ADR 0013/0002: a validator with ``RUNS_LAST`` runs after every other one (its ``denied`` is
every other validator's verdict), while the records — hence the message and the ledger — keep
the chain's order. Table-driven over fake validators."""

from __future__ import annotations

import types

import pytest

from hookgate.core import chain
from hookgate.core import event as ev


def _mod(hook_id: str, outcome: str, seen: list, last: bool = False):
    def check(event, denied):
        seen.append((hook_id, denied))
        return ev.Verdict(hook_id, outcome, "r", f"{hook_id} says {outcome}", "adr/x.md", "")

    m = types.SimpleNamespace(HOOK_ID=hook_id, ADR="adr/x.md", PHASES=frozenset((ev.PRE,)), check=check)
    if last:
        m.RUNS_LAST = True
    return m


EVENT = ev.Event(platform="claude-code", phase=ev.PRE, event_name="PreToolUse", session_id="s", cwd="/p",
                 project_root="/p", tool_kind=ev.WRITE, tool_name="Write", tool_input={})


@pytest.mark.parametrize("outcomes, stages, order, denied_of_last", [
    # (a, coord (RUNS_LAST), b): b blocks in enforce after coord → coord runs last and sees it
    (("allow", "allow", "block"), {"b": "enforce"}, ["a", "b", "coord"], True),
    (("allow", "allow", "allow"), {}, ["a", "b", "coord"], False),
    (("block", "allow", "allow"), {"a": "enforce"}, ["a", "b", "coord"], True),
    (("allow", "allow", "block"), {"b": "warn"}, ["a", "b", "coord"], False),  # warn stage: no deny
    (("allow", "allow", "checkpoint"), {"b": "enforce"}, ["a", "b", "coord"], False),  # a checkpoint is no deny
])
def test_runs_last_sees_every_verdict_and_records_keep_chain_order(outcomes, stages, order, denied_of_last):
    seen: list = []
    mods = [_mod("a", outcomes[0], seen), _mod("coord", outcomes[1], seen, last=True), _mod("b", outcomes[2], seen)]
    config = {"hooks": {k: {"stage": v} for k, v in {"a": "enforce", "coord": "enforce", "b": "enforce",
                                                        **stages}.items()}}
    ctx = {"event": EVENT, "config": config}
    records = chain.run(mods, ctx)
    assert [h for h, _d in seen] == order
    assert dict(seen)["coord"] is denied_of_last
    assert [r["hook"] for r in records] == ["a", "coord", "b"]  # the chain's order, as before


def test_without_runs_last_the_order_is_the_chain_order():
    seen: list = []
    mods = [_mod("a", "allow", seen), _mod("coord", "allow", seen), _mod("b", "block", seen)]
    records = chain.run(mods, {"event": EVENT, "config": {"hooks": {"b": {"stage": "enforce"}}}})
    assert seen == [("a", False), ("coord", False), ("b", False)]  # coord does not see b's block
    assert [r["hook"] for r in records] == ["a", "coord", "b"]


def test_coordination_is_the_registrys_runs_last_validator():
    from hookgate import validators

    assert [h for h in validators.VALIDATORS if getattr(validators.load(h), "RUNS_LAST", False)] == ["coordination"]
