"""The floor's tests run real bubblewrap; a missing tool is a failure, never a skip
(``scripts/test`` installs bubblewrap and socat when missing, ADR 0020)."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture(autouse=True)
def _floor_tools():
    missing = [t for t in ("bwrap", "socat") if shutil.which(t) is None]
    if missing:
        pytest.fail(f"{' and '.join(missing)} missing: run scripts/test (it installs bubblewrap and socat)")
