"""ADR 0022 end to end through the real `hookgate hook`: one identity for a file across the
worktrees of a repository, and scope writes (reset, checkout, stash, rm -r…) that meet other
sessions' uncommitted leases in this checkout."""

from __future__ import annotations

import json
import os

import pytest

from tests.conftest import run_cli, run_hook
from tests.support.payloads import claude_pre
from tests.unit.validators.coordination.conftest import enforce, outcome, reason
from tests.unit.validators.coordination.gitfix import add_worktree, commit_all, git, make_repo


def _write(cwd, session, rel="src/app.py", content="changed\n", really=True):
    """A Write through the hook; when allowed (and *really*), the agent writes the file."""
    path = os.path.join(str(cwd), rel)
    r = run_hook(claude_pre(cwd, "Write", {"file_path": path, "content": content}, session))
    if really and outcome(r) in ("allow", "warn"):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(content)
    return r


def _bash(cwd, session, command):
    return run_hook(claude_pre(cwd, "Bash", {"command": command}, session))


def _end(cwd, session):
    return run_hook({"session_id": session, "cwd": str(cwd), "hook_event_name": "SessionEnd", "reason": "exit"})


@pytest.fixture
def repo(tmp_path):
    root = make_repo(tmp_path / "repo")
    enforce(tmp_path / "repo")
    commit_all(root, "hookgate config")
    return tmp_path / "repo"


@pytest.fixture
def two(repo, tmp_path):
    add_worktree(repo, tmp_path / "wt2", "feature")
    return repo, tmp_path / "wt2"


def test_two_worktrees_meet_on_one_repo_relative_file(two):
    main, wt2 = two
    assert outcome(_write(main, "A")) == "allow"
    second = _write(wt2, "B")
    assert outcome(second) == "deny"
    why = reason(second)
    assert "src/app.py" in why and "session A" in why and str(main) in why and "(main)" in why
    assert outcome(_write(wt2, "B", "src/util.py")) == "allow"  # another file is free
    # locks list, from the other worktree, shows where each holder works
    snap = json.loads(run_cli("locks", "list", "--json", cwd=wt2).stdout)
    rows = {r["path"]: r for r in snap["leases"]}
    assert rows["src/app.py"]["worktree"] == str(main) and rows["src/app.py"]["branch"] == "main"
    assert rows["src/util.py"]["worktree"] == str(wt2) and rows["src/util.py"]["branch"] == "feature"
    text = run_cli("locks", "list", cwd=main).stdout
    assert f"in {wt2} [feature]" in text
    # released from either worktree by its repo-relative path
    r = run_cli("locks", "release", "src/app.py", cwd=wt2)
    assert r.returncode == 0 and "released 1 lease" in r.stdout
    assert outcome(_write(wt2, "B")) == "allow"
    assert outcome(_write(main, "A")) == "deny"


def test_a_branch_renamed_mid_session_shows_the_new_name(two):
    main, wt2 = two
    assert outcome(_write(wt2, "B")) == "allow"
    git(wt2, "branch", "-m", "feature", "renamed")
    assert "(renamed)" in reason(_write(main, "A"))


def test_a_worktree_deleted_by_hand_keeps_its_leases_visible(two):
    import shutil

    main, wt2 = two
    assert outcome(_write(wt2, "B")) == "allow"
    shutil.rmtree(wt2)
    assert outcome(_write(main, "A")) == "deny"
    rows = json.loads(run_cli("locks", "list", "--json", cwd=main).stdout)["leases"]
    assert "worktree gone" in rows[0]["branch"]


SCOPE_WRITES = ["git reset --hard", "git checkout -- .", "git stash", "rm -rf src", "git restore .",
                "git checkout -q -b other && git checkout main", "mv src lib",
                "cd src && git reset --hard HEAD", "git merge main", "git rebase main", "git pull"]


@pytest.mark.parametrize("command", SCOPE_WRITES)
def test_scope_write_denied_while_another_session_holds_uncommitted_work(repo, command):
    assert outcome(_write(repo, "A")) == "allow"
    r = _bash(repo, "B", command)
    assert outcome(r) == "deny", reason(r)
    why = reason(r)
    assert "session A" in why and "src/app.py" in why and "uncommitted work" in why
    assert "adr/0022" in why and "your own files" in why
    # once A's work is committed the same command is allowed
    commit_all(repo)
    assert outcome(_bash(repo, "B", command)) == "allow"


