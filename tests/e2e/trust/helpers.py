"""Payloads of the three platforms for the trust-boundary tests (ADR 0018): the same action,
each platform's own shape, with the agent-controllable fields (cwd, dir_path, transcript path)
as arguments."""

from __future__ import annotations

import json
import os

from tests.conftest import HOOKGATE
from tests.support import payloads

PLATFORMS = ("claude-code", "gemini-cli", "cursor")
PROJECT_ENV = {"claude-code": "CLAUDE_PROJECT_DIR", "gemini-cli": "GEMINI_PROJECT_DIR", "cursor": "CURSOR_PROJECT_DIR"}


def make_repo(root) -> str:
    root = str(root)
    os.makedirs(os.path.join(root, ".git"), exist_ok=True)
    os.makedirs(os.path.join(root, ".hookgate"), exist_ok=True)
    os.makedirs(os.path.join(root, ".claude"), exist_ok=True)
    with open(os.path.join(root, ".env"), "w") as f:
        f.write("API_KEY=sk-live-0123456789abcdef0123\n")
    with open(os.path.join(root, ".claude", "settings.json"), "w") as f:
        f.write("{}\n")
    return root


def write(platform: str, path: str, cwd: str, project: str, content: str = "x", transcript: str = "",
          session: str = "s-trust") -> dict:
    """A file write with the agent-controllable fields (cwd, transcript path) as given."""
    return payloads.write_pre(platform, project, path, content, session=session, cwd=cwd, transcript=transcript)


def shell(platform: str, command: str, cwd: str, project: str, dir_path: str = "", transcript: str = "",
          session: str = "s-trust") -> dict:
    """A shell command with the agent-controllable fields (cwd, Gemini's dir_path, transcript) as given."""
    return payloads.shell_pre(platform, project, command, session=session, cwd=cwd, transcript=transcript,
                              dir_path=dir_path)


def platform_env(platform: str, project: str, home: str) -> dict:
    """What each platform sets for the hook process."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_PROJECT_DIR")}
    env["HOME"] = home
    env[PROJECT_ENV[platform]] = project
    if platform != "claude-code":
        env["CLAUDE_PROJECT_DIR"] = project  # both export the alias
    return env


def run(platform: str, payload, env: dict, cwd: str, timeout: float = 60):
    import subprocess

    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return subprocess.run([HOOKGATE, "hook", "--platform", platform], input=data, capture_output=True,
                          env=env, cwd=cwd, timeout=timeout)


def label(platform: str, proc) -> str:
    from hookgate.adapters import load

    return load(platform).classify_output(proc.stdout.decode(), proc.stderr.decode(), proc.returncode)


def ledger(project: str) -> list[dict]:
    p = os.path.join(project, ".git", "hookgate", "ledger.jsonl")
    if not os.path.exists(p):
        return []
    with open(p, encoding="utf-8") as f:
        return [json.loads(x) for x in f if x.strip()]


DENY = ("deny", "exit2-deny", "ask")
