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
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    # dependencies come from the dev venv (no network needed); paths from a .pth are appended
    # after the new venv's own site-packages, so the installed wheel wins over the editable src
    import sysconfig

    new_site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                              capture_output=True, text=True, check=True).stdout.strip()
    with open(os.path.join(new_site, "zz_dev_deps.pth"), "w") as f:
        f.write(sysconfig.get_paths()["purelib"] + "\n")
    r = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(wheel)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    where = subprocess.run([str(py), "-c", "import hookgate; print(hookgate.__file__)"], capture_output=True, text=True, cwd=tmp_path)
    assert where.stdout.startswith(new_site), where.stdout + where.stderr
    r = subprocess.run([str(venv / "bin" / "hookgate"), "doctor", "--platform", "claude-code"],
                       capture_output=True, text=True, timeout=300, cwd=tmp_path,
                       env={**os.environ, "PATH": f"{venv / 'bin'}:{os.path.dirname(sys.executable)}:{os.environ['PATH']}"})
    assert r.returncode == 0, r.stdout + r.stderr
    assert "all checks passed" in r.stdout