@pytest.mark.parametrize("command", ["git reset --hard", "git checkout -- .", "git stash", "rm -rf src"])
def test_scope_write_allowed_once_the_holder_ended(repo, command):
    assert outcome(_write(repo, "A")) == "allow"
    assert outcome(_bash(repo, "B", command)) == "deny"
    assert _end(repo, "A").returncode == 0
    assert outcome(_bash(repo, "B", command)) == "allow"


def test_a_lease_on_a_file_without_changes_does_not_count(repo):
    assert outcome(_write(repo, "A", really=False)) == "allow"  # leased, but nothing written yet
    assert outcome(_bash(repo, "B", "git reset --hard")) == "allow"


def test_the_owner_itself_and_other_scopes_are_free(repo):
    assert outcome(_write(repo, "A")) == "allow"
    assert outcome(_bash(repo, "A", "git stash")) == "allow"  # its own work
    (repo / "docs").mkdir()
    (repo / "docs" / "x.md").write_text("x\n")
    assert outcome(_bash(repo, "B", "rm -rf docs")) == "allow"  # nothing of A's inside


def test_untracked_files_are_left_alone_by_reset_but_not_by_rm(repo):
    assert outcome(_write(repo, "A", "src/new.py")) == "allow"
    assert outcome(_bash(repo, "B", "git reset --hard")) == "allow"  # reset leaves untracked files
    assert outcome(_bash(repo, "B", "git clean -fdx src")) == "deny"
    assert outcome(_bash(repo, "B", "rm -r src")) == "deny"
    assert outcome(_write(repo, "A", "src/app.py")) == "allow"
    commit_all(repo)  # src/new.py committed too
    (repo / "src" / "app.py").write_text("tracked change\n")
    assert outcome(_bash(repo, "B", "git clean -fdx src")) == "allow"  # clean leaves tracked files


def test_a_scope_write_in_another_worktree_destroys_nothing_here(two):
    main, wt2 = two
    assert outcome(_write(main, "A")) == "allow"
    assert outcome(_bash(wt2, "B", "git reset --hard")) == "allow"
    assert outcome(_bash(main, "B", "git reset --hard")) == "deny"


def test_checkpoint_policy_asks(repo):
    enforce(repo, 'policy:\n  on_conflict: "checkpoint"\n')
    assert outcome(_write(repo, "A")) == "allow"
    assert outcome(_bash(repo, "B", "git reset --hard")) == "ask"


def test_claims_count_like_leases(repo):
    r = run_cli("claim", "src", "--intent", "soft", "--session", "A", cwd=repo)
    assert r.returncode == 0, r.stderr
    assert outcome(_bash(repo, "B", "git reset --hard")) == "allow"  # claimed, nothing changed
    (repo / "src" / "util.py").write_text("Y = 2\n")
    r = _bash(repo, "B", "git checkout -- src")
    assert outcome(r) == "deny" and "intent_write claim" in reason(r)


def test_unknown_to_git_counts_as_changed(repo, tmp_path):
    """Git cannot answer (the repository is broken): every leased file counts as changed."""
    assert outcome(_write(repo, "A", really=False)) == "allow"
    os.rename(repo / ".git" / "HEAD", repo / ".git" / "HEAD.x")
    try:
        assert outcome(_bash(repo, "B", "rm -rf src")) == "deny"
    finally:
        os.rename(repo / ".git" / "HEAD.x", repo / ".git" / "HEAD")


def test_the_guard_is_what_denies(repo, tmp_path):
    """Twin without the guard: in monitor stage the same reset is allowed and recorded as would_block."""
    (repo / ".hookgate" / "rollout.yaml").write_text('version: 1\nhooks:\n  coordination: {stage: "monitor"}\n')
    assert outcome(_write(repo, "A")) == "allow"
    assert outcome(_bash(repo, "B", "git reset --hard")) == "allow"
    from tests.conftest import ledger_records

    v = next(v for v in ledger_records(repo)[-1]["verdicts"] if v["hook"] == "coordination")
    assert v["would_block"] and v["rule"] == "scope-write"


@pytest.mark.parametrize("name", ["a b.py", "new\nline.py", "caf\udce9.py"])
def test_odd_file_names(repo, name):
    raw = os.fsencode(name)
    path = os.path.join(os.fsencode(str(repo)), b"src", raw)
    payload = json.dumps(claude_pre(repo, "Write", {"file_path": os.fsdecode(path), "content": "x"}, "A"),
                         ensure_ascii=True)
    assert outcome(run_hook(payload, cwd=str(repo))) == "allow"  # the hook starts in the project (ADR 0018)
    with open(path, "wb") as f:
        f.write(b"x")
    r = _bash(repo, "B", "rm -rf src")
    assert outcome(r) == "deny" and "session A" in reason(r)
    listed = run_cli("locks", "list", cwd=repo)
    assert listed.returncode == 0, listed.stderr


