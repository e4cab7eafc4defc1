"""Budget: a per-session token budget read from the agent's own records (ADR 0014).

Claude Code and Gemini CLI: the session transcript, read incrementally
(``hookgate.validators.budget``); Cursor: an estimate from ``preCompact`` context figures and payload
sizes, always labelled as one. Over ``warn_at`` of a limit → warn with the figures; over
``block_at`` → block every tool call except read-only ones (Read/Grep/Glob, a shell command
the analyser proved has no write or delete and is not indeterminate) so the agent can still
look around and wrap up. No usage data (no transcript yet) → allow. The rollout stage applies
as for every hook (shipped: warn).
"""

from __future__ import annotations

from hookgate.core import event as ev

HOOK_ID = "budget"
ADR = "adr/0014-budget.md"
PHASES = frozenset((ev.PRE, ev.POST, ev.OTHER_PHASE))
POLICY_FILE = ".hookgate/hooks/budget.yaml"
READ_ONLY_KINDS = frozenset((ev.READ, ev.SEARCH))
# platforms whose reader accumulates per event (every phase counts); the rest read transcripts
PER_EVENT_PLATFORMS = frozenset(("cursor",))


def compile_policy(shipped, project, allow_loosen=False):
    from hookgate.validators.budget.policy import compile_policy as compile_budget

    return compile_budget(shipped, project, allow_loosen)


def limits_for(policy: dict, platform: str) -> dict:
    return (policy.get("platforms") or {}).get(platform) or policy


def read_only(event, accesses, analysis) -> bool:
    """A call that cannot change anything: Read/Grep/Glob, or a shell command the analyser
    proved has no write/delete access and is not indeterminate."""
    if event.tool_kind in READ_ONLY_KINDS:
        return all(a.mode == ev.MODE_READ for a in accesses)
    if event.tool_kind == ev.SHELL:
        if analysis is None or getattr(analysis, "indeterminate", True):
            return False
        return not any(a.mode in ev.MUTATING_MODES for a in accesses)
    return False


def _fmt(n: int) -> str:
    return f"{n:,}"


def figures(used: dict, limits: dict, estimate: bool) -> str:
    from hookgate.validators.budget import KIND_LABELS, KINDS, TOTAL

    parts = []
    for k, lim in sorted(limits.items(), key=lambda kv: -used.get(kv[0], 0) / kv[1]):
        parts.append(f"{_fmt(used.get(k, 0))} of {_fmt(lim)} {KIND_LABELS[k]} tokens ({used.get(k, 0) * 100 / lim:.0f}%)")
    kinds = " · ".join(f"{KIND_LABELS[k]} {_fmt(used[k])}" for k in KINDS if used.get(k))
    est = "estimated " if estimate else ""
    return f"this session has used {est}" + "; ".join(parts) + (f" [{kinds}; total {_fmt(used[TOTAL])}]" if kinds else "")


def check(event, accesses, analysis, policy, state_dir):
    lim = limits_for(policy, event.platform)
    limits = lim.get("limits") or {}
    if not limits:
        return None
    if event.phase != ev.PRE and event.platform not in PER_EVENT_PLATFORMS:
        return None  # transcripts are read when a decision is due
    from hookgate.validators import budget

    st = budget.usage(event, state_dir)
    if st is None or event.phase != ev.PRE:
        return None
    used = budget.totals(st)
    ratio, kind = max((used.get(k, 0) / n, k) for k, n in limits.items())
    warn_at, block_at = lim.get("warn_at", 0.8), lim.get("block_at", 1.0)
    if ratio < warn_at:
        return None
    est = bool(st.get("estimate"))
    text = figures(used, limits, est)
    raise_it = (
        f"a human can raise the limit by editing {POLICY_FILE} (e.g. `limits: {{{kind}: "
        f"{_fmt_plain(limits[kind] * 2)}}}`)"
    )
    if ratio >= block_at:
        if read_only(event, accesses, analysis):
            return ev.Verdict(
                HOOK_ID, ev.WARN, "over-budget-read-only",
                f"token budget spent: {text}; read-only tools are still allowed so you can wrap up",
                ADR, f"summarise your work and stop; {raise_it}",
            )
        return ev.Verdict(
            HOOK_ID, ev.BLOCK, "over-budget",
            f"token budget spent: {text} (block at {block_at * 100:.0f}%); only read-only tools "
            "(Read, Grep, Glob, read-only shell commands) are allowed now",
            ADR, f"wrap up: summarise what is done and what is left for the user; {raise_it}",
        )
    return ev.Verdict(
        HOOK_ID, ev.WARN, "near-budget",
        f"{text}; warn at {warn_at * 100:.0f}%, tool calls are blocked at {block_at * 100:.0f}%",
        ADR, "plan to finish soon and keep tool output small",
    )


def _fmt_plain(n: int) -> str:
    return str(int(n))
