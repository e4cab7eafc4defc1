"""Programs a test needs: missing means the test fails with how to get them, never a skip
(issue 19: a test that skips the guarantee it exists to check is a defect). `scripts/test`
installs them when they are missing (we are root on CI)."""

from __future__ import annotations

import shutil

import pytest


def programs(*names: str) -> dict[str, str]:
    """{name: path} of each program on PATH; fail the test naming the missing ones."""
    found = {n: shutil.which(n) for n in names}
    missing = [n for n, p in found.items() if p is None]
    if missing:
        pytest.fail(f"this test needs {', '.join(missing)} on PATH (scripts/test installs what is missing "
                    "when it can; elsewhere install them)", pytrace=False)
    return {n: p for n, p in found.items() if p is not None}


def program(name: str) -> str:
    return programs(name)[name]
