"""A pseudo-terminal runner and small readers for the approvals tests (ADR 0012); payloads come
from tests/support/payloads.py."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import time

from tests.conftest import HOOKGATE, run_cli, run_hook
from tests.support.payloads import post_of, shell_pre, write_pre  # noqa: F401 - the approvals tests' vocabulary

ID_RX = re.compile(r"approval request ([0-9a-f]{8})")
AGENT_ENV_VARS = ("CLAUDECODE", "CLAUDE_CODE", "CURSOR_AGENT", "GEMINI_CLI", "CODEX_SANDBOX", "COPILOT_AGENT")
CI_FILE = ".github/workflows/ci.yml"


def human_env(**extra) -> dict:
    """The environment of a human's terminal: no agent markers."""
    env = {k: v for k, v in os.environ.items() if k not in AGENT_ENV_VARS}
    env.update(extra)
    return env


def classify(platform: str, proc) -> str:
    from hookgate.adapters import load

    return load(platform).classify_output(proc.stdout.decode(), proc.stderr.decode(), proc.returncode)


def hook(platform: str, payload: dict, project, env: dict | None = None):
    return run_hook(payload, platform, cwd=str(project), env=env)


def approval_id(proc) -> str:
    m = ID_RX.search(proc.stdout.decode() + proc.stderr.decode())
    assert m, f"no approval id in: {proc.stdout!r} {proc.stderr!r}"
    return m.group(1)


def requests(project) -> list[dict]:
    r = run_cli("approvals", "list", "--json", cwd=str(project), env=human_env())
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["version"] == 1
    return doc["requests"]


def request(project, rid: str) -> dict:
    return next(r for r in requests(project) if r["id"] == rid)


def state_file(project, rid: str) -> str:
    return os.path.join(str(project), ".git", "hookgate", "approvals", rid + ".json")


def edit_request(project, rid: str, **changes) -> None:
    """What a human (or this test) could do to a request file directly."""
    path = state_file(project, rid)
    with open(path, encoding="utf-8") as f:
        req = json.load(f)
    req.update(changes)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(req, f)


def on_pty(args: list[str], cwd, env: dict | None = None, answer: str = "y\n", timeout: float = 60,
           command: str = HOOKGATE) -> tuple[int, str]:
    """Run ``hookgate ARGS`` (*command*: which hookgate, e.g. the one a user's PATH finds) with
    stdin/stdout on a pseudo-terminal (as a human at a terminal), type *answer* once the
    question appears; return (exit code, everything it printed)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([command, *args], stdin=slave, stdout=slave, stderr=slave, cwd=str(cwd),
                            env=env if env is not None else human_env(), start_new_session=True)
    os.close(slave)
    out = b""
    sent = False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            r, _, _ = select.select([master], [], [], 0.1)
            if r:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    break
                out += chunk
                if not sent and b"[y/N]" in out:
                    os.write(master, answer.encode())
                    sent = True
            elif proc.poll() is not None:
                break
        rc = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    return rc, out.decode("utf-8", "replace").replace("\r\n", "\n")


def approve_on_pty(project, rid: str, *extra: str, answer: str = "y\n") -> tuple[int, str]:
    return on_pty(["approvals", "approve", rid, *extra], project, answer=answer)


def ledger(project) -> list[dict]:
    from tests.conftest import ledger_records

    return ledger_records(project)


def prefer_queue(project) -> None:
    """Project setting: checkpoints go to the queue even where the platform can ask natively."""
    d = project / ".hookgate" / "hooks"
    d.mkdir(parents=True, exist_ok=True)
    (d / "self-protection.yaml").write_text("policy:\n  approvals:\n    prefer_queue: true\n")
