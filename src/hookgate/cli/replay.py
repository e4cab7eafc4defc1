"""``hookgate replay``: re-decide the ledger's recorded actions against a policy (ADR 0015).

Each recorded ``decision``/``post`` record becomes an Event again and goes through
``engine.decide`` with the current config (or a candidate ``--policy DIR`` laid out like
``.hookgate/``); the output lists every action whose outcome or raw verdict would change, so a
policy edit is reviewed before it lands. Limits, said in the output too: the ledger keeps inputs
redacted and file contents cut to 200 characters, so replay decides on what was recorded; hooks
that keep state decide against an empty scratch state dir, never the live one (replay must not
consume approvals or leases).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time

from typing import Any

import typer

from hookgate.core import config, evidence
from hookgate.state import ledger, paths
from hookgate.core import event as ev
from hookgate.cli._common import fail, project_root

PHASE_OF_KIND = {"decision": ev.PRE, "post": ev.POST}
TRUNCATION_MARK = "more chars]"
UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(value: str, now: float | None = None) -> float | None:
    """``7d``/``12h``/``30m``/``2w`` ago, or an ISO date/time (UTC)."""
    if not value:
        return None
    v = value.strip()
    if v[:-1].isdigit() and v[-1:] in UNITS:
        return (time.time() if now is None else now) - int(v[:-1]) * UNITS[v[-1]]
    ts = evidence.parse_ts(v)
    if ts is None:
        raise fail(f"--since {value!r}: expected e.g. 7d, 12h, 2026-11-20 or 2026-11-20T10:00:00Z")
    return ts


def compile_candidate(policy_dir: str, allow_loosen: bool) -> dict:
    """Compile a candidate config dir (``rollout.yaml`` + ``hooks/*.yaml``, or a project root
    holding ``.hookgate/``) as if it were the project's ``.hookgate/``."""
    src = os.path.abspath(policy_dir)
    if os.path.isdir(os.path.join(src, ".hookgate")):
        src = os.path.join(src, ".hookgate")
    if not os.path.isdir(src):
        raise fail(f"--policy {policy_dir}: not a directory")
    with tempfile.TemporaryDirectory(prefix="hookgate-replay-") as tmp:
        shutil.copytree(src, os.path.join(tmp, ".hookgate"))
        try:
            return config.compile_config(tmp, allow_loosen=allow_loosen)
        except Exception as e:  # noqa: BLE001 - a refusal, with its reason
            raise fail(f"candidate policy does not compile: {e}") from None


def event_of(rec: dict, root: str):
    """The Event a record was decided on, rebuilt from what the ledger kept (or None)."""
    phase = PHASE_OF_KIND.get(rec.get("kind", ""))
    inp = rec.get("input")
    if phase is None or not rec.get("tool") or not isinstance(inp, dict):
        return None
    cwd = rec.get("cwd") or root
    proj = root if paths.is_under(cwd, root) else paths.find_project_root(cwd)
    verdicts = rec.get("verdicts") or []
    could_not_ask = rec.get("outcome") == ev.BLOCK and any(v.get("effective") == ev.CHECKPOINT for v in verdicts)
    caps = ev.Capabilities(can_ask=phase == ev.PRE and not could_not_ask, can_block=phase == ev.PRE, can_message=True)
    return ev.Event(
        platform=rec.get("platform", ""), phase=phase, event_name=rec.get("event", ""),
        session_id=rec.get("session", ""), cwd=cwd, project_root=proj, tool_kind=rec.get("tool_kind", ev.OTHER),
        tool_name=rec["tool"], tool_input=inp, raw={}, capabilities=caps, transcript_path="",
        extra={"replay_of": rec.get("id", "")},
    )


MAX_KEPT = 10_000
COORDINATION = "coordination"
# coordination rules that depend on who held what at the time (leases, claims), not on policy
STATE_RULES = frozenset(("lease-held", "claim-held", "scope-write", "claim-preempted"))  # ADR 0022 adds two


def historical_coordination(rec: dict, event, decision, compiled: dict):
    """The decision with the coordination verdict judged against the lease and claim state as
    it was when *rec* was decided (issue #16 item 10). The ledger is that state's witness: a
    recorded lease/claim conflict stands (its outcome under the candidate's ``on_conflict``),
    and a conflict the scratch replay state produced, which the record does not show (ended
    sessions' leases, leases taken at replay time), never existed. Policy rules (coordination
    files) are re-decided as they are."""
    from hookgate.core import chain, rollout

    old = next((v for v in rec.get("verdicts") or [] if v.get("hook") == COORDINATION), None)
    verdicts = [dict(v) for v in decision.verdicts]
    cur = next((v for v in verdicts if v.get("hook") == COORDINATION), None)
    if cur is None:
        return decision
    old_state = old is not None and old.get("rule") in STATE_RULES and old.get("raw") != ev.ALLOW
    cur_state = cur.get("rule") in STATE_RULES and cur.get("raw") != ev.ALLOW
    if not old_state and not cur_state:
        return decision
    if old_state and cur.get("raw") in (ev.ALLOW, None) or cur_state:
        policy = (compiled.get("policies") or {}).get(COORDINATION) or {}
        if old_state and old is not None:
            raw = ev.CHECKPOINT if policy.get("on_conflict") == "checkpoint" else ev.BLOCK
            if old.get("rule") == "claim-preempted":  # a one-time notice (ADR 0022), not a conflict
                raw = old.get("raw")
            cur.update(raw=raw, rule=old.get("rule"), reason=old.get("reason", ""), adr=old.get("adr", ""))
        else:
            cur.update(raw=ev.ALLOW)
            for k in ("rule", "reason", "alternative", "paths"):
                cur.pop(k, None)
        stage = rollout.stage_for(compiled, COORDINATION, event.platform)
        cur.update(stage=stage, effective=rollout.effective(cur["raw"], stage), would_block=rollout.would_block(cur["raw"]))
    return chain.decide(event, verdicts)


def compare(rec: dict, verdicts: list[dict], outcome: str) -> list[dict]:
    """Per-hook differences between the recorded and the replayed decision."""
    old = {v.get("hook"): v for v in rec.get("verdicts") or []}
    new = {v.get("hook"): v for v in verdicts}
    diffs = []
    for hook in list(old) + [h for h in new if h not in old]:
        o, n = old.get(hook) or {}, new.get(hook) or {}
        o_raw, n_raw = o.get("raw", "absent"), n.get("raw", "absent")
        o_eff, n_eff = o.get("effective", "absent"), n.get("effective", "absent")
        if o_raw == n_raw and o_eff == n_eff:
            continue
        if not o and n_raw == ev.ALLOW or not n and o_raw == ev.ALLOW:
            continue  # a hook added/removed that allows either way
        diffs.append({"hook": hook, "raw": [o_raw, n_raw], "effective": [o_eff, n_eff],
                      "stage": [o.get("stage"), n.get("stage")], "rule": n.get("rule") or o.get("rule", ""),
                      "reason": n.get("reason", "")})
    return diffs


def what(rec: dict) -> str:
    inp = rec.get("input") or {}
    s = inp.get("command") or inp.get("file_path") or inp.get("notebook_path") or inp.get("path") or ""
    s = str(s).replace("\n", " ")
    return s if len(s) <= 70 else s[:69] + "…"


def run_replay(root: str, compiled: dict, since: float | None) -> dict:
    from hookgate.core import engine

    state = paths.state_dir(root)
    # streamed (ADR 0027): memory is bounded by MAX_KEPT changed actions (and errors) kept for
    # the report, whatever the ledger's size; the counts are exact
    result: dict[str, Any] = {"replayed": 0, "changed": [], "changed_count": 0, "unchanged": 0, "skipped": 0, "errors": [],
              "error_count": 0, "truncated_inputs": 0}
    with tempfile.TemporaryDirectory(prefix="hookgate-replay-state-") as scratch:
        env = dict(os.environ)
        env[paths.STATE_ENV] = scratch
        for rec in ledger.iter_records(ledger.ledger_path(state)):
            if rec.get("kind") not in PHASE_OF_KIND:
                continue
            ts = evidence.parse_ts(rec.get("ts"))
            if since is not None and (ts is None or ts < since):
                continue
            event = event_of(rec, root)
            if event is None:
                result["skipped"] += 1
                continue
            truncated = TRUNCATION_MARK in json.dumps(rec.get("input"), ensure_ascii=False)
            result["truncated_inputs"] += truncated
            try:
                decision, _ctx = engine.decide(event, env, compiled=compiled)
                decision = historical_coordination(rec, event, decision, compiled)
            except Exception as e:  # noqa: BLE001 - reported per record, replay goes on
                result["error_count"] += 1
                if len(result["errors"]) < MAX_KEPT:
                    result["errors"].append({"id": rec.get("id", ""), "error": f"{type(e).__name__}: {e}"[:300]})
                continue
            result["replayed"] += 1
            diffs = compare(rec, decision.verdicts, decision.outcome)
            if not diffs and rec.get("outcome") == decision.outcome:
                result["unchanged"] += 1
                continue
            result["changed_count"] += 1
            if len(result["changed"]) >= MAX_KEPT:
                continue
            result["changed"].append({
                "id": rec.get("id", ""), "ts": rec.get("ts", ""), "platform": rec.get("platform", ""),
                "tool": rec.get("tool", ""), "what": what(rec), "truncated_input": bool(truncated),
                "outcome": [rec.get("outcome", ""), decision.outcome], "hooks": diffs,
            })
    return result


NOTE = ("note: the ledger keeps tool inputs redacted, with file contents cut to 200 characters; replay "
        "decides on what was recorded, so a rule that reads content may decide differently than it did on "
        "the full input (such records are marked ~). Hooks that keep state decide against a scratch state "
        "dir, never the live one; coordination's lease and claim conflicts are taken as the ledger recorded "
        "them (the state at that time), under the replayed policy.")


def register(app: typer.Typer) -> None:
    @app.command("replay")
    def replay(
        since: str = typer.Option("", "--since", help="Only records since: 7d, 12h, 2026-11-20, 2026-11-20T10:00:00Z."),
        policy: str = typer.Option("", "--policy", help="Candidate config dir laid out like .hookgate/ "
                                   "(rollout.yaml, hooks/*.yaml), or a project root holding .hookgate/."),
        allow_loosen: bool = typer.Option(False, "--allow-loosen", help="Let the candidate loosen shipped policy."),
        limit: int = typer.Option(50, "-n", help="Print at most N changed actions."),
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
        exit_code: bool = typer.Option(False, "--exit-code", help="Exit 1 when any decision would change."),
    ) -> None:
        """Re-decide recorded actions against the current (or a candidate) policy; print what changes."""
        root = project_root()
        if policy:
            compiled = compile_candidate(policy, allow_loosen)
            label = f"candidate {os.path.abspath(policy)}"
        else:
            try:
                compiled = config.compile_config(root, allow_loosen=allow_loosen)
            except Exception as e:  # noqa: BLE001
                raise fail(f"the project's config does not compile: {e}") from None
            label = "the current policy"
        result = run_replay(root, compiled, parse_since(since))
        result.update(policy=label, rev=compiled.get("rev", ""), note=NOTE)
        if as_json:
            typer.echo(json.dumps(result, indent=2, sort_keys=True, ensure_ascii=False))
        else:
            typer.echo(f"replayed {result['replayed']} recorded actions against {label} (rev {result['rev']})")
            typer.echo(NOTE)
            typer.echo(f"{result['changed_count']} would change, {result['unchanged']} unchanged, "
                       f"{result['skipped']} skipped (no tool input recorded), {result['error_count']} errors, "
                       f"{result['truncated_inputs']} with truncated input")
            for c in result["changed"][: max(limit, 0)]:
                mark = "~" if c["truncated_input"] else " "
                typer.echo(f"{mark} {c['ts']}  {c['id']}  {c['platform']:<11} {c['tool']:<10} {c['what']}"
                           f"  outcome {c['outcome'][0]} → {c['outcome'][1]}")
                for d in c["hooks"]:
                    typer.echo(f"      {d['hook']}: raw {d['raw'][0]} → {d['raw'][1]}, effective "
                               f"{d['effective'][0]} → {d['effective'][1]}" + (f" [{d['rule']}]" if d["rule"] else ""))
            if result["changed_count"] > limit:
                typer.echo(f"… {result['changed_count'] - limit} more (-n, --json"
                           + (f"; --json keeps the first {MAX_KEPT}" if result["changed_count"] > MAX_KEPT else "") + ")")
            for failed in result["errors"][:10]:
                typer.echo(f"  could not re-decide {failed['id']}: {failed['error']}")
        if exit_code and result["changed_count"]:
            raise typer.Exit(1)
