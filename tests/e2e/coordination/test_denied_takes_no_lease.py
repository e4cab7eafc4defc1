"""ADR 0013: a call an earlier validator denies takes no coordination lease (through the real
``hookgate hook``). Before, ``echo x > .claude/settings.json`` was denied by self-protection yet
left a 15-minute lease on the file that blocked every other session's write of it."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ledger_records, run_cli
from tests.unit.validators.coordination.conftest import bash, enforce, outcome, reason, write


def _leases(project) -> list[tuple[str, str]]:
    r = run_cli("locks", "list", "--json", cwd=project)
    assert r.returncode == 0, r.stderr
    return [(x["rel"], x["session"]) for x in json.loads(r.stdout)["leases"]]


def _verdict(project, hook: str) -> dict:
    return next(v for v in ledger_records(project)[-1]["verdicts"] if v["hook"] == hook)


@pytest.mark.parametrize("call", [
    lambda p, s: bash(p, s, "echo x > .claude/settings.json"),  # the shell route (redirect)
    lambda p, s: write(p, s, ".claude/settings.json"),  # the Write tool
], ids=["shell-redirect", "write-tool"])
def test_a_denied_protected_write_leaves_no_lease_for_other_sessions(project, call):
    enforce(project)
    (project / ".claude").mkdir()
    first = call(project, "sA")
    assert outcome(first) == "deny"
    assert _verdict(project, "self-protection")["effective"] == "block"
    assert _verdict(project, "coordination")["raw"] == "allow"  # its own verdict is unchanged
    assert _leases(project) == []  # before the fix: [(".claude/settings.json", "sA")]

    second = call(project, "sB")
    assert outcome(second) == "deny"  # self-protection still denies B …
    coord = _verdict(project, "coordination")
    assert coord["raw"] == "allow", coord  # … but A holds nothing that blocks B
    assert "sA" not in reason(second) and "another agent" not in reason(second)
    assert _leases(project) == []


def test_an_allowed_write_still_takes_its_lease(project):
    enforce(project)
    assert outcome(write(project, "sA")) == "allow"
    assert _leases(project) == [("src/app.py", "sA")]
    denied = write(project, "sB")
    assert outcome(denied) == "deny" and "session sA" in reason(denied)


def test_a_write_that_is_only_warned_about_still_takes_its_lease(project):
    """A warn verdict (write-guard's lockfile tier) is no deny: the write goes ahead, leased."""
    enforce(project)
    assert outcome(write(project, "sA", "package-lock.json")) == "warn"
    assert _verdict(project, "write-guard")["effective"] == "warn"
    assert _leases(project) == [("package-lock.json", "sA")]
    assert outcome(write(project, "sB", "package-lock.json")) == "deny"
    assert _verdict(project, "coordination")["rule"] == "lease-held"


def test_a_block_at_monitor_stage_is_no_deny_and_the_write_is_leased(project):
    """write-guard rolled back to monitor: its block on .env only records what it would do; the
    write goes ahead, so coordination leases it as any other."""
    enforce(project)
    (project / ".hookgate" / "rollout.yaml").write_text(
        'version: 1\nhooks:\n  coordination: {stage: "enforce"}\n  write-guard: {stage: "monitor"}\n')
    assert outcome(write(project, "sA", ".env")) == "allow"
    wg = _verdict(project, "write-guard")
    assert (wg["raw"], wg["effective"]) == ("block", "allow"), wg
    assert _leases(project) == [(".env", "sA")]


def _over_budget(project, tmp_path, session: str):
    """Budget in enforce with a limit *session*'s transcript is over (1,200 of 1,000 tokens):
    budget — a validator that runs after coordination in the chain — blocks its writes."""
    from tests.e2e.budget.test_budget_hook_e2e import _claude_transcript

    hooks = project / ".hookgate" / "hooks"
    hooks.mkdir(parents=True, exist_ok=True)
    (hooks / "budget.yaml").write_text("limits: {total_tokens: 1000}\nwarn_at: 0.8\nblock_at: 1.0\n")
    (project / ".hookgate" / "rollout.yaml").write_text(
        'version: 1\nhooks:\n  coordination: {stage: "enforce"}\n  budget: {stage: "enforce"}\n')
    return _claude_transcript(tmp_path, 1200, f"{session}.jsonl")


def _write_with(project, session: str, transcript, rel: str = "src/app.py"):
    from tests.conftest import run_hook
    from tests.support.payloads import claude_pre

    p = claude_pre(project, "Write", {"file_path": str(project / rel), "content": "x\n"}, session)
    if transcript is not None:
        p["transcript_path"] = str(transcript)
    return run_hook(p)


def test_a_write_denied_only_by_budget_leaves_no_lease(project, tmp_path):
    """Budget runs after coordination in the chain (validators/__init__.py): before, a write
    only budget denied had already leased the file for 15 minutes, and every other session's
    write of it was denied naming a session whose write never happened."""
    enforce(project)
    spent = _over_budget(project, tmp_path, "sA")
    first = _write_with(project, "sA", spent)
    assert outcome(first) == "deny" and "token budget spent" in reason(first)
    assert _verdict(project, "budget")["effective"] == "block"
    assert _verdict(project, "coordination")["raw"] == "allow"  # its own verdict is unchanged
    assert _leases(project) == []  # before the fix: [("src/app.py", "sA")]

    second = _write_with(project, "sB", None)  # no transcript: B has a budget left
    assert outcome(second) == "allow", reason(second)
    assert _leases(project) == [("src/app.py", "sB")]


def test_a_shell_write_denied_only_by_budget_leaves_no_lease(project, tmp_path):
    from tests.conftest import run_hook
    from tests.support.payloads import claude_pre

    enforce(project)
    spent = _over_budget(project, tmp_path, "sA")
    p = claude_pre(project, "Bash", {"command": "echo x > src/app.py"}, "sA")
    p["transcript_path"] = str(spent)
    assert outcome(run_hook(p)) == "deny"
    assert _verdict(project, "budget")["effective"] == "block"
    assert _leases(project) == []
    assert outcome(bash(project, "sB", "echo y > src/app.py")) == "allow"
    assert _leases(project) == [("src/app.py", "sB")]


def test_through_the_server_a_write_denied_only_by_budget_leaves_no_lease(project, tmp_path, home):
    """The same through a real ``hookgate serve`` (ADR 0025: one decision function, two doors):
    the launcher forwards to it, its resident chain runs coordination last as well."""
    import os
    import subprocess

    from tests.unit.server import helpers as h

    rt = os.environ["HOOKGATE_RUNTIME_DIR"]
    server = h.start(home, rt)
    try:
        enforce(project)
        spent = _over_budget(project, tmp_path, "sA")
        first = _write_with(project, "sA", spent)
        assert outcome(first) == "deny" and "token budget spent" in reason(first)
        assert _leases(project) == []
        assert outcome(_write_with(project, "sB", None)) == "allow"
        assert _leases(project) == [("src/app.py", "sB")]
        status = subprocess.run([h.HOOKGATE, "serve", "status"], env={**h.server_env(home, rt)},
                                capture_output=True, text=True, timeout=60)
        assert json.loads(status.stdout)["decisions"] >= 2, "not through the server"
    finally:
        h.stop(server)


def _gate_evidence(project) -> list:
    from hookgate.validators.coordination import gate

    return [(s, keys) for s, _p, _b, _wt, keys, _c in gate.evidence(str(project / ".git" / "hookgate" / "ledger.jsonl"))]


@pytest.mark.parametrize("denier", ["budget", "self-protection"])
def test_a_denied_write_carries_no_merge_gate_evidence(project, tmp_path, denier):
    """The ``coordination`` note of a decision record is the merge gate's evidence that the
    session leased these keys on its branch (ADR 0022). A denied write leased nothing: its record
    carries no note, so the gate does not count a file as worked on under a lease that never
    existed (before: ``{"branch": …, "keys": ["src/app.py"]}`` on the denied record)."""
    enforce(project)
    if denier == "budget":
        rel = "src/app.py"
        first = _write_with(project, "sA", _over_budget(project, tmp_path, "sA"), rel)
    else:
        rel = ".claude/settings.json"
        (project / ".claude").mkdir()
        first = write(project, "sA", rel)
    assert outcome(first) == "deny"
    assert _verdict(project, denier)["effective"] == "block"
    rec = ledger_records(project)[-1]
    assert rec["outcome"] == "block" and "coordination" not in rec, rec.get("coordination")
    assert _gate_evidence(project) == []

    ok = write(project, "sB", "src/other.py")  # an allowed write still records its evidence
    assert outcome(ok) == "allow"
    assert ledger_records(project)[-1]["coordination"]["keys"] == ["src/other.py"]
    assert _gate_evidence(project) == [("sB", ["src/other.py"])]
