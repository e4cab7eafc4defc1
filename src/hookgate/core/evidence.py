"""Rollout evidence from the ledger: per hook and platform, and the promotion gate (ADR 0015).

Everything here is a query over ledger records (``kind: decision|post`` carry one verdict per
hook; ``label`` records mark a would-block tp/fp; ``rollout_change`` records say when a hook's
stage last changed). Nothing is stored besides the ledger.

The evidence window of a hook (on a platform) starts at its latest ``rollout_change`` — or the
``since`` written next to its stage in rollout.yaml, whichever is later — so a promotion is
judged on what the hook did in the stage it is leaving.
"""

from __future__ import annotations

import calendar
from array import array
import importlib.util
import time

from hookgate.core.event import ENFORCE, MONITOR, STAGES, WARN

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from typing import Any, Iterable

EVALUATED_KINDS = frozenset(("decision", "post"))
RAW_OUTCOMES = ("allow", "warn", "checkpoint", "block")
LABELS = ("tp", "fp")
ALL = "all"
CHART_DAYS = 14
MAX_IDS = 1000

# Hooks whose enforce stage holds actions for a human (issue 6): their warn -> enforce step needs
# a working checkpoint path. A hook that ever recorded a raw checkpoint verdict counts too.
CHECKPOINT_TIER_HOOKS = frozenset(("self-protection", "read-guard", "write-guard"))

DEFAULT_GATE = {
    "min_evaluations": 200,
    "min_days": 7,
    "min_labelled": 20,
    "min_precision": 0.95,
    "max_error_rate": 0.001,
}


_DAY0: dict[str, int] = {}  # "YYYY-MM-DD" -> epoch seconds of its midnight (UTC)


def _fast_ts(s: str) -> float | None:
    """The ledger's own form (``2026-11-23T10:00:00.000Z``), without strptime: a 1 M-record
    ledger parses it 5 M times (ADR 0027). None for any other form."""
    if len(s) != 24 or s[10] != "T" or s[13] != ":" or s[16] != ":" or s[19] != "." or s[23] != "Z":
        return None
    day = s[:10]
    d0 = _DAY0.get(day)
    if d0 is None:
        try:
            d0 = calendar.timegm(time.strptime(day, "%Y-%m-%d"))
        except ValueError:
            return None
        if len(_DAY0) > 4096:
            _DAY0.clear()
        _DAY0[day] = d0
    if not (s[11:13].isdigit() and s[14:16].isdigit() and s[17:19].isdigit() and s[20:23].isdigit()):
        return None  # (str.isdigit: ASCII digits here, as strptime's %H/%M/%S want them)
    h, m, sec = int(s[11:13]), int(s[14:16]), int(s[17:19])
    if h > 23 or m > 59 or sec > 61:
        return None
    return d0 + h * 3600 + m * 60 + sec + float("0." + s[20:23])


_DAYS: dict[int, str] = {}  # int(ts // 86400) -> "YYYY-MM-DD"