def _warning(proc) -> str:
    out = proc.stdout.decode().strip()
    return json.loads(out).get("hookSpecificOutput", {}).get("additionalContext", "") if out else ""


def test_a_preempted_holder_is_told_once_on_its_next_write(repo):
    r = run_cli("claim", "src", "--intent", "soft", "--session", "A", cwd=repo)
    assert r.returncode == 0, r.stderr
    r = run_cli("claim", "src/app.py", "--intent", "hard", "--priority", "high", "--session", "B", cwd=repo)
    assert r.returncode == 0 and "granted" in r.stdout, r.stdout + r.stderr
    first = _write(repo, "A", "src/util.py")
    assert outcome(first) == "warn"  # allowed, with a message to the agent
    told = _warning(first) or reason(first)
    assert "Your intent_write claim" in told and "session B" in told and "write claim, high priority" in told
    sentence = told[told.index("Your"):told.index(" [rule")]
    assert sentence.count(". ") == 0 and sentence.endswith("says granted.")  # one sentence
    again = _write(repo, "A", "src/util.py", "again\n")
    assert outcome(again) == "allow" and "Your intent_write claim" not in _warning(again)
    blocked = _write(repo, "A", "src/app.py")
    assert outcome(blocked) == "deny" and "session B" in reason(blocked)


def test_two_repositories_never_meet(tmp_path):
    one, two = make_repo(tmp_path / "one"), make_repo(tmp_path / "two")
    enforce(tmp_path / "one")
    enforce(tmp_path / "two")
    assert outcome(_write(one, "A")) == "allow"
    assert outcome(_write(two, "B")) == "allow"  # same relative path, another repository


def test_a_lease_inside_a_submodule(tmp_path):
    """The superproject reports a submodule with changed content as changed: a leased file
    inside it counts (git status --ignore-submodules=none); an unchanged one does not."""
    sub = make_repo(tmp_path / "subsrc", {"lib.py": "L = 1\n"})
    sup = make_repo(tmp_path / "sup")
    git(sup, "-c", "protocol.file.allow=always", "submodule", "add", "-q", sub, "vendor/lib")
    commit_all(sup, "submodule")
    enforce(tmp_path / "sup")
    assert outcome(_write(sup, "A", "vendor/lib/lib.py", really=False)) == "allow"
    assert outcome(_bash(sup, "B", "rm -rf vendor")) == "allow"
    assert outcome(_write(sup, "A", "vendor/lib/lib.py")) == "allow"
    r = _bash(sup, "B", "rm -rf vendor")
    assert outcome(r) == "deny" and "session A" in reason(r)


def test_a_repository_inside_home_gets_the_same_answers(tmp_path, monkeypatch):
    """A project under $HOME (the usual ~/code/repo): a tree-wide git write of the project is
    judged by coordination, not refused as an overwrite of a directory inside home."""
    monkeypatch.setenv("HOME", str(tmp_path))
    repo = make_repo(tmp_path / "code" / "repo")
    enforce(tmp_path / "code" / "repo")
    assert outcome(_write(repo, "A")) == "allow"
    r = _bash(repo, "B", "git reset --hard")
    assert outcome(r) == "deny" and "scope-write" in reason(r)
    commit_all(repo)
    assert outcome(_bash(repo, "B", "git reset --hard")) == "allow"
    assert outcome(_bash(repo, "B", "rm -rf ~/code")) == "deny"  # the whole parent: still self-protection


def test_a_claim_on_a_file_outside_the_repository_keeps_its_absolute_path(repo, tmp_path):
    shared = tmp_path / "shared-notes.md"
    r = run_cli("claim", str(shared), "--intent", "hard", "--session", "A", cwd=repo)
    assert r.returncode == 0, r.stderr
    snap = json.loads(run_cli("locks", "list", "--json", cwd=repo).stdout)
    assert [c["path"] for c in snap["claims"]] == [str(shared)]
    w = run_hook(claude_pre(repo, "Write", {"file_path": str(shared), "content": "x"}, "B"))
    assert outcome(w) == "deny" and "session A" in reason(w)
    assert outcome(run_hook(claude_pre(repo, "Write", {"file_path": str(tmp_path / "other.md"), "content": "x"},
                                       "B"))) == "allow"
