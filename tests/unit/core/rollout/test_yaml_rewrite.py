"""ADR 0015: yaml_rewrite splices one value and keeps every other byte (table-driven)."""

from __future__ import annotations

import pytest

from hookgate.core import config, yamlio
from hookgate.core.yaml_rewrite import RewriteError, remove_top_key, set_path

CASES = [
    # (original, keys, value, expected)
    ('hooks:\n  budget: {stage: "warn"}  # c\n', ["hooks", "budget", "stage"], "enforce",
     'hooks:\n  budget: {stage: "enforce"}  # c\n'),
    ("hooks:\n  budget: {stage: warn}\n", ["hooks", "budget", "stage"], "monitor",
     "hooks:\n  budget: {stage: monitor}\n"),  # plain stays plain
    ("hooks:\n  budget: {stage: 'warn'}\n", ["hooks", "budget", "stage"], "monitor",
     "hooks:\n  budget: {stage: 'monitor'}\n"),  # single quotes stay
    ("hooks:\n  budget:\n    stage: warn   # why\n    note: x\n# end\n", ["hooks", "budget", "stage"], "enforce",
     "hooks:\n  budget:\n    stage: enforce   # why\n    note: x\n# end\n"),
    ("hooks:\n  budget:\n    stage: warn\n    note: |\n      a\n      b\n# end\n", ["hooks", "budget", "since"], "2026-11-23",
     'hooks:\n  budget:\n    stage: warn\n    note: |\n      a\n      b\n    since: "2026-11-23"\n# end\n'),
    ("hooks:\n  budget: warn # bare\n", ["hooks", "budget", "platforms", "cursor"], "monitor",
     "hooks:\n  budget: {stage: warn, platforms: {cursor: \"monitor\"}} # bare\n"),
    ("hooks:\n  budget: {}\n", ["hooks", "budget", "stage"], "warn", 'hooks:\n  budget: {stage: "warn"}\n'),
    ("version: 1\nhooks:\n", ["hooks", "budget", "stage"], "warn", 'version: 1\nhooks: {budget: {stage: "warn"}}\n'),
    ("version: 1\n", ["hooks", "budget", "stage"], "warn", 'version: 1\nhooks: {budget: {stage: "warn"}}\n'),
    ("# only a comment\n", ["hooks", "budget", "stage"], "warn", '# only a comment\nhooks: {budget: {stage: "warn"}}\n'),
    ("hooks:\n  a-hook: {stage: warn}\n\n  # last\n  budget: {stage: warn}\n# tail\n", ["hooks", "coordination", "stage"], "warn",
     'hooks:\n  a-hook: {stage: warn}\n\n  # last\n  budget: {stage: warn}\n  coordination: {stage: "warn"}\n# tail\n'),
    ("version: 1\nhooks: {budget: {stage: warn}}", ["global_stage_cap"], "monitor",
     'version: 1\nhooks: {budget: {stage: warn}}\nglobal_stage_cap: "monitor"\n'),
    ('hooks:\n  budget: {stage: "warn", note: "a \\"q\\""}\n', ["hooks", "budget", "promoted_by"], 'Ann "x" <a@b>',
     'hooks:\n  budget: {stage: "warn", note: "a \\"q\\"", promoted_by: "Ann \\"x\\" <a@b>"}\n'),
]


@pytest.mark.parametrize("original,keys,value,expected", CASES, ids=[str(i) for i in range(len(CASES))])
def test_set_path_splices_only_the_value(original, keys, value, expected):
    out = set_path(original, keys, value, scalar_means="stage")
    assert out == expected
    doc = yamlio.load_text(out)
    node = doc
    for k in keys:
        node = node[k]
    assert node == value


def test_remove_top_key_keeps_everything_else():
    text = "# a\nversion: 1\nglobal_stage_cap: monitor   # kill switch\n# b\nhooks: {}\n"
    assert remove_top_key(text, "global_stage_cap") == "# a\nversion: 1\n# b\nhooks: {}\n"
    assert remove_top_key(text, "absent") == text


def test_refuses_shapes_it_cannot_splice():
    with pytest.raises(RewriteError):
        set_path("hooks:\n  budget: [1, 2]\n", ["hooks", "budget", "stage"], "warn")
    with pytest.raises(RewriteError):
        set_path("- a\n- b\n", ["hooks", "budget", "stage"], "warn")
    with pytest.raises(RewriteError):
        set_path("hooks: {budget: {stage: [warn]}}\n", ["hooks", "budget", "stage"], "warn")
    with pytest.raises(RewriteError):
        remove_top_key("{version: 1, global_stage_cap: monitor}\n", "global_stage_cap")


def test_every_shipped_line_survives_a_stage_edit():
    from hookgate.state.resources import data_path

    with open(data_path("rollout.yaml"), encoding="utf-8") as f:
        shipped = f.read()
    out = set_path(shipped, ["hooks", "coordination", "stage"], "warn")
    a, b = shipped.splitlines(), out.splitlines()
    assert len(a) == len(b)
    assert [i for i, (x, y) in enumerate(zip(a, b)) if x != y] == [a.index('  coordination: {stage: "monitor"}')]
    config.validate_rollout(yamlio.load_text(out), "out")
