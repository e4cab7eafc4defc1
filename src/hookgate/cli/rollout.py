"""``hookgate rollout show|status|promote|demote|cap`` (ADR 0003, ADR 0015).

``status`` reads the ledger's evidence; ``promote`` moves a hook one stage up only when the
evidence gate holds (or ``--force --reason``, recorded); ``demote`` moves it down any number of
stages with no gate; ``cap`` sets the global stage cap. Every change edits the project's
``.hookgate/rollout.yaml`` in place (comments and order kept), is validated, written atomically,
compiled, and recorded in the ledger as a ``rollout_change``. Agents cannot run the mutating
subcommands (self-protection, ADR 0006).
"""

from __future__ import annotations

import json
import os

import typer

from hookgate.core import config, evidence
from hookgate.state import ledger, paths
from hookgate.cli._common import fail, project_root
from hookgate.cli.rollout_edit import apply_edit, expect_hook, hook_edits, now, record, who
from hookgate.cli.status import gather
from hookgate.core.event import STAGE_RANK, STAGES
from hookgate.validators import KNOWN_HOOKS, PINNED_ENFORCE
from hookgate.adapters import PLATFORM_IDS

rollout_app = typer.Typer(help="Rollout stages of hooks (monitor → warn → enforce).", no_args_is_help=True)


