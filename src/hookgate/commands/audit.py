"""``hookgate audit verify|tail|why``: read the hash-chained ledger (ADR 0004)."""

from __future__ import annotations

import json
import os

import typer

from hookgate import ledger
from hookgate.commands._common import fail, state_dir

audit_app = typer.Typer(help="Read and verify the decision ledger.", no_args_is_help=True)


def _path() -> str:
    return ledger.ledger_path(state_dir())


@audit_app.command("verify")
def verify(
    repair: bool = typer.Option(False, "--repair", help="Remove torn records (a writer killed mid-write); nothing else."),
) -> None:
    """Exit 0 on an intact chain; otherwise name the first bad record."""
    path = _path()
    if not os.path.exists(path):
        typer.echo(f"no ledger yet at {path}")
        return
    res = ledger.verify(path)
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
    wb = " would_block" if rec.get("would_block") else ""
    return f"{rec.get('ts', '')}  {rec.get('id', '')}  {rec.get('platform', ''):<11} {kind:<13} {rec.get('outcome', ''):<10} {tool:<12} {str(what)[:80]}{wb}"


@audit_app.command("tail")
def tail(
    n: int = typer.Option(20, "-n", help="How many records."),
    as_json: bool = typer.Option(False, "--json", help="One JSON record per line."),
    unlabelled: bool = typer.Option(False, "--unlabelled", help="Only would-blocks no human has labelled tp/fp yet."),
    workarounds: bool = typer.Option(False, "--workarounds", help="Only attempts to reach a blocked path by another route (ADR 0009)."),
) -> None:
    """The last N records."""
    path = _path()
    if workarounds:
        recs = [r for r in ledger.iter_records(path) if r.get("workaround_of")]
        for r in recs[-n:] if n > 0 else []:
            typer.echo(json.dumps(r, sort_keys=True) if as_json else f"{summary(r)}  workaround_of={r['workaround_of']}")
        return
    if unlabelled:
        from hookgate.commands.audit_label import unlabelled_records

        recs = unlabelled_records(list(ledger.iter_records(path)))
        recs = recs[-n:] if n > 0 else []
        for r in recs:
            hooks = ",".join(r["_unlabelled_hooks"])
            r = {k: v for k, v in r.items() if k != "_unlabelled_hooks"}
            typer.echo(json.dumps(dict(r, unlabelled_hooks=hooks.split(",")), sort_keys=True) if as_json
                       else f"{summary(r)}  [{hooks}]")
        if not as_json:
            typer.echo("label each: hookgate audit label ID tp|fp [--hook H] [--note …]" if recs
                       else "no unlabelled would-blocks", err=True)
        return
    recs = list(ledger.iter_records(path))[-n:] if n > 0 else []
    for r in recs:
        typer.echo(json.dumps(r, sort_keys=True) if as_json else summary(r))


@audit_app.command("why")
def why(record_id: str = typer.Argument(..., help="A record id from `audit tail`.")) -> None:
    """The decision of one record and every verdict behind it."""
    rec = ledger.find(_path(), record_id)
    if rec is None:
        raise fail(f"no record with id {record_id}")
    typer.echo(summary(rec))
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
    typer.echo(f"outcome: {rec.get('outcome', '')}   latency {rec.get('latency_ms', '?')} ms")


def register(app: typer.Typer) -> None:
    from hookgate.commands.audit_label import register_label

    register_label(audit_app)
    app.add_typer(audit_app, name="audit")
