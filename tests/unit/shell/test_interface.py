"""ADR 0007: the engine's interface — contract types, hot-path imports, the explain CLI."""

from __future__ import annotations

import json
import subprocess
import sys

from hookgate.core.event import Access
from hookgate.shell import analyse
from tests.conftest import HOOKGATE


def test_result_shape(tree):
    cwd, home = tree
    res = analyse("sudo env X=1 /venv/bin/hookgate rollout promote x > out.txt", cwd, home=home)
    assert isinstance(res.accesses, list) and all(isinstance(a, Access) for a in res.accesses)
    assert res.indeterminate is False and res.parse_error is None
    inner = [c for c in res.commands if c.name == "hookgate"]
    assert inner and inner[0].argv == ("/venv/bin/hookgate", "rollout", "promote", "x") and inner[0].depth == 0


def test_commands_seen_through_nesting(tree):
    cwd, home = tree
    res = analyse("bash -c 'python3 -m hookgate status' && echo $(hookgate init)", cwd, home=home)
    names = {(c.name, c.depth) for c in res.commands}
    assert ("python3", 1) in names and ("hookgate", 1) in names
    res = analyse("read Y; X=$Y; $X --version", cwd, home=home)
    assert res.indeterminate and any(c.name is None for c in res.commands)


def test_unresolved_argv_items_are_none(tree):
    res = analyse('read SUB; hookgate "$SUB" x', *tree[:1], home=tree[1])
    assert res.commands[1].argv == ("hookgate", None, "x")


def test_import_is_lean():
    code = ("import sys; import hookgate.shell as s; s.analyse('cp a b && echo \"x\" > c', '/tmp', home='/tmp'); "
            "print(sorted(m for m in ('typer','click','rich','pydantic','structlog','filelock','yaml','subprocess',"
            "'dataclasses','shlex','inspect','typing') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().replace("'", '"')) == []


def test_explain_cli_json_and_tree(tree):
    cwd, home = tree
    p = subprocess.run([HOOKGATE, "explain", "--json", "--cwd", cwd, "cp a.txt .env"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert list(doc) == ["command", "accesses", "indeterminate", "parse_error", "verdicts", "outcome"]
    assert {"path": f"{cwd}/.env", "mode": "write", "resolved": True, "via": "cp destination", "tool": "cp"} in doc["accesses"]
    # issue 4: explain gains every validator's verdict
    verdicts = {v["hook"]: v for v in doc["verdicts"]}
    assert verdicts["write-guard"]["raw"] == "block" and verdicts["write-guard"]["rule"]
    assert verdicts["self-protection"]["raw"] == "allow"
    assert doc["outcome"] == "block"
    p = subprocess.run([HOOKGATE, "explain", "--json", "--cwd", cwd, "--tool", "Read", "--path", ".env"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["outcome"] == "block" and any(v["hook"] == "read-guard" and v["raw"] == "block" for v in doc["verdicts"])
    p = subprocess.run([HOOKGATE, "explain", "--json", "--cwd", cwd, "--tool", "Write", "--path", "notes.txt"],
                       capture_output=True, text=True, timeout=60)
    assert json.loads(p.stdout)["outcome"] == "allow"
    p = subprocess.run([HOOKGATE, "explain", "--cwd", cwd, "read X; eval \"$X\""], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0 and "INDETERMINATE" in p.stdout
