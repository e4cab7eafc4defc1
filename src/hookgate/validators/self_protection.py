"""Self-protection: no agent may weaken the guard (ADR 0006). Pinned to enforce.

Blocks, through every tool and through the shell:
- writes/deletes of ``.hookgate/**``, the state dir (ledger, approvals, leases, caches), the
  hookgate installation, and every agent's hook wiring (Claude, Cursor, Gemini, Codex —
  project and user scope), including deleting or overwriting a directory that holds them;
- a write whose target cannot be resolved but whose text points at one of those places;
- any ``hookgate`` invocation from an agent's shell other than the read-only subcommands
  (and ``lock``/``claim``, which agents use to coordinate), ``python -m hookgate``, and
  interpreter code that imports hookgate.

Reading the config is allowed. An indeterminate shell command (bash itself could not say
what it touches) is held for a human: it might write any of the above.
"""

from __future__ import annotations

import os
import sys

from hookgate.core import event as ev
from hookgate.state.paths import both_forms, git_location_files, is_under

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from collections.abc import Mapping

HOOK_ID = "self-protection"
ADR = "adr/0006-self-protection.md"
PHASES = frozenset((ev.PRE, ev.POST, ev.SESSION_START))  # post/session-start: the floor (ADR 0020)

# hookgate subcommands an agent may run from its shell (ADR 0006)
READ_ONLY_SUBCOMMANDS = frozenset(
    (
        ("status",),
        ("explain",),
        ("audit", "verify"),
        ("audit", "tail"),
        ("audit", "why"),
        ("locks", "list"),
        ("budget", "show"),
        ("rollout", "status"),
        ("rollout", "show"),
        ("lock", "append"),
        ("lock", "run"),
        ("claim",),
        ("plan", "check"),
        ("plan", "status"),
        ("disputes", "list"),
        ("disputes", "show"),
        ("gate",),  # ADR 0022: reads git and the ledger, writes nothing
        ("worktree", "list"),
        ("worktree", "new"),  # a worktree and branch for the calling session (ADR 0022)
        ("state", "status"),  # ADR 0028: backend, health, lag, outbox (reads only)
        ("approvals", "wait"),  # ADR 0028: waits for a human's answer, answers nothing
        ("--help",),
        ("--version",),
        ("-h",),
    )
)
GROUPS = frozenset(sub[0] for sub in READ_ONLY_SUBCOMMANDS if len(sub) == 2) | {"approvals", "locks"}
# allowed only for the plan the calling session carries (ADR 0024); `plan start|abandon` and
# `disputes resolve` are for a human or an orchestrator outside the agents
OWN_PLAN_SUBCOMMANDS = frozenset((("plan", "done"),))
_PLAN_DONE_VALUE_OPTS = ("--timeout",)
DENIED_FLAGS = frozenset(("--repair", "--force", "--yes", "--allow-loosen"))
_MARKERS = (".hookgate", "/.claude", ".claude/", "/.cursor", ".cursor/", "/.gemini", ".gemini/",
            "/.codex", ".codex/", "hooks.json", "settings.json", "settings.local.json", "hookgate/",
            ".github/hooks", "/.copilot", ".copilot/", "/.qwen", ".qwen/", "/.opencode", ".opencode/",
            "opencode/plugin", "opencode.json")
_GLOB_CHARS = frozenset("*?[")
_ALTERNATIVE = (
    "hookgate's config, ledger and hook wiring are changed only by a human, outside the agent "
    "(e.g. `hookgate rollout demote`, `hookgate install`); ask the user to do it"
)


