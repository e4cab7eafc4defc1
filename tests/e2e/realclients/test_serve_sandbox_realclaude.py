"""ADR 0025, "The http door and Claude's sandbox", measured in the real Claude Code binary
(offline): with Claude's sandbox on (the floor ``hookgate install`` writes), Claude sends http
hooks through its sandbox's network proxy. Without the server's ``127.0.0.1:<port>`` in
``sandbox.network.allowedDomains`` the proxy refuses the loopback door (every tool call fails
closed, nothing reaches the ledger); with it, the hook reaches the server: the ordinary write is
performed and recorded, the protected one is the server's deny — and the agent's own sandboxed
shell reaches the decision port through the same proxy (``curl --noproxy ''``). Measured, not
wired: install keeps command hooks where the sandbox is on (ADR 0025 says why)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile

import pytest

from hookgate.server.wiring import claude_http_hooks
from tests.e2e.realclients.clients import CLAUDE, MessagesAPI, ensure_client, run_claude
from tests.unit.floor.helpers import HOOKGATE, make_project, run_env
from tests.unit.server import helpers as h

pytestmark = pytest.mark.realclient


@pytest.fixture(scope="module")
def claude_pkg():
    if not shutil.which("bwrap") or not shutil.which("socat"):
        pytest.fail("bubblewrap and socat are required (scripts/test installs them)")
    return ensure_client(CLAUDE)


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _world(allow_port: bool):
    base = tempfile.mkdtemp(prefix="hg-sbx-", dir="/tmp")  # short: Claude's sandbox puts its bridge sockets in TMPDIR
    home = os.path.join(base, "home")
    os.makedirs(home)
    root = make_project(base, home)
    env = run_env(home, base)
    rt = os.path.join(base, "rt")
    env["HOOKGATE_RUNTIME_DIR"] = rt
    port = _free_port()
    r = subprocess.run([HOOKGATE, "install", "--platform", "claude-code", "--scope", "project", "--server-port",
                        str(port)], cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "sandbox settings written" in r.stderr, r.stderr
    path = os.path.join(root, ".claude", "settings.json")
    with open(path) as f:
        doc = json.load(f)
    assert doc["sandbox"]["enabled"] is True
    pre = claude_http_hooks(HOOKGATE, port, root)["PreToolUse"]
    doc["hooks"]["PreToolUse"] = pre  # the tool call through the http door (the server started below)
    if allow_port:
        doc["sandbox"].setdefault("network", {}).setdefault("allowedDomains", []).append(f"127.0.0.1:{port}")
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
    with open(os.path.join(root, ".claude", "settings.local.json"), "w") as f:  # the user's own choice
        json.dump({"permissions": {"allow": ["Bash"]}}, f)
    return base, root, home, env, rt, port


def _serve(home, rt, port, env):
    os.makedirs(rt, mode=0o700, exist_ok=True)
    with open(os.path.join(rt, "test-server.log"), "ab") as log:
        p = subprocess.Popen([HOOKGATE, "serve", "--port", str(port), "--idle", "300"], env=env, cwd="/",
                             stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    h.wait_up(rt, p)
    return p


def _ledger_tools(root) -> list:
    try:
        with open(os.path.join(root, ".git", "hookgate", "ledger.jsonl")) as f:
            return [(json.loads(x).get("tool"), json.loads(x).get("outcome")) for x in f]
    except OSError:
        return []


@pytest.mark.parametrize("allow_port", [False, True])
def test_http_door_with_the_sandbox_on(claude_pkg, allow_port):
    base, root, home, env, rt, port = _world(allow_port)
    srv = _serve(home, rt, port, env)
    try:
        ok = os.path.join(root, "src", "ok.txt")
        with MessagesAPI("Write", {"file_path": ok, "content": "hi"}) as api:
            r = run_claude(claude_pkg, home, root, api.port, os.path.join(base, "debug.log"),
                           extra_env={"HOOKGATE_RUNTIME_DIR": rt, "TMPDIR": os.path.join(base, "tmp")})
        assert api.requests, r.stderr[-2000:]
        written = os.path.exists(ok)
        seen = [t for t in _ledger_tools(root) if t[0] == "Write"]
        bad = os.path.join(root, ".hookgate", "rollout.yaml")
        with MessagesAPI("Write", {"file_path": bad, "content": "x: 1\n"}) as api:
            r2 = run_claude(claude_pkg, home, root, api.port, os.path.join(base, "debug2.log"),
                            extra_env={"HOOKGATE_RUNTIME_DIR": rt, "TMPDIR": os.path.join(base, "tmp")})
        denied_bad = not os.path.exists(bad)
        assert r2.returncode is not None
        with open(os.path.join(base, "debug.log"), errors="replace") as f:
            dbg = [ln for ln in f if "http" in ln.lower() and ("hook" in ln.lower() or "403" in ln)][-5:]
        print(f"allow_port={allow_port}: ordinary write done={written}, ledger Write records={seen}, "
              f"protected write denied={denied_bad}; debug: {''.join(dbg)[-1500:]}")
        assert denied_bad
        # what the allowance opens to the agent: its sandboxed shell reaches the decision port too
        cmd = f"curl -s -m 5 --noproxy '' http://127.0.0.1:{port}/v1/health && echo reached || echo refused"
        with MessagesAPI("Bash", {"command": cmd}) as api:
            run_claude(claude_pkg, home, root, api.port, os.path.join(base, "debug3.log"),
                       extra_env={"HOOKGATE_RUNTIME_DIR": rt, "TMPDIR": os.path.join(base, "tmp")})
        results = [c for q in api.requests for m in (q["body"].get("messages") or [])
                   if isinstance(m.get("content"), list) for c in m["content"]
                   if isinstance(c, dict) and c.get("type") == "tool_result"]
        shell = json.dumps(results[-1].get("content")) if results else "(no tool result)"
        print(f"allow_port={allow_port}: the agent's sandboxed `curl` of the port: {shell[:300]}")
        if allow_port:
            assert "okreached" in shell.replace("\\n", "")  # the trade-off ADR 0025 states
        if allow_port:
            assert written and seen, "the hook did not reach the server through the sandbox proxy"
            assert ("Write", "block") in _ledger_tools(root), "the protected write was not the server's deny"
        else:
            assert not written and not seen  # the proxy refused the loopback door: blocked, never allowed
    finally:
        h.stop(srv)
        shutil.rmtree(base, ignore_errors=True)
