"""ADR 0024 end to end through the real commands: plan check → disputes → plan start (claims)
→ the claims bind other sessions → agents' shells may only finish their own plan → plan done
runs the checks (a failing run keeps the plan running) → the dependant is unblocked; drift."""

from __future__ import annotations

import json
import sys

import pytest

from tests.conftest import ledger_records, run_cli
from tests.unit.validators.coordination.conftest import bash, enforce, outcome, reason, write
from tests.unit.plans.helpers import write_plan

PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]


@pytest.fixture
def fleet(project):
    (project / "migrations").mkdir()
    (project / "migrations" / "0001_init.py").write_text("x = 1\n")
    (project / "tests").mkdir()
    (project / "tests" / "test_table.py").write_text("def test_table():\n    assert False\n")
    (project / "docs").mkdir()
    write_plan(project, "add-table", "migration", write=["migrations/0002_table.py", "src/models/**"],
               tests=["tests/test_table.py"], run=PYTEST)
    write_plan(project, "use-table", "feature", deps=["add-table"], write=["src/app.py", "tests/test_app.py"],
               tests=["tests/test_app.py"], run=PYTEST)
    write_plan(project, "guide", "docs", write=["docs/**"])
    write_plan(project, "api-docs", "docs", write=["docs/api/*.md"])
    enforce(project)
    return project


def plan_records(project, event=None):
    return [r for r in ledger_records(project) if r.get("kind") == "plan" and (event is None or r["event"] == event)]


