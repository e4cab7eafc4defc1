"""What a checkpoint becomes: approved retry, human denial, native prompt or queued request
(ADR 0012). Called by ``approvals.resolve`` only for checkpoints and post-events.

Order, under the store lock:
1. an approved, unexpired request for the same action digest → spend it, allow;
2. a denied, unexpired request for it → block with the human's reason;
3. native ask where the platform enforces it (the chain kept CHECKPOINT, i.e. ``can_ask``) and
   the project does not prefer the queue for this platform → render the ask, record it;
4. otherwise reuse the pending request for the digest, or create one → block with one short
   paragraph: a human runs ``hookgate approvals approve <id>``; continue with other work.
"""

from __future__ import annotations

import os
import time

from hookgate.core import chain, rollout
from hookgate.core import event as ev
from hookgate.approvals.action import action_of, proposal_of
from hookgate.state.selfcmd import command

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from typing import Any

    from hookgate.core.context import Context

ADR = "adr/0012-approvals.md"
SETTINGS_HOOK = "self-protection"  # approvals settings live under its policy (pinned to enforce)
DEFAULTS = {"prefer_queue": (), "pending_ttl": 86400.0, "approved_ttl": 3600.0, "max_window": 86400.0}
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value) -> float | None:
    """``90``, ``"90s"``, ``"10m"``, ``"2h"``, ``"1d"`` → seconds; None if not a positive duration."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if value > 0 else None
    if not isinstance(value, str) or not value.strip():
        return None
    v = value.strip().lower()
    unit = _UNITS.get(v[-1])
    num = v[:-1] if unit else v
    try:
        n = float(num)
    except ValueError:
        return None
    n *= unit or 1
    return n if n > 0 else None


def settings(config: dict) -> dict:
    """The project's approvals settings (``policy.approvals`` of the self-protection hook).
    An invalid value keeps its default: every choice here still needs a human."""
    out = dict(DEFAULTS)
    raw = ((config or {}).get("policies") or {}).get(SETTINGS_HOOK) or {}
    raw = raw.get("approvals") if isinstance(raw, dict) else None
    if not isinstance(raw, dict):
        return out
    pq = raw.get("prefer_queue")
    if pq is True:
        out["prefer_queue"] = ("*",)
    elif isinstance(pq, (list, tuple)):
        out["prefer_queue"] = tuple(p for p in pq if isinstance(p, str))
    elif isinstance(pq, str):
        out["prefer_queue"] = (pq,)
    for k in ("pending_ttl", "approved_ttl", "max_window"):
        if k in raw:
            d = parse_duration(raw[k])
            if d is not None:
                out[k] = d
    return out


def _prefers_queue(cfg: dict, platform: str) -> bool:
    pq = cfg["prefer_queue"]
    return "*" in pq or platform in pq


def _checkpoint_records(records: list[dict]) -> list[dict]:
    return [r for r in records if r.get("effective") == ev.CHECKPOINT]


def _why(records: list[dict]) -> str:
    parts = []
    for r in _checkpoint_records(records):
        rule = f"{r['hook']}/{r.get('rule', '')}".rstrip("/")
        parts.append(f"{r.get('reason', '')} [rule {rule}; {r.get('adr', '')}]")
    return "; ".join(parts)


def _allowed(event: ev.Event, decision: ev.Decision) -> ev.Decision:
    """The decision with the checkpoint verdicts answered: what the rest of the chain says."""
    rest = [r for r in decision.verdicts if r.get("effective") != ev.CHECKPOINT]
    outcome = rollout.merge(r["effective"] for r in rest)
    message, reason = chain.message_for(event, outcome, rest)
    return ev.Decision(outcome, decision.verdicts, message, reason)


def _tool(event: ev.Event) -> str:
    return event.tool_name or event.event_name or "action"


# permission modes in which the client shows no prompt (an `ask` would never be answered)
NO_PROMPT_MODES = {"dontAsk": "permission mode dontAsk shows no prompts",
                   "bypassPermissions": "permission mode bypassPermissions shows no prompts"}
HEADLESS_FLAGS = frozenset(("-p", "--print"))
AGENT_NAMES = frozenset(("claude", "cursor-agent", "gemini", "codex", "copilot", "qwen"))
_ANCESTORS = 8


def _agent_name(argv: list[str]) -> str:
    for a in argv[:2]:
        base = os.path.basename(a)
        for ext in (".exe", ".js", ".mjs"):
            base = base.removesuffix(ext)
        if base in AGENT_NAMES:
            return base
        if "/claude-code/" in a or "@anthropic-ai/claude" in a:
            return "claude"
    return ""


def headless_agent(pid: int | None = None) -> str:
    """The agent CLI among this process's ancestors when it runs headless (``claude -p``,
    ``cursor-agent --print``) with no prompt tool, else "". Linux /proc; the agent's argv is
    the user's, never the model's (bounded: a few small reads)."""
    pid = os.getppid() if pid is None else pid
    for _ in range(_ANCESTORS):
        if pid <= 1:
            return ""
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = [a.decode("utf-8", "replace") for a in f.read(65536).split(b"\0") if a]
            with open(f"/proc/{pid}/stat", "rb") as f:
                stat = f.read(4096).decode("utf-8", "replace")
        except OSError:
            return ""
        name = _agent_name(argv)
        if name:
            headless = any(a in HEADLESS_FLAGS or a.startswith("--print=") for a in argv[1:])
            prompt_tool = any(a.startswith("--permission-prompt-tool") for a in argv[1:])
            return f"`{name} -p` (pid {pid})" if headless and not prompt_tool else ""
        try:
            pid = int(stat.rsplit(")", 1)[1].split()[1])
        except (IndexError, ValueError):
            return ""
    return ""


def no_prompt_reason(event: ev.Event) -> str:
    """Why the client cannot show a prompt for this event (so the checkpoint is queued), or ""."""
    raw = event.raw if isinstance(event.raw, dict) else {}
    mode = raw.get("permission_mode")
    if isinstance(mode, str) and mode in NO_PROMPT_MODES:
        return NO_PROMPT_MODES[mode]
    h = headless_agent()
    return f"{h} runs headless, with no one to answer a prompt" if h else ""


def queued_message(event: ev.Event, records: list[dict], req: dict, no_prompt: str = "") -> str:
    rid = req["id"]
    why_queue = f" No prompt can be shown here: {no_prompt}." if no_prompt else ""
    return (
        f"hookgate: this {_tool(event)} call needs a human's approval: {_why(records)}.{why_queue} "
        f"It is queued as approval request {rid}: ask the user to run `{command()} approvals approve {rid}` "
        f"in their own terminal (agents cannot approve; {ADR}). Meanwhile continue with other work that "
        "does not need this action, and retry exactly this call once the user says it is approved "
        "(a different command, path or content needs a new approval)."
    )


def denied_message(event: ev.Event, req: dict) -> str:
    reason = req.get("reason") or "no reason given"
    return (
        f"hookgate: a human denied this {_tool(event)} call (approval request {req['id']}, by "
        f"{req.get('approved_by') or 'a human'}): {reason}. Do not retry it or work around it through "
        f"another tool or a shell command; ask the user how to proceed [{ADR}]."
    )


def store_for(state: str):
    """The approval store of this repository's state backend (ADR 0028): ``approvals.store``
    itself, or the same functions over the shared database (``approvals.pgstore``);
    SharedStateUnavailable when it cannot be reached now (the caller denies)."""
    from hookgate.approvals import store
    from hookgate.state import backend

    return backend.for_state(state).store(state, "approvals", store, _shared_store)


def _shared_store(b):
    from hookgate.approvals import pgstore

    return pgstore.for_backend(b)


def on_checkpoint(event: ev.Event, decision: ev.Decision, ctx: Context, as_block: bool) -> ev.Decision:
    state = ctx.state_dir
    store = store_for(state)
    action = action_of(event, ctx.home)
    cfg = settings(ctx.config or {})
    info: dict[str, Any] = {"approval_digest": action.digest}
    if as_block:
        info["checkpoint_as_block"] = True  # the platform/event cannot ask: the chain denied instead
    ctx.approval = info
    now = time.time()
    with store.locked(state):
        reqs = store.matching(state, action.digest, now)
        for req in reqs:
            if req["status"] == store.APPROVED and now < float(req["expires"]):
                store.use(state, req, now, event.session_id)
                info.update(approval="approved", approval_id=req["id"], approved_by=req.get("approved_by", ""),
                            approved_at=store._iso(float(req["approved_at"])), approval_mode=req.get("mode", "once"))
                return _allowed(event, decision)
        for req in reqs:
            if req["status"] == store.DENIED and now < float(req["expires"]):
                info.update(approval="denied", approval_id=req["id"], approved_by=req.get("approved_by", ""))
                msg = denied_message(event, req)
                return ev.Decision(ev.BLOCK, decision.verdicts, msg, f"denied by a human: {req.get('reason', '')}"[:1000])
        fields = {
            "session": event.session_id, "platform": event.platform, "tool": _tool(event),
            "tool_kind": event.tool_kind, "summary": action.summary, "digest": action.digest,
            "cwd": event.cwd, "status": store.PENDING, "route": store.ROUTE_QUEUE,
            "rules": [f"{r['hook']}/{r.get('rule', '')}" for r in _checkpoint_records(decision.verdicts)],
            "why": _why(decision.verdicts), "record": ctx.record_id or "",
            "proposal": proposal_of(event, ctx.home),
        }
        no_prompt = ""
        native = not as_block and event.capabilities.can_ask and not _prefers_queue(cfg, event.platform)
        if native:
            no_prompt = no_prompt_reason(event)
            if no_prompt:
                native = False
                info["no_prompt"] = no_prompt
        if native:
            fields.update(status=store.UNANSWERED, route=store.ROUTE_NATIVE)
            req = store.create(state, fields, now, cfg["pending_ttl"])
            tool_use_id = (event.extra or {}).get("tool_use_id") or ""
            store.add_open_ask(state, req, tool_use_id if isinstance(tool_use_id, str) else "")
            info.update(approval="native-ask", approval_id=req["id"])
            rid = req["id"]
            reason = (f"{decision.reason} — hookgate approval request {rid} (if no prompt appears, approve it "
                      f"from a terminal: {command()} approvals approve {rid})")
            return ev.Decision(decision.outcome, decision.verdicts, decision.message, reason[:1500])
        pending = next((r for r in reqs if r["status"] == store.PENDING), None)
        if pending is None:
            pending = store.create(state, fields, now, cfg["pending_ttl"])
            info["approval"] = "queued"
        else:
            info["approval"] = "queued-again"
        info["approval_id"] = pending["id"]
    msg = queued_message(event, decision.verdicts, pending, no_prompt)
    return ev.Decision(ev.BLOCK, decision.verdicts, msg, f"approval {pending['id']} pending: {_why(decision.verdicts)}"[:1000])


def on_post(event: ev.Event, ctx: Context) -> None:
    """A post-event: if it follows a native prompt of this session, the human said yes."""
    state = ctx.state_dir
    from hookgate.approvals import store as local

    entries = local.open_asks(state)  # native prompts are this machine's; the requests may be shared
    if not entries:
        return
    store = store_for(state)
    now = time.time()
    tool_use_id = (event.extra or {}).get("tool_use_id") or ""
    action = action_of(event, ctx.home)
    for e in entries:
        same = e.get("session") == event.session_id and (
            (tool_use_id and e.get("tool_use_id") == tool_use_id) or e.get("digest") == action.digest
        )
        if not same:
            if now > float(e.get("expires", 0)):
                store.drop_open_ask(state, e["id"])  # never answered: the request stays unanswered
            continue
        with store.locked(state):
            req = store.load(state, e["id"])
            if req is not None and req["status"] == store.UNANSWERED:
                req.update(status=store.CONSUMED, approved_by=store.NATIVE_APPROVER, approved_at=now,
                           ended_at=now, uses=1, mode="once")
                store.save(state, req)
                store.record(state, req, "answered", by_session=event.session_id)
                ctx.approval = {"approval": "native-answered", "approval_id": req["id"],
                                   "approved_by": store.NATIVE_APPROVER, "approved_at": store._iso(now)}
            store.drop_open_ask(state, e["id"])
        return
