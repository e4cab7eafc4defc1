"""Real git repositories and worktrees for the ADR 0022 tests (never the real HOME: conftest)."""

from __future__ import annotations

import os
import subprocess

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "GIT_CONFIG_NOSYSTEM": "1"}


def git(cwd, *args, check=True, env=None) -> str:
    e = dict(os.environ, **GIT_ENV)
    if env:
        e.update(env)
    p = subprocess.run(["git", *args], cwd=str(cwd), capture_output=True, text=True, env=e, timeout=60)
    if check and p.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {p.stderr}")
    return p.stdout


def make_repo(root, files=None) -> str:
    """A repository with one commit on ``main``; returns its path."""
    root = str(root)
    os.makedirs(root, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "t")
    git(root, "config", "user.email", "t@example.invalid")
    for rel, text in (files or {"README.md": "# demo\n", "src/app.py": "print('hi')\n",
                                "src/util.py": "X = 1\n"}).items():
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "initial")
    return root


def add_worktree(repo, path, branch, base="main") -> str:
    git(repo, "worktree", "add", "-q", "-b", branch, str(path), base)
    return str(path)


def commit_all(cwd, msg="work") -> None:
    git(cwd, "add", "-A")
    git(cwd, "commit", "-qm", msg)
