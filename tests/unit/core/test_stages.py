"""ADR 0003: stage semantics, rendering and the merge — table-driven."""

from __future__ import annotations

import json
import textwrap

import pytest

from hookgate.core import event as ev
from hookgate.core import rollout
from tests.conftest import ledger_records, run_cli, run_hook
from tests.support.payloads import claude_pre


@pytest.mark.parametrize(
    "raw,stage,expected",
    [
        ("allow", "monitor", "allow"), ("allow", "warn", "allow"), ("allow", "enforce", "allow"),
        ("warn", "monitor", "allow"), ("warn", "warn", "warn"), ("warn", "enforce", "warn"),
        ("checkpoint", "monitor", "allow"), ("checkpoint", "warn", "warn"), ("checkpoint", "enforce", "checkpoint"),
        ("block", "monitor", "allow"), ("block", "warn", "warn"), ("block", "enforce", "block"),
    ],
)
def test_effective_outcome(raw, stage, expected):
    assert rollout.effective(raw, stage) == expected
    assert rollout.would_block(raw) == (raw in ("checkpoint", "block"))


@pytest.mark.parametrize(
    "outcomes,merged",
    [([], "allow"), (["allow"], "allow"), (["warn", "allow"], "warn"), (["warn", "checkpoint"], "checkpoint"),
     (["checkpoint", "block", "warn"], "block"), (["allow", "block"], "block")],
)
def test_merge_most_restrictive_wins(outcomes, merged):
    assert rollout.merge(outcomes) == merged


@pytest.mark.parametrize(
    "cfg,hook,platform,stage",
    [
        ({"hooks": {"write-guard": {"stage": "enforce", "platforms": {"cursor": "warn"}}}}, "write-guard", "cursor", "warn"),
        ({"hooks": {"write-guard": {"stage": "enforce", "platforms": {"cursor": "warn"}}}}, "write-guard", "claude-code", "enforce"),
        ({"hooks": {"write-guard": {"stage": "enforce"}}, "global_stage_cap": "monitor"}, "write-guard", "claude-code", "monitor"),
        ({"hooks": {"budget": {"stage": "monitor"}}, "global_stage_cap": "warn"}, "budget", "claude-code", "monitor"),
        ({"hooks": {}, "global_stage_cap": "monitor"}, "self-protection", "claude-code", "enforce"),
        ({"hooks": {}}, "coordination", "gemini-cli", "monitor"),
    ],
)
def test_stage_for(cfg, hook, platform, stage):
    assert rollout.stage_for(cfg, hook, platform) == stage


class _Fake:
    """A validator that always blocks, to drive one payload through every stage."""

    HOOK_ID = "write-guard"
    ADR = "adr/0009-write-guard.md"
    PHASES = frozenset((ev.PRE,))

    @staticmethod
    def check(event):
        return ev.Verdict("write-guard", ev.BLOCK, "test-rule", "test reason", "adr/0009-write-guard.md", "do X instead")


@pytest.mark.parametrize("stage,outcome", [("enforce", "block"), ("warn", "warn"), ("monitor", "allow")])
def test_same_blocked_payload_in_each_stage(project, monkeypatch, stage, outcome):
    from hookgate.core import chain, engine, hook
    from hookgate import validators as hooks

    (project / ".hookgate").mkdir()
    (project / ".hookgate" / "rollout.yaml").write_text(f"version: 1\nhooks:\n  write-guard: {{stage: {stage}}}\n")
    monkeypatch.setattr(hooks, "load_all", lambda: [_Fake])  # only the fake: nothing else may decide
    del chain, engine
    payload = json.dumps(claude_pre(project, "Write", {"file_path": str(project / "a.txt"), "content": "x"})).encode()
    out, err, code = hook.handle("claude-code", payload, {"HOME": str(project), "CLAUDE_PROJECT_DIR": str(project)})
    assert code == 0
    if outcome == "block":
        assert json.loads(out)["hookSpecificOutput"]["permissionDecision"] == "deny"
    elif outcome == "warn":
        obj = json.loads(out)
        assert "permissionDecision" not in obj["hookSpecificOutput"]
        assert "would be blocked once enforced" in obj["hookSpecificOutput"]["additionalContext"]
    else:
        assert out == ""
    rec = ledger_records(project)[-1]
    v = [v for v in rec["verdicts"] if v["hook"] == "write-guard"][0]
    assert v["raw"] == "block" and v["stage"] == stage and v["effective"] == outcome
    assert v["would_block"] is True and rec["would_block"] is True


