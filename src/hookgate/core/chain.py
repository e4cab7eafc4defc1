"""The validator chain: run each hook, apply its rollout stage, merge, explain (ADR 0002/0003)."""

from __future__ import annotations

from hookgate.core import event as ev
from hookgate.core import rollout
from hookgate.validators import base

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from typing import Any, Iterable

INTERNAL_ERROR_RULE = "internal-error"


# the context names each validator's ``check`` takes, computed once per function (kept here,
# never written onto the validator's module)
_ARGNAMES: dict[str, Any] = {}


def _call(mod: Any, context: Any) -> Any:
    check = mod.check
    names = _ARGNAMES.get(check)
    if names is None:
        names = _ARGNAMES[check] = base.argnames(check)
    return check(**{n: context[n] for n in names})


def run(validators: Iterable[Any], context: Any) -> list[dict[str, Any]]:
    """One verdict record per validator that looks at this phase (*context*: a
    ``core.context.Context``, or a mapping with the same names)."""
    event: ev.Event = context["event"]
    config = context["config"]
    mods = [m for m in validators if event.phase in m.PHASES]
    records: list[dict[str, Any]] = [{}] * len(mods)  # in chain order, whatever order they run in
    denied = False
    for i in _run_order(mods):
        mod = mods[i]
        stage = rollout.stage_for(config, mod.HOOK_ID, event.platform)
        context["stage"] = stage
        # an earlier effective BLOCK decides the call whatever comes next (no approval turns it
        # into an allow, ADR 0012): a later validator may skip its side effects (a lease, ADR 0013;
        # a RUNS_LAST validator runs after all the others, see _run_order).
        # A checkpoint is not a deny: a human may let the call go ahead.
        context["denied"] = denied
        context["policy"] = config.get("policies", {}).get(mod.HOOK_ID) or {}
        error = ""
        try:
            v = _call(mod, context)
            if v is None:
                v = ev.allow(mod.HOOK_ID)
        except Exception as e:  # noqa: BLE001 - a validator failure is decided, never raised
            error = f"{type(e).__name__}: {e}"[:300]
            if stage == ev.ENFORCE:
                v = ev.Verdict(
                    mod.HOOK_ID,
                    ev.BLOCK,
                    INTERNAL_ERROR_RULE,
                    f"{mod.HOOK_ID} failed while deciding ({error}); denied to be safe",
                    mod.ADR,
                    "retry once; if it persists, a human should run `hookgate doctor`",
                )
            else:
                v = ev.allow(mod.HOOK_ID)
        eff = rollout.effective(v.outcome, stage)
        rec = {
            "hook": mod.HOOK_ID,
            "raw": v.outcome,
            "stage": stage,
            "effective": eff,
            "would_block": rollout.would_block(v.outcome),
        }
        if v.rule:
            rec["rule"] = v.rule
        if v.reason:
            rec["reason"] = v.reason
        if v.outcome != ev.ALLOW:
            rec["adr"] = v.adr or mod.ADR
        if v.alternative:
            rec["alternative"] = v.alternative
        if v.paths:
            rec["paths"] = list(v.paths)
        if error:
            rec["error"] = error
        records[i] = rec
        denied = denied or eff == ev.BLOCK
    return records


def _run_order(mods: list[Any]) -> list[int]:
    """Chain order, except that a validator with ``RUNS_LAST`` (side effects that must not
    outlive a denied call: coordination's lease, ADR 0013) runs after the others, so that its
    ``denied`` is every other validator's verdict, not only the earlier ones'."""
    last = [i for i, m in enumerate(mods) if getattr(m, "RUNS_LAST", False)]
    if not last:
        return list(range(len(mods)))
    return [i for i, m in enumerate(mods) if not getattr(m, "RUNS_LAST", False)] + last


def _tool_label(event: ev.Event) -> str:
    return event.tool_name or event.event_name or "action"


def message_for(event: ev.Event, outcome: str, records: list[dict[str, Any]]) -> tuple[str, str]:
    """(message for the agent, one-line reason) for the merged outcome."""
    if outcome == ev.ALLOW:
        return "", ""
    tool = _tool_label(event)
    lines = []
    reasons = []
    for r in records:
        if r["effective"] == ev.ALLOW or r["raw"] == ev.ALLOW:
            continue
        rule = f"{r['hook']}/{r.get('rule', '')}".rstrip("/")
        ref = f" [rule {rule}; {r.get('adr', '')}]" if r.get("adr") else f" [rule {rule}]"
        alt = f" Instead: {r['alternative']}" if r.get("alternative") else ""
        reason = r.get("reason", "")
        reasons.append(f"{rule}: {reason}")
        if r["effective"] == ev.BLOCK:
            lines.append(f"hookgate blocked this {tool} call: {reason}.{ref}{alt}")
        elif r["effective"] == ev.CHECKPOINT:
            lines.append(f"hookgate: a human must approve this {tool} call: {reason}.{ref}{alt}")
        elif r["raw"] in ev.BLOCKING_OUTCOMES:
            lines.append(
                f"hookgate ({r['stage']} stage) allowed this {tool} call, but it would be "
                f"{'blocked' if r['raw'] == ev.BLOCK else 'held for approval'} once enforced: "
                f"{reason}.{ref}{alt}"
            )
        else:
            lines.append(f"hookgate warning about this {tool} call: {reason}.{ref}{alt}")
    if outcome == ev.BLOCK and not any("Do not retry" in line for line in lines):  # said once
        lines.append("Do not retry this through another tool or a shell command; it is blocked the same way.")
    return "\n".join(lines), "; ".join(reasons)[:1000]


def decide(event: ev.Event, records: list[dict[str, Any]]) -> ev.Decision:
    outcome = rollout.merge(r["effective"] for r in records)
    if outcome == ev.CHECKPOINT and not event.capabilities.can_ask:
        outcome = ev.BLOCK  # no native ask here: deny with the approval instructions
    message, reason = message_for(event, outcome, records)
    return ev.Decision(outcome, records, message, reason)
