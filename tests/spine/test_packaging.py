"""ADR 0005: a non-editable wheel install finds its data and passes doctor."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import REPO


@pytest.mark.slow
def test_wheel_ships_data_and_doctor_passes(tmp_path):
    dist = tmp_path / "dist"
    r = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), REPO],
        capture_output=True, text=True, timeout=300,
    )
    assert r.returncode == 0, r.stderr
    wheel = next(dist.glob("hookgate-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("hookgate/_data/rollout.yaml", "hookgate/_data/hooks/self-protection.yaml",
                   "hookgate/_data/platforms/claude-code/golden/expected.json", "hookgate/_defaults.json"):
        assert needed in names, needed
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    r = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(wheel)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([str(venv / "bin" / "hookgate"), "doctor", "--platform", "claude-code"],
                       capture_output=True, text=True, timeout=300, cwd=tmp_path,
                       env={**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}"})
    assert r.returncode == 0, r.stdout + r.stderr
    assert "all checks passed" in r.stdout