def protected_places(project_root: str, state_dir: str, home: str, env: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """(directories protected whole, file patterns) — absolute. *env*: the call's environment
    (the hook passes the one it was given, never this process's; CLI callers pass their own)."""
    xdg = env.get("XDG_DATA_HOME") or os.path.join(home, ".local", "share")
    dirs = [os.path.join(project_root, ".hookgate"), state_dir, os.path.join(xdg, "hookgate")]
    if sys.prefix != sys.base_prefix and not is_under(sys.prefix, project_root):
        dirs.append(sys.prefix)  # the venv hookgate runs from
    # the files that say where the state dir is: a worktree's `.git` file (gitdir: …) and the
    # git dir's `commondir` — rewriting them would move the ledger/approvals somewhere writable
    files = git_location_files(project_root)
    for root in (project_root, home):
        files += [
            os.path.join(root, ".claude", "settings*.json"),
            os.path.join(root, ".cursor", "hooks.json"),
            os.path.join(root, ".gemini", "settings.json"),
            os.path.join(root, ".codex", "hooks.json"),
            os.path.join(root, ".codex", "config.toml"),
        ]
    more_dirs, more_files = platform_wiring(project_root, home, env)
    return dirs + more_dirs + server_places(home, env), files + more_files + server_units(home, env)


def server_places(home: str, env: Mapping[str, str]) -> list[str]:
    """The decision server's runtime dir (ADR 0025): its socket, port file and per-user secret.
    Written by no agent (a replaced socket would answer for hookgate); read by none either
    (:func:`state_read_verdict`: the secret controls the server)."""
    try:
        from hookgate.server.runtime import runtime_dir

        return [os.path.normpath(runtime_dir(env))] + state_credentials(home, env)
    except Exception:  # noqa: BLE001 - never on the decision's critical path
        return []


def server_units(home: str, env: Mapping[str, str]) -> list[str]:
    """The decision server's systemd --user unit that `hookgate install` writes (ADR 0025): an
    edited ExecStart would start another program as the server, at every login."""
    configs = {os.path.join(home, ".config"), env.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")}
    return [os.path.join(c, "systemd", "user", "hookgate-serve-*.service") for c in sorted(configs)]


def state_credentials(home: str, env: Mapping[str, str]) -> list[str]:
    """The shared state database's password file (ADR 0028): the decision server's secret, so
    neither read nor written by an agent."""
    cfg = env.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    return [os.path.normpath(os.path.join(cfg, "hookgate", "pgpass"))]


def platform_wiring(project_root: str, home: str, env: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """Codex, Copilot CLI, Qwen Code and OpenCode wiring (ADR 0023), project and user scope:
    (directories protected whole, file patterns). Plugin directories are protected whole: any
    plugin there runs inside OpenCode and could rewrite a call after hookgate judged it."""
    configs = [os.path.join(home, ".config")]
    if env.get("XDG_CONFIG_HOME"):
        configs.append(env["XDG_CONFIG_HOME"])
    dirs = [
        os.path.join(project_root, ".codex"),
        os.path.join(project_root, ".github", "hooks"),
        os.path.join(home, ".copilot", "hooks"),
        os.path.join(project_root, ".opencode", "plugin"),
        os.path.join(project_root, ".opencode", "plugins"),
    ]
    files = []
    for xdg_config in configs:
        dirs += [os.path.join(xdg_config, "opencode", "plugin"), os.path.join(xdg_config, "opencode", "plugins")]
        files += [os.path.join(xdg_config, "opencode", "opencode.json"), os.path.join(xdg_config, "opencode", "opencode.jsonc")]
    files += [
        os.path.join(home, ".codex", "requirements.toml"),
        os.path.join(project_root, ".github", "copilot", "settings*.json"),
        os.path.join(home, ".copilot", "settings.json"),
        os.path.join(home, ".copilot", "config.json"),
        os.path.join(project_root, ".qwen", "settings.json"),
        os.path.join(home, ".qwen", "settings.json"),
        os.path.join(home, ".qwen", "trustedFolders.json"),
        os.path.join(project_root, "opencode.json"),
        os.path.join(project_root, "opencode.jsonc"),
        os.path.join(project_root, ".opencode", "opencode.json"),
        os.path.join(project_root, ".opencode", "opencode.jsonc"),
    ]
    return dirs, files


def _match_file(path: str, pat: str) -> bool:
    """``pat`` is a literal path or ``dir/prefix*suffix`` (no fnmatch: regex compiles cost ~1 ms
    each per process on the hot path)."""
    if "*" not in pat:
        return path == pat
    d, base = pat.rsplit("/", 1)
    pre, suf = base.split("*", 1)
    name = path.rsplit("/", 1)[-1]
    return path.startswith(d + "/") and "/" not in path[len(d) + 1 :] and name.startswith(pre) and name.endswith(suf)


def _protected_hit(path: str, mode: str, dirs, files, project_root: str, home: str) -> str | None:
    for d in dirs:
        if is_under(path, d):
            return d
    for pat in files:
        if _match_file(path, pat):
            return pat
    # a directory that holds protected things, deleted or overwritten whole
    roots = dirs + [os.path.dirname(p) for p in files]
    for r in roots:
        if is_under(r, path):
            if mode == ev.MODE_DELETE:
                return r
            if (is_under(path, project_root) and path != project_root) or (
                is_under(path, home) and path != home and path != project_root  # a project in ~ (ADR 0022)
            ):
                return r
    return None


def _find_output_hit(text: str, dirs, files) -> str | None:
    """``BASE/$(find)[/NAME]`` (the shell engine's word for what find prints: any depth,
    dotfiles included)."""
    import fnmatch

    base, _, rest = text.partition("/$(find)")
    name = rest.lstrip("/")
    for d in dirs:
        if not (is_under(d, base) or is_under(base, d)):
            continue
        if not name:
            return d
        # which files are in there now (as a glob is matched against the real directory)
        seen = 0
        for _root, subdirs, names in os.walk(d):
            for n in names + subdirs:
                seen += 1
                if seen > 2000 or fnmatch.fnmatchcase(n, name):
                    return d  # a match, or too many to tell
    for pat in files:
        if is_under(pat, base):
            if not name or fnmatch.fnmatchcase(pat.rsplit("/", 1)[-1].replace("*", ""), name):
                return pat
    return None


def _glob_hit(text: str, mode: str, dotglob: bool, dirs, files) -> str | None:
    """A shell glob (absolute) that may name a protected place, something inside one, or —
    deleted — a directory holding one. Matched name by name with bash's rules: a wildcard
    never crosses ``/`` and never matches a leading ``.`` (unless dotglob)."""
    from hookgate.state.globs import seg_intersects, seg_match

    g = [p for p in text.split("/") if p]
    for target in list(dirs) + list(files):
        t = [p for p in target.split("/") if p]
        if len(g) < len(t) and mode != ev.MODE_DELETE:
            continue  # writing to a directory above it does not change it
        ok = True
        for gc, tc in zip(g, t):
            if not dotglob and tc[:1] == "." and gc[:1] in _GLOB_CHARS:
                ok = False
            elif "*" in tc:
                ok = seg_intersects(gc, tc, not dotglob, False)
            else:
                ok = seg_match(gc, tc) if _GLOB_CHARS & set(gc) else gc == tc
            if not ok:
                break
        if ok:
            return target
    return None


def _unresolved_hit(text: str, dirs, files, mode: str = ev.MODE_WRITE, via: str = "") -> str | None:
    if "/$(find)" in text:
        return _find_output_hit(text, dirs, files)
    if _GLOB_CHARS & set(text) and text.startswith("/") and via.startswith("glob"):
        return _glob_hit(text, mode, "dotglob" in via, dirs, files)
    if _GLOB_CHARS & set(text) and text.startswith("/"):
        import fnmatch  # only for globs: fnmatch compiles regexes
        for pat in files:
            # the glob could name a protected file, or a protected file could match the glob
            if fnmatch.fnmatchcase(pat, text) or fnmatch.fnmatchcase(pat.replace("*", "x"), text):
                return pat
        for d in dirs:
            if fnmatch.fnmatchcase(d, text) or fnmatch.fnmatchcase(d + "/x", text):
                return d
    low = text.lower()
    for m in _MARKERS:
        if m in low:
            return m
    return None


def own_plan(args, session: str, state_dir: str) -> bool:
    """``plan done ID [--json] [--timeout T]`` where ID is the running plan *session* carries
    (the platform's session id, not one the command names). Anything else — another plan,
    an unknown option, an unreadable index — is not the agent's own (ADR 0024)."""
    ids, i = [], 2
    while i < len(args):
        a = args[i]
        if a is None:
            return False
        if a in _PLAN_DONE_VALUE_OPTS:
            i += 2
            continue
        if a == "--json" or a.split("=", 1)[0] in _PLAN_DONE_VALUE_OPTS:
            i += 1
            continue
        if a.startswith("-"):
            return False
        ids.append(a)
        i += 1
    if len(ids) != 1 or not session:
        return False
    from hookgate.plans import running

    try:
        entry = running.carried(state_dir, session)
    except running.Unreadable:
        return False
    return entry is not None and entry.get("plan") == ids[0]


def _hookgate_invocation(cmd, may_own_plan=None) -> str | None:
    """Why this executed command is a forbidden hookgate invocation, or None."""
    argv = tuple(getattr(cmd, "argv", ()) or ())
    name = getattr(cmd, "name", "") or ""
    if not argv:
        return None
    if name.startswith("python") or name in ("py", "pypy3", "pypy"):
        words = [w for w in argv[1:] if w is not None]
        for i, w in enumerate(argv[1:], 1):
            if w == "-m" and i + 1 < len(argv):
                mod = argv[i + 1]
                if mod is None or mod == "hookgate" or (mod or "").startswith("hookgate."):
                    return "`python -m hookgate` (hookgate runs only as its installed command)"
            if w is not None and w.startswith("-m") and w[2:].startswith("hookgate"):
                return "`python -m hookgate` (hookgate runs only as its installed command)"
        if any("hookgate" in w and ("import" in w or "__import__" in w or "runpy" in w) for w in words):
            return "interpreter code that imports hookgate"
        return None
    if name != "hookgate":
        return None
    args = argv[1:]
    if not args:
        return None
    if any(a is None for a in args[:2]):
        return "a hookgate subcommand that cannot be resolved statically"
    sub: tuple = (args[0],)
    if args[0] in GROUPS:
        if len(args) < 2:
            return None  # group help
        sub = (args[0], args[1])
    if sub in OWN_PLAN_SUBCOMMANDS:
        if may_own_plan is not None and may_own_plan(args):
            return None
        return (f"`hookgate {' '.join(sub)}` for a plan this session does not carry (agents may finish only "
                "their own running plan; adr/0024-plans.md)")
    if sub not in READ_ONLY_SUBCOMMANDS:
        return f"`hookgate {' '.join(sub)}` (agents may run only read-only hookgate commands)"
    bad = [a for a in args if a in DENIED_FLAGS or (a or "").split("=")[0] in DENIED_FLAGS]
    if bad:
        return f"`hookgate {' '.join(sub)} {bad[0]}` (a mutating option)"
    return None


_TEXT_SEPARATORS = " \t\n\r'\"`;|&()<>[]{},=$\\"


def _tokens(text: str) -> list[str]:
    """Split command text on shell and code punctuation (no regex: hot path)."""
    out, cur = [], []
    for ch in text:
        if ch in _TEXT_SEPARATORS:
            if cur:
                out.append("".join(cur))
                cur = []
        else:
            cur.append(ch)
    if cur:
        out.append("".join(cur))
    return out


def _hookgate_in_text(text: str, may_own_plan=None) -> str | None:
    """A mutating hookgate invocation written anywhere in the command text — inside a string
    that ``script -c``, ``tmux``, ``expect``, a here-doc or a script file will run later, or in
    interpreter code. Structured analysis cannot follow those; the text can."""
    if "hookgate" not in text:
        return None
    toks = _tokens(text)
    for i, t in enumerate(toks):
        if t.rsplit("/", 1)[-1] != "hookgate":
            continue
        rest = [w for w in toks[i + 1 : i + 4]]
        if not rest or rest[0].startswith("-") and rest[0] not in ("--help", "--version", "-h"):
            continue
        if rest[0] in ("--help", "--version", "-h"):
            continue
        sub: tuple = (rest[0],)
        if rest[0] in GROUPS:
            if len(rest) < 2 or rest[1].startswith("-"):
                continue
            sub = (rest[0], rest[1])
        elif not rest[0].isidentifier() and not rest[0].replace("-", "").isalnum():
            continue
        if sub in OWN_PLAN_SUBCOMMANDS and may_own_plan is not None and may_own_plan((*sub, *toks[i + 3 : i + 4])):
            continue
        if sub not in READ_ONLY_SUBCOMMANDS and (len(sub) == 2 or rest[0] in _TOP_LEVEL):
            return f"`hookgate {' '.join(sub)}` written into the command (agents may run only read-only hookgate commands)"
    return None


# top-level subcommands that mutate (groups are checked against READ_ONLY_SUBCOMMANDS)
_TOP_LEVEL = frozenset(("init", "install", "uninstall", "hook", "replay", "doctor", "approvals", "config", "plan",
                        "disputes", "serve"))


def _program_in_protected_dir(cmd, cwd: str, dirs, home: str) -> str | None:
    """A program run from hookgate's own installation (its venv's pip or python, say) other
    than the `hookgate` command itself: `…/hookgate/venv/bin/pip uninstall hookgate`."""
    argv = tuple(getattr(cmd, "argv", ()) or ())
    if not argv or not isinstance(argv[0], str) or "/" not in argv[0]:
        return None
    if (getattr(cmd, "name", "") or "") == "hookgate":
        return None
    from hookgate.state.paths import normalize

    path = normalize(argv[0], cwd, home)
    for d in dirs:
        if is_under(path, d):
            return f"`{argv[0]}` runs a program from hookgate's own installation or state"
    return None


# --- hookgate's places wherever they are (ADR 0018) ----------------------------------------
# The governed project is one checkout; an agent may `cd` anywhere. Any `.hookgate/`, any
# agent's wiring file and any repository's state dir is protected by its name, not only the
# governed project's.
_WIRING = {".claude": ("settings", ".json"), ".cursor": ("hooks.json", ""), ".gemini": ("settings.json", ""),
           ".codex": ("hooks.json", "")}
_WIRING_EXTRA = {(".codex", "config.toml")}
_CONFIG_DIR_NAMES = frozenset((".hookgate",) + tuple(_WIRING))


def _is_git_dir(d: str) -> bool:
    if d.rsplit("/", 1)[-1] == ".git":
        return True
    return os.path.isfile(os.path.join(d, "HEAD")) and os.path.isdir(os.path.join(d, "objects"))


def state_place(path: str, state_dir: str) -> str | None:
    """The hookgate state dir *path* is in, wherever it is: the governed one, any repository's
    ``<git dir>/hookgate``, any ``.hookgate/state``."""
    if state_dir and is_under(path, state_dir):
        return state_dir
    parts = path.split("/")
    for i in range(1, len(parts)):
        if parts[i] == "hookgate" and _is_git_dir("/".join(parts[:i]) or "/"):
            return "/".join(parts[: i + 1])
        if parts[i] == "state" and parts[i - 1] == ".hookgate":
            return "/".join(parts[: i + 1])
    return None


def anywhere_hit(path: str, mode: str, state_dir: str) -> str | None:
    """A write/delete of hookgate's config, state or an agent's wiring outside the governed
    project (the name says what it is)."""
    parts = path.split("/")
    if ".hookgate" in parts:
        return "/".join(parts[: parts.index(".hookgate") + 1])
    hit = state_place(path, state_dir)
    if hit:
        return hit
    if len(parts) >= 2:
        parent, name = parts[-2], parts[-1]
        rule = _WIRING.get(parent)
        if rule and name.startswith(rule[0]) and name.endswith(rule[1]) or (parent, name) in _WIRING_EXTRA:
            return path
    if mode == ev.MODE_DELETE and parts:
        name = parts[-1]
        if name in _CONFIG_DIR_NAMES or (name == ".git" and os.path.isdir(os.path.join(path, "hookgate"))):
            return path
    return None


def state_read_verdict(event, accesses, state_dir: str, home: str, env: Mapping[str, str]):
    """Agents do not open hookgate's state files at all (ADR 0018): reading one through any
    tool, ``exec N<`` on it or ``flock`` on it would let an agent hold a lock every other
    agent's hook waits for. ``hookgate status/audit`` read it for them."""
    server = server_places(home, env)
    for a in accesses:
        if not a.resolved or a.mode in ev.MUTATING_MODES:
            continue
        for form in both_forms(a.path, event.cwd, home):
            hit = state_place(form, state_dir) or next((d for d in server if is_under(form, d)), None)
            if hit:
                return ev.Verdict(
                    HOOK_ID, ev.BLOCK, "state-read",
                    f"{a.mode} of {a.path} ({a.via}) opens hookgate's state ({hit}); an agent holding it "
                    "open or locked would stall every other agent's hook",
                    "adr/0018-hook-trust-boundary.md",
                    "use `hookgate status`, `hookgate audit tail` or `hookgate locks list` to read it", (a.path,),
                )
    return None


def _floor(event, config, project_root, state_dir, home, notes, env):
    """The floor's part (ADR 0020): sandbox bypass before; floor_denied after; floor state at
    session start."""
    from hookgate.floor import hooks as floor

    if event.phase == ev.SESSION_START:
        notes["floor"] = floor.floor_state(event, env, project_root, home)
        return ev.allow(HOOK_ID)
    if event.phase == ev.POST:
        dirs, files = protected_places(project_root, state_dir, home, env)

        def self_protected(path: str) -> bool:
            return bool(_protected_hit(path, ev.MODE_WRITE, dirs, files, project_root, home))

        hits = floor.floor_denied(event, config or {}, project_root, state_dir, home, self_protected)
        if hits:
            notes["floor_denied"] = hits
            return ev.Verdict(HOOK_ID, ev.WARN, "floor-denied", floor.denied_message(hits), floor.ADR,
                              "ask the user for what you need from these files", tuple(hits))
        return ev.allow(HOOK_ID)
    why = floor.sandbox_bypass(event)
    if why:
        return ev.Verdict(HOOK_ID, ev.BLOCK, "sandbox-bypass", why, floor.ADR,
                          "run the command inside the sandbox; if it needs a protected file, ask the user")
    return None


def check(event, accesses, analysis, project_root, state_dir, home, config=None, notes=None, env=None):
    env = {} if env is None else env  # the call's environment (the chain always passes it)
    v = _floor(event, config, project_root, state_dir, home, {} if notes is None else notes, env)
    if v is not None:
        return v
    dirs, files = protected_places(project_root, state_dir, home, env)
    hits: list[str] = []
    v = state_read_verdict(event, accesses, state_dir, home, env)
    if v is not None:
        return v
    for a in accesses:
        if a.mode not in ev.MUTATING_MODES:
            continue
        if a.resolved:
            for form in both_forms(a.path, event.cwd, home):
                hit = _protected_hit(form, a.mode, dirs, files, project_root, home) or anywhere_hit(form, a.mode, state_dir)
                if hit:
                    return ev.Verdict(
                        HOOK_ID, ev.BLOCK, "protected-path",
                        f"{a.mode} of {a.path} ({a.via}) would change hookgate's own config, "
                        f"ledger or an agent's hook wiring",
                        ADR, _ALTERNATIVE, (a.path,),
                    )
        else:
            hit = _unresolved_hit(a.path, dirs, files, a.mode, a.via or "")
            if hit:
                hits.append(a.path)
    if hits:
        return ev.Verdict(
            HOOK_ID, ev.BLOCK, "indeterminate-protected-path",
            f"a {event.tool_name or 'shell'} write whose target cannot be resolved ({hits[0]}) "
            "may land on hookgate's config, ledger or hook wiring",
            ADR, "write to an explicit path that is not hookgate's or an agent's config", tuple(hits),
        )
    if analysis is not None:
        def may_own_plan(args) -> bool:
            return own_plan(args, event.session_id, state_dir)

        for cmd in getattr(analysis, "commands", ()) or ():
            why = _hookgate_invocation(cmd, may_own_plan) or _program_in_protected_dir(cmd, event.cwd, dirs, home)
            if why:
                return ev.Verdict(
                    HOOK_ID, ev.BLOCK, "hookgate-command",
                    f"{why}", ADR,
                    _readonly_hint(),
                )
        command = event.tool_input.get("command") if isinstance(event.tool_input, dict) else None
        why = _hookgate_in_text(command, may_own_plan) if isinstance(command, str) else None
        if why:
            return ev.Verdict(
                HOOK_ID, ev.BLOCK, "hookgate-command-text", why, ADR,
                "a human runs hookgate's mutating commands in their own terminal",
            )
        if getattr(analysis, "indeterminate", False):
            reason = getattr(analysis, "parse_error", None) or "the command cannot be analysed statically"
            return ev.Verdict(
                HOOK_ID, ev.CHECKPOINT, "indeterminate-command",
                f"cannot tell what this shell command writes ({reason}); it could change "
                "hookgate's config or hook wiring",
                ADR, "split the command into plain steps with literal paths",
            )
    return ev.allow(HOOK_ID)


def _readonly_hint() -> str:
    """The read-only hookgate commands an agent may run, by the absolute path it can run them with."""
    from hookgate.state.selfcmd import command

    return (f"read-only commands are allowed ({command()} status, explain, audit tail/why/verify, "
            "rollout status/show, locks list, budget show, plan check/status, disputes list/show; "
            "plan done for your own plan); a human runs the rest")
