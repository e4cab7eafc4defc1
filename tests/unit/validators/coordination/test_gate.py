"""ADR 0022: the merge gate — every file a branch changed was leased or claimed on that branch."""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest

from tests.conftest import HOOKGATE, run_cli, run_hook
from tests.support.payloads import claude_pre
from tests.unit.validators.coordination.conftest import outcome
from tests.unit.validators.coordination.gitfix import GIT_ENV, add_worktree, commit_all, git, make_repo


def _write(cwd, session, rel, content="x = 2\n"):
    path = os.path.join(str(cwd), rel)
    r = run_hook(claude_pre(cwd, "Write", {"file_path": path, "content": content}, session))
    assert outcome(r) == "allow", r.stdout
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(content)


def _gate(cwd, *args):
    return run_cli("gate", *args, cwd=cwd)


@pytest.fixture
def feature(tmp_path):
    repo = make_repo(tmp_path / "repo")
    wt = add_worktree(repo, tmp_path / "wt", "feature")
    return repo, wt


def test_a_branch_whose_changes_were_all_leased_passes(feature):
    repo, wt = feature
    _write(wt, "A", "src/app.py")
    _write(wt, "A", "src/new.py")
    commit_all(wt)
    r = _gate(wt, "--base", "main")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "all 2 file(s)" in r.stdout
    res = json.loads(_gate(wt, "--base", "main", "--json").stdout)
    assert res["ok"] and res["branch"] == "feature" and res["files"] == 2


def test_an_unclaimed_file_fails_naming_it_and_who_else_held_it(feature):
    repo, wt = feature
    _write(wt, "A", "src/app.py")
    _write(repo, "B", "src/util.py")  # B leased util.py on main …
    with open(os.path.join(wt, "src", "util.py"), "w") as f:  # … and feature changed it without a lease
        f.write("X = 3\n")
    commit_all(wt)
    r = _gate(wt, "--base", "main")
    assert r.returncode == 1
    assert "src/util.py" in r.stdout and "claude-code session B on main" in r.stdout and "src/app.py" not in r.stdout
    res = json.loads(_gate(wt, "--base", "main", "--json").stdout)
    assert res["unclaimed"] == [{"status": "M", "path": "src/util.py", "held_by": ["claude-code session B on main"]}]


def test_renames_are_handled(feature):
    repo, wt = feature
    _write(wt, "A", "src/app.py", "print('hi')\n")  # leased, then renamed: the old path covers it
    git(wt, "mv", "src/app.py", "src/main.py")
    git(wt, "mv", "src/util.py", "src/helpers.py")  # never leased
    commit_all(wt)
    res = json.loads(_gate(wt, "--base", "main", "--json").stdout)
    assert res["unclaimed"] == [{"status": "R", "path": "src/helpers.py", "from": "src/util.py"}]
    assert "renamed from src/util.py" in _gate(wt, "--base", "main").stdout


def test_a_claimed_directory_covers_what_is_below_it(feature):
    repo, wt = feature
    r = run_cli("claim", "docs", "--intent", "hard", "--session", "A", cwd=wt)
    assert r.returncode == 0, r.stderr
    os.makedirs(os.path.join(wt, "docs", "deep"))
    with open(os.path.join(wt, "docs", "deep", "x.md"), "w") as f:
        f.write("x\n")
    commit_all(wt)
    assert _gate(wt, "--base", "main").returncode == 0
    # a read claim is no evidence of writing
    r = run_cli("claim", "src", "--intent", "read", "--session", "C", cwd=wt)
    with open(os.path.join(wt, "src", "app.py"), "w") as f:
        f.write("y\n")
    commit_all(wt)
    assert _gate(wt, "--base", "main").returncode == 1


def test_branch_renamed_after_the_work_still_passes(feature):
    repo, wt = feature
    _write(wt, "A", "src/app.py")
    commit_all(wt)
    git(wt, "branch", "-m", "feature", "feature-2")
    r = _gate(wt, "--base", "main")
    assert r.returncode == 0, r.stdout


def test_detached_head_uses_this_worktrees_detached_evidence(feature):
    repo, wt = feature
    git(wt, "checkout", "-q", "--detach")
    _write(wt, "A", "src/app.py")
    commit_all(wt)
    assert _gate(wt, "--base", "main").returncode == 0
    assert json.loads(_gate(wt, "--base", "main", "--json").stdout)["branch"] == ""


def test_bad_refs_and_no_repository_are_one_line_exit_2(feature, tmp_path):
    repo, wt = feature
    r = _gate(wt, "--base", "no-such-branch")
    assert r.returncode == 2 and "unknown base" in r.stderr and "Traceback" not in r.stderr
    r = _gate(wt, "nope")
    assert r.returncode == 2 and "unknown revision" in r.stderr
    os.makedirs(tmp_path / "plain")
    r = _gate(tmp_path / "plain")
    assert r.returncode == 2 and "not in a git repository" in r.stderr


