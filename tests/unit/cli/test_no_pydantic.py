"""ADR 0029: the CLI does not import pydantic. typer 0.29 builds its commands' options with
pydantic (``typer._adapters``): +80–90 ms of CPU on every ``hookgate <command>`` that goes
through typer (``rollout status``, ``locks list``, ``audit verify``). typer is pinned below 0.29
(pyproject.toml) and no module of ours imports pydantic."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.conftest import HOOKGATE, REPO

PYDANTIC = ("pydantic", "pydantic_core")


def _imported(argv, cwd, env) -> tuple[subprocess.CompletedProcess, set[str]]:
    r = subprocess.run([sys.executable, "-X", "importtime", HOOKGATE, *argv], cwd=str(cwd), env=env,
                       capture_output=True, text=True, timeout=120)
    return r, {ln.rsplit("|", 1)[-1].strip() for ln in r.stderr.splitlines() if ln.startswith("import time:")}


def test_a_cli_call_through_typer_does_not_import_pydantic(project, home):
    env = {**os.environ, "HOME": str(home), "HOOKGATE_SERVE": "off"}
    for argv in (["rollout", "status"], ["locks", "list"]):
        r, mods = _imported(argv, project, env)
        assert r.returncode == 0, r.stdout + r.stderr[-2000:]
        assert "typer.main" in mods, sorted(mods)  # it did go through typer
        heavy = sorted(m for m in mods if m.split(".")[0] in PYDANTIC)
        assert not heavy, f"hookgate {' '.join(argv)} imported {heavy[:5]} (typer >= 0.29? ADR 0029)"


def test_no_module_of_ours_imports_pydantic():
    pat = re.compile(r"^\s*(?:import|from)\s+(?:pydantic|pydantic_core)\b", re.M)
    hits = []
    for top in ("src", "bin", "scripts", "benchmarks"):
        for d, _dirs, files in os.walk(os.path.join(REPO, top)):
            for f in files:
                p = os.path.join(d, f)
                if f.endswith(".py") or top in ("bin", "scripts"):
                    try:
                        with open(p, encoding="utf-8") as fh:
                            if pat.search(fh.read()):
                                hits.append(os.path.relpath(p, REPO))
                    except (UnicodeDecodeError, OSError):
                        continue
    assert hits == []
