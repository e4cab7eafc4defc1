"""``shell.analyse`` in a fresh interpreter (what a one-shot hook process loads), optionally with
one module made unimportable (*poison*): the analysis' verdict, its accesses and the shell
modules it loaded. Shared by the command table's and the walker parts' tests."""

from __future__ import annotations

import json
import subprocess
import sys


def analyse_in_fresh_process(command: str, cwd, poison: str = "") -> dict:
    code = (
        "import sys, json\n"
        f"poison = {poison!r}\n"
        "if poison: sys.modules[poison] = None  # importing it raises ImportError\n"
        "from hookgate.shell import analyse\n"
        f"r = analyse({command!r}, {str(cwd)!r}, home={str(cwd)!r})\n"
        "print(json.dumps({'indeterminate': r.indeterminate, 'error': r.parse_error,"
        " 'accesses': [[a.path, a.mode, a.resolved] for a in r.accesses],"
        " 'loaded': sorted(m for m in sys.modules if m.startswith('hookgate.shell.') and sys.modules[m])}))\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=cwd)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout.strip().splitlines()[-1])
