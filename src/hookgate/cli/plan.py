"""``hookgate plan check|status|start|done|abandon`` (ADR 0024).

Agents may run ``plan check`` and ``plan status`` from their shell, and ``plan done`` for the
plan their own session carries (self-protection decides that from the hook's session id);
``start`` and ``abandon`` are for a human or an orchestrator outside the agents.
"""

from __future__ import annotations

import json
import os
import time
from typing import Annotated, Optional

import typer

from hookgate.cli._common import fail, project_root, state_dir
from hookgate.errors import EXIT_BUSY

plan_app = typer.Typer(help="Plans: reviewed units of work with claims and dependencies (ADR 0024).",
                       no_args_is_help=True)
EX_BUSY = EXIT_BUSY  # 75 (EX_TEMPFAIL): a lock held by someone else


def _user() -> str:
    return os.environ.get("USER") or os.environ.get("LOGNAME") or "?"


def _rel(path: str, root: str) -> str:
    return os.path.relpath(path, root) if path.startswith(root.rstrip("/") + "/") else path


def _finding_line(f, root: str) -> str:
    where = f.where()
    if where:
        where = _rel(f.file, root) + where[len(f.file):]
    tag = "error" if f.severity == "error" else "warning"
    return f"{tag}: {where + ': ' if where else ''}{f.message}"


@plan_app.command("check")
def check(
    files: Annotated[Optional[list[str]], typer.Argument(help="Plan files to check (default: every plan).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too.")] = False,
) -> None:
    """Check every plan: unknown deps, cycles, unordered write overlaps (recorded as disputes),
    per-type validators. Exits 1 with every finding."""
    from hookgate.plans import load
    from hookgate.plans.verify import verify

    root = project_root()
    t0 = time.perf_counter()
    missing = [f for f in files or [] if not os.path.isfile(f)]
    if missing:
        raise fail(f"plan check: no such file: {missing[0]}", 2)
    rep = verify(root, state_dir(root), files or (), record=True, by=_user())
    findings = rep.findings
    if files:
        wanted = {os.path.realpath(f) for f in files}
        ids = {p.id for p in rep.plans if os.path.realpath(p.file) in wanted}
        findings = [f for f in findings if (f.file and os.path.realpath(f.file) in wanted)
                    or (set(f.plans) & ids) or not (f.file or f.plans)]
    errors = [f for f in findings if f.severity == "error"]
    warnings = [f for f in findings if f.severity != "error"]
    elapsed = time.perf_counter() - t0
    failed = bool(errors or (strict and warnings))
    if as_json:
        typer.echo(json.dumps({"ok": not failed, "plans": len(rep.plans), "errors": len(errors),
                               "warnings": len(warnings), "findings": [f.as_dict() for f in findings],
                               "disputes": sorted(rep.disputes.values()), "seconds": round(elapsed, 3)},
                              indent=2, ensure_ascii=False))
    else:
        for f in findings:
            typer.echo(_finding_line(f, root))
        if not rep.plans and not findings:
            typer.echo(f"no plans in {_rel(load.plans_dir(root), root)}/ (one <id>.toml per unit of work; ADR 0024)")
        else:
            typer.echo(f"{len(rep.plans)} plan(s): {len(errors)} error(s), {len(warnings)} warning(s)"
                       f" ({elapsed:.2f}s)")
    if failed:
        raise typer.Exit(1)