def test_check_start_claims_done_unblocks(fleet):
    project = fleet
    # 1. check: guide and api-docs collide with no order between them -> a recorded dispute
    r = run_cli("plan", "check", "--json", cwd=project)
    assert r.returncode == 1, r.stdout + r.stderr
    out = json.loads(r.stdout)
    (over,) = [f for f in out["findings"] if f["code"] == "overlap"]
    assert over["plans"] == ["api-docs", "guide"] and over["patterns"] == [["docs/api/*.md", "docs/**"]]
    did = over["dispute"]
    assert out["disputes"] == [did] and [r["dispute"] for r in plan_records(project, "dispute-opened")] == [did]
    again = json.loads(run_cli("plan", "check", "--json", cwd=project).stdout)  # recorded once, not per run
    assert again["disputes"] == [did] and len(plan_records(project, "dispute-opened")) == 1
    listed = run_cli("disputes", "list", cwd=project)
    assert did in listed.stdout and "api-docs vs guide" in listed.stdout
    status = run_cli("plan", "status", cwd=project).stdout
    assert f"blocked-by dispute {did} with guide" in status

    # 2. a human resolves it: guide first; api-docs now waits for guide; recorded in the ledger
    assert run_cli("disputes", "resolve", did, "--winner", "nope", "--reason", "x", cwd=project).returncode == 2
    r = run_cli("disputes", "resolve", did, "--winner", "guide", "--reason", "the guide sets the layout",
                cwd=project)
    assert r.returncode == 0 and "api-docs now waits for it" in r.stdout, r.stderr
    (rec,) = plan_records(project, "dispute-resolved")
    assert rec["winner"] == "guide" and rec["loser"] == "api-docs" and rec["reason"] == "the guide sets the layout"
    assert run_cli("audit", "verify", cwd=project).returncode == 0
    r = run_cli("plan", "check", cwd=project)
    assert r.returncode == 0, r.stdout
    shown = run_cli("disputes", "show", did, cwd=project).stdout
    assert "resolved" in shown and "guide first, api-docs waits" in shown
    assert "blocked-by guide" in run_cli("plan", "status", cwd=project).stdout

    # 3. a dependant cannot start before its dependency is done
    r = run_cli("plan", "start", "use-table", "--session", "s2", cwd=project)
    assert r.returncode == 1 and "not ready: blocked by add-table" in r.stderr

    # 4. start: the plan's claims become claims of the carrying session
    r = run_cli("plan", "start", "add-table", "--session", "s1", "--json", cwd=project)
    assert r.returncode == 0, r.stderr
    started = json.loads(r.stdout)
    assert {(c["mode"], c["path"]) for c in started["granted"]} == {
        ("write", "migrations/0002_table.py"), ("write", "src/models")}
    snap = json.loads(run_cli("locks", "list", "--json", cwd=project).stdout)
    assert {(c["rel"], c["session"], c["mode"]) for c in snap["claims"]} == {
        ("migrations/0002_table.py", "s1", "write"), ("src/models", "s1", "write")}
    (rec,) = plan_records(project, "start")
    assert rec["plan"] == "add-table" and rec["session"] == "s1"
    r = run_cli("plan", "start", "add-table", "--session", "s9", cwd=project)
    assert r.returncode == 1 and "already running for session s1" in r.stderr

    # 5. another session's write inside the plan's claims meets them
    denied = write(project, "s2", "src/models/table.py")
    assert outcome(denied) == "deny" and "claim" in reason(denied) and "session s1" in reason(denied)
    assert outcome(write(project, "s1", "src/models/table.py")) == "allow"
    assert outcome(write(project, "s1", "migrations/0002_table.py", tool="Edit")) == "allow"

    # 5b. the carrying session's write outside its plan's claims: a coordination verdict
    outside = write(project, "s1", "src/app.py")
    assert outcome(outside) == "deny"
    why = reason(outside)
    assert "src/app.py is outside plan add-table" in why and "migrations/0002_table.py, src/models/**" in why
    assert "adr/0024-plans.md" in why
    (v,) = [v for v in ledger_records(project)[-1]["verdicts"] if v["hook"] == "coordination"]
    assert v["rule"] == "outside-plan" and v["stage"] == "enforce"
    assert outcome(bash(project, "s1", "echo x > src/app.py")) == "deny"  # through the shell too
    assert outcome(bash(project, "s1", "echo x > src/models/y.py")) == "allow"
    assert outcome(write(project, "s3", "README.md")) == "allow"  # a session without a plan is not bound

    # 6. agents' shells: check/status yes; done only for the own plan; start/resolve/abandon no
    assert outcome(bash(project, "s2", "hookgate plan check")) == "allow"
    assert outcome(bash(project, "s2", "hookgate plan status --json")) == "allow"
    assert outcome(bash(project, "s2", "hookgate disputes list")) == "allow"
    other = bash(project, "s2", "hookgate plan done add-table")
    assert outcome(other) == "deny" and "does not carry" in reason(other)
    # the session is the platform's, never one the command names
    assert outcome(bash(project, "s2", "HOOKGATE_SESSION=s1 hookgate plan done add-table")) == "deny"
    assert outcome(bash(project, "s2", "hookgate plan done add-table --session s1")) == "deny"
    assert outcome(bash(project, "s1", "hookgate plan done add-table")) == "allow"
    assert outcome(bash(project, "s1", "hookgate plan done add-table --timeout 10m --json")) == "allow"
    assert outcome(bash(project, "s1", "hookgate plan done use-table")) == "deny"
    assert outcome(bash(project, "s1", "hookgate plan done add-table --force")) == "deny"
    assert outcome(bash(project, "s1", "sh -c 'hookgate plan done use-table'")) == "deny"
    assert outcome(bash(project, "s2", "hookgate plan start use-table --session s2")) == "deny"
    assert outcome(bash(project, "s1", f"hookgate disputes resolve {did} --winner guide --reason x")) == "deny"
    assert outcome(bash(project, "s1", "hookgate plan abandon add-table --reason x")) == "deny"

    # 7. status while running; drift when the running plan's file changes
    status = run_cli("plan", "status", cwd=project).stdout
    assert "[>] add-table" in status and "running  session s1" in status
    assert "blocked-by add-table" in status and "DRIFT" not in status
    plan_file = project / ".hookgate" / "plans" / "add-table.toml"
    plan_file.write_text(plan_file.read_text().replace("src/models/**", "src/models/**\", \"src/extra/**"))
    assert "DRIFT: the plan file changed since it started" in run_cli("plan", "status", cwd=project).stdout
    assert json.loads(run_cli("locks", "list", "--json", cwd=project).stdout)["claims"], "running claims stay"
    st = json.loads(run_cli("plan", "status", "--json", cwd=project).stdout)
    (mine,) = [p for p in st["plans"] if p["id"] == "add-table"]
    assert mine["claims"] == {"held": 2, "queued": 0, "gone": 0} and "lapsed" not in mine

    # 8. done runs the checks: failing -> still running, recorded
    r = run_cli("plan", "done", "add-table", cwd=project)
    assert r.returncode == 1 and "checks failed" in r.stderr and "the plan stays running" in r.stderr
    assert "assert False" in r.stderr
    assert plan_records(project, "checks-failed")
    assert "[>] add-table" in run_cli("plan", "status", cwd=project).stdout

    # 9. passing -> done, claims released, the dependant unblocked
    (project / "tests" / "test_table.py").write_text("def test_table():\n    assert True\n")
    r = run_cli("plan", "done", "add-table", cwd=project)
    assert r.returncode == 0, r.stderr
    assert "checks passed" in r.stdout and "released 2 claim(s)" in r.stdout and "now ready: use-table" in r.stdout
    (rec,) = plan_records(project, "done")
    assert rec["checks"]["ok"] and rec["checks"]["returncode"] == 0 and "tests/test_table.py" in rec["checks"]["argv"]
    assert json.loads(run_cli("locks", "list", "--json", cwd=project).stdout)["claims"] == []
    status = run_cli("plan", "status", cwd=project).stdout
    assert "[x] add-table" in status and "done" in status and "[ ] use-table" in status
    assert outcome(write(project, "s2", "src/models/table.py")) == "deny"  # s1's lease from step 5 remains
    assert outcome(write(project, "s2", "src/models/other.py")) == "allow"
    assert outcome(write(project, "s1", "src/app2.py")) == "allow"  # its plan is done: no longer bound
    r = run_cli("plan", "done", "add-table", cwd=project)
    assert r.returncode == 1 and "is done" in r.stderr
    assert run_cli("plan", "start", "use-table", "--session", "s2", cwd=project).returncode == 0
    assert run_cli("audit", "verify", cwd=project).returncode == 0


