"""What the benchmarks share (run as scripts: this directory is first on ``sys.path``)."""

from __future__ import annotations

import os
import subprocess


def uptime() -> str:
    """``uptime`` (the machine's load, quoted with every figure: the machine is shared)."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, timeout=10).stdout.strip()
    except OSError:
        return "load average %.2f %.2f %.2f" % os.getloadavg()