@rollout_app.command("show")
def show(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """The effective stage of every hook, per platform."""
    info = gather(project_root())
    if as_json:
        typer.echo(json.dumps({"rev": info["rollout_rev"], "global_stage_cap": info["global_stage_cap"],
                               "hooks": info["hooks"]}, indent=2, sort_keys=True))
        return
    typer.echo(f"rollout rev {info['rollout_rev']} from {', '.join(info['config_sources'])}")
    for h in info["hooks"]:
        plats = " ".join(f"{p}:{s}" for p, s in h["platforms"].items())
        typer.echo(f"  {h['hook']:<16} {h['stage']:<8} [{plats}]")


# --- evidence -------------------------------------------------------------------------------


def _context(root: str):
    state = paths.state_dir(root)
    cfg, _refusal = config.load(root, state)
    facts = collect_evidence(state, cfg)
    return state, cfg, facts


def collect_evidence(state: str, cfg: dict) -> dict:
    """The evidence (ADR 0015) from the ledger's rollup, bound to it (ADR 0027); streamed from
    the ledger itself when the rollup cannot stand for it."""
    from hookgate.core import rollup

    path = ledger.ledger_path(state)
    if not os.path.exists(path):
        return evidence.collect((), cfg, KNOWN_HOOKS)
    try:
        return rollup.collect(state, path, cfg, KNOWN_HOOKS)
    except (rollup.Unusable, OSError, ValueError, KeyError, TypeError):
        return evidence.collect_path(path, cfg, KNOWN_HOOKS)


def _since(cfg: dict, facts: dict, hook: str, platform: str = "") -> dict:
    c = evidence.last_change(facts["changes"], hook, platform)
    if c:
        return {"ts": c.get("ts"), "who": c.get("who", ""), "from": c.get("from"), "forced": bool(c.get("forced"))}
    entry = cfg.get("hooks", {}).get(hook) or {}
    return {"ts": entry.get("since") or None, "who": entry.get("promoted_by", ""), "from": None, "forced": False}


def build_status(root: str) -> dict:
    state, cfg, facts = _context(root)
    from hookgate.core import rollout

    hooks = []
    for hook in KNOWN_HOOKS:
        per = facts["stats"][hook]
        base = evidence.configured_stage(cfg, hook)
        rows = []
        for plat in [p for p in per if p != evidence.ALL] + [evidence.ALL]:
            st = per[plat]
            row = st.to_dict()
            if plat != evidence.ALL:
                conf = evidence.configured_stage(cfg, hook, plat)
                row["stage"] = conf
                row["effective_stage"] = rollout.stage_for(cfg, hook, plat)
                row["readiness"] = evidence.gate(st, conf, cfg.get("promotion"), hook, facts)
            rows.append(row)
        all_stats = per[evidence.ALL]
        hooks.append({
            "hook": hook,
            "stage": base,
            "pinned": hook in PINNED_ENFORCE,
            "platform_overrides": dict((cfg.get("hooks", {}).get(hook) or {}).get("platforms") or {}),
            "since": _since(cfg, facts, hook),
            "evidence": rows,
            "readiness": evidence.gate(all_stats, base, cfg.get("promotion"), hook, facts),
            "chart": evidence.day_chart(all_stats.per_day, all_stats.first, all_stats.last),
        })
    gate_cfg = dict(evidence.DEFAULT_GATE)
    gate_cfg.update(cfg.get("promotion") or {})
    return {"project_root": root, "state_dir": state, "rollout_rev": cfg.get("rev", ""),
            "global_stage_cap": cfg.get("global_stage_cap"), "gate": gate_cfg,
            "checkpoints_answered": facts["answered"], "hooks": hooks}


def _ms(v) -> str:
    return "-" if v is None else f"{v:.1f}"


@rollout_app.command("status")
def status(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Per hook and platform: stage, since when, evidence, and readiness to promote."""
    info = build_status(project_root())
    if as_json:
        typer.echo(json.dumps(info, indent=2, sort_keys=True, ensure_ascii=False))
        return
    typer.echo(f"rollout rev {info['rollout_rev']}; evidence from the ledger in {info['state_dir']}")
    if info["global_stage_cap"]:
        typer.echo(f"GLOBAL STAGE CAP: {info['global_stage_cap']} (no hook acts above it; `hookgate rollout cap none`)")
    g = info["gate"]
    typer.echo(f"gate: ≥ {g['min_evaluations']} evaluations over ≥ {g['min_days']} days, precision ≥ "
               f"{g['min_precision']:.0%} on ≥ {g['min_labelled']} labelled would-blocks, error rate < "
               f"{g['max_error_rate']:.1%}; latency is of the whole hook call")
    head = (f"    {'platform':<12} {'stage':<8} {'calls':>6} {'allow':>6} {'warn':>5} {'ckpt':>5} {'block':>6} "
            f"{'w-blk':>6} {'tp':>4} {'fp':>4} {'unlab':>5} {'err':>4} {'p50ms':>7} {'p95ms':>7}")
    for h in info["hooks"]:
        s = h["since"]
        since = f"since {s['ts']}" if s["ts"] else "since: no recorded change"
        if s["who"]:
            since += f" by {s['who']}"
        if s["forced"]:
            since += " (forced)"
        over = ", ".join(f"{p}={st}" for p, st in h["platform_overrides"].items())
        typer.echo("")
        typer.echo(f"{h['hook']}: {h['stage']}{' (pinned)' if h['pinned'] else ''}  {since}"
                   + (f"  overrides: {over}" if over else ""))
        typer.echo(head)
        for r in h["evidence"]:
            raw = r["raw"]
            typer.echo(f"    {r['platform']:<12} {r.get('stage', h['stage']):<8} {r['evaluations']:>6} "
                       f"{raw['allow']:>6} {raw['warn']:>5} {raw['checkpoint']:>5} {raw['block']:>6} "
                       f"{r['would_block']:>6} {r['tp']:>4} {r['fp']:>4} {r['unlabelled']:>5} {r['errors']:>4} "
                       f"{_ms(r['p50_ms']):>7} {_ms(r['p95_ms']):>7}")
        rd = h["readiness"]
        if rd["target"] is None:
            typer.echo(f"  promote: n/a ({rd['conditions'][0]['detail']})")
        else:
            failing = [c["detail"] for c in rd["conditions"] if not c["ok"]]
            verdict = "READY" if rd["ready"] else "not ready: " + "; ".join(failing)
            typer.echo(f"  promote → {rd['target']}: {verdict}")
        if any(r["would_block"] for r in h["evidence"]):
            typer.echo(f"  would-blocks per day (UTC; at most the last {evidence.CHART_DAYS} days of evidence):")
            for line in h["chart"]:
                typer.echo(f"    {line}")


def _check_hook(hook: str, platform: str) -> None:
    if hook not in KNOWN_HOOKS:
        raise fail(f"unknown hook {hook!r} (known: {', '.join(KNOWN_HOOKS)})")
    if platform and platform not in PLATFORM_IDS:
        raise fail(f"unknown platform {platform!r} (known: {', '.join(PLATFORM_IDS)})")


def change_stage(hook: str, platform: str, target: str, current: str, extra: dict) -> None:
    root = project_root()
    state = paths.state_dir(root)
    ts_rec = now()
    by = who()
    compiled, path = apply_edit(root, state, hook_edits(hook, target, platform, ts_rec, by),
                                expect_hook(hook, target, platform, ts_rec, by))
    fields = {"hook": hook, "scope": "platform" if platform else "stage", "target_platform": platform,
              "from": current, "to": target, "who": by, "file": path, "rollout_rev": compiled.get("rev", "")}
    fields.update(extra)
    rec = record(state, dict(fields, ts=ts_rec))
    where = f" on {platform}" if platform else ""
    typer.echo(f"{hook}{where}: {current} → {target} (written to {path}; rev {compiled.get('rev', '')})")
    typer.echo(f"recorded rollout_change {rec['id']} by {by}")


@rollout_app.command("promote")
def promote(
    hook: str = typer.Argument(..., help="Hook id, e.g. write-guard."),
    platform: str = typer.Option("", "--platform", help="Promote only on this platform (a per-platform override)."),
    force: bool = typer.Option(False, "--force", help="Promote although the evidence gate fails (needs --reason)."),
    reason: str = typer.Option("", "--reason", help="Why the gate is overridden (recorded in the ledger)."),
) -> None:
    """One stage up (monitor → warn → enforce), only when the evidence gate holds."""
    _check_hook(hook, platform)
    if force and not reason.strip():
        raise fail("--force needs --reason \"…\" (it is recorded in the ledger)")
    root = project_root()
    _state, cfg, facts = _context(root)
    current = evidence.configured_stage(cfg, hook, platform)
    target = evidence.next_stage(current)
    if target is None:
        raise fail(f"{hook}{' on ' + platform if platform else ''} is already at {current}")
    stats = facts["stats"][hook].get(platform or evidence.ALL) or evidence.Stats(hook, platform)
    result = evidence.gate(stats, current, cfg.get("promotion"), hook, facts)
    typer.echo(f"evidence for {hook}{' on ' + platform if platform else ''} ({current} → {target}):")
    for c in result["conditions"]:
        typer.echo(f"  [{'ok' if c['ok'] else 'FAIL'}] {c['detail']}")
    failing = [c["name"] for c in result["conditions"] if not c["ok"]]
    if failing and not force:
        raise fail(f"refusing to promote {hook} to {target}: gate fails on {', '.join(failing)} "
                   "(collect more evidence, or `--force --reason \"…\"`, which is recorded)", 1)
    extra = {"forced": bool(failing and force), "reason": reason.strip(), "gate_failed": failing,
             "evidence": evidence.summary(stats)}
    if failing:
        typer.echo(f"FORCED past the gate ({', '.join(failing)}): {reason.strip()}")
    change_stage(hook, platform, target, current, extra)
    if not platform:
        over = (cfg.get("hooks", {}).get(hook) or {}).get("platforms") or {}
        if over:
            typer.echo("per-platform overrides kept: " + ", ".join(f"{p}={s}" for p, s in over.items()))
    if cfg.get("global_stage_cap") and STAGE_RANK[cfg["global_stage_cap"]] < STAGE_RANK[target]:
        typer.echo(f"note: global_stage_cap {cfg['global_stage_cap']} still holds it lower until lifted")


@rollout_app.command("demote")
def demote(
    hook: str = typer.Argument(..., help="Hook id."),
    to: str = typer.Option("monitor", "--to", help="Target stage (any number of steps down)."),
    platform: str = typer.Option("", "--platform", help="Demote only on this platform."),
    reason: str = typer.Option("", "--reason", help="Why (recorded in the ledger)."),
) -> None:
    """Down any number of stages (default: monitor). No evidence needed — the emergency path."""
    _check_hook(hook, platform)
    if to not in STAGES:
        raise fail(f"--to must be one of {', '.join(STAGES)}")
    if hook in PINNED_ENFORCE:
        raise fail(f"{hook} is pinned to enforce (ADR 0006); it cannot be demoted")
    root = project_root()
    _state, cfg, facts = _context(root)
    current = evidence.configured_stage(cfg, hook, platform)
    if STAGE_RANK[to] >= STAGE_RANK[current]:
        raise fail(f"{hook}{' on ' + platform if platform else ''} is at {current}; "
                   f"{to} is not lower (use `hookgate rollout promote`)")
    stats = facts["stats"][hook].get(platform or evidence.ALL) or evidence.Stats(hook, platform)
    change_stage(hook, platform, to, current, {"forced": False, "reason": reason.strip(),
                                               "evidence": evidence.summary(stats)})


@rollout_app.command("cap")
def cap(stage: str = typer.Argument(..., help="monitor | warn | enforce | none")) -> None:
    """Set (or lift with `none`) global_stage_cap: no hook acts above it. Pinned hooks stay enforce."""
    from hookgate.core import yaml_rewrite as yr

    if stage not in STAGES and stage != "none":
        raise fail(f"stage must be one of {', '.join(STAGES)} or none")
    root = project_root()
    state = paths.state_dir(root)
    cfg, _ = config.load(root, state)
    current = cfg.get("global_stage_cap") or "none"
    if stage == "none":
        edits = [lambda t: yr.remove_top_key(t, "global_stage_cap")]
    else:
        edits = [lambda t: yr.set_path(t, ["global_stage_cap"], stage)]

    def expect(before: dict, after: dict) -> str:
        before.pop("global_stage_cap", None)
        if stage != "none":
            before["global_stage_cap"] = stage
        return "" if before == after else f"expected {before}, got {after}"

    compiled, path = apply_edit(root, state, edits, expect)
    if (compiled.get("global_stage_cap") or "none") != stage:
        typer.echo(f"note: the shipped rollout.yaml still sets global_stage_cap {compiled.get('global_stage_cap')}")
    by = who()
    rec = record(state, {"hook": "*", "scope": "cap", "target_platform": "", "from": current, "to": stage,
                          "who": by, "file": path, "rollout_rev": compiled.get("rev", "")})
    typer.echo(f"global_stage_cap: {current} → {stage} (written to {path}); recorded rollout_change {rec['id']}")


def register(app: typer.Typer) -> None:
    app.add_typer(rollout_app, name="rollout")
