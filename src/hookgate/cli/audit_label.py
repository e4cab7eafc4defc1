"""``hookgate audit label ID tp|fp``: a human marks a would-block (ADR 0015).

A label is a new ledger record (``kind: label``, appended through ``state.backend.ledger_append``); old
records are never edited. The latest label of a (record, hook) pair wins. An ``fp`` label also
writes ``.hookgate/fixtures/<hook>/<record id>.json``: the recorded action with ``expected:
allow``, a known false positive the hook's owner must turn into a passing test. Agents cannot
label (self-protection denies every ``audit`` subcommand but verify/tail/why).
"""

from __future__ import annotations

import json
import os

import typer

from hookgate.core import evidence
from hookgate.state import backend, ledger, paths
from hookgate.cli._common import fail, project_root
from hookgate.state import files

FIXTURES_DIR = "fixtures"


def would_block_hooks(rec: dict) -> list[str]:
    if rec.get("kind") not in evidence.EVALUATED_KINDS:
        return []
    return [v.get("hook", "") for v in rec.get("verdicts") or () if v.get("would_block")]


def unlabelled_records(records: list[dict]) -> list[dict]:
    """Would-block records with at least one hook not yet labelled (adds ``_unlabelled_hooks``)."""
    labels = evidence.labels_of(records)
    out = []
    for rec in records:
        missing = [h for h in would_block_hooks(rec) if (rec.get("id", ""), h) not in labels]
        if missing:
            out.append(dict(rec, _unlabelled_hooks=missing))
    return out


def unlabelled_stream(path: str, backwards: bool = False):
    """:func:`unlabelled_records` over the ledger at *path*, streamed (ADR 0027): the labels
    first (only lines that can be one are parsed), then each record once."""
    from hookgate.state import ledger

    labels = set()
    for _n, raw, _nl in ledger.iter_lines(path):
        if b'"kind":"label"' in raw:
            try:
                rec = json.loads(raw)
            except ValueError:
                continue
            if isinstance(rec, dict) and rec.get("kind") == "label" and rec.get("label") in evidence.LABELS:
                labels.add((rec.get("target", ""), rec.get("hook", "")))
    for rec in (ledger.iter_records_backwards(path) if backwards else ledger.iter_records(path)):
        missing = [h for h in would_block_hooks(rec) if (rec.get("id", ""), h) not in labels]
        if missing:
            yield dict(rec, _unlabelled_hooks=missing)


def fixture_path(root: str, hook: str, record_id: str) -> str:
    return os.path.join(paths.config_dir(root), FIXTURES_DIR, hook, f"{record_id}.json")


def write_fixture(root: str, rec: dict, hook: str, label_rec: dict) -> str:
    verdict = next((v for v in rec.get("verdicts") or () if v.get("hook") == hook), {})
    truncated = "more chars]" in json.dumps(rec.get("input"), ensure_ascii=False)
    fixture = {
        "about": f"false positive of {hook}: a human labelled this would-block wrong; the hook's owner "
                 "turns it into a passing test (expected allow) and then deletes this file",
        "hook": hook,
        "expected": "allow",
        "ledger_record": rec.get("id", ""),
        "ts": rec.get("ts", ""),
        "platform": rec.get("platform", ""),
        "event": rec.get("event", ""),
        "kind": rec.get("kind", ""),
        "tool": rec.get("tool", ""),
        "tool_kind": rec.get("tool_kind", ""),
        "cwd": rec.get("cwd", ""),
        "input": rec.get("input"),
        "input_note": "as recorded: redacted, file contents truncated to 200 chars" if truncated
        else "as recorded (redacted)",
        "accesses": rec.get("accesses", []),
        "recorded_verdict": verdict,
        "labelled_by": label_rec.get("who", ""),
        "labelled_at": label_rec.get("ts", ""),
        "note": label_rec.get("note", ""),
    }
    path = fixture_path(root, hook, rec.get("id", ""))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    files.replace(path, (json.dumps(fixture, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode(), mode=0o644)
    return path


def register_label(audit_app: typer.Typer) -> None:
    @audit_app.command("label")
    def label(
        record_id: str = typer.Argument(..., help="A would-block record id (`hookgate audit tail --unlabelled`)."),
        verdict: str = typer.Argument(..., help="tp (rightly flagged) or fp (wrongly flagged)."),
        hook: str = typer.Option("", "--hook", help="Which hook's would-block (default: every hook that would block)."),
        note: str = typer.Option("", "--note", help="Why; recorded with the label."),
    ) -> None:
        """Label a would-block true or false positive (appended to the ledger; fp → fixture)."""
        from hookgate.cli.rollout_edit import who
        from hookgate.core.engine import _base_record

        if verdict not in evidence.LABELS:
            raise fail("the label must be tp or fp")
        root = project_root()
        state = paths.state_dir(root)
        path = ledger.ledger_path(state)
        rec = ledger.find(path, record_id)
        if rec is None:
            raise fail(f"no record with id {record_id}")
        hooks = would_block_hooks(rec)
        if not hooks:
            raise fail(f"record {record_id} is not a would-block (kind {rec.get('kind')}, outcome {rec.get('outcome')})")
        if hook:
            if hook not in hooks:
                raise fail(f"{hook} did not flag record {record_id} (would-block hooks: {', '.join(hooks)})")
            hooks = [hook]
        by = who()
        for h in hooks:
            lab = _base_record("label", rec.get("platform", ""))
            lab.update(target=record_id, hook=h, label=verdict, note=note, who=by)
            fx = fixture_path(root, h, record_id)
            if verdict == "fp":
                lab["fixture"] = os.path.relpath(fx, root)
            written = backend.ledger_append(state, lab)
            typer.echo(f"labelled {record_id} {verdict} for {h} (ledger record {written['id']})")
            if verdict == "fp":
                write_fixture(root, rec, h, written)
                typer.echo(f"  false-positive fixture for the owner of {h}: {fx}")
            elif os.path.exists(fx):
                os.unlink(fx)
                typer.echo(f"  removed the earlier false-positive fixture {fx}")