def test_a_bare_repository_can_be_gated(feature, tmp_path):
    repo, wt = feature
    _write(wt, "A", "src/app.py")
    commit_all(wt)
    bare = tmp_path / "b.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    r = _gate(bare, "--base", "main", "feature")
    assert r.returncode == 1 and "src/app.py" in r.stdout  # the bare clone has its own (empty) ledger


@pytest.mark.slow  # a benchmark
def test_ten_thousand_files_in_seconds(feature):
    """A 10,000-file diff (plus 10,000 lease records in the ledger) is decided in seconds."""
    from hookgate.state import backend
    from hookgate.core.engine import _base_record

    repo, wt = feature
    state = os.path.join(repo, ".git", "hookgate")
    for i in range(10_000):
        d = os.path.join(wt, "gen", f"d{i // 100:03d}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"f {i}.txt"), "w") as f:
            f.write(f"{i}\n")
    commit_all(wt, "10k files")
    for i in range(0, 10_000, 2):  # evidence for every other file, two keys per record
        rec = _base_record("decision", "claude-code")
        rec.update(session="A", coordination={"wt": wt, "branch": "feature",
                                              "keys": [f"gen/d{i // 100:03d}/f {i}.txt", f"gen/d{(i + 1) // 100:03d}/f {i + 1}.txt"]})
        backend.ledger_append(state, rec, fsync=False)
    _write(wt, "A", "gen/extra.txt")
    with open(os.path.join(wt, "gen", "d000", "f 0.txt"), "w") as f:
        f.write("changed\n")
    with open(os.path.join(wt, "gen", "unclaimed.txt"), "w") as f:
        f.write("u\n")
    commit_all(wt, "more")
    t0 = time.perf_counter()
    r = _gate(wt, "--base", "main", "--json")
    elapsed = time.perf_counter() - t0
    res = json.loads(r.stdout)
    assert res["files"] == 10_002 and [u["path"] for u in res["unclaimed"]] == ["gen/unclaimed.txt"]
    print(f"\ngate on a {res['files']}-file diff with 5,001 evidence records: {elapsed:.2f}s "
          f"(load {os.getloadavg()[0]:.1f})")
    assert elapsed < 15, elapsed


def _push_env():
    return dict(os.environ, **GIT_ENV)


def test_install_git_hooks_chains_a_foreign_hook_and_refuses_an_unclaimed_push(feature, tmp_path):
    repo, wt = feature
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "main")
    hooks = os.path.join(repo, ".git", "hooks")
    os.makedirs(hooks, exist_ok=True)
    marker = tmp_path / "foreign-ran"
    foreign = f"#!/bin/sh\ncat > /dev/null\necho ran >> '{marker}'\nexit 0\n"
    with open(os.path.join(hooks, "pre-push"), "w") as f:
        f.write(foreign)
    os.chmod(os.path.join(hooks, "pre-push"), 0o755)

    r = run_cli("install", "--git-hooks", "--command", HOOKGATE, cwd=wt)
    assert r.returncode == 0, r.stderr
    assert "pre-push.hookgate-chained" in r.stdout and "CI" in r.stdout
    with open(os.path.join(hooks, "pre-push.hookgate-chained")) as f:
        assert f.read() == foreign  # kept byte for byte
    assert run_cli("install", "--git-hooks", "--command", HOOKGATE, cwd=wt).returncode == 0  # idempotent
    assert os.listdir(hooks).count("pre-push.hookgate-chained") == 1

    with open(os.path.join(wt, "src", "util.py"), "w") as f:
        f.write("unclaimed\n")
    commit_all(wt)
    p = subprocess.run(["git", "push", "origin", "feature"], cwd=wt, capture_output=True, text=True, env=_push_env())
    assert p.returncode != 0 and "src/util.py" in p.stdout + p.stderr and "push refused" in p.stderr
    assert marker.read_text() == "ran\n"  # the foreign hook ran first

    _write(wt, "A", "src/app.py")
    git(wt, "reset", "-q", "HEAD~1")
    git(wt, "checkout", "-q", "--", "src/util.py")
    commit_all(wt)
    p = subprocess.run(["git", "push", "-q", "origin", "feature"], cwd=wt, capture_output=True, text=True,
                       env=_push_env())
    assert p.returncode == 0, p.stdout + p.stderr

    r = run_cli("uninstall", "--git-hooks", cwd=wt)
    assert r.returncode == 0 and "restored" in r.stdout
    with open(os.path.join(hooks, "pre-push")) as f:
        assert f.read() == foreign


def test_unrelated_histories_are_one_line_exit_2(tmp_path):
    repo = make_repo(tmp_path / "r")
    git(repo, "checkout", "-q", "--orphan", "other")
    commit_all(repo, "no shared history")
    r = _gate(repo, "--base", "main")
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, r.stderr