def test_check_reports_every_finding_and_exits_nonzero(project):
    write_plan(project, "a", "feature", deps=["b", "ghost"], write=["src/a.py", "tests/t.py"], tests=["tests/t.py"])
    write_plan(project, "b", "feature", deps=["a"], write=["src/b.py", "tests/t.py"], tests=["tests/t.py"])
    write_plan(project, "c", "feature", deps=["c"], write=["src/c.py", "tests/c.py"], tests=["tests/c.py"])
    (project / ".hookgate" / "plans" / "d.toml").write_text("[plan\n")
    (project / ".hookgate" / "plans" / "e.toml").write_text('[plan]\nid = "a"\ntype = "docs"\n')
    r = run_cli("plan", "check", cwd=project)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    for needle in ("a depends on 'ghost'", "dependency cycle of 2 plans: a → b → a", "c depends on itself",
                   "d.toml:1: not valid TOML", "e.toml:2 [plan.id]: plan id 'a' is already used"):
        assert any(needle in line for line in lines), (needle, r.stdout)
    assert lines[-1].startswith("5 plan(s)") is False and "3 plan(s): 5 error(s)" in lines[-1]
    # only the named file's findings
    r = run_cli("plan", "check", str(project / ".hookgate" / "plans" / "c.toml"), "--json", cwd=project)
    assert r.returncode == 1
    assert {f["code"] for f in json.loads(r.stdout)["findings"]} == {"self-dependency"}
    assert run_cli("plan", "check", "missing.toml", cwd=project).returncode == 2


def test_no_plans_is_fine(project):
    r = run_cli("plan", "check", cwd=project)
    assert r.returncode == 0 and "no plans in .hookgate/plans/" in r.stdout
    assert "no plans" in run_cli("plan", "status", cwd=project).stdout
    assert "no open disputes" in run_cli("disputes", "list", cwd=project).stdout


def test_resolving_disputes_never_makes_a_cycle(project):
    for pid in ("a", "b", "c"):
        write_plan(project, pid, "docs", write=["docs/shared.md"])
    out = json.loads(run_cli("plan", "check", "--json", cwd=project).stdout)
    ids = {tuple(f["plans"]): f["dispute"] for f in out["findings"] if f["code"] == "overlap"}
    assert set(ids) == {("a", "b"), ("a", "c"), ("b", "c")}
    assert run_cli("disputes", "resolve", ids[("a", "b")], "--winner", "a", "--reason", "r", cwd=project).returncode == 0
    assert run_cli("disputes", "resolve", ids[("b", "c")], "--winner", "b", "--reason", "r", cwd=project).returncode == 0
    # a-c is now ordered through b: the dispute is withdrawn at the next check
    assert run_cli("plan", "check", cwd=project).returncode == 0
    assert run_cli("disputes", "show", ids[("a", "c")], cwd=project).stdout.count("withdrawn") == 1
    r = run_cli("disputes", "resolve", ids[("a", "c")], "--winner", "c", "--reason", "r", cwd=project)
    assert r.returncode == 1 and "withdrawn, not open" in r.stderr