@plan_app.command("status")
def status(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """The plans as a dependency graph: ready / blocked-by / running / done / abandoned; drift."""
    from hookgate.plans import render
    from hookgate.plans.verify import statuses, verify

    root = project_root()
    state = state_dir(root)
    rep = verify(root, state, record=False)
    sts = statuses(rep, state)
    if as_json:
        typer.echo(json.dumps({"plans": sts, "findings": len(rep.errors())}, indent=2, sort_keys=True,
                              ensure_ascii=False, default=str))
        return
    if not sts:
        typer.echo("no plans (.hookgate/plans/<id>.toml)")
        return
    counts = {s: sum(1 for x in sts if x["status"] == s) for s in ("running", "ready", "blocked", "done", "abandoned")}
    typer.echo(f"{len(sts)} plan(s): " + ", ".join(f"{v} {k}" for k, v in counts.items() if v))
    for line in render.text_graph(rep, sts):
        typer.echo(line)
    if rep.errors():
        typer.echo(f"{len(rep.errors())} error(s): run `hookgate plan check`")


def _session(state: str, explicit: str, plan_id: str) -> tuple[str, str]:
    from hookgate.validators.coordination import sessions

    try:
        sess, platform, _how = sessions.resolve(state, os.environ, os.getcwd(),
                                                ("hookgate", "plan", "start", plan_id), explicit, use_ps=True)
    except sessions.Unresolved as e:
        raise fail(f"plan start: which session carries {plan_id}? {e} (e.g. the id you start the agent with: "
                   "`claude --session-id ID`)", 2) from None
    return sess, platform


def _worktree(root: str, state: str, plan_id: str, base: str, session: str, platform: str) -> str:
    """A new worktree and branch ``plan/<id>`` beside the repository, recorded with its owner
    session in the worktree registry (ADR 0022: ``worktree list``/``gc`` know it)."""
    from hookgate.validators.coordination import identity
    from hookgate.validators.coordination.worktrees import _git, mutate_registry

    code, out = _git(root, "rev-parse", "--path-format=absolute", "--git-common-dir", env=os.environ)
    if code:
        raise fail(f"plan start --worktree: not in a git repository ({out.strip() or 'git failed'})", 2)
    common = out.strip()
    mains = [w for w in identity.worktrees(common) if w["main"]]
    anchor = mains[0]["top"] if mains else common.rstrip("/")
    branch = f"plan/{plan_id}"
    dest = os.path.join(os.path.dirname(anchor), os.path.basename(anchor) + ".worktrees", f"plan-{plan_id}")
    if os.path.exists(dest):
        raise fail(f"plan start --worktree: {dest} already exists", 1)
    code, out = _git(root, "worktree", "add", "-b", branch, dest, base or "HEAD", env=os.environ)
    if code:
        raise fail(f"plan start --worktree: git worktree add failed: {out.strip()}", 1)
    now = time.time()

    def fn(data):
        data["worktrees"][dest] = {"name": f"plan-{plan_id}", "branch": branch, "base": base or "HEAD",
                                   "session": session, "platform": platform, "found_by": "plan start",
                                   "created": now, "plan": plan_id}

    mutate_registry(state, fn)
    from hookgate.plans.verify import ledger_record

    ledger_record(state, "worktree", plan=plan_id, session=session, path=dest, branch=branch)
    return dest


@plan_app.command("start")
def start(
    plan_id: Annotated[str, typer.Argument(metavar="ID", help="The plan to start.")],
    session: Annotated[str, typer.Option(help="The agent session that carries it (default: the calling one).")] = "",
    worktree: Annotated[bool, typer.Option("--worktree", help="Also create a worktree and branch plan/ID.")] = False,
    base: Annotated[str, typer.Option(help="Base ref of the --worktree branch.")] = "",
    ttl: Annotated[str, typer.Option(help="Claim lifetime without writes (e.g. 8h).")] = "8h",
    priority: Annotated[str, typer.Option(help="Claim priority: critical | high | normal | low.")] = "normal",
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Verify ID, then claim its files for the session that carries it (queued: exit 75)."""
    from hookgate.validators.coordination import claims
    from hookgate.cli.lockcli import parse_duration
    from hookgate.plans import ops

    root = project_root()
    state = state_dir(root)
    try:
        ttl_s = parse_duration(ttl)
    except ValueError:
        raise fail(f"bad --ttl {ttl!r} (e.g. 8h, 90m)", 2) from None
    if ttl_s <= 0:
        raise fail("--ttl must be positive", 2)
    if priority not in claims.PRIORITIES:
        raise fail(f"unknown --priority {priority!r}", 2)
    sess, platform = _session(state, session, plan_id)
    try:
        # verify first (start does it again under its own locks; this keeps a refused plan from
        # leaving a worktree behind)
        if worktree:
            ops.start_precheck(root, state, plan_id, sess)
        wt = _worktree(root, state, plan_id, base, sess, platform) if worktree else ""
        out = ops.start(root, state, plan_id, sess, platform, _user(), ttl_s, priority, wt)
    except ops.PlanError as e:
        raise fail(f"plan start: {e}", e.code) from None
    if as_json:
        typer.echo(json.dumps(out, indent=2, sort_keys=True, default=str))
    else:
        typer.echo(f"{plan_id} running for session {sess}" + (f" in worktree {wt} (branch plan/{plan_id})" if wt else ""))
        for c in out["granted"]:
            typer.echo(f"  granted {c['mode']} claim {c['id']} on {_rel(c['path'], root) or '.'}")
        for c in out["queued"]:
            typer.echo(f"  queued {c['mode']} claim {c['id']} on {_rel(c['path'], root) or '.'}"
                       f" (behind {c.get('waiting_on', '?')}); run `hookgate plan start {plan_id}` again to check")
    if out["queued"]:
        raise typer.Exit(EX_BUSY)


@plan_app.command("done")
def done(
    plan_id: Annotated[str, typer.Argument(metavar="ID", help="The running plan that is finished.")],
    timeout: Annotated[str, typer.Option(help="Give the checks this long.")] = "30m",
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Run ID's checks.tests; if they pass, release its claims, mark it done, unblock dependants."""
    from hookgate.cli.lockcli import parse_duration
    from hookgate.plans import ops

    root = project_root()
    try:
        secs = parse_duration(timeout)
    except ValueError:
        raise fail(f"bad --timeout {timeout!r}", 2) from None
    try:
        out = ops.done(root, state_dir(root), plan_id, _user(), secs)
    except ops.PlanError as e:
        raise fail(f"plan done: {e}", e.code) from None
    if as_json:
        typer.echo(json.dumps(out, indent=2, sort_keys=True, default=str))
        return
    chk = out["checks"]
    if chk.get("ran"):
        typer.echo(f"checks passed: {' '.join(chk['argv'])} ({chk.get('seconds', 0)}s)")
    else:
        typer.echo(f"no checks ran: {chk.get('why')}")
    typer.echo(f"{plan_id} done; released {len(out['released'])} claim(s)")
    for pid in out["unblocked"]:
        typer.echo(f"  now ready: {pid}")


@plan_app.command("abandon")
def abandon(
    plan_id: Annotated[str, typer.Argument(metavar="ID")],
    reason: Annotated[str, typer.Option(help="Why (recorded in the ledger).")] = "",
) -> None:
    """Give up ID: release its claims; its dependants stay blocked (a human's command)."""
    from hookgate.plans import ops

    if not reason.strip():
        raise fail("plan abandon: --reason is required", 2)
    root = project_root()
    try:
        out = ops.abandon(state_dir(root), plan_id, reason, _user())
    except ops.PlanError as e:
        raise fail(f"plan abandon: {e}", e.code) from None
    typer.echo(f"{plan_id} abandoned; released {len(out['released'])} claim(s)")


def register(app: typer.Typer) -> None:
    app.add_typer(plan_app, name="plan")