def day_of(ts: float) -> str:
    k = int(ts // 86400)
    d = _DAYS.get(k)
    if d is None:
        d = time.strftime("%Y-%m-%d", time.gmtime(ts))
        if len(_DAYS) > 4096:
            _DAYS.clear()
        _DAYS[k] = d
    return d


def parse_ts(value: object) -> float | None:
    """Epoch seconds of a ledger timestamp (``2026-11-23T10:00:00.000Z``) or a date."""
    if not value:
        return None
    if isinstance(value, str):
        fast = _fast_ts(value)
        if fast is not None:
            return fast
    s = str(value).strip().rstrip("Z")
    frac = 0.0
    if "." in s:
        s, f = s.split(".", 1)
        try:
            frac = float("0." + f)
        except ValueError:
            frac = 0.0
    for fmt in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return calendar.timegm(time.strptime(s, fmt)) + frac
        except ValueError:
            continue
    return None


def next_stage(stage: str) -> str | None:
    i = STAGES.index(stage)
    return STAGES[i + 1] if i + 1 < len(STAGES) else None


def configured_stage(config: dict[str, Any], hook: str, platform: str = "") -> str:
    """The stage rollout.yaml sets (before the global cap)."""
    entry = config.get("hooks", {}).get(hook) or {}
    if platform:
        st = (entry.get("platforms") or {}).get(platform)
        if st:
            return str(st)
    return str(entry.get("stage") or MONITOR)


def percentile(values: list[float] | array[float], pct: float, presorted: bool = False) -> float | None:
    """Nearest-rank percentile (*presorted*: *values* are in order already)."""
    if not values:
        return None
    ordered = values if presorted else sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


class Stats:
    """Figures of one hook on one platform (or ``all``) within its evidence window."""

    def __init__(self, hook: str, platform: str) -> None:
        self.hook = hook
        self.platform = platform
        self.evaluations = 0
        self.raw = dict.fromkeys(RAW_OUTCOMES, 0)
        self.would_block = 0
        self.tp = 0
        self.fp = 0
        self.errors = 0
        from array import array

        self.latencies = array("d")  # 8 bytes a decision (a list of floats: 32): ADR 0027
        self.latencies_sorted = False  # the rollup hands them over in order
        self.first: float | None = None
        self.last: float | None = None
        self.per_day: dict[str, int] = {}
        self.eval_days: set[str] = set()
        self.unlabelled = 0
        self.unlabelled_ids: list[str] = []  # the first MAX_IDS of them

    def add(self, rec: dict[str, Any], verdict: dict[str, Any], ts: float, label: str | None) -> None:
        self.evaluations += 1
        raw = verdict.get("raw")
        if raw in self.raw:
            self.raw[raw] += 1
        if verdict.get("error"):
            self.errors += 1
        lat = rec.get("latency_ms")
        if isinstance(lat, (int, float)) and not isinstance(lat, bool):
            self.latencies.append(float(lat))
        if self.first is None or ts < self.first:
            self.first = ts
        if self.last is None or ts > self.last:
            self.last = ts
        day = day_of(ts)
        self.eval_days.add(day)
        if verdict.get("would_block"):
            self.would_block += 1
            self.per_day[day] = self.per_day.get(day, 0) + 1
            if label == "tp":
                self.tp += 1
            elif label == "fp":
                self.fp += 1
            else:
                self.unlabelled += 1
                if len(self.unlabelled_ids) < MAX_IDS:
                    self.unlabelled_ids.append(rec.get("id", ""))

    @property
    def days(self) -> float:
        if self.first is None or self.last is None:
            return 0.0
        return (self.last - self.first) / 86400.0

    @property
    def labelled(self) -> int:
        return self.tp + self.fp

    @property
    def precision(self) -> float | None:
        return self.tp / self.labelled if self.labelled else None

    @property
    def error_rate(self) -> float | None:
        return self.errors / self.evaluations if self.evaluations else None

    def to_dict(self) -> dict[str, Any]:
        def fmt(t: float | None) -> str | None:
            return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t)) if t is not None else None

        ordered = self.latencies if self.latencies_sorted else sorted(self.latencies)  # once for both
        p50 = percentile(ordered, 50, True)
        p95 = percentile(ordered, 95, True)
        return {
            "platform": self.platform,
            "evaluations": self.evaluations,
            "raw": dict(self.raw),
            "would_block": self.would_block,
            "tp": self.tp,
            "fp": self.fp,
            "unlabelled": self.unlabelled,
            "errors": self.errors,
            "error_rate": self.error_rate,
            "precision": self.precision,
            "p50_ms": p50,
            "p95_ms": p95,
            "first": fmt(self.first),
            "last": fmt(self.last),
            "days": round(self.days, 2),
            "would_block_per_day": dict(sorted(self.per_day.items())),
        }


