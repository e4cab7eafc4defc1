"""ADR 0007: parse-failure and indeterminate rates on real commands (tests/data/corpus).

Measured, not tuned: the thresholds hold the figures recorded in the ADR with some headroom.
A parse failure on a line bash rejects too is correct; the tldr file has ~146 such lines.
"""

from __future__ import annotations

import os
import time

import pytest

from tests.conftest import REPO

from hookgate.shell import analyse

CORPUS_DIR = os.path.join(REPO, "tests", "data", "corpus")
LIMITS = {  # file: (max parse failures, max indeterminate share of parsed lines)
    "tldr-commands.txt": (150, 0.002),
    "nl2bash-commands.txt": (80, 0.02),
}


def measure(path: str, cwd: str, home: str) -> dict:
    with open(path, encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f if line.strip()]
    parse_fail = indeterminate = fast = 0
    start = time.monotonic()
    for line in lines:
        res = analyse(line, cwd, home=home)
        fast += res.fast_path
        if res.parse_error and res.parse_error.startswith("parse error"):
            parse_fail += 1
        elif res.indeterminate:
            indeterminate += 1
    return {"lines": len(lines), "parse_fail": parse_fail, "indeterminate": indeterminate, "fast": fast,
            "seconds": time.monotonic() - start}


@pytest.mark.slow  # the whole corpus (40,000 commands)
@pytest.mark.parametrize("name", sorted(LIMITS))
def test_corpus_rates(name, tree):
    path = os.path.join(CORPUS_DIR, name)
    m = measure(path, *tree)
    max_fail, max_share = LIMITS[name]
    parsed = m["lines"] - m["parse_fail"]
    print(f"\n{name}: {m}  indeterminate share {m['indeterminate'] / parsed:.4%}")
    assert m["parse_fail"] <= max_fail, m
    assert m["indeterminate"] / parsed <= max_share, m
