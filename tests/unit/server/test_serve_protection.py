"""ADR 0025: what the server gives a client that is not a hook (decisions only), where its
files live and with which modes, and the http door's answers (always JSON, fail closed)."""

from __future__ import annotations

import json
import os
import stat
import subprocess

import pytest

from hookgate.server import runtime
from hookgate.server.client import Conn
from tests.unit.validators.guards.helpers import build_project
from tests.unit.server import helpers as h


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    base = tmp_path_factory.mktemp("prot")
    root, home, rt = base / "proj", base / "home", base / "rt"
    root.mkdir()
    home.mkdir()
    build_project(root, home)
    p = h.start(home, rt)
    yield root, home, rt, p
    h.stop(p)


def _secret(rt) -> str:
    with open(os.path.join(str(rt), "secret")) as f:
        return f.read().strip()


def test_files_are_private(served):
    _, _, rt, _ = served
    paths = runtime.paths({"HOOKGATE_RUNTIME_DIR": str(rt)})
    assert stat.S_IMODE(os.stat(paths["dir"]).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(paths["sock"]).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(paths["secret"]).st_mode) == 0o600
    assert len(_secret(rt)) == 64


def test_launcher_and_runtime_agree_on_the_socket(served, tmp_path):
    """The launcher (bin/hookgate → hookgate.__main__) computes the socket path before importing
    the rest of hookgate: it must match."""
    from hookgate.__main__ import _server_sock

    ns = {"_server_sock": _server_sock}
    import os as _os

    old = dict(_os.environ)
    try:
        for env in ({"HOOKGATE_RUNTIME_DIR": str(tmp_path)}, {"XDG_RUNTIME_DIR": str(tmp_path)}, {}):
            _os.environ.pop("HOOKGATE_RUNTIME_DIR", None)
            _os.environ.pop("XDG_RUNTIME_DIR", None)
            _os.environ.update(env)
            assert ns["_server_sock"](_os) == runtime.paths(env)["sock"]
    finally:
        _os.environ.clear()
        _os.environ.update(old)


@pytest.mark.parametrize("secret", [None, "", "0" * 64])
def test_control_needs_the_secret(served, secret):
    _, _, rt, p = served
    c = Conn(h.sock_path(rt))
    hdr = {} if secret is None else {"X-Hookgate-Secret": secret}
    assert c.request("POST", "/v1/control/stop", b"", hdr)[0] == 404
    assert c.request("GET", "/v1/control/status", b"", hdr)[0] == 404
    assert p.poll() is None
    status, _, body = c.request("GET", "/v1/control/status", b"", {"X-Hookgate-Secret": _secret(rt)})
    assert status == 200 and json.loads(body)["pid"] == p.pid
    c.close()


def test_loopback_port_gives_decisions_only(served):
    root, _, rt, _ = served
    port = h.info(rt)["port"]
    c = Conn(("127.0.0.1", port))
    secret = {"X-Hookgate-Secret": _secret(rt)}
    assert c.request("GET", "/v1/control/status", b"", secret)[0] == 404  # not even with the secret
    assert c.request("POST", "/v1/control/stop", b"", secret)[0] == 404
    assert c.request("POST", "/v1/client/claude-code", b"/\0\0{}")[0] == 404  # no env/cwd door over TCP
    assert c.request("GET", "/v1/health")[0] == 200
    c.close()


def test_http_door_denies_and_allows_as_claude_expects(served):
    root, _, rt, _ = served
    c = Conn(("127.0.0.1", h.info(rt)["port"]))
    hdr = {"X-Hookgate-Project-Dir": str(root), "Content-Type": "application/json"}
    s, _, body = c.request("POST", "/v1/hook/claude-code", h.payload(root, "Bash", {"command": "cat .env"}), hdr)
    assert s == 200 and json.loads(body)["hookSpecificOutput"]["permissionDecision"] == "deny"
    s, _, body = c.request("POST", "/v1/hook/claude-code", h.payload(root, "Bash", {"command": "git status"}), hdr)
    assert s == 200 and json.loads(body) == {}
    s, _, body = c.request("POST", "/v1/hook/claude-code",
                           h.payload(root, "Write", {"file_path": f"{root}/notes.txt", "content": "x"}), hdr)
    assert s == 200 and json.loads(body) == {}
    # bad JSON: the one-shot door's exit-2 deny, rendered as JSON (an http hook cannot exit 2)
    s, _, body = c.request("POST", "/v1/hook/claude-code", b"not json", hdr)
    assert s == 200 and json.loads(body)["hookSpecificOutput"]["permissionDecision"] == "deny"
    c.close()


