"""Shared fixtures for the guard suites: a project with protected files, and a decide()
that runs the real hook code path (``hookgate.core.hook.handle``) in-process."""

from __future__ import annotations

import json
import os

from hookgate.core.hook import handle
from hookgate.adapters import claude_code
from tests.support.payloads import claude_pre

HOOKS = ("read-guard", "write-guard")


def build_project(root, home) -> None:
    root, home = str(root), str(home)
    os.makedirs(os.path.join(root, ".git"), exist_ok=True)
    files = {
        ".env": "API_KEY=sk-live-123\n",
        ".env.local": "DB_PASSWORD=hunter2\n",
        ".env.example": "API_KEY=\n",
        "README.md": "# demo\n",
        "src/app.py": "print('hi')\n",
        "src/config.py": "import os\n",
        "secrets/db.txt": "postgres://u:p@h/db\n",
        "certs/server.pem": "-----BEGIN PRIVATE KEY-----\n",
        "certs/server.key": "key\n",
        "deploy/id_rsa": "-----BEGIN OPENSSH PRIVATE KEY-----\n",
        "deploy/id_rsa.pub": "ssh-rsa AAAA\n",
        ".github/workflows/ci.yml": "on: push\n",
        ".gitlab-ci.yml": "stages: []\n",
        "package-lock.json": "{}\n",
        "package.json": "{}\n",
        "notes.txt": "hello\n",
        "docs/env.md": "how to set .env\n",
        # list files the hook reads to know what a pipe carries (ADR 0008 item 6)
        "list.txt": ".env\n",
        "files.txt": "notes.txt\nREADME.md\n",
        "quoted.txt": "'.env'\n",
        # scripts run by path, analysed as they are now (ADR 0021)
        "scripts/show-env.sh": "#!/bin/sh\ncat .env\n",
        "scripts/cat-arg.sh": "#!/bin/sh\ncat \"$1\"\n",
        "scripts/read.py": "print(open('.env').read())\n",
        "scripts/argv.py": "import sys\nprint(open(sys.argv[1]).read())\n",
        "scripts/read.js": "console.log(require('fs').readFileSync('.env', 'utf8'))\n",
        "scripts/run-py": "#!/usr/bin/env python3\nprint(open('.env').read())\n",
        "scripts/ok.sh": "#!/bin/sh\necho ok\n",
    }
    for rel, text in files.items():
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
    hfiles = {
        ".ssh/id_rsa": "PRIVATE\n",
        ".ssh/id_ed25519": "PRIVATE\n",
        ".ssh/id_rsa.pub": "ssh-rsa AAAA\n",
        ".ssh/config": "Host *\n",
        ".ssh/known_hosts": "h ssh-rsa AAAA\n",
        ".ssh/authorized_keys": "ssh-rsa AAAA\n",
        ".aws/credentials": "[default]\n",
        ".aws/config": "[default]\n",
        ".kube/config": "apiVersion: v1\n",
        ".docker/config.json": "{}\n",
        ".netrc": "machine x login y password z\n",
        ".config/gcloud/credentials.db": "x\n",
        ".bashrc": "export X=1\n",
        "notes.md": "x\n",
    }
    for rel, text in hfiles.items():
        p = os.path.join(home, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
    for rel in files:
        if rel.startswith("scripts/"):
            os.chmod(os.path.join(root, rel), 0o755)
    # symlinks that land on protected files
    os.symlink(os.path.join(root, ".env"), os.path.join(root, "envlink"))
    os.symlink(os.path.join(root, "secrets"), os.path.join(root, "vault"))
    os.symlink(os.path.join(home, ".ssh"), os.path.join(root, "sshdir"))
    os.symlink(os.path.join(root, ".env"), os.path.join(root, "config.txt"))


def fresh_project(base):
    """(project, home) under ``base`` (a tmp_path), built by build_project: one per test."""
    root, home = base / "p", base / "h"
    root.mkdir()
    home.mkdir()
    build_project(root, home)
    return root, home


def env_for(home) -> dict:
    return {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}


def decide(project, home, tool: str, tool_input: dict, session: str = "s-guards", cwd=None,
           platform: str = "claude-code", env=None):
    """(label, reason text, ledger record) for one PreToolUse through the real hook code."""
    payload = claude_pre(project, tool, tool_input, session, cwd=cwd or project, tool_use_id="toolu_guards")
    env = dict(env or env_for(home))
    env.setdefault("CLAUDE_PROJECT_DIR", str(project))  # what the platform says (ADR 0018)
    out, err, code = handle(platform, json.dumps(payload).encode(), env)
    label = claude_code.classify_output(out, err, code)
    reason = ""
    if out.strip():
        obj = json.loads(out)
        hso = obj.get("hookSpecificOutput") or {}
        reason = hso.get("permissionDecisionReason") or obj.get("reason") or hso.get("additionalContext") or ""
    reason += err
    return label, reason, last_record(project)


def last_record(project) -> dict:
    p = os.path.join(str(project), ".git", "hookgate", "ledger.jsonl")
    try:
        with open(p, "rb") as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - 65536))
            lines = f.read().splitlines()
        return json.loads(lines[-1]) if lines else {}
    except (OSError, ValueError):
        return {}


def guard_outcome(rec: dict) -> str:
    """The strictest effective outcome of the two guards in a ledger record."""
    rank = {"allow": 0, "warn": 1, "checkpoint": 2, "block": 3}
    best = "allow"
    for v in rec.get("verdicts", []):
        if v.get("hook") in HOOKS and rank.get(v.get("effective"), 0) > rank[best]:
            best = v["effective"]
    return best
