"""The floor through the real Gemini CLI with its tool sandbox, offline (ADR 0020).

``hookgate install --platform gemini-cli --scope project`` turns on ``security.toolSandboxing``
and writes ``.geminiignore``; the fake model runs one shell command. Attacks the hook cannot
see through (a conftest that opens ``.env``) reveal nothing; benign commands work.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.e2e.realclients.clients import GEMINI, ensure_client, gemini_responses, run_gemini

from tests.unit.floor.helpers import HOOKGATE, MARK, make_project, run_env  # noqa: E402

pytestmark = pytest.mark.realclient

CONFTEST = ("mkdir -p t && printf 'import pathlib\\ndef pytest_configure(config):\\n    print(pathlib.Path(\"{f}\").read_text())\\n'"
            " > t/conftest.py && printf 'def test_x():\\n    pass\\n' > t/test_x.py && python3 -m pytest -q -s -p no:cacheprovider t")
ATTACKS = {"conftest-env": CONFTEST.format(f=".env"),
           "conftest-secrets": CONFTEST.format(f="secrets/token.txt"),
           "script": "printf 'cat .env\\n' > s.sh && sh s.sh",
           "git-alias": "git -c alias.peek='!cat server.pem' peek",
           "grep-r": "grep -r KEY . ; grep -r 'LEAK''MARK' .",
           "tar": "tar cf - . 2>/dev/null | tar xOf - 2>/dev/null",
           "write-protected": "printf 'echo EVIL=1 >> .env; echo x >> .git/hookgate/ledger.jsonl\\n' > w.sh && sh w.sh"}
BENIGN = {"pytest": ("python3 -m pytest -q -p no:cacheprovider tests", "1 passed"),
          "readme": ("cat README.md", "demo project"),
          "write-src": ("echo 'x = 1' > src/new.py && cat src/new.py", "x = 1"),
          "git-status": ("git status --porcelain -- src README.md; echo rc=$?", "rc=0"),
          # identity on the command line: Gemini's tool sandbox does not show the shell ~/.gitconfig (measured)
          "git-commit": ("echo y > src/c.py && git add src/c.py && git -c user.name=Demo -c user.email=d@example.com "
                         "commit -q -m c && git log --oneline | wc -l", "2")}


@pytest.fixture(scope="module")
def gemini_pkg():
    if not shutil.which("bwrap"):
        pytest.fail("bubblewrap is required (scripts/test installs it)")
    return ensure_client(GEMINI)


def _run(gemini_pkg, tmp_path, command):
    base = str(tmp_path)
    home = os.path.join(base, "home")
    os.makedirs(os.path.join(home, ".gemini"))
    root = make_project(base, home)
    with open(os.path.join(home, ".gemini", "settings.json"), "w") as f:
        json.dump({"privacy": {"usageStatisticsEnabled": False}, "security": {"auth": {"selectedType": "gemini-api-key"}}}, f)
    r = subprocess.run([HOOKGATE, "install", "--platform", "gemini-cli", "--scope", "project"], cwd=root,
                       env=run_env(home, base), capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "sandbox settings written" in r.stderr, r.stderr
    resp = os.path.join(base, "turns.jsonl")
    gemini_responses(resp, "run_shell_command", {"command": command})
    r = run_gemini(gemini_pkg, home, root, resp, timeout=120)
    results = [json.loads(x) for x in r.stdout.splitlines() if '"tool_result"' in x]
    assert results, r.stdout[-2000:] + r.stderr[-2000:]
    return r, results


def test_sanity_the_attack_leaks_without_a_floor(tmp_path):
    base = str(tmp_path)
    home = os.path.join(base, "home")
    os.makedirs(home)
    root = make_project(base, home)
    for name, cmd in ATTACKS.items():
        if name == "write-protected":
            continue
        p = subprocess.run(["bash", "-c", cmd], cwd=root, env=run_env(home, base), capture_output=True, text=True,
                           errors="replace")
        assert MARK in p.stdout + p.stderr, name


@pytest.mark.parametrize("name", list(ATTACKS))
def test_attack_reveals_nothing(gemini_pkg, tmp_path, name):
    r, results = _run(gemini_pkg, tmp_path, ATTACKS[name])
    assert MARK not in r.stdout and MARK not in r.stderr, results
    root = os.path.join(str(tmp_path), "proj")
    with open(os.path.join(root, ".env"), encoding="utf-8") as f:
        assert "EVIL" not in f.read()


def test_known_limit_geminis_own_rule_masks_env_example(gemini_pkg, tmp_path):
    """Gemini's tool sandbox masks every ``.env*`` by its own rule, ``.env.example`` included
    (hookgate's ``!.env.example`` in .geminiignore cannot re-open it): measured, in ADR 0020.
    If a Gemini release fixes this, this test fails and the ADR's note should go."""
    _r, results = _run(gemini_pkg, tmp_path, "cat .env.example; echo rc=$?")
    assert "API_KEY=" not in results[0].get("output", ""), results


@pytest.mark.parametrize("name", list(BENIGN))
def test_benign_still_works(gemini_pkg, tmp_path, name):
    command, expected = BENIGN[name]
    _r, results = _run(gemini_pkg, tmp_path, command)
    assert results[0]["status"] == "success" and expected in results[0]["output"], results