def test_http_door_without_project_dir_denies(served):
    root, _, rt, _ = served
    c = Conn(("127.0.0.1", h.info(rt)["port"]))
    s, _, body = c.request("POST", "/v1/hook/claude-code", h.payload(root, "Bash", {"command": "git status"}))
    assert s == 200 and json.loads(body)["hookSpecificOutput"]["permissionDecision"] == "deny"
    c.close()


def test_second_server_does_not_replace_the_first(served):
    _, home, rt, p = served
    r = subprocess.run([h.HOOKGATE, "serve", "--idle", "5"], env=h.server_env(home, rt), cwd="/",
                       capture_output=True, timeout=60)
    assert r.returncode == 0 and p.poll() is None
    c = Conn(h.sock_path(rt))
    assert json.loads(c.request("GET", "/v1/control/status", b"", {"X-Hookgate-Secret": _secret(rt)})[2])["pid"] == p.pid
    c.close()


def test_stopped_server_means_one_shot_not_allow(tmp_path):
    root, home, rt = tmp_path / "p", tmp_path / "h", tmp_path / "rt"
    root.mkdir()
    home.mkdir()
    build_project(root, home)
    p = h.start(home, rt)
    env = {**h.server_env(home, rt), "CLAUDE_PROJECT_DIR": str(root)}
    r = subprocess.run([h.HOOKGATE, "serve", "stop"], env=env, capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    p.wait(20)
    assert not os.path.exists(h.sock_path(rt))
    r = subprocess.run([h.HOOKGATE, "hook", "--platform", "claude-code"], env=env, cwd=root, capture_output=True,
                       input=h.payload(root, "Bash", {"command": "cat .env"}), timeout=60)
    assert json.loads(r.stdout)["hookSpecificOutput"]["permissionDecision"] == "deny"


def test_idle_server_stops_by_itself(tmp_path):
    home, rt = tmp_path / "h", tmp_path / "rt"
    home.mkdir()
    p = h.start(home, rt, idle=1)
    assert p.wait(30) == 0
    assert not os.path.exists(h.sock_path(rt))


@pytest.mark.parametrize("tool,inp", [
    ("Bash", {"command": "cat {rt}/secret"}),
    ("Bash", {"command": "curl --unix-socket {sock} -H \"X-Hookgate-Secret: $(cat {rt}/secret)\" -X POST http://x/v1/control/stop"}),
    ("Read", {"file_path": "{rt}/secret"}),
    ("Bash", {"command": "rm -f {sock}"}),
    ("Bash", {"command": "python3 -c 'import socket; s=socket.socket(socket.AF_UNIX); s.bind(\"{sock}\")'"}),
    ("Write", {"file_path": "{rt}/secret", "content": "x"}),
    ("Bash", {"command": "hookgate serve stop"}),
    ("Bash", {"command": "hookgate serve"}),
    ("Bash", {"command": "echo 'hookgate serve stop' | sh"}),
])
def test_agent_cannot_read_the_secret_or_control_the_server(served, tool, inp):
    """Self-protection (ADR 0025). The leak without the guard: the secret is a plain file of
    the same user, and with it the control door stops the server (shown below)."""
    root, home, rt, p = served
    sock = h.sock_path(rt)
    inp = {k: v.replace("{rt}", str(rt)).replace("{sock}", sock) for k, v in inp.items()}
    env = {**h.server_env(home, rt), "CLAUDE_PROJECT_DIR": str(root)}
    c = Conn(sock)
    from hookgate.adapters.claude_code import classify_output
    from hookgate.server.client import hook_via

    got = classify_output(*hook_via(c, "claude-code", h.payload(root, tool, inp), env, str(root)))
    c.close()
    assert got in ("deny", "exit2-deny", "ask"), (tool, inp, got)


def test_the_secret_really_is_what_stops_the_server(tmp_path):
    home, rt = tmp_path / "h", tmp_path / "rt"
    home.mkdir()
    p = h.start(home, rt)
    c = Conn(h.sock_path(rt))
    assert c.request("POST", "/v1/control/stop", b"", {"X-Hookgate-Secret": _secret(rt)})[0] == 200
    c.close()
    assert p.wait(20) == 0


def test_the_floor_masks_the_runtime_dir(tmp_path):
    """ADR 0025 + 0020: under `hookgate run` the secret and the socket are not there at all;
    outside it the same command reads the secret (the leak the mask closes)."""
    root, home, rt = tmp_path / "p", tmp_path / "h", tmp_path / "rt"
    (root / ".git").mkdir(parents=True)
    home.mkdir()
    from hookgate.floor.plan import build

    env = {**h.server_env(home, rt)}
    runtime.ensure_dir(str(rt))
    secret = runtime.secret(str(rt))
    assert os.path.realpath(str(rt)) in build(str(root), str(home), env).mask_dirs
    plain = subprocess.run(["cat", f"{rt}/secret"], capture_output=True, text=True)
    assert secret in plain.stdout  # without the floor: readable by the same user
    r = subprocess.run([h.HOOKGATE, "run", "--", "cat", f"{rt}/secret"], cwd=root, env=env,
                       capture_output=True, text=True, timeout=120)
    assert secret not in r.stdout and r.returncode != 0, (r.returncode, r.stdout, r.stderr[-1000:])


def test_server_stops_when_its_code_changes(tmp_path):
    """A server upgraded in place never answers with old code (ADR 0025). The package's files
    are watched like HOOKGATE_SERVE_WATCH's (used here so parallel tests' servers are left alone)."""
    home, rt = tmp_path / "h", tmp_path / "rt"
    home.mkdir()
    marker = tmp_path / "module.py"
    marker.write_text("x = 1\n")
    env = {**h.server_env(home, rt), "HOOKGATE_SERVE_WATCH": str(marker)}
    r = subprocess.run([h.HOOKGATE, "serve", "start", "--idle", "60"], env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0 and "started" in r.stdout, r.stderr
    r = subprocess.run([h.HOOKGATE, "serve", "start"], env=env, capture_output=True, text=True, timeout=60)
    assert "already running" in r.stdout
    marker.write_text("x = 22\n")
    for _ in range(300):
        if not os.path.exists(h.sock_path(rt)):
            break
        import time

        time.sleep(0.1)
    assert not os.path.exists(h.sock_path(rt)), "the server kept answering with changed code"
    r = subprocess.run([h.HOOKGATE, "serve", "status"], env=env, capture_output=True, text=True, timeout=60)
    assert "not running" in r.stdout and r.returncode == 3


def test_thin_client_bounds_stdin_like_the_one_shot_path(served):
    """Server up, stdin never closed: the launcher denies within the deadline (ADR 0018)."""
    import time

    root, home, rt, _ = served
    env = {**h.server_env(home, rt), "CLAUDE_PROJECT_DIR": str(root)}
    t = time.monotonic()
    p = subprocess.Popen([h.HOOKGATE, "hook", "--platform", "claude-code"], env=env, cwd=root,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdin.write(b'{"session_id": "s"')
    p.stdin.flush()
    out, err = p.stdout.read(), p.stderr.read()  # the launcher exits with stdin still open
    p.wait(30)
    p.stdin.close()
    p.stdout.close()
    p.stderr.close()
    assert time.monotonic() - t < 8
    assert p.returncode == 2 and b"stdin not closed" in err, (out, err)
