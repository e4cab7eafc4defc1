"""The budget policy: strict validation and compile (config time, never per call).

Shape (``hooks/budget.yaml`` → ``policy``; a project's ``.hookgate/hooks/budget.yaml``)::

    limits: {total_tokens: 2000000}      # any of input/output/cache_read/cache_write/total_tokens
    warn_at: 0.8                         # fraction of a limit
    block_at: 1.0
    platforms:                           # optional, per platform: replaces what it names
      cursor: {limits: {total_tokens: 500000}}

A project value replaces the shipped value of the same key (``limits`` as a whole): budget
limits are a maintainer's cost setting, not a security floor, and ``.hookgate/`` is written
only by humans (self-protection), so raising a limit there is the documented way (ADR 0014).
The compiled form resolves every platform fully, so the hot path does one dict lookup.
"""

from __future__ import annotations

from hookgate.validators.budget import ALL_KINDS

TOP_KEYS = ("limits", "warn_at", "block_at", "platforms")
PLATFORM_KEYS = ("limits", "warn_at", "block_at")
PLATFORMS = ("claude-code", "cursor", "gemini-cli")


def _fraction(v, where: str) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"{where}: must be a number such as 0.8 (a fraction of the limit), got {v!r}")
    if not 0 < v <= 10:
        raise ValueError(f"{where}: must be > 0 and <= 10 (a fraction of the limit), got {v!r}")
    return float(v)


def _limits(v, where: str) -> dict:
    if not isinstance(v, dict):
        raise ValueError(f"{where}: must be a mapping of token kind to a number of tokens")
    out = {}
    for k, n in v.items():
        if k not in ALL_KINDS:
            raise ValueError(f"{where}.{k}: unknown token kind (allowed: {', '.join(ALL_KINDS)})")
        if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
            hint = " (YAML reads 1e6 as text: write 1000000)" if isinstance(n, str) else ""
            raise ValueError(f"{where}.{k}: must be a positive whole number of tokens, got {n!r}{hint}")
        out[k] = n
    return out


def _section(doc, where: str, keys) -> dict:
    if not isinstance(doc, dict):
        raise ValueError(f"{where or 'policy'}: must be a mapping")
    prefix = f"{where}." if where else ""
    for k in doc:
        if k not in keys:
            raise ValueError(f"{prefix}{k}: unknown key (allowed: {', '.join(keys)})")
    out: dict = {}
    if "limits" in doc:
        out["limits"] = _limits(doc["limits"], f"{prefix}limits")
    for k in ("warn_at", "block_at"):
        if k in doc:
            out[k] = _fraction(doc[k], f"{prefix}{k}")
    return out


def validate(doc, where: str = "") -> dict:
    """The normalised policy document; ValueError naming the path of the first error."""
    if doc is None:
        doc = {}
    out = _section(doc, where, TOP_KEYS)
    plats = doc.get("platforms")
    if plats is not None:
        if not isinstance(plats, dict):
            raise ValueError(f"{where + '.' if where else ''}platforms: must be a mapping of platform to settings")
        out["platforms"] = {}
        for p, sec in plats.items():
            pw = f"{where + '.' if where else ''}platforms.{p}"
            if p not in PLATFORMS:
                raise ValueError(f"{pw}: unknown platform (known: {', '.join(PLATFORMS)})")
            out["platforms"][p] = _section(sec, pw, PLATFORM_KEYS)
    return out


def _check_order(sec: dict, where: str) -> None:
    if sec["warn_at"] > sec["block_at"]:
        raise ValueError(f"{where}warn_at ({sec['warn_at']:g}) must not exceed block_at ({sec['block_at']:g})")


def compile_policy(shipped: dict, project: dict | None, allow_loosen: bool = False) -> dict:
    base = validate(shipped or {})
    merged = dict(base)
    if project:
        proj = validate(project)
        merged.update({k: v for k, v in proj.items() if k != "platforms"})
        plats = dict(base.get("platforms") or {})
        plats.update(proj.get("platforms") or {})
        if plats:
            merged["platforms"] = plats
    merged.setdefault("limits", {})
    merged.setdefault("warn_at", 0.8)
    merged.setdefault("block_at", 1.0)
    _check_order(merged, "")
    resolved = {}
    for p, sec in (merged.get("platforms") or {}).items():
        r = {"limits": sec.get("limits", merged["limits"]), "warn_at": sec.get("warn_at", merged["warn_at"]),
             "block_at": sec.get("block_at", merged["block_at"])}
        _check_order(r, f"platforms.{p}.")
        resolved[p] = r
    out = {"limits": merged["limits"], "warn_at": merged["warn_at"], "block_at": merged["block_at"]}
    if resolved:
        out["platforms"] = resolved
    return out
