"""``hookgate install``'s floor part (ADR 0020): which settings and ignore files carry the
agents' own sandboxes, planned together with the wiring (ADR 0011) so that nothing is
written unless every file can be.

On by default where the platform's sandbox can start here (``native.preflight``); where it
cannot, the wiring is still written, no setting that would stop the agent from starting is,
and the user is told what to install. ``--no-floor`` takes a previous floor out.
"""

from __future__ import annotations

import os

from hookgate.floor import native
from hookgate.installer import merge, targets


def _floor_plan(project_root: str, ts: list):
    from hookgate.state import paths
    from hookgate.floor.plan import build
    from hookgate.state.locks import ensure_dir

    if any(t.scope == "project" for t in ts):
        ensure_dir(paths.state_dir(project_root))  # exists, so it is a literal path to protect
        os.makedirs(paths.config_dir(project_root), exist_ok=True)
    plan = build(project_root)
    from hookgate.validators.self_protection import protected_places

    extra = [t.path for t in ts] + [native.sidecar_path(t.path) for t in ts if t.platform in native.ENTRIES]
    from hookgate.floor import codex

    extra += [codex.config_path(t.path) for t in ts if t.platform == "codex"]
    dirs, _files = protected_places(plan.project_root, plan.state_dir, plan.home, os.environ)
    # a protected directory this install creates (.codex/, .opencode/plugin/ …) is protected whole
    extra += [d for d in dirs for p in list(extra) if paths.is_under(p, d)]
    plan.own_extra = sorted(set(extra))
    return plan


def install_plans(ts: list, command: str, no_floor: bool, project_root: str) -> tuple[list, list, list]:
    """(plans, refusals, messages) for installing wiring + floor into *ts*."""
    messages: list[str] = []
    plan = None
    if not no_floor:
        try:
            plan = _floor_plan(project_root, ts)
        except Exception as e:  # noqa: BLE001 - the wiring still goes in; say why the floor does not
            messages.append(f"floor: not written: cannot compute the protected paths ({e})")
    plans, refusals = [], []
    skill_shell = False
    if any(t.platform == "claude-code" for t in ts):
        version, where = native.claude_version()
        skill_shell = native.knows_skill_shell(version)
        messages.append("hook: claude-code: " + native.skill_shell_note(version, where))
    for t in ts:
        use = plan
        if use is not None:
            ok, why = native.preflight(t.platform)
            if not ok:
                use = None
                messages.append(f"floor: {t.platform}: not enabled: {why}. The hook is wired; "
                                "`hookgate doctor` will show the floor as off")
            elif t.platform in native.ENTRIES:
                messages.append(f"floor: {t.platform}: sandbox settings written to {t.path} ({why or 'available'})")
        try:
            plans.append(native.plan_install(t, command, use, skill_shell))
        except merge.Refusal as e:
            refusals.append(str(e))
            continue
        if t.platform == "codex":
            try:
                plans.extend(_codex_plans(t, use, messages))
            except merge.Refusal as e:
                refusals.append(str(e))
        name = native.IGNORE_FILES.get(t.platform)
        if name and t.scope == "project":
            path = os.path.join(project_root, name)
            from hookgate.core import config
            from hookgate.state import paths

            lines = None
            if use is not None:
                compiled, _ = config.load(project_root, paths.state_dir(project_root))
                lines = native.ignore_lines(compiled)
            before, after = native.ignore_plan(path, lines)
            if before != after or before is not None:
                plans.append(merge.Plan(targets.Target(t.platform, t.scope, path), before, after, False, False, 0, 0))
            if use is not None and t.platform == "cursor":
                messages.append("floor: cursor: .cursorignore written; Cursor's sandbox.json has no key that denies a "
                                "path, and ~/ paths (SSH keys, cloud credentials) cannot be expressed there")
    return plans, refusals, messages


def _codex_plans(t, plan, messages: list) -> list:
    """Codex's permission profile in ``config.toml`` beside the wiring (``floor.codex``)."""
    from hookgate.floor import codex

    path = codex.config_path(t.path)
    before = after = None
    if plan is not None:
        none, read = native.codex_entries(plan, path, t.scope)
        try:
            before, after = codex.plan(path, none, read)
            messages.append(f"floor: codex: permission profile {codex.PROFILE!r} written to {path} "
                            f"({len(none)} path(s) unreadable, {len(read)} read-only)")
        except codex.NotExpressible as e:
            messages.append(f"floor: codex: not enabled: {e}. The hook is wired; `hookgate doctor` will show the "
                            "floor as off")
            plan = None
    if plan is None:
        before, after = codex.plan(path, None, None)
    if before == after and before is None:
        return []
    return [merge.Plan(targets.Target(t.platform, t.scope, path), before, after, False, False, 0, 0)]


def uninstall_plans(ts: list, project_root: str) -> tuple[list, list]:
    plans, refusals = [], []
    for t in ts:
        try:
            plans.append(native.plan_uninstall(t))
        except merge.Refusal as e:
            refusals.append(str(e))
            continue
        if t.platform == "codex":
            try:
                plans.extend(_codex_plans(t, None, []))
            except merge.Refusal as e:
                refusals.append(str(e))
        name = native.IGNORE_FILES.get(t.platform)
        if name and t.scope == "project":
            path = os.path.join(project_root, name)
            before, after = native.ignore_plan(path, None)
            if before is not None:
                plans.append(merge.Plan(targets.Target(t.platform, t.scope, path), before, after, False, False, 0, 0))
    return plans, refusals


def after_apply(plan) -> None:
    native.apply_sidecar(plan.target.path)
