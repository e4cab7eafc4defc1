"""The command a message tells the agent (or the human) to run: the absolute path of the
running ``hookgate`` — the one the agent's hook wiring names — so that it works from a shell
whose PATH does not have hookgate (ADR 0019). Standard library only: the hot path uses it."""

from __future__ import annotations

import os
import sys


def command() -> str:
    """``/abs/path/to/bin/hookgate`` when this process is that launcher, else ``hookgate``."""
    argv0 = sys.argv[0] if sys.argv else ""
    if argv0 and os.path.basename(argv0) == "hookgate":
        return os.path.abspath(argv0)
    return "hookgate"
