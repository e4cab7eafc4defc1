"""``./install.sh --platform all --scope user`` from a clean copy of the tree, with HOME in a temp
dir: three valid settings files, a passing ``hookgate doctor``; again → same bytes;
``--uninstall`` → the files and the venv are gone (ADR 0011). Takes ~30-60 s (pip)."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess

import pytest

from tests.conftest import REPO
from hookgate.installer import checks, plugin, targets

pytestmark = pytest.mark.slow


def clean_copy(dest: str) -> str:
    """The tree as a clean clone would have it (tracked + new files, nothing ignored)."""
    try:
        out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO,
                             capture_output=True, check=True).stdout
        names = [n for n in out.decode().split("\0") if n]
    except (OSError, subprocess.CalledProcessError) as e:
        pytest.fail(f"git is needed to copy the tree like a clean clone: {e}")  # never a skip
    for n in names:
        src = os.path.join(REPO, n)
        if not os.path.isfile(src):
            continue
        d = os.path.join(dest, n)
        os.makedirs(os.path.dirname(d), exist_ok=True)
        shutil.copy2(src, d)
    return dest


def run_sh(clone: str, home: str, cwd: str, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOOKGATE_", "VIRTUAL_ENV", "PYTHON"))}
    env.update(HOME=home, XDG_DATA_HOME=os.path.join(home, ".local", "share"), SHELL="/bin/bash",
               PIP_CACHE_DIR=os.path.join(REPO, ".cache", "pip"))  # gitignored; keeps re-runs fast
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    return subprocess.run(["bash", os.path.join(clone, "install.sh"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=900)


def test_install_sh_user_scope_all_platforms(tmp_path):
    clone = clean_copy(str(tmp_path / "clone"))
    home = str(tmp_path / "home")
    work = tmp_path / "elsewhere"
    work.mkdir()
    os.makedirs(home)
    r = run_sh(clone, home, str(work), "--platform", "all", "--scope", "user")
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]
    assert "all checks passed" in r.stdout
    venv_hookgate = os.path.join(home, ".local", "share", "hookgate", "venv", "bin", "hookgate")
    assert os.access(venv_hookgate, os.X_OK)
    # a wheel install, not the checkout: the package lives in the venv's site-packages
    site = subprocess.run([os.path.join(os.path.dirname(venv_hookgate), "python"), "-c",
                           "import hookgate, os; print(os.path.dirname(hookgate.__file__))"],
                          capture_output=True, text=True, cwd=str(work)).stdout.strip()
    assert "site-packages" in site and not site.startswith(clone)
    files = {p: targets.target(p, "user", home, str(work)).path for p in targets.PLATFORMS}
    first = {}
    for p, f in files.items():
        with open(f, "rb") as fh:
            first[p] = fh.read()
        if targets.layout(p) == "plugin":  # OpenCode: hookgate's own plugin file (ADR 0023)
            assert plugin.is_ours(first[p]) and plugin.registered_path(first[p]) == venv_hookgate
            continue
        doc = json.loads(first[p])
        ours = checks.our_handlers(doc, p)
        assert sorted(ours) == sorted(checks.REQUIRED[p])
        for hs in ours.values():
            assert shlex.split(hs[0]["command"])[0] == venv_hookgate
    r = run_sh(clone, home, str(work), "--platform", "all", "--scope", "user")
    assert r.returncode == 0, r.stderr[-4000:]
    for p, f in files.items():
        with open(f, "rb") as fh:
            assert fh.read() == first[p], f"{p}: second run changed the bytes"
    r = run_sh(clone, home, str(work), "--platform", "all", "--scope", "user", "--uninstall")
    assert r.returncode == 0, r.stderr[-4000:]
    assert not any(os.path.exists(f) for f in files.values())
    assert not os.path.exists(os.path.dirname(os.path.dirname(venv_hookgate)))


def test_install_sh_refuses_without_python_or_platform(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    r = run_sh(REPO, str(home), str(tmp_path))
    assert r.returncode != 0 and "pass --platform" in r.stderr
    r = run_sh(REPO, str(home), str(tmp_path), "--platform", "windsurf")
    assert r.returncode != 0 and "unknown platform" in r.stderr


def test_install_sh_project_puts_hookgate_on_path(tmp_path):
    """Issue #16 items 1-3: from a clean copy with an empty HOME, `install.sh --project DIR` wires
    DIR (not the checkout), links `hookgate` into ~/.local/bin (pipx's place) and prints the exact
    line to add to the shell's rc file; the linked command works by its bare name once that line
    is applied, and its usage errors are one line (no click traceback from a clean install)."""
    clone = clean_copy(str(tmp_path / "clone"))
    home = tmp_path / "home"
    home.mkdir()
    proj = tmp_path / "demo"
    (proj / ".git").mkdir(parents=True)
    # from inside the checkout, a project install is refused: it would wire the checkout itself
    r = run_sh(clone, str(home), clone, "--platform", "claude-code", "--scope", "project")
    assert r.returncode != 0 and "pass --project DIR" in r.stderr, r.stderr
    r = run_sh(clone, str(home), clone, "--project", str(proj), "--platform", "claude-code")
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-4000:]
    assert not os.path.exists(os.path.join(clone, ".claude"))
    doc = json.loads((proj / ".claude" / "settings.json").read_text())
    venv_hookgate = str(home / ".local" / "share" / "hookgate" / "venv" / "bin" / "hookgate")
    assert all(shlex.split(h[0]["command"])[0] == venv_hookgate
               for h in checks.our_handlers(doc, "claude-code").values())
    link = home / ".local" / "bin" / "hookgate"
    assert os.readlink(link) == venv_hookgate
    assert 'export PATH="$HOME/.local/bin:$PATH"' in r.stdout and "~/.bashrc" in r.stdout
    assert "all checks passed" in r.stdout
    # the printed line, applied: the bare name works, and usage errors are one line
    env = {"HOME": str(home), "PATH": f"{home}/.local/bin:/usr/bin:/bin"}
    for args, code in ((["--version"], 0), (["nosuchcmd"], 2), (["status", "--bogus"], 2), (["audit", "why"], 2)):
        p = subprocess.run(["hookgate", *args], cwd=str(proj), env=env, capture_output=True, text=True, timeout=120)
        assert p.returncode == code, (args, p.stderr)
        assert "Traceback" not in p.stderr and len(p.stderr.splitlines()) <= 1, p.stderr
    p = subprocess.run(["hookgate", "doctor", "--json", "--platform", "claude-code"], cwd=str(proj), env=env,
                       capture_output=True, text=True, timeout=300)
    doc = json.loads(p.stdout)
    assert p.returncode == 0 and doc["summary"]["ok"], p.stdout
    assert {f["check"]: f["status"] for f in doc["findings"]}["path"] == "PASS"
    r = run_sh(clone, str(home), str(tmp_path), "--project", str(proj), "--platform", "claude-code", "--uninstall")
    assert r.returncode == 0, r.stderr
    assert not os.path.lexists(link) and not (proj / ".claude" / "settings.json").exists()
