"""Markers shared by the tests (pyproject.toml declares them; tests/README.md says when)."""

from __future__ import annotations

import pytest


def quick_first(values, quick=("claude-code",)):
    """Parameters for a matrix the full run covers whole: the *quick* values run in the quick
    loop too (``scripts/test --quick``), the others are marked ``slow``. For a guarantee proved
    the same way on every platform, where one platform in the quick loop catches a regression
    of the shared code and the full run (what CI runs) proves each platform."""
    return [pytest.param(v, marks=() if v in quick else (pytest.mark.slow,)) for v in values]
