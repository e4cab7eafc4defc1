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

Check = tuple[str, "bool | None", str]  # ok None: a named gap (doctor shows WARN)


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


def _live(name: str, result, fix: str, fallback: Check) -> Check:
    """A live probe through the agent's own sandbox (``floor.probe``); *fallback* when the
    agent is not installed here (nothing to run it with)."""
    if result is None:
        return (fallback[0], fallback[1], f"{fallback[2]} (the agent's own sandbox was not tried: `{name}` is not on PATH)")
    ok, detail = result
    return ("floor-probe", ok, detail if ok else f"{detail}. Fix: {fix}")


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
    off = [p for p, d in docs if _get(d, "sandbox", "filesystem", "disabled") is True]
    if off:
        out.append(("floor-filesystem", False, f"{off[0]}: sandbox.filesystem.disabled drops the file-system layer "
                    "(no path is closed). Fix: remove sandbox.filesystem.disabled"))
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
        return out
    pre = _probe("claude-code")
    if not pre[1]:
        out.append(pre)
        return out
    from hookgate.floor import probe

    plain = next(p for p, d in docs if _get(d, "sandbox", "enabled") is True)
    protected = [p for p in plan.mask_files + plan.mask_dirs if p in deny]
    out.append(_live("claude", probe.claude(project_root, protected, plain),
                     "the settings enable the sandbox but it does not hold here: run `claude` once and read its "
                     "sandbox warning (/sandbox), check `sandbox.filesystem.allowRead` entries that re-open them, "
                     "or run `hookgate run -- claude`", pre))
    out.extend(_skill_shell(docs))
    return out


def _skill_shell(docs) -> list[Check]:
    """Is PreSkillShellCommand registered where the installed Claude Code knows it? (A skill's
    embedded shell command never reaches PreToolUse.) WARN (None) for a gap, FAIL for a
    registration the installed version will not run or a known version left unregistered."""
    from hookgate.installer import targets

    version, where = native.claude_version()
    v = ".".join(map(str, version)) if version else "unknown"
    knows = native.knows_skill_shell(version)
    registered = any(targets.is_ours(h, "claude-code") for _p, d in docs
                     for e in (_get(d, "hooks", native.SKILL_SHELL) or []) if isinstance(e, dict)
                     for h in (e.get("hooks") or []))
    disabled = any(_get(d, "disableSkillShellExecution") is True for _p, d in docs)
    name = "skill-shell"
    if registered and knows:
        return [(name, True, f"{native.SKILL_SHELL} registered; Claude Code {v} runs it")]
    if disabled:
        return [(name, True, "disableSkillShellExecution: skills' embedded shell commands do not run")]
    if knows:
        return [(name, False, f"Claude Code {v} ({where}) runs {native.SKILL_SHELL} but hookgate is not registered "
                 "for it: skills' embedded shell commands bypass the hook. Fix: `hookgate install --platform "
                 "claude-code` again")]
    if registered:
        return [(name, False, f"{native.SKILL_SHELL} is registered but Claude Code {v} ({where}) does not know it "
                 "(an invalid setting). Fix: upgrade Claude Code to >= 2.1.332, or `hookgate install` again")]
    return [(name, None, f"gap: Claude Code {v} ({where}) has no {native.SKILL_SHELL} event, so skills' embedded "
             "shell commands (!`cmd`) bypass the hook (the sandbox still applies to what they read). "
             "Fix: upgrade Claude Code to >= 2.1.332 and run `hookgate install` again, "
             "or set disableSkillShellExecution: true")]


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
    out: list[Check] = [("floor", True, "ON: security.toolSandboxing"), ("floor-geminiignore", *ig)]
    pre = _probe("gemini-cli")
    if not pre[1]:
        return out + [pre]
    from hookgate.floor import probe
    from hookgate.floor.plan import build

    plan = build(project_root)
    plain = next((p for p in files if os.path.isfile(p)), files[0])
    out.append(_live("gemini", probe.gemini(project_root, plan.mask_files + plan.mask_dirs, plain, home),
                     "toolSandboxing is on but Gemini's tool sandbox does not close these paths: run "
                     "`hookgate install --platform gemini-cli --scope project` (its .geminiignore), or run "
                     "`hookgate run -- gemini`", pre))
    return out


