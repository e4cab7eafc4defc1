"""A hand edit of ``.hookgate/rollout.yaml`` that changes a stage is a stage change like
``hookgate rollout promote``: it is recorded as a ``rollout_change`` ledger record (``who:
"hand edit"``) the first time any hookgate process compiles the edited file, before the
decision that uses it — so evidence windows (ADR 0015) start there and ``audit`` shows it
(ADR 0019). Standard library only: the hot path calls it from ``config.load``."""

from __future__ import annotations

import os
import time

from hookgate import __version__
from hookgate.state import backend
from hookgate.core import rollout

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from typing import Any


def _keys(cfg: dict[str, Any]) -> set[tuple[str, str]]:
    keys = set()
    for hook, entry in (cfg.get("hooks") or {}).items():
        keys.add((hook, ""))
        for plat in ((entry or {}).get("platforms") or {}) if isinstance(entry, dict) else ():
            keys.add((hook, plat))
    return keys


def stage_changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """[{hook, target_platform, from, to}] where the stage in force differs (cap included)."""
    out = []
    for hook, plat in sorted(_keys(old) | _keys(new)):
        a, b = rollout.stage_for(old, hook, plat), rollout.stage_for(new, hook, plat)
        if a != b and (not plat or a != rollout.stage_for(old, hook, "") or b != rollout.stage_for(new, hook, "")):
            out.append({"hook": hook, "target_platform": plat, "from": a, "to": b})
    return out


def record(state_dir: str, old: dict[str, Any], new: dict[str, Any], file: str) -> list[dict[str, Any]]:
    """Append one ``rollout_change`` per stage that *new* changes; return the records."""
    now = time.time()
    ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z"
    out = []
    for ch in stage_changes(old, new):
        rec = {"v": 1, "id": os.urandom(6).hex(), "ts": ts, "kind": "rollout_change", "platform": "",
               "version": __version__, "scope": "platform" if ch["target_platform"] else "stage",
               "who": "hand edit", "file": file, "rollout_rev": new.get("rev", ""),
               "from_rev": old.get("rev", ""), **ch}
        out.append(backend.ledger_append(state_dir, rec))
    return out
