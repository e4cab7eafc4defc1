"""Read guard: credentials and secrets are not read, by any tool or shell command (ADR 0008).

Policy as data (``hooks/read-guard.yaml``, tightened by ``.hookgate/hooks/read-guard.yaml``):
path patterns → ``deny`` | ``ask``. Reads are Read/Grep/Glob/MCP targets and every shell
reader the shell engine reports (``cat``, ``cp SRC``, ``source``, ``git show REV:F``, …);
metadata (``ls``, ``stat``, ``test -f``) is not a read. Unresolved words, globs and
interpreter code that may name a protected file are indeterminate: ask or deny per rule.
"""

from __future__ import annotations

from hookgate.core import event as ev

HOOK_ID = "read-guard"
ADR = "adr/0008-read-guard.md"
PHASES = frozenset((ev.PRE,))


def check(event, accesses, analysis, policy, stage, state_dir, project_root, home, record_id, notes, env):
    if not accesses or not policy.get("rules"):
        return ev.allow(HOOK_ID)
    from hookgate.validators.policy.guard import GuardCall, decide

    return decide(GuardCall(kind="read", hook_id=HOOK_ID, adr=ADR, event=event, accesses=accesses, policy=policy,
                            stage=stage, state_dir=state_dir, project_root=project_root, home=home,
                            record_id=record_id, notes=notes, analysis=analysis, env=env))


def compile_policy(shipped, project, allow_loosen):
    from hookgate.validators.policy.compile import compile_policy as _compile

    return _compile(shipped, project, allow_loosen, "read")
