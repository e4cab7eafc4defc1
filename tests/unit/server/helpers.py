"""A real ``hookgate serve`` process for the server tests (ADR 0025)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from tests.support import payloads

HOOKGATE = os.path.join(os.path.dirname(sys.executable), "hookgate")


def server_env(home, rtdir) -> dict:
    return {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOOKGATE_RUNTIME_DIR": str(rtdir)}


def sock_path(rtdir) -> str:
    from hookgate.server import runtime

    return runtime.paths({"HOOKGATE_RUNTIME_DIR": str(rtdir)})["sock"]


def start(home, rtdir, idle: float = 300, group_commit_ms: float = 10) -> subprocess.Popen:
    os.makedirs(str(rtdir), mode=0o700, exist_ok=True)
    with open(os.path.join(str(rtdir), "test-server.log"), "ab") as log:
        p = subprocess.Popen([HOOKGATE, "serve", "--idle", str(idle), "--group-commit-ms", str(group_commit_ms)], env=server_env(home, rtdir), cwd="/",
                             stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    wait_up(rtdir, p)
    return p


def wait_up(rtdir, p=None, timeout: float = 60.0) -> None:
    from hookgate.server.client import Conn

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if p is not None and p.poll() is not None:
            with open(os.path.join(str(rtdir), "test-server.log"), "rb") as f:
                raise RuntimeError(f"hookgate serve exited {p.returncode}: {f.read().decode()[-2000:]}")
        try:
            c = Conn(sock_path(rtdir), 1.0)
            try:
                if c.request("GET", "/v1/health")[0] == 200:
                    return
            finally:
                c.close()
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError("hookgate serve did not come up")


def info(rtdir) -> dict:
    from hookgate.server import runtime

    with open(runtime.paths({"HOOKGATE_RUNTIME_DIR": str(rtdir)})["info"]) as f:
        return json.load(f)


def stop(p: subprocess.Popen) -> None:
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def payload(project, tool: str, tool_input: dict, session: str = "s-server") -> bytes:
    return payloads.encode(payloads.claude_pre(project, tool, tool_input, session, tool_use_id="toolu_server"))
