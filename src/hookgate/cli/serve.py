"""``hookgate serve``: run, start, stop, inspect the user's decision server (ADR 0025).

    hookgate serve [--port N] [--idle SECONDS]      run in the foreground
    hookgate serve start [--port N] [--idle S]      start in the background unless one is up
    hookgate serve status                           pid, port, decisions (needs the secret)
    hookgate serve stop                             stop it (needs the secret)
    hookgate serve wiring [--port N]                this project's Claude Code http-hook wiring (JSON:
                                                    the hooks `hookgate install` writes there)

Lean (argparse, standard library): ``start`` runs from SessionStart hooks. From an agent's
shell every ``hookgate serve`` subcommand is denied by self-protection (ADR 0025).
"""

from __future__ import annotations

import os
import sys
import time


def _log_to(path: str):
    def log(msg: str) -> None:
        try:
            with open(path, "a", encoding="utf-8") as f:
                f.write(f"{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {msg}\n")
        except OSError:
            pass
    return log


def _up(rt: dict, timeout: float = 0.2) -> bool:
    from hookgate.server.client import Conn

    try:
        c = Conn(rt["sock"], timeout)
        try:
            return c.request("GET", "/v1/health")[0] == 200
        finally:
            c.close()
    except OSError:
        return False


def _health(sock: str, timeout: float = 0.2) -> bool:
    """``GET /v1/health`` answered 200 on *sock*: :func:`_up` with the C socket module only
    (``socket`` imports ``selectors``, ``enum``, ``collections``: ~5 ms of a start)."""
    import _socket

    s = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        s.settimeout(timeout)
        s.connect(sock)
        s.sendall(b"GET /v1/health HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        got = b""
        while b"\r\n" not in got and len(got) < 4096:
            chunk = s.recv(4096)
            if not chunk:
                break
            got += chunk
        return got.startswith(b"HTTP/1.1 200 ")
    except OSError:
        return False
    finally:
        s.close()


def _sandbox_on(project: str) -> bool:
    from hookgate.state import jsonio

    for name in ("settings.json", "settings.local.json"):
        try:
            with open(os.path.join(project, ".claude", name), encoding="utf-8") as f:
                doc = jsonio.loads(f.read())
        except (OSError, ValueError):
            continue
        sb = doc.get("sandbox") if isinstance(doc, dict) else None
        if isinstance(sb, dict) and sb.get("enabled") is True:
            return True
    return False


def _control(rt: dict, method: str, path: str):
    from hookgate.server import runtime
    from hookgate.server.client import Conn

    secret = runtime.secret(rt["dir"], create=False) or ""
    c = Conn(rt["sock"], 5.0)
    try:
        return c.request(method, path, b"", {"X-Hookgate-Secret": secret})
    finally:
        c.close()


def main(argv: list[str]) -> int:
    if argv[:1] == ["start"]:  # every UserPromptSubmit runs it: when the server is up, answer before
        from hookgate.server import runtime  # importing argparse or the server (~20 ms less)

        rt = runtime.paths()
        if _health(rt["sock"]):
            print(f"hookgate serve: already running ({rt['sock']})")
            return 0
    import argparse

    ap = argparse.ArgumentParser(prog="hookgate serve", description="The resident decision server (ADR 0025).")
    ap.add_argument("action", nargs="?", default="run", choices=("run", "start", "stop", "status", "wiring"))
    ap.add_argument("--port", type=int, default=None,
                    help="loopback HTTP port for Claude Code http hooks (default $HOOKGATE_SERVE_PORT, else this "
                         "user's fixed port for this installation, else any free one)")
    ap.add_argument("--idle", type=float, default=900.0, help="stop after this many seconds without a request")
    ap.add_argument("--group-commit-ms", type=float, default=10.0,
                    help="fsync the ledger within this window after answering (0: before answering); "
                         "a killed server loses nothing either way, a machine crash at most this window")
    args = ap.parse_args(argv)
    from hookgate.server import loop, runtime

    rt = runtime.paths()
    soft = args.port is None  # the default port: if something else holds it, any free one (logged)
    if soft:
        args.port = runtime.default_port()
    if args.action == "wiring":
        from hookgate.state import jsonio
        from hookgate.server.wiring import claude_http_hooks

        launcher = os.path.join(os.path.dirname(sys.executable), "hookgate")
        from hookgate.state.paths import find_project_root

        project = find_project_root(os.getcwd())
        print(jsonio.dumps({"hooks": claude_http_hooks(launcher, args.port, project)}, indent=2))
        if _sandbox_on(project):
            print("hookgate serve wiring: Claude's sandbox is on in this project: its proxy refuses the loopback "
                  "http door, so `hookgate install` keeps command hooks here (ADR 0025)", file=sys.stderr)
        return 0
    if args.action == "run":
        return loop.run(rt, args.port, args.idle, _log_to(rt["log"]), args.group_commit_ms, soft_port=soft)
    if args.action == "start":
        if _up(rt):
            print(f"hookgate serve: already running ({rt['sock']})")
            return 0
        import subprocess

        runtime.ensure_dir(rt["dir"])
        launcher = os.path.join(os.path.dirname(sys.executable), "hookgate")
        cmd = [launcher] if os.path.exists(launcher) else [sys.executable, "-m", "hookgate"]
        lfd = os.open(rt["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with open(os.devnull, "rb") as dn, os.fdopen(lfd, "ab") as lg:
            subprocess.Popen(cmd + ["serve", *([] if soft else ["--port", str(args.port)]), "--idle", str(args.idle),
                                "--group-commit-ms", str(args.group_commit_ms)],
                             stdin=dn, stdout=lg, stderr=lg, start_new_session=True, cwd="/",
                             close_fds=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if _up(rt):
                print(f"hookgate serve: started ({rt['sock']})")
                return 0
            time.sleep(0.05)
        print(f"hookgate serve: did not come up within 10 s; see {rt['log']}", file=sys.stderr)
        return 1
    if not _up(rt):
        print("hookgate serve: not running")
        return 0 if args.action == "stop" else 3
    status, _, body = _control(rt, "POST" if args.action == "stop" else "GET", f"/v1/control/{args.action}")
    if status != 200:
        print(f"hookgate serve: the server refused ({status}): the secret in {rt['secret']} does not match",
              file=sys.stderr)
        return 1
    print(body.decode())
    return 0
