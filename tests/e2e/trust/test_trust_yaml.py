"""ADR 0018 item 6: YAML alias bombs in a project config are refused with file and line, fast,
through the real hook. Before: 36 s and several GB, then a bare MemoryError."""

from __future__ import annotations

import os
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hookgate.core.hook import DEADLINE_S
from hookgate.core.yamlio import EXPANSION_BUDGET, ConfigError, load_text
from tests.e2e.trust.helpers import DENY, PLATFORMS, label, ledger, make_repo, platform_env, run, shell


def bomb(levels: int = 9, width: int = 9) -> str:
    lines = ["version: 1", "hooks:", "  coordination:", '    stage: "warn"', "    note: &l0 [" + ", ".join(["lol"] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"x{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("where,text", [
    ("rollout.yaml", bomb()),
    ("hooks/read-guard.yaml", "policy:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                              "  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                              "  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n  f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"),
    ("rollout.yaml", "version: 1\nhooks: &h\n  coordination: {stage: warn, note: *h}\n"),
])
def test_alias_bomb_refused_with_file_and_line(tmp_path, home, platform, where, text):
    root = make_repo(tmp_path / "repo")
    path = os.path.join(root, ".hookgate", where)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    env = platform_env(platform, root, str(home))
    t = time.monotonic()
    p = run(platform, shell(platform, "cat .env", root, root), env, cwd=root)
    assert time.monotonic() - t < DEADLINE_S
    assert label(platform, p) in DENY, (p.stdout, p.stderr)
    err = next(r for r in ledger(root) if r["kind"] == "config_error")["error"]
    assert path in err and "line " in err and ("alias" in err or "recursive" in err), err


def test_the_budget_allows_ordinary_anchors():
    doc = load_text("base: &b {stage: warn}\nhooks:\n  a: *b\n  c: *b\n")
    assert doc["hooks"]["a"] == {"stage": "warn"}


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 12), st.integers(1, 12))
def test_expansion_refused_exactly_past_the_budget(levels, width):
    """Refused iff the expanded tree is bigger than the budget — measured, never constructed."""
    text = "l0: &l0 [" + ", ".join(["x"] * width) + "]\n"
    for i in range(1, levels):
        text += f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]\n"
    sizes = [1 + width]  # the deepest list
    for _ in range(1, levels):
        sizes.append(1 + width * sizes[-1])
    size = 1 + sum(1 + s for s in sizes)  # the document: a mapping of key + list per level
    t = time.monotonic()
    if size > EXPANSION_BUDGET:
        with pytest.raises(ConfigError, match="line "):
            load_text(text)
    else:
        load_text(text)
    assert time.monotonic() - t < 1.0
