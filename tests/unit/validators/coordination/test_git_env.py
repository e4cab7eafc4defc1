"""Coordination runs git with the environment it is given — the call's (the decision server
decides for many clients, ADR 0025) or the CLI's own — never this process's ``os.environ``
(ADR 0026). A ``git`` found only on the given PATH shows which one ran."""

from __future__ import annotations

import os

import pytest

from hookgate.validators.coordination import gate, scope, worktrees


@pytest.fixture
def fake_git(tmp_path):
    d = tmp_path / "bin"
    d.mkdir()
    g = d / "git"
    g.write_text("#!/bin/sh\nprintf ' M src/a.py\\0'\n")
    g.chmod(0o755)
    return {"PATH": str(d), "GIT_DIR": "/nonexistent"}


def test_scope_asks_git_with_the_calls_environment(tmp_path, fake_git, monkeypatch):
    top = tmp_path / "repo"
    top.mkdir()
    monkeypatch.setenv("PATH", "/nonexistent")  # this process's PATH finds no git at all
    assert scope.git_changes(str(top), ["src/a.py"], fake_git) == [(" M", "src/a.py")]
    assert scope.git_changes(str(top), ["src/a.py"], {"PATH": str(tmp_path / "empty")}) is None


def test_gate_and_worktrees_run_git_with_the_given_environment(tmp_path, fake_git, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert gate.git(str(tmp_path), "status", env=fake_git) == b" M src/a.py\0"
    assert worktrees._git(str(tmp_path), "status", env=fake_git) == (0, " M src/a.py\0")
    assert os.environ["PATH"] == "/nonexistent"