def labels_of(records: Iterable[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """(target record id, hook) → its latest label record."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for rec in records:
        if rec.get("kind") == "label" and rec.get("label") in LABELS:
            out[(rec.get("target", ""), rec.get("hook", ""))] = rec
    return out


def changes_of(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in records if r.get("kind") == "rollout_change"]


def last_change(changes: list[dict[str, Any]], hook: str, platform: str = "") -> dict[str, Any] | None:
    """The latest stage change of *hook* that applies on *platform* (a base change applies
    everywhere; a platform change only there; the global cap is not a stage change)."""
    best = None
    for c in changes:
        if c.get("hook") != hook or c.get("scope") == "cap":
            continue
        cp = c.get("target_platform") or ""
        if cp and cp != platform:
            continue
        best = c
    return best


def window_start(config: dict[str, Any], changes: list[dict[str, Any]], hook: str, platform: str = "") -> float | None:
    c = last_change(changes, hook, platform)
    found = [parse_ts(c.get("ts"))] if c else []
    found.append(parse_ts((config.get("hooks", {}).get(hook) or {}).get("since")))
    starts = [s for s in found if s is not None]
    return max(starts) if starts else None


def collect(records: Iterable[dict[str, Any]], config: dict[str, Any], hooks: Iterable[str]) -> dict[str, Any]:
    """{hook: {platform|"all": Stats}} over each hook's evidence window, plus facts the gate
    needs: ``checkpoint_hooks`` (hooks that recorded a raw checkpoint) and ``answered``
    (checkpoints a human answered)."""
    records = list(records)
    return _collect(records, labels_of(records), changes_of(records), config, hooks)


# a line that holds none of these bytes is no label, stage change or answered checkpoint (a
# canonical record spells its own members exactly so): the first pass parses only the others
_PASS1 = (b'"kind":"label"', b'"kind":"rollout_change"')


def collect_path(path: str, config: dict[str, Any], hooks: Iterable[str]) -> dict[str, Any]:
    """:func:`collect` over the ledger at *path*, streamed (ADR 0027): a first pass finds the
    labels and stage changes (parsing only lines that can be one), a second reads the
    evaluations one line at a time. Memory: the figures, never the records."""
    from hookgate.state import jsonio as json
    from hookgate.state import ledger

    labels: dict[tuple[str, str], dict[str, Any]] = {}
    changes: list[dict[str, Any]] = []
    for _n, raw, _nl in ledger.iter_lines(path):
        if _PASS1[0] in raw or _PASS1[1] in raw:
            try:
                rec = json.loads(raw)
            except ValueError:
                continue
            if not isinstance(rec, dict):
                continue
            if rec.get("kind") == "label" and rec.get("label") in LABELS:
                labels[(rec.get("target", ""), rec.get("hook", ""))] = rec
            elif rec.get("kind") == "rollout_change":
                changes.append(rec)
    return _collect(ledger.iter_records(path), labels, changes, config, hooks)


def _collect(records: Iterable[dict[str, Any]], labels: dict[tuple[str, str], dict[str, Any]],
             changes: list[dict[str, Any]], config: dict[str, Any], hooks: Iterable[str]) -> dict[str, Any]:
    starts: dict[tuple[str, str], float | None] = {}
    out: dict[str, dict[str, Stats]] = {h: {ALL: Stats(h, ALL)} for h in hooks}
    checkpoint_hooks: set[str] = set()
    answered = 0
    for rec in records:
        if rec.get("approved_by") or rec.get("denied_by"):
            answered += 1
        if rec.get("kind") not in EVALUATED_KINDS:
            continue
        ts = parse_ts(rec.get("ts"))
        if ts is None:
            continue
        plat = rec.get("platform") or "?"
        for v in rec.get("verdicts") or ():
            hook = v.get("hook")
            if hook not in out:
                continue
            if v.get("raw") == "checkpoint":
                checkpoint_hooks.add(hook)
            key = (hook, plat)
            if key not in starts:
                starts[key] = window_start(config, changes, hook, plat)
            start = starts[key]
            if start is not None and ts < start:
                continue
            lab = labels.get((rec.get("id", ""), hook))
            label = lab.get("label") if lab else None
            per = out[hook]
            if plat not in per:
                per[plat] = Stats(hook, plat)
            per[plat].add(rec, v, ts, label)
            per[ALL].add(rec, v, ts, label)
    return {"stats": out, "checkpoint_hooks": checkpoint_hooks, "answered": answered, "changes": changes}


def approvals_command_exists() -> bool:
    try:
        return importlib.util.find_spec("hookgate.approvals.store") is not None  # the queue `hookgate approvals` answers
    except (ImportError, ValueError):
        return False


def has_checkpoint_tier(hook: str, facts: dict[str, Any]) -> bool:
    return hook in CHECKPOINT_TIER_HOOKS or hook in facts.get("checkpoint_hooks", ())


def gate(stats: Stats, stage: str, gate_cfg: dict[str, Any], hook: str, facts: dict[str, Any]) -> dict[str, Any]:
    """Whether *stats* justify moving from *stage* one step up: {target, ready, conditions:
    [{name, ok, detail}]}."""
    cfg = dict(DEFAULT_GATE)
    cfg.update(gate_cfg or {})
    target = next_stage(stage)
    if target is None:
        return {"target": None, "ready": False,
                "conditions": [{"name": "stage", "ok": False, "detail": f"already at {stage}"}]}
    conds = []

    def cond(name: str, ok: bool, detail: str) -> None:
        conds.append({"name": name, "ok": bool(ok), "detail": detail})

    n = stats.evaluations
    cond("evaluations", n >= cfg["min_evaluations"], f"{n} evaluations (need ≥ {cfg['min_evaluations']})")
    cond("days", stats.days >= cfg["min_days"], f"{stats.days:.1f} days of evidence (need ≥ {cfg['min_days']})")
    cond("labelled", stats.labelled >= cfg["min_labelled"],
         f"{stats.labelled} labelled would-blocks (need ≥ {cfg['min_labelled']}; "
         f"{stats.unlabelled} unlabelled: `hookgate audit tail --unlabelled`)")
    prec = stats.precision
    cond("precision", prec is not None and prec >= cfg["min_precision"],
         f"precision {'n/a' if prec is None else f'{prec:.1%}'} ({stats.tp} tp / {stats.fp} fp; "
         f"need ≥ {cfg['min_precision']:.0%})")
    rate = stats.error_rate
    cond("errors", rate is not None and rate < cfg["max_error_rate"],
         f"error rate {'n/a' if rate is None else f'{rate:.2%}'} ({stats.errors} validator errors; "
         f"need < {cfg['max_error_rate']:.1%})")
    if stage == WARN and target == ENFORCE:
        if not has_checkpoint_tier(hook, facts):
            cond("checkpoint-path", True, "no checkpoint tier (never asks a human)")
        elif not approvals_command_exists():
            cond("checkpoint-path", False, "checkpoint tier, but `hookgate approvals` is not installed")
        elif not facts.get("answered"):
            cond("checkpoint-path", False,
                 "checkpoint tier, but no checkpoint was ever answered by a human (ledger has no approved_by/denied_by)")
        else:
            cond("checkpoint-path", True, f"approvals command present; {facts['answered']} checkpoints answered")
    return {"target": target, "ready": all(c["ok"] for c in conds), "conditions": conds}


def summary(stats: Stats) -> dict[str, Any]:
    """The evidence recorded with a rollout change."""
    d = stats.to_dict()
    return {k: d[k] for k in ("platform", "evaluations", "would_block", "tp", "fp", "unlabelled", "errors",
                             "days", "p95_ms", "first", "last")}


def day_chart(per_day: dict[str, int], first_ts: float | None, last_ts: float | None,
              days: int = CHART_DAYS, width: int = 30) -> list[str]:
    """A text bar chart of would-blocks per UTC day over the evidence window (its last *days*)."""
    if last_ts is None or first_ts is None:
        return []
    end = int(last_ts // 86400)
    start = max(int(first_ts // 86400), end - days + 1)
    peak = max(per_day.values(), default=0)
    lines = []
    for d in range(start, end + 1):
        day = time.strftime("%Y-%m-%d", time.gmtime(d * 86400))
        n = per_day.get(day, 0)
        bar = "#" * (0 if not peak else max(1 if n else 0, round(n * width / peak)))
        lines.append(f"{day} {bar:<{width}} {n}")
    return lines
