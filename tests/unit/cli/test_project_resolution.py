"""Issue #16 item 4 (ADR 0019): which project a command works on. Outside a repository the
project is the current directory (or the nearest `.hookgate/` below HOME), never an unrelated
parent, never the home directory reached by climbing; `--project DIR` before or after the
command overrides it. Driven through the real `hookgate` command."""

from __future__ import annotations

import json

from tests.conftest import run_cli


def _home_with_strays(home):
    (home / ".hookgate").mkdir()       # a stray ~/.hookgate …
    (home / ".git").mkdir()            # … and a dotfiles repository in ~
    demo = home / "work" / "demo"
    demo.mkdir(parents=True)
    return demo


def test_init_outside_a_repository_writes_here_not_in_home(home):
    demo = _home_with_strays(home)
    r = run_cli("init", cwd=demo)
    assert r.returncode == 0, r.stderr
    assert (demo / ".hookgate" / "rollout.yaml").is_file()
    assert not (home / ".hookgate" / "rollout.yaml").exists()
    assert f"wrote {demo}/.hookgate/rollout.yaml" in r.stdout


def test_project_install_outside_a_repository_is_not_the_user_file(home):
    demo = _home_with_strays(home)
    sub = demo / "src"
    sub.mkdir()
    r = run_cli("install", "--platform", "claude-code", "--scope", "project", cwd=sub)
    assert r.returncode == 0, r.stderr
    assert (sub / ".claude" / "settings.json").is_file()        # the current directory
    assert not (home / ".claude" / "settings.json").exists()     # never the user-scope file


def test_init_marks_the_project_for_its_subdirectories(home):
    demo = _home_with_strays(home)
    assert run_cli("init", cwd=demo).returncode == 0
    sub = demo / "a" / "b"
    sub.mkdir(parents=True)
    r = run_cli("status", "--json", cwd=sub)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["project_root"] == str(demo)


def test_inside_a_repository_the_root_is_the_repository(home, tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "pkg" / "mod").mkdir(parents=True)
    r = run_cli("init", cwd=repo / "pkg" / "mod")
    assert r.returncode == 0, r.stderr
    assert (repo / ".hookgate" / "rollout.yaml").is_file()


def test_project_option_before_or_after_the_command(home, tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir()
    r = run_cli("--project", str(target), "init", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (target / ".hookgate" / "rollout.yaml").is_file()
    r = run_cli("install", "--platform", "claude-code", "--project", str(target), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (target / ".claude" / "settings.json").is_file()
    assert not (tmp_path / ".claude").exists()
    r = run_cli("status", "--project=" + str(tmp_path / "missing"), cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.strip() == f"hookgate: --project {tmp_path / 'missing'}: no such directory"
    r = run_cli("status", "--project", cwd=tmp_path)
    assert r.returncode == 2 and r.stderr.count("\n") == 1
