"""What the shell analysis may ask the path guards (ADR 0008 item 6, ADR 0021).

The shell engine knows nothing of policy; the engine hands it two predicates built here from
the compiled read-guard and write-guard policies, through ``validators.analysis_hints``:

- ``may_read(path)``: a file the read guard would let the agent read (so its content may be
  read to follow what a command does with it);
- ``flagged(access)``: would a guard deny or ask about this (unresolved) access — used only to
  choose between a symbolic and a concrete analysis of a loop.
"""

from __future__ import annotations

from hookgate.core import event as ev


def read_predicate(cfg, event: ev.Event, home: str):
    """``may_read(path)`` for the shell engine (ADR 0008 item 6): a file the read guard would let
    the agent read, by any rule of its policy, whatever the hook's stage. None (never read)
    when there is no read-guard policy or the config was refused."""
    policy = (cfg or {}).get("policies", {}).get("read-guard") if isinstance(cfg, dict) else None
    # (a content search and an MCP tool's command are judged with it too: ADR 0021)
    if event.tool_kind not in (ev.SHELL, ev.SEARCH, ev.MCP) or not isinstance(policy, dict) or not policy.get("rules"):
        return None
    root = event.project_root or event.cwd or "/"

    def may_read(path: str) -> bool:
        from hookgate.validators.policy.guard import classifier

        try:
            return classifier(policy, root, home).classify_path(path, ev.MODE_READ, event.cwd) is None
        except Exception:  # noqa: BLE001 - unsure: do not read
            return False

    return may_read


def guard_predicate(cfg, event: ev.Event, home: str, env: dict):
    """``flagged(access)`` for the shell engine: would the read or write guard deny or ask about
    this (unresolved) access? Used only to choose between a symbolic and a concrete analysis
    of a loop; the guards still judge every access afterwards."""
    policies = (cfg or {}).get("policies", {}) if isinstance(cfg, dict) else {}
    if event.tool_kind not in (ev.SHELL, ev.MCP):
        return None
    pairs = [(kind, policies.get(hook)) for kind, hook in (("read", "read-guard"), ("write", "write-guard"))]
    pairs = [(k, p) for k, p in pairs if isinstance(p, dict) and p.get("rules")]
    if not pairs:
        return None
    root = event.project_root or event.cwd or "/"

    def flagged(access) -> bool:
        from hookgate.validators.policy.guard import hits_of

        try:
            return any(hits_of(kind, event, [access], policy, root, home, None, env) for kind, policy in pairs)
        except Exception:  # noqa: BLE001 - unsure: treat as flagged (the concrete run is exact)
            return True

    return flagged
