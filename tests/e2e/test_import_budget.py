"""ADR 0001: the hot path imports none of the CLI's libraries."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("typer", "click", "rich", "pydantic", "structlog", "filelock", "yaml")



def _run_hook(payload: dict, cwd, report: str):
    """Run one hook decision in a fresh interpreter and return what the expression *report*
    (over ``sys.modules``) evaluates to there."""
    code = (
        "import io, sys\n"
        "from hookgate.state import jsonio as json\n"
        "sys.stdin = io.TextIOWrapper(io.BytesIO(sys.argv[1].encode()))\n"
        "out = io.StringIO(); real = sys.stdout; sys.stdout = out\n"
        "from hookgate.__main__ import main\n"
        "rc = main(['hook', '--platform', 'claude-code'])\n"
        "sys.stdout = real\n"
        f"print(json.dumps({report}))\n"
    )
    p = subprocess.run([sys.executable, "-c", code, json.dumps(payload)], capture_output=True, text=True, cwd=cwd,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout.strip().splitlines()[-1])


def _modules_after_hook(payload: dict, cwd, names=HEAVY) -> list[str]:
    return _run_hook(payload, cwd, f"sorted(m for m in {tuple(names)!r} if m in sys.modules)")


@pytest.mark.parametrize(
    "tool,tool_input",
    [
        ("Bash", {"command": "git status"}),
        ("Bash", {"command": "echo 'x' > \"$HOME/notes.txt\" && cat README.md | grep -c x"}),
        ("Write", {"file_path": "/tmp/x.txt", "content": "hello"}),
        ("Read", {"file_path": "/tmp/x.txt"}),
        ("Grep", {"pattern": "TODO", "path": "."}),
    ],
)
def test_hot_path_imports_no_heavy_library(project, tool, tool_input):
    payload = {"session_id": "s", "cwd": str(project), "hook_event_name": "PreToolUse", "tool_name": tool, "tool_input": tool_input}
    assert _modules_after_hook(payload, project) == []


def test_hot_path_with_project_config_cache_imports_no_yaml(project):
    from tests.conftest import run_cli

    (project / ".hookgate").mkdir()
    r = run_cli("init", "--force", cwd=project)
    assert r.returncode == 0, r.stderr
    payload = {"session_id": "s", "cwd": str(project), "hook_event_name": "PreToolUse", "tool_name": "Write", "tool_input": {"file_path": str(project / "a.txt"), "content": "x"}}
    assert _modules_after_hook(payload, project) == []


def test_the_check_itself_can_fail(project):
    """Sanity: importing the CLI does pull in typer, so the probe above would notice."""
    code = "import sys; import hookgate.cli.app; print('typer' in sys.modules)"
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.stdout.strip() == "True"


LEAN = ("re", "json", "enum", "collections", "signal", "fnmatch", "subprocess", "typing", "dataclasses", "inspect",
        "importlib", "warnings")


@pytest.mark.parametrize(
    "tool,tool_input",
    [
        ("Write", {"file_path": "/tmp/x.txt", "content": "hello"}),
        ("Read", {"file_path": "/tmp/x.txt"}),
        ("Bash", {"command": "git status"}),
        ("Bash", {"command": "cat README.md"}),
        ("Bash", {"command": "python3 -c \"print(open('README.md').read())\""}),  # codescan, no regex
        ("Bash", {"command": "git commit -m \"fix: it's done\""}),  # double quotes: the fast path
    ],
)
def test_common_decisions_import_no_re_json_enum(project, tool, tool_input):
    """ADR 0017: the stdlib modules that cost most per process stay off common decisions."""
    payload = {"session_id": "s", "cwd": str(project), "hook_event_name": "PreToolUse", "tool_name": tool, "tool_input": tool_input}
    assert _modules_after_hook(payload, project, LEAN) == []


ENGINE = ("hookgate.shell.parse", "hookgate.shell.walk", "hookgate.shell.expand", "hookgate.shell.commands", "select")


@pytest.mark.parametrize(
    "tool,tool_input",
    [
        ("Write", {"file_path": "/tmp/x.txt", "content": "hello"}),
        ("Read", {"file_path": "/tmp/x.txt"}),
        ("Edit", {"file_path": "/tmp/x.txt", "old_string": "a", "new_string": "b"}),
        ("Grep", {"pattern": "TODO", "path": "."}),
    ],
)
def test_non_shell_tools_import_no_shell_engine(project, tool, tool_input):
    """Issue #22 item 3: a tool call that is not a shell command never loads the parser or the
    walker (ADR 0017)."""
    payload = {"session_id": "s", "cwd": str(project), "hook_event_name": "PreToolUse", "tool_name": tool, "tool_input": tool_input}
    assert _modules_after_hook(payload, project, ENGINE) == []


def test_the_engine_check_can_fail(project):
    payload = {"session_id": "s", "cwd": str(project), "hook_event_name": "PreToolUse", "tool_name": "Bash",
               "tool_input": {"command": "git status"}}
    assert "hookgate.shell.walk" in _modules_after_hook(payload, project, ENGINE)


# Issue #22 item 3, per case: the hookgate modules a one-shot decision may load (ADR 0017, ADR
# 0025 for the figures). A new import on one of these paths fails here: add it to the list only
# when the decision needs it (each module costs the one-shot process its load), else import it
# where it is used. Measured in a project whose coordination state exists (a Write first).
_BASE = {
    "hookgate", "hookgate.__main__", "hookgate.errors",
    "hookgate.adapters", "hookgate.adapters.base", "hookgate.adapters.claude_code",
    "hookgate.approvals",
    "hookgate.core", "hookgate.core.analyse", "hookgate.core.chain", "hookgate.core.config", "hookgate.core.context",
    "hookgate.core.engine", "hookgate.core.event", "hookgate.core.hook", "hookgate.core.redact", "hookgate.core.rollout",
    "hookgate.state", "hookgate.state.backend", "hookgate.state.files", "hookgate.state.jsonio", "hookgate.state.ledger",
    "hookgate.state.locks", "hookgate.state.paths", "hookgate.state.resources", "hookgate.state.selfcmd",
    "hookgate.state.stateconf",
    "hookgate.validators", "hookgate.validators.base", "hookgate.validators.read_guard",
    "hookgate.validators.self_protection", "hookgate.validators.write_guard",
    "hookgate.validators.coordination", "hookgate.validators.coordination.describe",
    "hookgate.validators.coordination.validator",
    "hookgate.validators.budget", "hookgate.validators.budget.state", "hookgate.validators.budget.validator",
    "hookgate.validators.policy",
    "hookgate.floor", "hookgate.floor.hooks",  # the sandbox-bypass check of every pre event (ADR 0020)
    "hookgate.server", "hookgate.server.runtime",  # self-protection of the server's runtime dir (ADR 0025)
}
_TRANSCRIPT = {"hookgate.validators.budget.claude", "hookgate.validators.budget.transcript"}
# a simple command of plain words: the walker's core only — its parts (word expansion,
# redirections and pipes, compound commands: ``walk._PARTS``) and the shfmt runner stay unloaded
# (and a program's handler module: the simple programs' ``commands`` only for one of its
# programs, not for git)
_SHELL = {"hookgate.shell", "hookgate.shell.parse",
          "hookgate.shell.shellstate", "hookgate.shell.table", "hookgate.shell.walk", "hookgate.shell.words"}
_GUARDS = {"hookgate.state.globs", "hookgate.validators.policy.classify", "hookgate.validators.policy.guard",
           "hookgate.validators.policy.index"}
_GUARD_HIT = {"hookgate.validators.policy.sessions"}  # the session's blocks: read once a rule is hit
_SHELL_HINTS = {"hookgate.validators.policy.hints"}  # what the guards tell the shell analysis
# a read meets only exclusive claims: where the store plainly holds none that could concern it
# (``coordination.presence``), the store, claims and leases modules stay unloaded
_COORDINATION_READ = {"hookgate.validators.coordination.identity", "hookgate.validators.coordination.presence"}
_COORDINATION = _COORDINATION_READ | {"hookgate.validators.coordination.claims",
                                      "hookgate.validators.coordination.leases", "hookgate.validators.coordination.store"}
_COORDINATION_WRITE = {"hookgate.validators.coordination.globs", "hookgate.validators.coordination.scope",
                       "hookgate.plans", "hookgate.plans.running"}
PER_CASE = {
    "git status": (("Bash", {"command": "git status"}),
                   _BASE | _TRANSCRIPT | _SHELL | _SHELL_HINTS | {"hookgate.shell.gitcmd"}),
    "cat .env": (("Bash", {"command": "cat .env"}),
                 _BASE | _TRANSCRIPT | _SHELL | {"hookgate.shell.commands"} | _SHELL_HINTS | _GUARDS | _GUARD_HIT
                 | _COORDINATION_READ),
    "Write": (("Write", {"file_path": "{P}/notes.txt", "content": "x"}),
              _BASE | _TRANSCRIPT | _GUARDS | _COORDINATION | _COORDINATION_WRITE),
}


def _hookgate_modules_after(project, tool, tool_input) -> set[str]:
    payload = {"session_id": "s", "cwd": str(project), "hook_event_name": "PreToolUse", "tool_name": tool,
               "tool_input": tool_input}
    return set(_run_hook(payload, project,
                         "sorted(m for m in sys.modules if m == 'hookgate' or m.startswith('hookgate.'))"))


@pytest.mark.parametrize("case", sorted(PER_CASE))
def test_each_common_decision_loads_only_its_listed_modules(project, case):
    (tool, tool_input), allowed = PER_CASE[case]
    _hookgate_modules_after(project, "Write", {"file_path": str(project / "first.txt"), "content": "x"})
    inp = {k: v.replace("{P}", str(project)) if isinstance(v, str) else v for k, v in tool_input.items()}
    loaded = _hookgate_modules_after(project, tool, inp)
    assert loaded <= allowed, f"{case}: loads modules not on its list: {sorted(loaded - allowed)}"
    assert len(loaded) >= len(allowed) - 2, f"{case}: the list is stale (not loaded: {sorted(allowed - loaded)})"


def test_the_per_case_check_can_fail(project):
    """Sanity: the engine's handler modules are not on git status's list, and cat of a file with
    a handler module of its own would load one."""
    (_tool, _inp), allowed = PER_CASE["git status"]
    loaded = _hookgate_modules_after(project, "Bash", {"command": "cp a b && git status"})
    assert "hookgate.shell.fileops" in loaded - allowed


@pytest.mark.parametrize("tool,tool_input", [
    ("Bash", {"command": "cat .env"}),
    ("Write", {"file_path": "{P}/notes.txt", "content": "x"}),
    ("Read", {"file_path": "{P}/README.md"}),
])
def test_coordination_loads_no_binascii(project, tool, tool_input):
    """Importing ``binascii`` (one more shared library: 0.1–1 ms of CPU, noisy) for a shard
    name's CRC-32: ``coordination.presence`` sums short keys itself (ADR 0017). Measured where
    the store exists (a Write first)."""
    _hookgate_modules_after(project, "Write", {"file_path": str(project / "first.txt"), "content": "x"})
    inp = {k: v.replace("{P}", str(project)) if isinstance(v, str) else v for k, v in tool_input.items()}
    payload = {"session_id": "s", "cwd": str(project), "hook_event_name": "PreToolUse", "tool_name": tool,
               "tool_input": inp}
    assert _modules_after_hook(payload, project, ("binascii", "zlib")) == []


# what a simple command of plain words used to load and no longer needs (ADR 0007 "Layout"):
# the walker's parts, the shfmt runner with ``select``, git's no-op pass through progopts, the
# free-variable rules (no variable is expanded)
_SHELL_NOT_SIMPLE = ("hookgate.shell.expand", "hookgate.shell.redirs", "hookgate.shell.compound",
                     "hookgate.shell.shfmt", "hookgate.shell.progopts", "hookgate.shell.freevars", "select")


def test_git_status_loads_no_simple_programs_table(project):
    payload = {"session_id": "s", "cwd": str(project), "hook_event_name": "PreToolUse", "tool_name": "Bash",
               "tool_input": {"command": "git status"}}
    assert _modules_after_hook(payload, project, ("hookgate.shell.commands",)) == []


@pytest.mark.parametrize("command", ["git status", "cat .env", "cat README.md", "ls -la src && git diff --stat"])
def test_simple_commands_load_none_of_the_walkers_parts(project, command):
    payload = {"session_id": "s", "cwd": str(project), "hook_event_name": "PreToolUse", "tool_name": "Bash",
               "tool_input": {"command": command}}
    assert _modules_after_hook(payload, project, _SHELL_NOT_SIMPLE) == []


@pytest.mark.parametrize("command,part", [
    ("cat README.md | head -3", "hookgate.shell.redirs"),
    ("cat README.md > /tmp/x", "hookgate.shell.redirs"),
    ("cat $HOME/x", "hookgate.shell.expand"),
    ("for f in a b; do cat $f; done", "hookgate.shell.compound"),
    ("echo \"$(date)\"", "hookgate.shell.shfmt"),
    ("cat $NOTES", "hookgate.shell.freevars"),
])
def test_the_parts_check_can_fail(project, command, part):
    """Sanity: the commands that need a part do load it (so the probe above would notice)."""
    payload = {"session_id": "s", "cwd": str(project), "hook_event_name": "PreToolUse", "tool_name": "Bash",
               "tool_input": {"command": command}}
    assert part in _modules_after_hook(payload, project, _SHELL_NOT_SIMPLE)


# The real one-shot process, as agents start it (ADR 0017, ADR 0025): hookgate-client runs the
# launcher as `python -ES hookgate hook …` with HOOKGATE_SERVE=off; the Python launcher alone
# (no client) first looks for a server. With the byte-code bundle, hookgate's own modules never
# go through importlib (no `-X importtime` line); of the standard library a Write loads only
# what it needs — no other shared library (each one a dlopen and a search of sys.path: the
# launcher named the server's socket with zlib.crc32 once, 0.2-0.5 ms a call).
LAUNCHER_NEEDS = {"_json", "fcntl", "_sha256"}
LAUNCHER_AVOIDS = {"zlib", "binascii", "select", "_socket", "hashlib", "_hashlib", "math", "struct", "_struct", "re",
                   "json", "enum", "typing", "importlib", "warnings", "site", "_collections",
                   "__future__"}  # the last from the bundle too (bundle.STDLIB)


@pytest.mark.parametrize("serve", ["off", "on"])
def test_the_real_launcher_loads_hookgate_from_the_bundle_and_no_other_shared_library(project, serve):
    import os

    from hookgate import bundle

    if not bundle.status()[0]:
        pytest.fail("no current bundle in the checkout: scripts/test builds it (python -m hookgate.bundle)")
    payload = {"session_id": "s", "cwd": str(project), "hook_event_name": "PreToolUse", "tool_name": "Write",
               "tool_input": {"file_path": str(project / "notes.txt"), "content": "x"}}
    env = {**os.environ, "HOOKGATE_SERVE": serve, "CLAUDE_PROJECT_DIR": str(project)}
    env.pop("HOOKGATE_BUNDLE", None)
    launcher = os.path.join(os.path.dirname(sys.executable), "hookgate")
    p = subprocess.run([sys.executable, "-ES", "-X", "importtime", launcher, "hook", "--platform", "claude-code"],
                       input=json.dumps(payload).encode(), capture_output=True, cwd=project, env=env, timeout=60)
    assert p.returncode == 0 and b'"deny"' not in p.stdout, p.stderr[-2000:]
    names = {line.split("|")[-1].strip() for line in p.stderr.decode().splitlines() if line.startswith("import time:")}
    assert LAUNCHER_NEEDS <= names and not names & LAUNCHER_AVOIDS, sorted(names)
    assert not [n for n in names if n.startswith("hookgate")], "hookgate modules imported the slow way"
