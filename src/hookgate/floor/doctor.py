"""``hookgate doctor``'s floor checks (ADR 0020): per platform, is the floor on, is it
configured as hookgate writes it, does it cover today's protected files, and does a live
probe prove it (a masked file must not be readable through the sandbox mechanism, a plain
one must be). A floor that is configured but not effective is a FAIL with a ``Fix:`` line.

Self-contained: ``checks(platform, project_root, home) -> [(name, ok, detail)]``.
"""

from __future__ import annotations

import json
import os

from hookgate.floor import native

Check = tuple[str, bool, str]


def _load(path: str):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _get(doc, *keys):
    for k in keys:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(k)
    return doc


def _probe(platform: str) -> Check:
    ok, why = native.preflight(platform)
    if ok:
        return ("floor-probe", True, f"live probe: {why}; a plain file read fine")
    return ("floor-probe", False, f"the floor is configured but cannot start here: {why}. "
            "Fix: install what is named, or `hookgate install --no-floor` to turn it off knowingly")


def _claude(project_root: str, home: str) -> list[Check]:
    files = [os.path.join(project_root, ".claude", "settings.local.json"),
             os.path.join(project_root, ".claude", "settings.json"), os.path.join(home, ".claude", "settings.json")]
    docs = [(p, _load(p)) for p in files]
    enabled = next((_get(d, "sandbox", "enabled") for _p, d in docs if _get(d, "sandbox", "enabled") is not None), None)
    if enabled is not True:
        return [("floor", True, "OFF: Claude Code's sandbox is not enabled; `hookgate install --platform claude-code` "
                 "turns it on, or run the agent as `hookgate run -- claude`")]
    out: list[Check] = [("floor", True, "ON: sandbox.enabled")]
    for key, want, fix in (("failIfUnavailable", True, "set sandbox.failIfUnavailable: true (else it runs unsandboxed)"),
                           ("allowUnsandboxedCommands", False, "set sandbox.allowUnsandboxedCommands: false")):
        val = next((_get(d, "sandbox", key) for _p, d in docs if _get(d, "sandbox", key) is not None), None)
        out.append((f"floor-{key}", val is want, f"sandbox.{key} = {val!r}" + ("" if val is want else f". Fix: {fix} (`hookgate install`)")))
    excluded = [(p, _get(d, "sandbox", "excludedCommands")) for p, d in docs if _get(d, "sandbox", "excludedCommands")]
    out.append(("floor-excludedCommands", not excluded,
                "none" if not excluded else f"{excluded[0][0]}: {excluded[0][1]!r} run outside the sandbox. "
                "Fix: remove sandbox.excludedCommands"))
    try:
        from hookgate.floor.plan import build

        plan = build(project_root)
        deny = set()
        for _p, d in docs:
            deny.update(x for x in (_get(d, "sandbox", "filesystem", "denyRead") or []) if isinstance(x, str))
        missing = [p for p in plan.mask_files + plan.mask_dirs if p not in deny]
        out.append(("floor-coverage", not missing,
                    f"{len(plan.mask_files) + len(plan.mask_dirs)} protected paths in denyRead" if not missing else
                    f"{len(missing)} protected path(s) not in denyRead, e.g. {missing[0]} (created after install). "
                    "Fix: run `hookgate install --platform claude-code` again"))
    except Exception as e:  # noqa: BLE001
        out.append(("floor-coverage", False, f"cannot compute the protected paths ({e})"))
    out.append(_probe("claude-code"))
    return out


def _gemini(project_root: str, home: str) -> list[Check]:
    files = [os.path.join(project_root, ".gemini", "settings.json"), os.path.join(home, ".gemini", "settings.json")]
    val = next((_get(_load(p), "security", "toolSandboxing") for p in files
                if _get(_load(p), "security", "toolSandboxing") is not None), None)
    if val is not True:
        return [("floor", True, "OFF: security.toolSandboxing is not on; `hookgate install --platform gemini-cli` "
                 "turns it on, or run `hookgate run -- gemini`")]
    ign = os.path.join(project_root, ".geminiignore")
    has = os.path.exists(ign) and native.BEGIN in open(ign, encoding="utf-8", errors="replace").read()
    in_project = _get(_load(files[0]), "security", "toolSandboxing") is not None
    if has:
        ig = (True, ".geminiignore lists the protected paths")
    elif in_project:
        ig = (False, ".geminiignore has no hookgate block. Fix: `hookgate install --platform gemini-cli`")
    else:  # user scope: the tool sandbox masks .env files; keys and secrets/ need the project's file
        ig = (True, "no project .geminiignore: the tool sandbox masks .env files only; "
              "`hookgate install --platform gemini-cli --scope project` adds keys and secrets/")
    return [("floor", True, "ON: security.toolSandboxing"), ("floor-geminiignore", *ig), _probe("gemini-cli")]


def _cursor(project_root: str, home: str) -> list[Check]:
    ign = os.path.join(project_root, ".cursorignore")
    has = os.path.exists(ign) and native.BEGIN in open(ign, encoding="utf-8", errors="replace").read()
    return [("floor", True, ("ON (partial)" if has else "OFF") + ": .cursorignore "
             + ("lists the project's protected paths" if has else "has no hookgate block")
             + "; Cursor's sandbox cannot deny ~/ paths (SSH keys, cloud credentials): run `hookgate run -- cursor-agent` for those")]


def checks(platform: str, project_root: str, home: str) -> list[Check]:
    fn = {"claude-code": _claude, "gemini-cli": _gemini, "cursor": _cursor}.get(platform)
    if fn is None:
        return [("floor", True, f"OFF: hookgate writes no native floor for {platform}; use `hookgate run -- AGENT`")]
    try:
        return fn(project_root, home)
    except Exception as e:  # noqa: BLE001 - a doctor that crashes proves nothing
        return [("floor", False, f"floor check failed ({type(e).__name__}: {e})")]


def run_checks() -> list[Check]:
    """``hookgate run``'s own floor here: the same live probe."""
    from hookgate.floor import bwrap

    ok, why = bwrap.probe()
    return [("hookgate-run", ok, why if ok else f"{why}. Fix: {bwrap.INSTALL_HINT}")]
