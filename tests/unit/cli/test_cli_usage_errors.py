"""Issue #16 item 1: every usage error of the real ``hookgate`` command is one line and exit 2;
no arguments, ``-h`` and ``help`` print help; never a traceback. Also: everything the package
imports is a declared dependency (the CLI once imported ``click``, which typer stopped installing)."""

from __future__ import annotations

import ast
import os
import re
import sys

import pytest

from tests.conftest import REPO, run_cli

HELP = [[], ["-h"], ["--help"], ["help"], ["help", "status"], ["status", "-h"], ["audit"], ["audit", "why", "-h"]]


@pytest.mark.parametrize("args", HELP, ids=lambda a: " ".join(a) or "(none)")
def test_help_paths_print_help(args, tmp_path):
    r = run_cli(*args, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("Usage: hookgate"), r.stdout
    assert "Traceback" not in r.stderr and r.stderr == ""


USAGE = [
    (["nosuchcmd"], r"^hookgate: No such command 'nosuchcmd' \(see 'hookgate -h'\)$"),
    (["statsu"], r"^hookgate: No such command 'statsu'\. Did you mean 'status'(, 'state')?\? \(see 'hookgate -h'\)$"),
    (["status", "--bogus"], r"^hookgate status: No such option: --bogus \(see 'hookgate status -h'\)$"),
    (["audit", "why"], r"^hookgate audit why: Missing argument '.+' \(see 'hookgate audit why -h'\)$"),
    (["rollout", "promote"], r"^hookgate rollout promote: Missing argument '.+' \(see 'hookgate rollout promote -h'\)$"),
    (["doctor", "--jsn"], r"^hookgate doctor: No such option: --jsn \(Possible options: --json\) \(see 'hookgate doctor -h'\)$"),
    (["audit", "tail", "-n", "many"], r"^hookgate audit tail: Invalid value for .*"),
]


@pytest.mark.parametrize("args,line", USAGE, ids=lambda a: " ".join(a) if isinstance(a, list) else "")
def test_usage_errors_are_one_line_exit_2(args, line, tmp_path):
    r = run_cli(*args, cwd=tmp_path)
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and re.match(line, lines[0]), r.stderr


def _imported_top_modules(root: str) -> set[str]:
    mods: set[str] = set()
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            if not f.endswith(".py"):
                continue
            with open(os.path.join(dirpath, f), encoding="utf-8") as fh:
                tree = ast.parse(fh.read())
            optional = set()  # imports inside a `try:` with an except: optional extras, not dependencies
            for node in ast.walk(tree):
                if isinstance(node, ast.Try) and node.handlers:
                    for inner in node.body:
                        optional.update(id(n) for n in ast.walk(inner))
            for node in ast.walk(tree):
                if id(node) in optional:
                    continue
                if isinstance(node, ast.Import):
                    mods.update(a.name.split(".")[0] for a in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    mods.add(node.module.split(".")[0])
    return mods


def test_every_import_is_stdlib_or_a_declared_dependency():
    import tomllib

    with open(os.path.join(REPO, "pyproject.toml"), "rb") as f:
        project = tomllib.load(f)["project"]
    # runtime dependencies, and the optional extras a feature imports lazily (ADR 0028:
    # `hookgate[postgres]`); never the dev tools
    deps = project["dependencies"] + [d for extra, ds in project.get("optional-dependencies", {}).items()
                                      if extra != "dev" for d in ds]
    declared = {re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0].lower().replace("-", "_") for d in deps}
    import_name = {"pyyaml": "yaml", "shfmt_py": "shfmt"}
    declared = {import_name.get(d, d) for d in declared}
    third = {m for m in _imported_top_modules(os.path.join(REPO, "src", "hookgate"))
             if m not in sys.stdlib_module_names and m != "hookgate"}
    assert third <= declared, f"imported but not declared in pyproject: {sorted(third - declared)}"
    # and each declared runtime import has an upper bound (a major release may break it)
    for d in deps:
        name = re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0].lower().replace("-", "_")
        if import_name.get(name, name) in third:
            assert "<" in d or "==" in d, f"{d}: pin an upper bound for what we import"


def test_doctor_json_is_one_json_document(tmp_path):
    r = run_cli("doctor", "--json", "--platform", "claude-code", cwd=tmp_path)
    import json

    doc = json.loads(r.stdout)
    assert doc["version"] == 1 and {"summary", "findings", "command", "project"} <= set(doc)
    assert r.returncode == (0 if doc["summary"]["ok"] else 1)
