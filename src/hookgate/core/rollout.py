"""Rollout stages and the decision merge (ADR 0003). Pure functions, hot path.

A raw verdict passes through its hook's stage:

=========== ========= ========= =========
raw         monitor   warn      enforce
=========== ========= ========= =========
allow       allow     allow     allow
warn        allow     warn      warn
checkpoint  allow     warn      checkpoint
block       allow     warn      block
=========== ========= ========= =========

``would_block`` is true whenever the raw verdict is checkpoint or block, at every stage, so
"what would have been blocked" is a query over the ledger. Effective outcomes merge
most-restrictive-wins: block > checkpoint > warn > allow.
"""

from __future__ import annotations

from hookgate.core.event import (
    ALLOW,
    BLOCK,
    BLOCKING_OUTCOMES,
    CHECKPOINT,
    ENFORCE,
    MONITOR,
    OUTCOME_RANK,
    STAGE_RANK,
    WARN,
)
from hookgate.validators import PINNED_ENFORCE

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from typing import Any, Iterable

_EFFECT = {
    MONITOR: {ALLOW: ALLOW, WARN: ALLOW, CHECKPOINT: ALLOW, BLOCK: ALLOW},
    WARN: {ALLOW: ALLOW, WARN: WARN, CHECKPOINT: WARN, BLOCK: WARN},
    ENFORCE: {ALLOW: ALLOW, WARN: WARN, CHECKPOINT: CHECKPOINT, BLOCK: BLOCK},
}


def stage_for(config: dict[str, Any], hook_id: str, platform: str) -> str:
    """The stage of *hook_id* on *platform*: per-platform override, then hook stage,
    capped by ``global_stage_cap``; pinned hooks are always enforce."""
    if hook_id in PINNED_ENFORCE:
        return ENFORCE
    entry = config.get("hooks", {}).get(hook_id) or {}
    stage = (entry.get("platforms") or {}).get(platform) or entry.get("stage") or MONITOR
    cap = config.get("global_stage_cap")
    if cap and STAGE_RANK.get(cap, 2) < STAGE_RANK.get(stage, 0):
        stage = cap
    return stage


def effective(raw: str, stage: str) -> str:
    return _EFFECT.get(stage, _EFFECT[ENFORCE]).get(raw, BLOCK)


def would_block(raw: str) -> bool:
    return raw in BLOCKING_OUTCOMES


def merge(outcomes: Iterable[str]) -> str:
    best = ALLOW
    for o in outcomes:
        if OUTCOME_RANK[o] > OUTCOME_RANK[best]:
            best = o
    return best
