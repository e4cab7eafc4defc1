"""Decide an Event and record it: the platform-neutral middle of the hot path."""

from __future__ import annotations

import os
import time

from hookgate import __version__, approvals
from hookgate.core import chain, config
from hookgate.state import backend, ledger, paths
from hookgate.core import event as ev
from hookgate import validators as registry
from hookgate.core.analyse import analyse
from hookgate.core.context import Context
from hookgate.core.redact import digest, redact_text, redact_value

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from typing import Any

MAX_ACCESSES_RECORDED = 200
NOTE_FIELDS = frozenset(("workaround_of", "coordination", "floor_denied", "floor"))  # coordination: ADR 0022 gate evidence; floor_*: ADR 0020

KIND_OF_PHASE = {
    ev.PRE: "decision",
    ev.POST: "post",
    ev.SESSION_START: "session-start",
    ev.SESSION_END: "session-end",
    ev.OTHER_PHASE: "event",
}


def _now() -> str:
    """UTC timestamp; a clock that cannot be read (past 2262, odd) gives the epoch marked as
    such rather than an exception (ADR 0018)."""
    try:
        t = time.time()
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1000):03d}Z"
    except (OverflowError, OSError, ValueError):
        return "1970-01-01T00:00:00.000Z~clock-error"


def new_id() -> str:
    return os.urandom(6).hex()


def _base_record(kind: str, platform: str) -> dict[str, Any]:
    return {"v": 1, "id": new_id(), "ts": _now(), "kind": kind, "platform": platform, "version": __version__}


def context_for(event: ev.Event, env: dict[str, Any]) -> Context:
    # record_id: the id the ledger record will carry; notes: extra record fields a validator
    # may set (NOTE_FIELDS only), e.g. the guards' workaround_of (ADR 0009)
    return Context(event, paths.home_dir(env), paths.state_dir(event.project_root, env), event.project_root,
                   new_id(), env)


def decide(event: ev.Event, env: dict[str, Any], validators: Any = None,
           compiled: dict[str, Any] | None = None) -> tuple[ev.Decision, Context]:
    """Run the chain for *event*; return (decision, context). No ledger write.

    *compiled*: a compiled config to decide with instead of the project's (``hookgate replay``)."""
    ctx = context_for(event, env)
    if compiled is not None:
        cfg, refusal = compiled, None
    else:
        cfg, refusal = config.load(event.project_root, ctx.state_dir, lazy=True)  # guard policies on demand (ADR 0027)
    ctx.config = cfg
    ctx.refusal = refusal
    may_read, flagged = registry.analysis_hints(cfg, event, ctx.home, env)
    ctx.accesses, ctx.analysis = analyse(event, ctx.home, env, may_read, flagged)
    if validators is None:
        validators = registry.load_all()
    records = chain.run(validators, ctx)
    return chain.decide(event, records), ctx


def decide_full(event: ev.Event, env: dict[str, Any]) -> tuple[ev.Decision, Context]:
    """The decision, approvals included (ADR 0012), before anything is recorded (ADR 0018)."""
    decision, ctx = decide(event, env)
    decision = approvals.resolve(event, decision, ctx)  # ADR 0012: approved / denied / asked / queued
    return decision, ctx


def decide_and_record(event: ev.Event, env: dict[str, Any], t0: float) -> ev.Decision:
    decision, ctx = decide_full(event, env)
    return record(event, env, t0, decision, ctx)


def decision_record(event: ev.Event, t0: float, decision: ev.Decision, ctx: Context) -> dict[str, Any]:
    """The ledger record of a decided call (redaction is linear in the input: ADR 0018)."""
    rec = _base_record(KIND_OF_PHASE.get(event.phase, "event"), event.platform)
    rec["id"] = ctx.record_id or rec["id"]
    rec.update(
        session=event.session_id,
        event=event.event_name,
        cwd=redact_text(_cap(event.cwd)),
    )
    if event.tool_name:
        rec["tool"] = event.tool_name
        rec["tool_kind"] = event.tool_kind
        rec["input"] = redact_value(event.tool_input)
        rec["input_digest"] = input_digest(event)
    accesses = ctx.accesses
    if accesses:
        rec["accesses"] = [
            [redact_text(_cap(a.path)), a.mode, a.resolved, a.via, a.tool] for a in accesses[:MAX_ACCESSES_RECORDED]
        ]
        if len(accesses) > MAX_ACCESSES_RECORDED:
            rec["accesses_truncated"] = len(accesses)
    analysis = ctx.analysis
    if analysis is not None and getattr(analysis, "indeterminate", False):
        rec["indeterminate"] = True
        if getattr(analysis, "parse_error", None):
            rec["parse_error"] = str(analysis.parse_error)[:300]
    rec["verdicts"] = decision.verdicts
    for k, v in (ctx.notes or {}).items():
        if k in NOTE_FIELDS:
            rec[k] = v
    rec.update(ctx.approval or {})
    rec["outcome"] = decision.outcome
    rec["would_block"] = any(v["would_block"] for v in decision.verdicts)
    if any(v.get("error") for v in decision.verdicts):
        rec["validator_error"] = True
    rec["rollout_rev"] = ctx.config.get("rev", "")
    rec["latency_ms"] = _latency(t0)
    return rec


def record(event: ev.Event, env: dict[str, Any], t0: float, decision: ev.Decision, ctx: Context) -> ev.Decision:
    """Append the decision's record (and a config refusal's) to the ledger."""
    state = ctx.state_dir
    if ctx.refusal:
        rec = _base_record("config_error", event.platform)
        rec["error"] = ctx.refusal["error"]
        rec["kept_rev"] = ctx.config.get("rev", "")
        backend.ledger_append(state, rec)
    ctx.pending_record = rec = decision_record(event, t0, decision, ctx)
    backend.ledger_append(state, rec)
    return decision


