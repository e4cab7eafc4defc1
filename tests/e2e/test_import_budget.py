"""ADR 0001: the hot path imports none of the CLI's libraries."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("typer", "click", "rich", "pydantic", "structlog", "filelock", "yaml")



def _modules_after_hook(payload: dict, cwd, names=HEAVY) -> list[str]:
    code = (
        "import io, sys\n"
        "from hookgate.state import jsonio as json\n"
        "sys.stdin = io.TextIOWrapper(io.BytesIO(sys.argv[1].encode()))\n"
        "out = io.StringIO(); real = sys.stdout; sys.stdout = out\n"
        "from hookgate.__main__ import main\n"
        "rc = main(['hook', '--platform', 'claude-code'])\n"
        "sys.stdout = real\n"
        f"print(json.dumps(sorted(m for m in {tuple(names)!r} if m in sys.modules)))\n"
    )
    p = subprocess.run([sys.executable, "-c", code, json.dumps(payload)], capture_output=True, text=True, cwd=cwd, timeout=60)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout.strip().splitlines()[-1])


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


LEAN = ("re", "json", "enum", "collections", "signal", "fnmatch", "subprocess", "typing", "dataclasses", "inspect")


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