def test_checkpoint_renders_ask(project, monkeypatch):
    from hookgate.core import hook
    from hookgate import validators as hooks

    class Ask(_Fake):
        @staticmethod
        def check(event):
            return ev.Verdict("write-guard", ev.CHECKPOINT, "ci-file", "CI config changes need a human", "adr/0009-write-guard.md")

    (project / ".hookgate").mkdir()
    (project / ".hookgate" / "rollout.yaml").write_text("version: 1\nhooks:\n  write-guard: {stage: enforce}\n")
    monkeypatch.setattr(hooks, "load_all", lambda: [Ask])
    out, _, code = hook.handle("claude-code", json.dumps(claude_pre(project, "Write", {"file_path": str(project / "a"), "content": "x"})).encode(), {"HOME": str(project), "CLAUDE_PROJECT_DIR": str(project)})
    assert code == 0 and json.loads(out)["hookSpecificOutput"]["permissionDecision"] == "ask"


BAD_ROLLOUTS = {
    "duplicate": ("version: 1\nhooks:\n  write-guard: {stage: enforce}\n  write-guard: {stage: monitor}\n", "duplicate key"),
    "boolean": ("version: 1\nhooks:\n  write-guard: {stage: off}\n", "boolean"),
    "unknown-key": ("version: 1\nhooks:\n  write-guard: {stage: enforce, stgae: warn}\n", "unknown key"),
    "unknown-hook": ("version: 1\nhooks:\n  nope: {stage: enforce}\n", "unknown hook"),
    "unknown-top": ("version: 1\nhoks: {}\n", "unknown key"),
    "bad-stage": ("version: 1\nhooks:\n  write-guard: {stage: block}\n", "expected one of"),
    "pinned": ("version: 1\nhooks:\n  self-protection: {stage: monitor}\n", "pinned"),
    "bad-platform": ("version: 1\nhooks:\n  budget: {stage: warn, platforms: {vim: warn}}\n", "unknown platform"),
    "not-yaml": ("version: 1\nhooks: [\n", "invalid YAML"),
}


@pytest.mark.parametrize("name", sorted(BAD_ROLLOUTS))
def test_bad_config_is_refused_last_good_stays_and_status_shows_it(project, name):
    text, needle = BAD_ROLLOUTS[name]
    (project / ".hookgate").mkdir()
    good = "version: 1\nhooks:\n  write-guard: {stage: warn}\n"
    (project / ".hookgate" / "rollout.yaml").write_text(good)
    r = run_hook(claude_pre(project, "Write", {"file_path": str(project / "a"), "content": "x"}), cwd=project)
    assert r.returncode == 0
    good_rev = ledger_records(project)[-1]["rollout_rev"]
    (project / ".hookgate" / "rollout.yaml").write_text(text)
    r = run_hook(claude_pre(project, "Write", {"file_path": str(project / "b"), "content": "x"}), cwd=project)
    assert r.returncode == 0 and r.stdout == b""
    recs = ledger_records(project)
    errs = [x for x in recs if x["kind"] == "config_error"]
    assert errs and needle in errs[-1]["error"] and "rollout.yaml" in errs[-1]["error"]
    assert recs[-1]["rollout_rev"] == good_rev  # last good config in force
    s = run_cli("status", cwd=project)
    assert "CONFIG REFUSED" in s.stdout and needle in s.stdout
    # the refusal is recorded once per change, not on every call
    run_hook(claude_pre(project, "Write", {"file_path": str(project / "c"), "content": "x"}), cwd=project)
    assert len([x for x in ledger_records(project) if x["kind"] == "config_error"]) == len(errs)


def test_self_protection_pinned_even_under_global_cap(project):
    (project / ".hookgate").mkdir()
    (project / ".hookgate" / "rollout.yaml").write_text(textwrap.dedent("""\
        version: 1
        global_stage_cap: monitor
        hooks:
          write-guard: {stage: enforce}
    """))
    r = run_hook(claude_pre(project, "Write", {"file_path": str(project / ".hookgate" / "rollout.yaml"), "content": "x"}), cwd=project)
    assert json.loads(r.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"