def test_a_cycle_through_dispute_orders_is_refused(project):
    write_plan(project, "a", "docs", write=["docs/x.md"])
    write_plan(project, "b", "docs", deps=["a"], write=["docs/y.md"])
    write_plan(project, "c", "docs", write=["docs/y.md", "docs/x.md"])
    out = json.loads(run_cli("plan", "check", "--json", cwd=project).stdout)
    ids = {tuple(f["plans"]): f["dispute"] for f in out["findings"] if f["code"] == "overlap"}
    assert set(ids) == {("a", "c"), ("b", "c")}
    assert run_cli("disputes", "resolve", ids[("b", "c")], "--winner", "b", "--reason", "r", cwd=project).returncode == 0
    # c waits for b, b waits for a: c winning over a would make a cycle a -> c -> b -> a
    r = run_cli("disputes", "resolve", ids[("a", "c")], "--winner", "c", "--reason", "r", cwd=project)
    assert r.returncode == 1 and "c already waits for a" in r.stderr and "would be a cycle" in r.stderr
    assert run_cli("disputes", "resolve", ids[("a", "c")], "--winner", "a", "--reason", "r", cwd=project).returncode == 0
    assert run_cli("plan", "check", cwd=project).returncode == 0


def test_start_in_a_new_worktree_and_done_runs_checks_there(tmp_path):
    import subprocess

    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*a):
        subprocess.run(["git", "-C", str(repo), *a], check=True, capture_output=True,
                       env={**__import__("os").environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x",
                            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x"})

    git("init", "-q", "-b", "main")
    (repo / "tests").mkdir()
    (repo / "tests" / "test_x.py").write_text("def test_x():\n    pass\n")
    (repo / "src").mkdir()
    (repo / "src" / "x.py").write_text("".join(f"line{i} = {i}\n" for i in range(40)))
    write_plan(repo, "bad", "refactor", write=["src/y.py"])  # no tests: refused
    write_plan(repo, "wt", "refactor", write=["src/x.py"], tests=["tests/test_x.py"],
               run=[sys.executable, "-c", "import os, sys; open('ran-here', 'w').write(os.getcwd()); sys.exit(0)"])
    git("add", "-A")
    git("commit", "-qm", "init")
    r = run_cli("plan", "start", "bad", "--session", "s1", "--worktree", cwd=repo)
    assert r.returncode == 1 and "does not verify" in r.stderr
    assert not (tmp_path / "repo.worktrees").exists(), "a refused plan leaves no worktree behind"
    r = run_cli("plan", "start", "wt", "--session", "s1", "--worktree", cwd=repo)
    assert r.returncode == 0, r.stderr
    wt = tmp_path / "repo.worktrees" / "plan-wt"
    assert (wt / "src" / "x.py").exists() and "branch plan/wt" in r.stdout
    listed = json.loads(run_cli("worktree", "list", "--json", cwd=repo).stdout)
    rows = listed if isinstance(listed, list) else listed.get("worktrees", listed)
    assert any(str(wt) in json.dumps(r) and "s1" in json.dumps(r) for r in rows), listed
    assert "worktree " + str(wt) in run_cli("plan", "status", cwd=repo).stdout
    # the merge gate against the plan: changes inside its claims pass, others are named
    subprocess.run(["git", "-C", str(wt), "config", "user.email", "t@x"], check=True)
    subprocess.run(["git", "-C", str(wt), "config", "user.name", "t"], check=True)
    (wt / "src" / "x.py").write_text((wt / "src" / "x.py").read_text() + "x = 2\n")
    subprocess.run(["git", "-C", str(wt), "commit", "-qam", "inside"], check=True)
    r = run_cli("gate", "--plan", "wt", "--base", "main", cwd=wt)
    assert r.returncode == 0 and "inside plan wt's write claims" in r.stdout, r.stdout + r.stderr
    (wt / "lib").mkdir()
    subprocess.run(["git", "-C", str(wt), "mv", "src/x.py", "lib/x.py"], check=True)
    (wt / "README.md").write_text("new\n")
    subprocess.run(["git", "-C", str(wt), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(wt), "commit", "-qm", "outside"], check=True)
    r = run_cli("gate", "--plan", "wt", "--base", "main", "--json", cwd=wt)
    assert r.returncode == 1, r.stdout + r.stderr
    res = json.loads(r.stdout)
    assert res["claims_from"] == "the claims plan wt started with" and res["patterns"] == ["src/x.py"]
    assert sorted((x["status"], x["path"], x.get("from", "")) for x in res["outside"]) == [
        ("A", "README.md", ""), ("R", "lib/x.py", "src/x.py")]
    assert run_cli("gate", "--plan", "nope", "--base", "main", cwd=wt).returncode == 2
    r = run_cli("plan", "done", "wt", cwd=repo)
    assert r.returncode == 0, r.stderr
    assert (wt / "ran-here").read_text() == str(wt)


def test_abandon_releases_claims_and_keeps_dependants_blocked(project):
    (project / "docs").mkdir()
    write_plan(project, "a", "docs", write=["docs/a.md"])
    write_plan(project, "b", "docs", deps=["a"], write=["docs/b.md"])
    assert run_cli("plan", "start", "a", "--session", "s1", cwd=project).returncode == 0
    assert run_cli("plan", "abandon", "a", cwd=project).returncode == 2  # --reason required
    r = run_cli("plan", "abandon", "a", "--reason", "superseded", cwd=project)
    assert r.returncode == 0 and "released 1 claim(s)" in r.stdout
    status = run_cli("plan", "status", cwd=project).stdout
    assert "[~] a" in status and "superseded" in status and "blocked-by a (abandoned)" in status
    assert json.loads(run_cli("locks", "list", "--json", cwd=project).stdout)["claims"] == []
    assert [r["reason"] for r in plan_records(project, "abandon")] == ["superseded"]


def test_status_flags_claims_lapsed_when_the_carrying_session_ends(project):
    from tests.unit.validators.coordination.conftest import session_end

    (project / "docs").mkdir()
    write_plan(project, "a", "docs", write=["docs/a.md"])
    assert run_cli("plan", "start", "a", "--session", "s1", cwd=project).returncode == 0
    assert session_end(project, "s1").returncode == 0
    status = run_cli("plan", "status", cwd=project).stdout
    assert "[>] a" in status and "LAPSED: 1 of its 1 claims are gone" in status
    assert run_cli("plan", "start", "a", "--session", "s1", cwd=project).returncode == 0
    assert "LAPSED" not in run_cli("plan", "status", cwd=project).stdout


def test_outside_plan_in_monitor_is_recorded_not_denied(project):
    (project / "docs").mkdir()
    write_plan(project, "a", "docs", write=["docs/a.md"])
    assert run_cli("plan", "start", "a", "--session", "s1", cwd=project).returncode == 0
    assert outcome(write(project, "s1", "src/app.py")) == "allow"  # coordination ships in monitor
    (v,) = [v for v in ledger_records(project)[-1]["verdicts"] if v["hook"] == "coordination"]
    assert v["rule"] == "outside-plan" and v["would_block"] and v["stage"] == "monitor"


def test_an_unreadable_running_index_fails_closed(project):
    (project / "docs").mkdir()
    write_plan(project, "a", "docs", write=["docs/a.md"])
    enforce(project)
    assert run_cli("plan", "start", "a", "--session", "s1", cwd=project).returncode == 0
    (project / ".git" / "hookgate" / "plans" / "running.json").write_text("{not json")
    r = write(project, "s1", "docs/a.md")
    assert outcome(r) == "deny" and "cannot tell whether this write is inside the running plan" in reason(r)


def test_two_starts_racing_for_one_plan_leave_one_carrier(project, monkeypatch):
    """The second `plan start` verified before the first saved its run: it must not take over
    the plan, and the claims it took are given back."""
    from hookgate.validators.coordination import store
    from hookgate.plans import ops, verify

    (project / "docs").mkdir()
    write_plan(project, "a", "docs", write=["docs/a.md"])
    state = str(project / ".git" / "hookgate")
    real = ops.start_precheck

    def stale_precheck(root, st, pid, session, by=""):
        rep, plan, run = real(root, st, pid, session, by)
        if session == "s2":  # s1 starts in between: s2 acts on what it verified before
            ops.start(str(project), state, "a", "s1")
        return rep, plan, run

    monkeypatch.setattr(ops, "start_precheck", stale_precheck)
    with pytest.raises(ops.PlanError, match="changed while starting"):
        ops.start(str(project), state, "a", "s2")
    data = verify.state.load(state)
    assert data["runs"]["a"]["session"] == "s1"
    assert {c["session"] for c in store.load(state)["claims"]} == {"s1"}
