"""Checkpoints that humans answer: native ask plus an approval queue (ADR 0012).

``resolve(event, decision, ctx)`` runs on the hot path right after the chain has merged its
verdicts (``engine.decide_and_record``). It does nothing unless the merged outcome is a
checkpoint — ``CHECKPOINT``, or ``BLOCK`` that the chain made from a checkpoint because this
platform/event cannot ask — or the event is a post-event that may answer a native prompt.
Facts for the decision's ledger record go to ``ctx.approval`` (``core.context.Context``).

Fail closed: if the store cannot be read or written, the chain's decision stands (a
checkpoint is never turned into an allow without a recorded, spent approval).
"""

from __future__ import annotations

import os

from hookgate.core import event as ev

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only (ADR 0017)
    from typing import Any

    from hookgate.core.context import Context


def is_checkpoint_block(decision: ev.Decision) -> bool:
    """A BLOCK that only exists because a checkpoint could not be asked on this event."""
    eff = [r.get("effective") for r in decision.verdicts]
    return decision.outcome == ev.BLOCK and ev.CHECKPOINT in eff and ev.BLOCK not in eff


def resolve(event: ev.Event, decision: ev.Decision, ctx: Context) -> ev.Decision:
    try:
        if event.phase == ev.PRE:
            as_block = is_checkpoint_block(decision)
            if decision.outcome != ev.CHECKPOINT and not as_block:
                return decision
            from hookgate.approvals import gate

            return gate.on_checkpoint(event, decision, ctx, as_block)
        if event.phase == ev.POST and os.path.isdir(os.path.join(ctx.state_dir, "approvals", "open-asks")):
            from hookgate.approvals import gate

            gate.on_post(event, ctx)
    except Exception as e:  # noqa: BLE001 - the chain's checkpoint/block stands; never an allow
        if type(e).__name__ == "SharedStateUnavailable" and event.phase == ev.PRE:
            return _unreachable(event, decision, ctx, e)
        _approval_of(ctx)["approval_error"] = f"{type(e).__name__}: {e}"[:300]
    return decision


def _approval_of(ctx: Context) -> dict[str, Any]:
    """The decision's approval facts (made empty when there are none yet)."""
    if ctx.approval is None:
        ctx.approval = {}
    return ctx.approval


def _unreachable(event: ev.Event, decision: ev.Decision, ctx: Context, e: Exception) -> ev.Decision:
    """A checkpoint whose approvals live in a shared database that cannot be reached now
    (ADR 0028): denied, not asked — an answer given in a native prompt could not be recorded
    where the other machines see it."""
    _approval_of(ctx)["approval_error"] = f"shared state unavailable: {e}"[:300]
    msg = (f"hookgate: this {event.tool_name or 'action'} call needs a human's approval, and the shared "
           f"approval queue cannot be reached: {e}")
    return ev.Decision(ev.BLOCK, decision.verdicts, msg, "checkpoint denied: shared state unavailable")
