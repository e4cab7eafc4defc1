"""``hookgate audit verify|tail|why``: read the hash-chained ledger (ADR 0004)."""

from __future__ import annotations


import json
import os
from typing import TYPE_CHECKING, cast

import typer

from hookgate.state import ledger
from hookgate.cli._common import fail, state_dir

if TYPE_CHECKING:
    from hookgate.state.protocol import SharedBackend

audit_app = typer.Typer(help="Read and verify the decision ledger.", no_args_is_help=True)


def _path() -> str:
    return ledger.ledger_path(state_dir())


def _checkpoint_of(path: str) -> tuple:
    """(state dir, its key) for the ledger's verified-prefix checkpoint (ADR 0027)."""
    from hookgate.core import config

    state = os.path.dirname(path)
    try:
        return state, config._key(state, create=True)
    except OSError:
        return state, None


@audit_app.command("verify")
def verify(
    repair: bool = typer.Option(False, "--repair", help="Remove torn records (a writer killed mid-write); nothing else."),
) -> None:
    """Exit 0 on an intact chain; otherwise name the first bad record."""
    if _verify_shared():
        return
    path = _path()
    if not os.path.exists(path):
        typer.echo(f"no ledger yet at {path}")
        return
    res = ledger.verify(path, *_checkpoint_of(path))  # from its verified prefix (ADR 0027)
    if res.ok:
        typer.echo(f"OK: {res.count} records, chain intact ({path})")
        return
    if repair and res.torn_lines and res.bad_line in res.torn_lines:
        removed = ledger.repair(path)
        if removed:
            after = ledger.verify(path)
            typer.echo(f"repaired: removed torn record(s) at line(s) {', '.join(map(str, removed))}")
            if after.ok:
                typer.echo(f"OK: {after.count} records, chain intact")
                return
            raise fail(f"still broken after repair: line {after.bad_line}: {after.reason}", 1)
    if res.torn_lines and res.bad_line in res.torn_lines:
        raise fail(
            f"ledger {path}: torn record at line {res.bad_line} ({res.reason}); "
            f"{res.count} intact records. Run `hookgate audit verify --repair` to remove it.",
            3,
        )
    raise fail(f"ledger {path}: record at line {res.bad_line} is bad: {res.reason} ({res.count} records verified before it)", 2)


def _verify_shared() -> bool:
    """On a shared state backend (ADR 0028) the chain is in the database: verify it there, and
    say how many records of this clone still wait in its outbox. False: files backend."""
    from hookgate.cli._common import project_root
    from hookgate.state import backend, outbox

    backend.ALLOW_CLIENT = True
    backend.SERVER_ENV = dict(os.environ)
    root = project_root()
    b = backend.for_project(root)
    if not getattr(b, "shared", False):
        return False
    if not hasattr(b, "verify"):
        raise fail(getattr(b, "why", "the shared state cannot be reached"), 1)
    b = cast("SharedBackend", b)
    try:
        res = b.verify()
    except backend.SharedStateUnavailable as e:
        raise fail(str(e), 1) from None
    waiting = len(outbox.pending(state_dir(root)))
    note = f"; {waiting} record(s) of this clone wait in its outbox" if waiting else ""
    if res.ok:
        typer.echo(f"OK: {res.count} records, chain intact ({b.describe()}){note}")
        return True
    raise fail(f"ledger {b.describe()}: record {res.bad_line} is bad: {res.reason} "
               f"({res.count} records verified before it)", 2)


