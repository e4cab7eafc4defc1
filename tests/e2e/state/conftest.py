"""A real PostgreSQL for the shared-state tests (ADR 0028): one server per test worker, started
only when a test asks for ``pg``; one database per test; the per-user password file written into
the test's HOME (never the real one)."""

from __future__ import annotations

import os
import subprocess
import uuid

import pytest

from tests.support import pgserver
from tests.conftest import HOOKGATE


@pytest.fixture(autouse=True)
def _no_session_env(monkeypatch):
    """Our own shell may run inside an agent: never let its session leak into a test."""
    from hookgate.state.locks import SESSION_ENV_VARS

    for name in (*SESSION_ENV_VARS, "CLAUDE_PID"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def pg_cluster():
    c = pgserver.Cluster()
    yield c
    c.close()


@pytest.fixture
def pg(pg_cluster, home):
    """conf for a fresh database of its own: {host, port, database, user, cluster}."""
    db = pg_cluster.create_db("t_" + uuid.uuid4().hex[:12])
    pgserver.write_pgpass(str(home), pg_cluster)
    return {"host": pg_cluster.host, "port": pg_cluster.port, "database": db, "user": pg_cluster.user,
            "cluster": pg_cluster}


@pytest.fixture
def pg_private(home):
    """A PostgreSQL server of this test's own (a test that stops and restarts it)."""
    c = pgserver.Cluster()
    db = c.create_db("t_private")
    pgserver.write_pgpass(str(home), c)
    yield {"host": c.host, "port": c.port, "database": db, "user": c.user, "cluster": c}
    c.close()


def state_yaml(conf: dict, repository: str = "repo-under-test", **extra) -> str:
    lines = ["backend: postgres", f"host: {conf['host']}", f"port: {conf['port']}",
             f"database: {conf['database']}", f"user: {conf['user']}", f"repository: {repository}"]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


def git(*args, cwd) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@t")
    return subprocess.run(["git", *args], cwd=str(cwd), check=True, capture_output=True, text=True, env=env).stdout


def make_repo(root, conf: dict, prefer_queue: bool = True, **extra) -> None:
    """A git repository with files, a CI workflow (a checkpoint tier) and .hookgate/state.yaml
    on PostgreSQL, committed."""
    root.mkdir(parents=True)
    git("init", "-q", "-b", "main", cwd=root)
    (root / "src").mkdir()
    (root / "src" / "app.py").write_text("print('hi')\n")
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / ".github" / "workflows" / "ci.yml").write_text("on: push\n")
    (root / ".hookgate" / "hooks").mkdir(parents=True)
    (root / ".hookgate" / "state.yaml").write_text(state_yaml(conf, **extra))
    (root / ".hookgate" / "rollout.yaml").write_text('version: 1\nhooks:\n  coordination: {stage: "enforce"}\n')
    if prefer_queue:
        (root / ".hookgate" / "hooks" / "self-protection.yaml").write_text(
            "policy:\n  approvals:\n    prefer_queue: true\n")
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "init", cwd=root)


def hookgate_cli(*args, cwd, env=None, timeout: float = 120) -> subprocess.CompletedProcess:
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([HOOKGATE, *args], cwd=str(cwd), capture_output=True, text=True, env=e, timeout=timeout)
