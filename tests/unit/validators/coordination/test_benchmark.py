"""ADR 0013: lease bookkeeping adds ≤ 2 ms median to a write decision (benchmarks/lease_overhead.py)."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO


def test_lease_overhead_within_budget(tmp_path):
    env = dict(os.environ, N="300", TMPDIR=str(tmp_path))
    r = subprocess.run([sys.executable, os.path.join(REPO, "benchmarks", "lease_overhead.py")],
                       capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "added by lease bookkeeping: median" in r.stdout