def summary(rec: dict) -> str:
    kind = rec.get("kind", "?")
    tool = rec.get("tool", "")
    what = ""
    inp = rec.get("input") or {}
    if isinstance(inp, dict):
        what = inp.get("command") or inp.get("file_path") or inp.get("notebook_path") or inp.get("path") or ""
    if not what and rec.get("error"):
        what = rec["error"]
    if kind == "rollout_change":
        where = f" on {rec['target_platform']}" if rec.get("target_platform") else ""
        what = f"{rec.get('hook', '')}{where} {rec.get('from', '')} → {rec.get('to', '')} by {rec.get('who', '')}"
        what += " (forced)" if rec.get("forced") else ""
    elif kind == "label":
        what = f"{rec.get('target', '')} {rec.get('label', '')} for {rec.get('hook', '')} by {rec.get('who', '')}"
    elif kind == "approval":
        by = f" by {rec['approved_by']}" if rec.get("approved_by") else ""
        what = f"request {rec.get('approval_id', '')} {rec.get('change', '')}{by}: {rec.get('summary', '')}"
    elif rec.get("approval_id"):
        what = f"{what} (approval {rec['approval_id']}: {rec.get('approval', '')})"
    wb = " would_block" if rec.get("would_block") else ""
    return f"{rec.get('ts', '')}  {rec.get('id', '')}  {rec.get('platform', ''):<11} {kind:<13} {rec.get('outcome', ''):<10} {tool:<12} {str(what)[:160 if kind == 'approval' else 80]}{wb}"


def _rules_of(rec: dict) -> set[str]:
    out = set()
    for v in rec.get("verdicts") or []:
        if isinstance(v, dict) and v.get("rule"):
            out.update((v["rule"], f"{v.get('hook', '')}/{v['rule']}"))
    out.update(r for r in rec.get("rules") or [] if isinstance(r, str))
    return out


def _matcher(rule: str, session: str, tool: str, outcome: str, kind: str, since: float | None):
    def ok(rec: dict) -> bool:
        if rule and rule not in _rules_of(rec):
            return False
        if session and not str(rec.get("session", "")).startswith(session):
            return False
        if tool and str(rec.get("tool", "")).lower() != tool.lower():
            return False
        if outcome and rec.get("outcome") != outcome and not (outcome == "would_block" and rec.get("would_block")):
            return False
        if kind and rec.get("kind") != kind:
            return False
        if since is not None:
            from hookgate.core import evidence

            ts = evidence.parse_ts(rec.get("ts"))
            if ts is None or ts < since:
                return False
        return True

    return ok


@audit_app.command("tail")
def tail(
    n: int = typer.Option(20, "-n", help="How many records (after the filters)."),
    as_json: bool = typer.Option(False, "--json", help="One JSON record per line."),
    unlabelled: bool = typer.Option(False, "--unlabelled", help="Only would-blocks no human has labelled tp/fp yet."),
    workarounds: bool = typer.Option(False, "--workarounds", help="Only attempts to reach a blocked path by another route (ADR 0009)."),
    rule: str = typer.Option("", "--rule", help="Only records with this rule (env-files or read-guard/env-files)."),
    session: str = typer.Option("", "--session", help="Only this agent session (an id or its prefix)."),
    tool: str = typer.Option("", "--tool", help="Only this tool (Bash, Write, Read, …)."),
    outcome: str = typer.Option("", "--outcome", help="Only this outcome: allow, warn, checkpoint, block, would_block."),
    kind: str = typer.Option("", "--kind", help="Only this record kind: decision, post, approval, rollout_change, label, …"),
    since: str = typer.Option("", "--since", help="Only records since: 30m, 12h, 7d, 2026-11-20, 2026-11-20T10:00:00Z."),
    newest_first: bool = typer.Option(False, "--newest-first", "-r", help="Newest record first."),
) -> None:
    """The last N records (filters combine)."""
    import itertools

    from hookgate.cli.replay import parse_since

    path = _path()
    keep = _matcher(rule, session, tool, outcome, kind, parse_since(since))

    def shown(recs) -> list:
        # *recs* come newest first (the ledger read from its end): the first n matches are the
        # last n — memory bounded by n and time by how far back they lie (ADR 0027)
        out = list(itertools.islice(recs, n)) if n > 0 else []
        return out if newest_first else out[::-1]

    if workarounds:
        found = (r for r in ledger.iter_records_backwards(path) if r.get("workaround_of") and keep(r))
        for r in shown(found):
            typer.echo(json.dumps(r, sort_keys=True) if as_json else f"{summary(r)}  workaround_of={r['workaround_of']}")
        return
    if unlabelled:
        from hookgate.cli.audit_label import unlabelled_stream

        picked = shown(r for r in unlabelled_stream(path, backwards=True) if keep(r))
        for r in picked:
            hooks = ",".join(r["_unlabelled_hooks"])
            r = {k: v for k, v in r.items() if k != "_unlabelled_hooks"}
            typer.echo(json.dumps(dict(r, unlabelled_hooks=hooks.split(",")), sort_keys=True) if as_json
                       else f"{summary(r)}  [{hooks}]")
        if not as_json:
            typer.echo("label each: hookgate audit label ID tp|fp [--hook H] [--note …]" if picked
                       else "no unlabelled would-blocks", err=True)
        return
    recs = shown(r for r in ledger.iter_records_backwards(path) if keep(r))
    for r in recs:
        typer.echo(json.dumps(r, sort_keys=True) if as_json else summary(r))
    if not recs and not as_json:
        typer.echo("no records" + (" match" if (rule or session or tool or outcome or kind or since) else ""), err=True)


