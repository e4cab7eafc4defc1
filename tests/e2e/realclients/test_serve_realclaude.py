"""ADR 0025 through the real Claude Code binary, offline (a localhost Messages API stand-in):
its ``http`` hook to the server, wired as ``hookgate serve wiring`` writes it, obeys the
server's deny, lets an ordinary write through, and still denies with the server stopped
(``onFailure: "block"``) — and without ``onFailure`` a stopped server really means "allow"
(the leak the wiring exists for)."""

from __future__ import annotations

import json
import os
import socket

import pytest

from hookgate.server.wiring import claude_http_hooks
from tests.unit.server import helpers as h

from tests.e2e.realclients.clients import CLAUDE, MessagesAPI, ensure_client, run_claude  # noqa: E402

pytestmark = pytest.mark.realclient


@pytest.fixture(scope="module")
def claude_pkg():
    return ensure_client(CLAUDE)


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _world(tmp_path, port: int, on_failure: bool = True):
    home, project, rt = tmp_path / "home", tmp_path / "proj", tmp_path / "rt"
    for d in (home / ".claude", project / ".git", project / "src"):
        d.mkdir(parents=True)
    (project / ".env").write_text("API_KEY=sk-live-canary\n")
    hooks = claude_http_hooks(h.HOOKGATE, port, str(project))
    pre = hooks["PreToolUse"]  # only the http door: the server is started by the test
    if not on_failure:
        pre = [{"matcher": "*", "hooks": [{k: v for k, v in pre[0]["hooks"][0].items() if k != "onFailure"}]}]
    (home / ".claude" / "settings.json").write_text(json.dumps({"hooks": {"PreToolUse": pre}}))
    return home, project, rt


def _claude(claude_pkg, tmp_path, home, project, tool, tool_input):
    with MessagesAPI(tool, tool_input) as api:
        r = run_claude(claude_pkg, str(home), str(project), api.port, str(tmp_path / "debug.log"))
    assert api.requests, r.stderr[-2000:]
    return r


def _start(home, rt, port):
    os.makedirs(str(rt), mode=0o700, exist_ok=True)
    import subprocess

    with open(os.path.join(str(rt), "test-server.log"), "ab") as log:
        p = subprocess.Popen([h.HOOKGATE, "serve", "--port", str(port), "--idle", "300"],
                             env=h.server_env(home, rt), cwd="/", stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    h.wait_up(rt, p)
    return p


def test_real_claude_obeys_the_server_and_blocks_when_it_is_down(claude_pkg, tmp_path):
    port = _free_port()
    home, project, rt = _world(tmp_path, port)
    p = _start(home, rt, port)
    try:
        target = project / ".hookgate" / "rollout.yaml"
        r = _claude(claude_pkg, tmp_path, home, project, "Write", {"file_path": str(target), "content": "x: 1\n"})
        assert not target.exists(), "the server's deny was not obeyed"
        assert "self-protection" in r.stdout, r.stdout[-3000:]
        ok = project / "src" / "ok.txt"
        r = _claude(claude_pkg, tmp_path, home, project, "Write", {"file_path": str(ok), "content": "hi"})
        assert ok.exists(), r.stdout[-3000:]
        led = (project / ".git" / "hookgate" / "ledger.jsonl").read_text().splitlines()
        assert [json.loads(x)["outcome"] for x in led if '"Write"' in x][-2:] == ["block", "allow"]
    finally:
        h.stop(p)
    down = project / "src" / "down.txt"
    r = _claude(claude_pkg, tmp_path, home, project, "Write", {"file_path": str(down), "content": "x"})
    assert not down.exists(), "server down must not mean allow"
    assert '"permission_denials":[{' in r.stdout.replace(" ", "")


def test_without_on_failure_a_down_server_means_allow(claude_pkg, tmp_path):
    """The leak the wiring closes: Claude treats an http hook failure as non-blocking."""
    port = _free_port()
    home, project, rt = _world(tmp_path, port, on_failure=False)
    down = project / "src" / "down.txt"
    _claude(claude_pkg, tmp_path, home, project, "Write", {"file_path": str(down), "content": "x"})
    assert down.exists()