def _cursor(project_root: str, home: str) -> list[Check]:
    ign = os.path.join(project_root, ".cursorignore")
    has = os.path.exists(ign) and native.BEGIN in open(ign, encoding="utf-8", errors="replace").read()
    return [("floor", True, ("ON (partial)" if has else "OFF") + ": .cursorignore "
             + ("lists the project's protected paths" if has else "has no hookgate block")
             + "; Cursor's sandbox cannot deny ~/ paths (SSH keys, cloud credentials): run `hookgate run -- cursor-agent` for those")]


def _codex_home(home: str) -> str:
    return os.environ.get("CODEX_HOME") or os.path.join(home, ".codex")


def _toml(path: str):
    import tomllib

    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except OSError:
        return None
    except tomllib.TOMLDecodeError:
        return {"__unparseable__": True}


def _codex(project_root: str, home: str) -> list[Check]:
    from hookgate.floor import codex, probe

    user = os.path.join(_codex_home(home), codex.CONFIG)
    proj = os.path.join(project_root, ".codex", codex.CONFIG)
    docs = [(p, _toml(p)) for p in (proj, user)]
    mine = [(p, d) for p, d in docs if d and d.get("default_permissions") == codex.PROFILE]
    if not mine:
        return [("floor", True, "OFF: no hookgate permission profile in .codex/config.toml or ~/.codex/config.toml; "
                 "`hookgate install --platform codex` writes one, or run `hookgate run -- codex`")]
    where, doc = mine[0]
    out: list[Check] = [("floor", True, f"ON: permission profile {codex.PROFILE!r} ({where})")]
    above = docs[: [p for p, _d in docs].index(where) + 1]  # the profile's layer and those over it
    loose = [(p, d["sandbox_mode"]) for p, d in above if d and "sandbox_mode" in d]
    out.append(("floor-sandbox_mode", not loose, "no sandbox_mode" if not loose else
                f"{loose[0][0]} sets sandbox_mode = {loose[0][1]!r}: Codex then ignores permission profiles. "
                "Fix: remove sandbox_mode from that file"))
    if where == proj:
        u = dict(docs)[user] or {}
        trust = ((u.get("projects") or {}).get(project_root) or {}).get("trust_level")
        out.append(("floor-trust", trust == "trusted", "the project is trusted (its .codex/config.toml applies)"
                    if trust == "trusted" else "Codex ignores .codex/config.toml in a project it does not trust. "
                    f"Fix: trust it (Codex asks at first start), or add [projects.\"{project_root}\"] trust_level = "
                    f"\"trusted\" to {user}, or install with --scope user"))
    fs = ((doc.get("permissions") or {}).get(codex.PROFILE) or {}).get("filesystem") or {}
    none = {k for k, v in fs.items() if v == "none"}
    try:
        from hookgate.floor.plan import build

        plan = build(project_root)
    except Exception as e:  # noqa: BLE001
        out.append(("floor-coverage", False, f"cannot compute the protected paths ({e})"))
        return out
    want = plan.mask_files + plan.mask_dirs
    if where == user:
        from hookgate.state.paths import is_under

        want = [p for p in want if not is_under(p, plan.project_root)]
    missing = [p for p in want if p not in none]
    out.append(("floor-coverage", not missing, f"{len(want)} protected paths are \"none\"" if not missing else
                f"{len(missing)} protected path(s) not in the profile, e.g. {missing[0]} (created after install). "
                "Fix: run `hookgate install --platform codex` again"))
    protected = [p for p in want if p in none]
    out.append(_live("codex", probe.codex(project_root, protected, where),
                     "the profile is configured but Codex's sandbox does not apply it here (see the checks above; "
                     "`codex sandbox -- cat <path>` shows it), or run `hookgate run -- codex`",
                     ("floor-probe", True, "not proven here")))
    return out


NO_FLOOR = {
    "copilot-cli": "Copilot CLI's configuration has no sandbox setting that closes a file to the programs it runs",
    "qwen-code": "Qwen Code's tools.executionSandbox is operator-only, keeps reads broad (it does not hide host "
                 "secrets) and turns executable hooks off",
    "opencode": "OpenCode has no OS sandbox setting (its permission rules gate its own tools, not programs)",
}


def checks(platform: str, project_root: str, home: str) -> list[Check]:
    if platform in NO_FLOOR:
        agent = {"copilot-cli": "copilot", "qwen-code": "qwen", "opencode": "opencode"}[platform]
        return [("floor", True, f"OFF: no native floor: {NO_FLOOR[platform]}; use `hookgate run -- {agent}`")]
    fn = {"claude-code": _claude, "gemini-cli": _gemini, "cursor": _cursor, "codex": _codex}.get(platform)
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