MIN_PREFIX = 4
APPROVAL_FIELDS = ("approval_id", "change", "status", "route", "tool", "summary", "approved_by", "approved_at",
                   "mode", "window_until", "reason", "expires", "by_session", "digest")
DECISION_APPROVAL_FIELDS = ("approval", "approval_id", "approved_by", "approved_at", "approval_mode", "no_prompt",
                            "checkpoint_as_block")


def find_by_prefix(path: str, prefix: str) -> dict:
    """The one record whose id is *prefix* or starts with it (at least 4 characters)."""
    if len(prefix) < MIN_PREFIX:
        raise fail(f"record id {prefix!r} is too short: give at least {MIN_PREFIX} characters")
    hits = []
    for rec in ledger.iter_records(path):
        rid = str(rec.get("id", ""))
        if rid == prefix:
            return rec
        if rid.startswith(prefix):
            hits.append(rec)
    if not hits:
        raise fail(f"no record with id {prefix} (see `hookgate audit tail`)")
    if len(hits) > 1:
        raise fail(f"{len(hits)} records start with {prefix}: {', '.join(r['id'] for r in hits[:5])}; give more characters")
    return hits[0]


@audit_app.command("why")
def why(record_id: str = typer.Argument(..., metavar="ID", help="A record id (or a prefix of one) from `audit tail`.")) -> None:
    """One record in full: a decision with every verdict behind it, or an approval change."""
    rec = find_by_prefix(_path(), record_id)
    typer.echo(summary(rec))
    if rec.get("kind") == "approval":
        for k in APPROVAL_FIELDS:
            if rec.get(k) not in (None, ""):
                typer.echo(f"  {k}: {rec[k]}")
        typer.echo(f"  (the request itself: `hookgate approvals show {rec.get('approval_id', '')}`)")
        return
    if rec.get("kind") == "rollout_change":
        for k in ("hook", "target_platform", "from", "to", "who", "file", "rollout_rev", "reason", "forced"):
            if rec.get(k) not in (None, ""):
                typer.echo(f"  {k}: {rec[k]}")
        return
    if rec.get("session"):
        typer.echo(f"session {rec['session']}  event {rec.get('event', '')}  cwd {rec.get('cwd', '')}")
    if rec.get("input") is not None:
        typer.echo(f"input (redacted): {json.dumps(rec['input'], ensure_ascii=False)[:2000]}")
    for a in rec.get("accesses", []):
        path, mode, resolved, via = a[0], a[1], a[2], a[3]
        typer.echo(f"  access {mode:<6} {path}{'' if resolved else ' (unresolved)'}  via {via}")
    for v in rec.get("verdicts", []):
        line = f"  {v['hook']:<16} raw={v['raw']:<10} stage={v['stage']:<8} effective={v['effective']:<10}"
        if v.get("would_block"):
            line += " would_block"
        typer.echo(line)
        for k in ("rule", "reason", "adr", "alternative", "error"):
            if v.get(k):
                typer.echo(f"      {k}: {v[k]}")
    facts = [f"{k}={rec[k]}" for k in DECISION_APPROVAL_FIELDS if rec.get(k) not in (None, "", False)]
    if facts:
        typer.echo("approval: " + "  ".join(facts))
    typer.echo(f"outcome: {rec.get('outcome', '')}   latency {rec.get('latency_ms', '?')} ms")


def register(app: typer.Typer) -> None:
    from hookgate.cli.audit_label import register_label

    register_label(audit_app)
    app.add_typer(audit_app, name="audit")
