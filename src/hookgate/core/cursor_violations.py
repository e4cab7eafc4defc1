"""Cursor ``afterFileEdit`` violations (ADR 0010).

Cursor has no pre-edit event in some versions, so a write can slip past ``preToolUse``. When
``afterFileEdit`` reports a file that the chain would have blocked (judged as the same write
would be before the fact, with the stages in force), hookgate appends a ``violation`` record
to the ledger and leaves a pending note for the session. The session's next guard call that
can carry a message to the agent (``preToolUse``, ``beforeShellExecution``,
``beforeMCPExecution``) is denied once with the report — the one channel Cursor was measured
to deliver (``agent_message`` on deny) — and a ``violation-reported`` record is appended.
"""

from __future__ import annotations

import hashlib
from hookgate.state import jsonio as json
import os

from hookgate.core import event as ev

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from typing import Any

PENDING_DIR = "cursor-pending"
_PRE_CAPS = ev.Capabilities(can_ask=False, can_block=True, can_message=True)


def _pending_path(state_dir: str, session: str) -> str:
    key = hashlib.sha256((session or "no-session").encode("utf-8")).hexdigest()[:24]
    return os.path.join(state_dir, PENDING_DIR, key + ".jsonl")


def settle(event: ev.Event, env: dict[str, Any], after_edit_event: str) -> str:
    """Called by the hook entry for a platform that reports edits after the fact, once the
    call's own decision is recorded: an after-edit event is judged as the write would have
    been; a guard call that can carry a message to the agent claims the session's pending
    report (returned, for the adapter to render with a deny; '' when none)."""
    if event.event_name == after_edit_event:
        check_after_edit(event, env)
        return ""
    if event.phase == ev.PRE and event.event_name != "beforeReadFile":
        return take_pending(event, env)
    return ""


def check_after_edit(event: ev.Event, env: dict[str, Any]) -> str:
    """Record a violation if the edited file is protected; return the violation id or ''."""
    from hookgate.core import engine
    from hookgate.state import backend, files

    path = event.tool_input.get("file_path", "")
    pre = event._replace(
        phase=ev.PRE, capabilities=_PRE_CAPS, tool_kind=ev.WRITE,
        tool_input={"file_path": path}, extra={"accesses": [(path, ev.MODE_WRITE, "afterFileEdit.file_path", True)]},
    )
    decision, ctx = engine.decide(pre, env)
    if decision.outcome != ev.BLOCK:
        return ""
    state = ctx.state_dir
    rec = engine._base_record("violation", event.platform)
    rec.update(session=event.session_id, event=event.event_name, cwd=event.cwd, tool=event.tool_name,
               tool_kind=ev.WRITE, accesses=[[a.path, a.mode, a.resolved, a.via, a.tool] for a in ctx.accesses],
               verdicts=decision.verdicts, outcome="violation", would_block=True,
               rollout_rev=ctx.config.get("rev", ""))
    backend.ledger_append(state, rec)
    note = {"id": rec["id"], "path": path, "reason": decision.reason, "message": decision.message}
    files.append(_pending_path(state, event.session_id), (json.dumps(note, ensure_ascii=False) + "\n").encode("utf-8"),
                 timeout=2.0, fsync=False)
    return str(rec["id"])


def take_pending(event: ev.Event, env: dict[str, Any]) -> str:
    """The report of this session's unreported violations ('' if none); claims them atomically."""
    from hookgate.state import paths

    state = paths.state_dir(event.project_root, env)
    p = _pending_path(state, event.session_id)
    if not os.path.exists(p):
        return ""
    claimed = f"{p}.{os.getpid()}.taking"
    try:
        os.rename(p, claimed)  # exactly one concurrent hook call reports it
    except OSError:
        return ""
    try:
        with open(claimed, encoding="utf-8") as f:
            notes = [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError):
        notes = []
    finally:
        try:
            os.unlink(claimed)
        except OSError:
            pass
    if not notes:
        return ""
    from hookgate.core import engine
    from hookgate.state import backend

    lines = []
    for n in notes:
        lines.append(
            f"hookgate: an earlier edit of {n.get('path')} slipped past the guard (reported by afterFileEdit) "
            f"and was recorded as violation {n.get('id')}: {n.get('reason', '')}."
        )
    lines.append(
        "Tell the user about this change; do not edit that file again. This call was denied only so that "
        f"you see this report; retry it. [{'adr/0010-cursor-and-gemini-adapters.md'}]"
    )
    rec = engine._base_record("violation-reported", event.platform)
    rec.update(session=event.session_id, event=event.event_name, violations=[n.get("id") for n in notes])
    try:
        backend.ledger_append(state, rec)
    except Exception:  # noqa: BLE001 - the report is rendered regardless
        pass
    return "\n".join(lines)