def record_elsewhere(event: ev.Event, env: dict[str, Any], t0: float, decided: tuple[ev.Decision, Context],
                     error: BaseException) -> ev.Decision:
    """The ledger could not take the record in time (a held lock, the deadline): write it to the
    side log, which needs no lock, and tell the agent who holds the ledger (ADR 0018). The
    decision itself is unchanged; an allow carries the note as a warning."""
    decision, ctx = decided
    rec = ctx.pending_record
    if rec is None:
        try:
            rec = decision_record(event, t0, decision, ctx)
        except BaseException:  # noqa: BLE001
            rec = _base_record(KIND_OF_PHASE.get(event.phase, "event"), event.platform)
            rec.update(session=event.session_id, outcome=decision.outcome)
    holder = getattr(error, "holder", "") or ledger.holder_of(ctx.state_dir)
    why = f"ledger lock busy{' (held by ' + holder + ')' if holder else ''}" if isinstance(error, ledger.LockTimeout) \
        else f"ledger not written in time ({type(error).__name__}{': ' + holder if holder else ''})"
    rec["record_error"] = why
    ledger.append_side(ctx.state_dir, rec)
    note = (f"hookgate: this decision was recorded in the side log, not the ledger: {why}. "
            "An agent must not hold hookgate's state files open (ADR 0018).")
    if decision.outcome == ev.ALLOW:
        return ev.Decision(ev.WARN, decision.verdicts, note, decision.reason)
    return decision._replace(message=(decision.message + "\n" + note) if decision.message else note)


def _fallback_state(env: dict[str, Any], platform: str = "") -> str:
    """The state dir when there is no Event: the governed project from what the platform
    controls (ADR 0018), never from the payload."""
    return paths.state_dir(paths.governed_root(platform, env), env)


BIG_INPUT = 1 << 20


def input_digest(event: ev.Event) -> str:
    """sha256 of the tool input's canonical JSON; for a payload over 1 MiB, of the raw stdin
    bytes instead ("stdin:…", computed by the hook): re-serialising 32 MiB would cost more than
    the deadline allows (ADR 0018)."""
    raw = (event.extra or {}).get("stdin_sha256") if isinstance(event.extra, dict) else None
    return "stdin:" + raw if raw else digest(event.tool_input)


def _cap(s: str, n: int = 4000) -> str:
    return s if len(s) <= n else s[:n] + f"…[{len(s) - n} more chars]"


def _latency(t0: float) -> float:
    try:
        return round((time.perf_counter() - t0) * 1000, 3) if t0 else -1.0
    except (OverflowError, OSError, ValueError):
        return -1.0


def _append_or_side(state: str, rec: dict[str, Any]) -> None:
    try:
        backend.ledger_append(state, rec)
    except BaseException as e:  # noqa: BLE001 - a held lock or the deadline: the side log
        rec["record_error"] = f"{type(e).__name__}: {str(e)[:200]}"
        ledger.append_side(state, rec)


def record_bad_input(platform: str, reason: str, data: bytes, env: dict[str, Any], t0: float) -> None:
    rec = _base_record("bad_input", platform)
    rec["error"] = reason
    rec["input_digest"] = digest(data.decode("utf-8", "replace")) if len(data) <= BIG_INPUT else \
        "stdin:" + _sha256_hex(data)
    rec["input_bytes"] = len(data)
    rec["outcome"] = ev.BLOCK
    rec["latency_ms"] = _latency(t0)
    try:
        _append_or_side(_fallback_state(env, platform), rec)
    except Exception:  # noqa: BLE001 - the deny is rendered regardless
        pass


def _sha256_hex(data: bytes) -> str:
    try:
        from _sha256 import sha256
    except ImportError:  # pragma: no cover
        from hashlib import sha256
    return str(sha256(data).hexdigest())


def record_failure(kind: str, platform: str, reason: str, env: dict[str, Any], t0: float,
                   event: ev.Event | None = None) -> None:
    """A crash or a missed deadline, recorded in the governed project's ledger (side log when
    the ledger is not free)."""
    rec = _base_record(kind, platform)
    rec["error"] = reason
    rec["outcome"] = ev.BLOCK
    if event is not None:
        rec.update(session=event.session_id, event=event.event_name, tool=event.tool_name)
        if event.tool_name:
            rec["input_digest"] = input_digest(event)
    rec["latency_ms"] = _latency(t0)
    state = paths.state_dir(event.project_root, env) if event is not None else _fallback_state(env, platform)
    _append_or_side(state, rec)


def record_crash(platform: str, reason: str, env: dict[str, Any], t0: float) -> None:
    record_failure("crash", platform, reason, env, t0)


def record_claims(state: str, sess: str, platform: str, how: str, rows: list[Any], where: dict[str, Any]) -> str:
    """Append a ``kind: claim`` ledger record: the merge gate's evidence that *sess* claimed
    these keys while working on this branch (ADR 0022). Returns a warning line when the claim
    could not be recorded ('' when it was)."""
    rec = _base_record("claim", platform)
    rec.update(session=sess, found_by=how, keys=[r["path"] for r in rows][:500],
               mode=rows[0]["mode"] if rows else "", granted=[r["path"] for r in rows if r["granted"]][:500],
               **{k: v for k, v in where.items() if v})
    try:
        backend.ledger_append(state, rec)
    except OSError as e:
        return (f"warning: the claim is held but could not be recorded in the ledger ({e.strerror or e}); "
                "the merge gate will not see it")
    return ""
