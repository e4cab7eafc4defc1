"""Write guard: tiered protection of paths, by any tool or shell command (ADR 0009).

Policy as data (``hooks/write-guard.yaml``, tightened by ``.hookgate/hooks/write-guard.yaml``):
path patterns → ``block`` | ``checkpoint`` | ``warn``. Writes and deletes come from
Write/Edit/MultiEdit/NotebookEdit/MCP and from every shell writer the shell engine reports
(redirects, ``tee``, ``cp``/``mv`` destinations, ``sed -i``, interpreters, …). Unresolved
targets that may be protected are indeterminate: checkpoint or block per rule. A path
blocked earlier in the session and reached again by another route is a workaround:
flagged in the ledger (``workaround_of``) and the session's warn tier becomes checkpoint.
"""

from __future__ import annotations

from hookgate.core import event as ev

HOOK_ID = "write-guard"
ADR = "adr/0009-write-guard.md"
PHASES = frozenset((ev.PRE,))


def check(event, accesses, analysis, policy, stage, state_dir, project_root, home, record_id, notes, env):
    if not accesses or not policy.get("rules"):
        return ev.allow(HOOK_ID)
    from hookgate.validators.policy.guard import GuardCall, decide

    return decide(GuardCall(kind="write", hook_id=HOOK_ID, adr=ADR, event=event, accesses=accesses, policy=policy,
                            stage=stage, state_dir=state_dir, project_root=project_root, home=home,
                            record_id=record_id, notes=notes, analysis=analysis, env=env))


def compile_policy(shipped, project, allow_loosen):
    from hookgate.validators.policy.compile import compile_policy as _compile

    return _compile(shipped, project, allow_loosen, "write")
