"""ADR 0022: `hookgate worktree new|list|gc` on real worktrees — gc removes exactly the safe ones."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tests.conftest import ledger_records, run_cli, run_hook
from tests.unit.validators.coordination.gitfix import commit_all, git, make_repo


def _end(cwd, session):
    r = run_hook({"session_id": session, "cwd": str(cwd), "hook_event_name": "SessionEnd", "reason": "exit"})
    assert r.returncode == 0, r.stderr


def _new(repo, name, session):
    r = run_cli("worktree", "new", name, "--session", session, cwd=repo)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


@pytest.fixture
def six(tmp_path):
    repo = make_repo(tmp_path / "repo")
    wts = {name: _new(repo, name, f"s-{name}") for name in
           ("ended-clean", "ended-dirty", "ended-unpushed", "live", "locked", "deleted", "busy")}
    with open(os.path.join(wts["ended-dirty"], "src", "app.py"), "a") as f:
        f.write("# unsaved\n")
    with open(os.path.join(wts["ended-unpushed"], "new.py"), "w") as f:
        f.write("x = 1\n")
    commit_all(wts["ended-unpushed"], "local only")
    git(repo, "worktree", "lock", "--reason", "on a USB disk", wts["locked"])
    shutil.rmtree(wts["deleted"])
    for name in wts:
        if name != "live":
            _end(repo, f"s-{name}")
    busy = subprocess.Popen(["sleep", "60"], cwd=wts["busy"])
    yield repo, wts
    busy.kill()
    busy.wait()


def test_list_shows_owner_session_work_and_merge_state(six):
    repo, wts = six
    r = run_cli("worktree", "list", "--json", cwd=repo)
    assert r.returncode == 0, r.stderr
    rows = {row["path"]: row for row in json.loads(r.stdout)}
    assert rows[wts["live"]]["owner"] == "s-live" and rows[wts["live"]]["session"] == "alive"
    assert rows[wts["ended-clean"]]["session"] == "ended" and rows[wts["ended-clean"]]["merged"] is True
    assert rows[wts["ended-dirty"]]["uncommitted"] == 1
    assert rows[wts["ended-unpushed"]]["unpushed"] == 1 and rows[wts["ended-unpushed"]]["merged"] is False
    assert rows[wts["deleted"]]["exists"] is False and rows[wts["locked"]]["locked"] is True
    text = run_cli("worktree", "list", cwd=repo).stdout
    assert "DELETED" in text and "1 uncommitted" in text and "alive (s-live)" in text


def test_gc_removes_exactly_the_safe_ones(six):
    repo, wts = six
    dry = run_cli("worktree", "gc", "--dry-run", cwd=repo)
    assert dry.returncode == 0, dry.stderr
    assert sorted(line.split()[2].rstrip(":") for line in dry.stdout.splitlines() if line.startswith("would remove")) \
        == sorted([wts["ended-clean"], wts["deleted"]])
    assert all(os.path.isdir(wts[n]) for n in wts if n != "deleted")  # dry run removed nothing

    r = run_cli("worktree", "gc", cwd=repo)
    assert r.returncode == 0, r.stderr
    listed = git(repo, "worktree", "list", "--porcelain")
    left = {line[9:] for line in listed.splitlines() if line.startswith("worktree ")}
    assert left == {str(repo), wts["ended-dirty"], wts["ended-unpushed"], wts["live"], wts["locked"], wts["busy"]}
    assert not os.path.exists(wts["ended-clean"])
    assert "feature" not in git(repo, "branch")  # (sanity) and branches are kept:
    assert "ended-clean" in git(repo, "branch", "--list", "ended-clean")
    why = {line.split()[1].rstrip(":"): line for line in r.stdout.splitlines() if line.startswith("keep")}
    assert "uncommitted" in why[wts["ended-dirty"]] and "neither pushed nor merged" in why[wts["ended-unpushed"]]
    assert "alive" in why[wts["live"]] and "locked" in why[wts["locked"]] and "in use by process" in why[wts["busy"]]
    gc_recs = [rec for rec in ledger_records(repo) if rec.get("kind") == "worktree_gc"]
    assert sorted(rec["path"] for rec in gc_recs) == sorted([wts["ended-clean"], wts["deleted"]])
    assert all(rec["reason"] for rec in gc_recs)


def test_gc_sweeps_expired_state(tmp_path):
    import time

    from hookgate.validators.coordination import leases, store

    repo = make_repo(tmp_path / "r")
    state = os.path.join(repo, ".git", "hookgate")
    store.mutate(state, lambda d: leases.take(d, "src/app.py", "gone", "", "Write", time.time() - 100, 10))
    r = run_cli("worktree", "gc", cwd=repo)
    assert r.returncode == 0 and "swept 1 expired" in r.stdout
    assert store.load(state)["leases"] == {}


def test_agents_may_list_and_create_but_not_gc(tmp_path):
    from tests.support.payloads import claude_pre
    from tests.unit.validators.coordination.conftest import outcome

    repo = make_repo(tmp_path / "r")
    for cmd, expected in (("hookgate worktree list", "allow"), ("hookgate worktree new x", "allow"),
                          ("hookgate gate --base main", "allow"), ("hookgate worktree gc", "deny")):
        r = run_hook(claude_pre(repo, "Bash", {"command": cmd}, "A"))
        assert outcome(r) == expected, (cmd, r.stdout)


def test_not_a_repository_is_one_line(tmp_path):
    r = run_cli("worktree", "list", cwd=tmp_path)
    assert r.returncode == 2 and "not in a git repository" in r.stderr and "Traceback" not in r.stderr
