"""ADR 0027 / ADR 0017: a read-only call decides without loading the coordination store when
the store plainly holds no exclusive claim that could concern it (``coordination.presence``);
every state where one may exist is decided by the store as before. Through the real
``hookgate hook``, in a project whose store exists (a lease taken first)."""

from __future__ import annotations

import json
import os

import pytest

from tests.conftest import ledger_records, run_cli, run_hook
from tests.unit.validators.coordination.conftest import enforce, outcome, state_file, write


def _read(project, session: str, rel: str = "src/app.py"):
    return run_hook({"session_id": session, "cwd": str(project), "hook_event_name": "PreToolUse",
                     "tool_name": "Read", "tool_input": {"file_path": str(project / rel)}})


def _grep(project, session: str, rel: str):
    return run_hook({"session_id": session, "cwd": str(project), "hook_event_name": "PreToolUse",
                     "tool_name": "Grep", "tool_input": {"pattern": "x", "path": str(project / rel)}})


def _coordination(project) -> dict:
    return next(v for v in ledger_records(project)[-1]["verdicts"] if v["hook"] == "coordination")


def _claim(project, path: str, session: str = "s1", mode: str = "exclusive") -> None:
    r = run_cli("claim", path, "--mode", mode, "--session", session, cwd=project)
    assert r.returncode == 0, r.stderr + r.stdout


@pytest.mark.parametrize("claimed,call,rel,expected", [
    (None, _read, "src/app.py", "allow"),  # leases only: the fast path
    ("src/app.py", _read, "src/app.py", "deny"),  # on the key: its claim shard exists
    ("src", _read, "src/app.py", "deny"),  # on an ancestor: the ancestor's claim shard
    ("src/app.py", _grep, "src", "deny"),  # below the key: listed in the main document (excl)
    ("src", _read, "README.md", "allow"),  # elsewhere: the store decides, nothing concerns it
], ids=["leases-only", "claim-on-key", "claim-on-ancestor", "claim-below", "claim-elsewhere"])
def test_reads_meet_exclusive_claims_wherever_they_are(project, claimed, call, rel, expected):
    enforce(project)
    assert outcome(write(project, "s1", "src/other.py")) == "allow"  # the store exists, with a lease
    if claimed:
        _claim(project, claimed)
    r = call(project, "s2", rel)
    assert outcome(r) == expected, r.stdout
    v = _coordination(project)
    assert v["raw"] == ("block" if expected == "deny" else "allow"), v
    if expected == "deny":
        assert v["rule"] == "claim-held"


def test_a_released_claim_still_sends_the_read_to_the_store_and_it_allows(project):
    enforce(project)
    _claim(project, "src/app.py")
    assert run_cli("claim", "--release", "--session", "s1", cwd=project).returncode == 0
    assert outcome(_read(project, "s2")) == "allow"


def test_a_newer_state_format_is_refused_for_reads_too(project):
    """Fail closed where the store says so: the fast path never reads past a format it does not know."""
    enforce(project)
    assert outcome(write(project, "s1", "src/other.py")) == "allow"
    with open(state_file(project), "w") as f:
        json.dump({"v": 4, "excl": {}}, f)
    r = _read(project, "s2")
    assert outcome(r) == "deny"
    assert _coordination(project)["rule"] == "state-unsupported"


def test_a_corrupt_main_document_is_set_aside_on_a_read(project):
    import glob

    enforce(project)
    assert outcome(write(project, "s1", "src/other.py")) == "allow"
    with open(state_file(project), "w") as f:
        f.write("{not json")
    assert outcome(_read(project, "s2")) == "allow"
    assert glob.glob(state_file(project) + ".corrupt-*")  # the store saw it, as before
    assert os.path.exists(state_file(project))
