"""ADR 0008/0009: policy compile — tighten-only project overrides, --allow-loosen, schema."""

from __future__ import annotations

import pytest

from hookgate.core import config
from hookgate.validators import read_guard, write_guard
from hookgate.validators.policy.classify import Classifier
from tests.conftest import run_cli
from tests.unit.validators.guards.helpers import build_project, decide


def _shipped(hook):
    return config.compile_shipped()["policies"][hook]


def _raw(hook):
    from hookgate.state.resources import data_path
    from hookgate.core.yamlio import load_file

    return load_file(data_path("hooks", f"{hook}.yaml"))["policy"]


def test_shipped_defaults_compiled_and_enforced():
    c = config.compile_shipped()
    assert c["hooks"]["read-guard"]["stage"] == "enforce"
    assert c["hooks"]["write-guard"]["stage"] == "enforce"
    ids = {r["id"] for r in c["policies"]["write-guard"]["rules"]}
    assert {"env-files", "private-keys", "secrets-dir", "ssh-dir", "cloud-credentials", "ci-workflows", "lockfiles"} <= ids


@pytest.mark.parametrize("project", [
    {"rules": [{"id": "tfstate", "tier": "block", "paths": ["*.tfstate"]}]},
    {"rules": [{"id": "lockfiles", "tier": "block", "paths": ["package-lock.json", "npm-shrinkwrap.json", "yarn.lock",
               "pnpm-lock.yaml", "bun.lock", "bun.lockb", "poetry.lock", "Pipfile.lock", "uv.lock", "pdm.lock",
               "Cargo.lock", "Gemfile.lock", "composer.lock", "go.sum", "flake.lock", "mix.lock", "pubspec.lock",
               "Podfile.lock", "packages.lock.json", "gradle.lockfile"]}]},
    {"rules": [{"id": "docs", "tier": "block", "paths": ["docs/**"]}]},
    {"rules": [{"id": "infra", "tier": "checkpoint", "paths": ["infra/*.tf"]}]},
    {"indeterminate": "deny"},
])
def test_tightening_is_accepted(project):
    out = write_guard.compile_policy(_raw("write-guard"), project, False)
    assert out["rules"]


@pytest.mark.parametrize("project,names", [
    ({"rules": [{"id": "env-files", "tier": "warn", "paths": [".env", ".env.*"]}]}, "env-files"),
    ({"rules": [{"id": "env-files", "tier": "block", "indeterminate": "deny", "paths": [".env"]}]}, "drops shipped path"),
    ({"rules": [{"id": "env-files", "tier": "block", "indeterminate": "deny", "paths": [".env", ".env.*"],
                 "except": [".env.example", ".env.sample", ".env.template", ".env.*.example", ".env.*.sample",
                            ".env.*.template", ".env.local"]}]}, "adds exception"),
    ({"rules": [{"id": "env-files", "tier": "block", "paths": [".env", ".env.*"]}]}, "indeterminate"),
    ({"rules": [{"id": "md", "tier": "warn", "paths": ["*.md"]}]}, "md"),
    ({"rules": [{"id": "docs", "tier": "warn", "paths": ["docs/**"]}]}, "docs"),
    ({"rules": [{"id": "public-secrets", "tier": "allow", "paths": ["secrets/public/**"]}]}, "public-secrets"),
    ({"rules": [{"id": "ci", "tier": "warn", "paths": [".github/workflows/ci.yml"]}]}, "ci"),
    ({"indeterminate": "deny", "rules": [{"id": "ssh-dir", "tier": "checkpoint", "paths": ["~/.ssh/**"]}]}, "ssh-dir"),
])
def test_loosening_is_refused_naming_the_rule(project, names):
    with pytest.raises(ValueError) as e:
        write_guard.compile_policy(_raw("write-guard"), project, False)
    assert names in str(e.value) and "--allow-loosen" in str(e.value)
    assert write_guard.compile_policy(_raw("write-guard"), project, True)  # the maintainer flag


def test_read_guard_loosening_refused():
    with pytest.raises(ValueError, match="env-files"):
        read_guard.compile_policy(_raw("read-guard"), {"rules": [{"id": "env-files", "tier": "ask", "paths": [".env", ".env.*"]}]}, False)
    with pytest.raises(ValueError, match="indeterminate"):
        read_guard.compile_policy(_raw("read-guard"), {"indeterminate": "ask"}, False)


@pytest.mark.parametrize("bad", [
    {"rules": [{"id": "x", "tier": "explode", "paths": ["a"]}]},
    {"rules": [{"id": "x", "tier": "block"}]},
    {"rules": [{"id": "x", "tier": "block", "paths": ["../a"]}]},
    {"rules": [{"id": "x", "tier": "block", "paths": ["a"], "colour": "red"}]},
    {"rules": [{"tier": "block", "paths": ["a"]}]},
    {"rulez": []},
])
def test_schema_errors(bad):
    with pytest.raises(ValueError):
        write_guard.compile_policy(_raw("write-guard"), bad, False)


def test_most_specific_rule_wins_and_exceptions():
    pol = write_guard.compile_policy(_raw("write-guard"), {"rules": [
        {"id": "gen", "tier": "block", "paths": ["generated/**"]},
        {"id": "gen-readme", "tier": "checkpoint", "paths": ["generated/README.md"]},
    ]}, True)
    c = Classifier(pol, "/r", "/h")
    tier = lambda p: (c.classify_path(p, "write", "/r") or (None, "allow"))[1]  # noqa: E731
    assert tier("/r/generated/x.py") == "block"
    assert tier("/r/generated/README.md") == "checkpoint"
    assert tier("/r/.env.example") == "allow"
    assert tier("/r/.env.example.bak") == "block"
    assert tier("/r/sub/dir/.ENV") == "block"  # case-insensitive
    assert tier("/r/a/secrets/b/c.txt") == "block"
    assert tier("/h/.ssh/id_rsa.pub") == "block"  # writes: all of ~/.ssh
    assert tier("/r/yarn.lock") == "warn"


def test_project_override_through_the_hook_and_cli(tmp_path):
    root, home = tmp_path / "p", tmp_path / "h"
    root.mkdir()
    home.mkdir()
    build_project(root, home)
    hooks = root / ".hookgate" / "hooks"
    hooks.mkdir(parents=True)
    (hooks / "write-guard.yaml").write_text(
        "policy:\n  rules:\n    - id: env-files\n      tier: warn\n      paths: ['.env', '.env.*']\n")
    # refused on the hot path: the shipped policy stays in force
    label, _, _ = decide(root, home, "Write", {"file_path": f"{root}/.env", "content": "x"}, session="o1")
    assert label == "deny"
    r = run_cli("config", "compile", cwd=str(root), env={"HOME": str(home)})
    assert r.returncode == 1 and "env-files" in r.stderr and "--allow-loosen" in r.stderr
    r = run_cli("config", "compile", "--allow-loosen", cwd=str(root), env={"HOME": str(home)})
    assert r.returncode == 0, r.stderr
    label, _, _ = decide(root, home, "Write", {"file_path": f"{root}/.env", "content": "x"}, session="o2")
    assert label == "warn"
    # an agent cannot do this itself
    label, reason, _ = decide(root, home, "Bash", {"command": "hookgate config compile --allow-loosen"}, session="o3")
    assert label == "deny", reason
