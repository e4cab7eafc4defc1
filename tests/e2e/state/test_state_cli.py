"""ADR 0028: choosing the backend (`hookgate state use`, `.hookgate/state.yaml`), who may, and
the parser of state.yaml (linear, strict, fail closed)."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hookgate.state import stateconf
from tests.unit.approvals.helpers import classify
from tests.conftest import run_hook
from tests.support.payloads import claude_pre
from tests.e2e.state.conftest import hookgate_cli, make_repo, state_yaml

DENIES = ("deny", "exit2-deny")


@pytest.mark.parametrize("tool,inp,want", [
    ("Bash", {"command": "hookgate state use files --yes"}, "deny"),
    ("Bash", {"command": "hookgate state use postgres --host h --database d --yes"}, "deny"),
    ("Bash", {"command": "hookgate state migrate --yes"}, "deny"),
    ("Bash", {"command": "sh -c 'hookgate state use files --yes'"}, "deny"),
    ("Bash", {"command": "cat {cfg}/hookgate/pgpass"}, "deny"),
    ("Read", {"file_path": "{cfg}/hookgate/pgpass"}, "deny"),
    ("Write", {"file_path": "{cfg}/hookgate/pgpass", "content": "*:*:*:*:x\n"}, "deny"),
    ("Write", {"file_path": "{root}/.hookgate/state.yaml", "content": "backend: files\n"}, "deny"),
    ("Bash", {"command": "hookgate state status"}, "allow"),
])
def test_agents_cannot_choose_the_backend_or_read_its_credentials(project, home, tool, inp, want):
    cfg = str(home / ".config")
    inp = {k: v.replace("{cfg}", cfg).replace("{root}", str(project)) for k, v in inp.items()}
    r = run_hook(claude_pre(project, tool, inp), env={"CLAUDE_PROJECT_DIR": str(project), "HOOKGATE_SERVE": "off"})
    got = classify("claude-code", r)
    assert (got in DENIES) == (want == "deny"), (tool, inp, got, r.stderr)


def test_the_leak_without_the_rules(project, home):
    """What the rules above stop: the CLI does switch the backend of every clone, and the
    password file is a plain file of the same user."""
    r = hookgate_cli("state", "use", "postgres", "--host", "db.example", "--database", "hg", "--repository", "x",
                     "--yes", cwd=project)
    assert r.returncode == 0 and (project / ".hookgate" / "state.yaml").read_text().startswith("# hookgate"), r.stderr
    assert stateconf.load(str(project))["backend"] == "postgres"


def test_use_needs_a_terminal_or_yes(project):
    r = hookgate_cli("state", "use", "files", cwd=project, env={})
    assert r.returncode == 2 and "from a terminal" in r.stderr
    assert not (project / ".hookgate" / "state.yaml").exists()


def test_use_postgres_then_migrate_then_status(tmp_path, home, pg):
    repo = tmp_path / "repo"
    make_repo(repo, pg)
    (repo / ".hookgate" / "state.yaml").unlink()
    r = hookgate_cli("state", "use", "postgres", "--host", pg["host"], "--port", str(pg["port"]), "--database",
                     pg["database"], "--user", pg["user"], "--yes", cwd=repo)
    assert r.returncode == 0 and "state migrate" in r.stdout, r.stdout + r.stderr
    conf = stateconf.load(str(repo))
    assert conf["backend"] == "postgres" and conf["repository"]  # a new id (no origin remote)
    st = hookgate_cli("state", "status", "--json", cwd=repo)
    assert st.returncode == 1 and json.loads(st.stdout)["health"] == "unreachable" and "migrate" in st.stdout
    m = hookgate_cli("state", "migrate", "--yes", cwd=repo)
    assert m.returncode == 0 and "schema version 1" in m.stdout, m.stderr
    assert "nothing to apply" in hookgate_cli("state", "migrate", "--yes", cwd=repo).stdout
    st = json.loads(hookgate_cli("state", "status", "--json", cwd=repo).stdout)
    assert st["health"] == "ok" and st["schema"] == 1 and abs(st["clock_offset_s"]) < 5
    # the identity is kept when the backend is chosen again
    again = hookgate_cli("state", "use", "postgres", "--yes", cwd=repo)
    assert again.returncode == 0 and stateconf.load(str(repo))["repository"] == conf["repository"]
    back = hookgate_cli("state", "use", "files", "--yes", cwd=repo)
    assert back.returncode == 0 and stateconf.load(str(repo))["backend"] == "files"


def test_wrong_credentials_are_unreachable_not_files(tmp_path, home, pg):
    repo = tmp_path / "repo"
    make_repo(repo, pg)
    os.unlink(home / ".config" / "hookgate" / "pgpass")
    st = hookgate_cli("state", "status", "--json", cwd=repo, env={"PGPASSWORD": "not-from-the-agent"})
    info = json.loads(st.stdout)
    assert st.returncode == 1 and info["health"] == "unreachable" and "password" in info["error"]


@pytest.mark.parametrize("text,err", [
    ("backend: postgres\n", "needs `database:`"),
    ("backend: mysql\n", "backend must be one of"),
    ("backend: files\nbackend: files\n", "given twice"),
    ("  backend: files\n", "only top-level"),
    ("- backend\n", "only top-level"),
    ("password: x\n", "unknown key 'password'"),
    ("port: many\n", "whole number"),
    ("port: -1\n", "positive"),
    (state_yaml({"host": "h", "port": 1, "database": "d", "user": "u"}, repository="a b"), "plain identifier"),
])
def test_state_yaml_refusals(text, err):
    with pytest.raises(stateconf.StateConfigError, match=err.replace("(", r"\(").replace(")", r"\)").replace("`", ".")):
        stateconf.parse(text)


def test_state_yaml_accepts_comments_and_quotes():
    conf = stateconf.parse('# x\n---\nbackend: "postgres"  # shared\nhost: db\ndatabase: \'hg\'\nrepository: gh/o/r\n')
    assert (conf["backend"], conf["host"], conf["database"], conf["port"]) == ("postgres", "db", "hg", 5432)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_state_yaml_parser_only_refuses(text):
    try:
        conf = stateconf.parse(text)
    except stateconf.StateConfigError:
        return
    assert conf["backend"] in stateconf.BACKENDS
