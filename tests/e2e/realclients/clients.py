"""Harness for the real agent clients, offline (tests/realclients/): pinned npm installs cached under
``$HOOKGATE_NPM_CACHE`` or ``<repo>/.cache/npm-clients`` (gitignored), a localhost stand-in for the
Anthropic Messages API, and the Gemini CLI's ``--fake-responses``."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
CLAUDE = ("@anthropic-ai/claude-code", "2.1.330", "claude-code")
GEMINI = ("@google/gemini-cli", "0.61.0", "gemini-cli")
# the first Claude Code with PreSkillShellCommand is 2.1.332; used only where that event is tested
# (the suite-wide pin above stays until every Claude real-client test has run against a newer one)
CLAUDE_NEW = ("@anthropic-ai/claude-code", "2.1.337", "claude-code")


def cache_root() -> str:
    return os.environ.get("HOOKGATE_NPM_CACHE") or os.path.join(REPO, ".cache", "npm-clients")


def _unavailable(why: str):
    """Off CI a missing client skips (a laptop without node); on CI (``CI`` set, as `.ci/run`
    runs) it fails: a real-client guarantee is never skipped where it is meant to be proven."""
    if os.environ.get("CI"):
        pytest.fail(f"real client unavailable on CI: {why}")
    pytest.skip(why)


def ensure_client(spec) -> str:
    """The package dir of the pinned client, installed once into the cache; skip when impossible
    (fail on CI)."""
    pkg, version, short = spec
    prefix = os.path.join(cache_root(), f"{short}-{version}")
    pkg_dir = os.path.join(prefix, "node_modules", *pkg.split("/"))
    if os.path.isfile(os.path.join(pkg_dir, "package.json")):
        return pkg_dir
    if not shutil.which("node") or not shutil.which("npm"):
        _unavailable("node/npm not available: real-client conformance needs them")
    os.makedirs(prefix, exist_ok=True)
    import fcntl

    # one installer at a time (pytest -n auto starts several workers), and never with the real
    # HOME: npm writes ~/.npm and ~/.npmrc, which the suite's HOME guard rightly fails on
    with open(os.path.join(cache_root(), ".install.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.isfile(os.path.join(pkg_dir, "package.json")):
            return pkg_dir
        try:
            r = subprocess.run(["npm", "install", "--prefix", prefix, "--no-audit", "--no-fund", "--silent",
                                f"{pkg}@{version}"], capture_output=True, text=True, timeout=900, env=npm_env())
        except (OSError, subprocess.TimeoutExpired) as e:
            _unavailable(f"npm install {pkg}@{version} failed: {e}")
    if r.returncode != 0 or not os.path.isfile(os.path.join(pkg_dir, "package.json")):
        _unavailable(f"npm install {pkg}@{version} unavailable: {(r.stderr or r.stdout).strip()[-300:]}")
    return pkg_dir


def npm_env() -> dict:
    """npm's environment: HOME, cache and config inside the client cache, never the user's."""
    home = os.path.join(cache_root(), ".npm-home")
    os.makedirs(home, exist_ok=True)
    import pwd

    env = dict(os.environ)
    env.update(HOME=home, npm_config_cache=os.path.join(cache_root(), ".npm-cache"), npm_config_update_notifier="false",
               XDG_CONFIG_HOME=os.path.join(home, ".config"), XDG_CACHE_HOME=os.path.join(home, ".cache"))
    user_rc = os.path.join(pwd.getpwuid(os.getuid()).pw_dir, ".npmrc")  # a registry mirror lives there: read only
    if "npm_config_userconfig" not in env and os.path.isfile(user_rc):
        env["npm_config_userconfig"] = user_rc
    return env


def run_group(argv, cwd, env, timeout) -> subprocess.CompletedProcess:
    """Run in its own process group and kill the whole group on timeout (the clients re-spawn)."""
    p = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        err += f"\n[harness: killed after {timeout}s]"
    return subprocess.CompletedProcess(argv, p.returncode, out, err)


def base_env(home: str) -> dict:
    keep = ("PATH", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env["HOME"] = home
    return env


# --- Gemini CLI ---------------------------------------------------------------------------------

def gemini_responses(path: str, tool: str, args: dict) -> None:
    def turn(parts):
        return {"method": "generateContentStream", "response": [
            {"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}],
             "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5, "totalTokenCount": 15}}]}
    with open(path, "w") as f:
        f.write(json.dumps(turn([{"functionCall": {"name": tool, "args": args}}])) + "\n")
        f.write(json.dumps(turn([{"text": "Done."}])) + "\n")


def run_gemini(pkg_dir: str, home: str, project: str, responses: str, timeout: float = 90):
    env = base_env(home)
    env.update(GEMINI_CLI_HOME=home, GEMINI_CLI_TRUST_WORKSPACE="true", GEMINI_API_KEY="fake",
               GEMINI_SANDBOX="false", NO_COLOR="1")
    argv = ["node", os.path.join(pkg_dir, "bundle", "gemini.js"), "-m", "gemini-2.5-flash", "-p", "do the task",
            "--fake-responses", responses, "--approval-mode", "yolo", "--output-format", "stream-json"]
    return run_group(argv, project, env, timeout)


# --- Claude Code: a localhost stand-in for the Messages API ---------------------------------------

def _sse(events) -> bytes:
    return "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events).encode()


class MessagesAPI:
    """Answers the first request that offers *tool* with one tool_use, everything else with text."""

    def __init__(self, tool: str, tool_input: dict):
        self.tool, self.tool_input, self.requests = tool, tool_input, []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):  # quiet
                pass

            def do_POST(self):
                n = int(self.headers.get("content-length") or 0)
                body = json.loads(self.rfile.read(n) or b"{}")
                api.requests.append({"path": self.path, "body": body})
                if "count_tokens" in self.path:
                    return self._json({"input_tokens": 10})
                offered = [t.get("name") for t in body.get("tools") or ()]
                msgs = body.get("messages") or []
                last = msgs[-1]["content"] if msgs else ""
                has_result = isinstance(last, list) and any(
                    isinstance(c, dict) and c.get("type") == "tool_result" for c in last)
                use_tool = api.tool in offered and not has_result
                self._answer(body, use_tool)

            def _json(self, obj, code=200):
                data = json.dumps(obj).encode()
                self.send_response(code)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _answer(self, body, use_tool):
                model = body.get("model", "claude-sonnet-4-5")
                if use_tool:
                    block = {"type": "tool_use", "id": "toolu_01HOOKGATE", "name": api.tool, "input": {}}
                    delta = {"type": "input_json_delta", "partial_json": json.dumps(api.tool_input)}
                    stop, content = "tool_use", [dict(block, input=api.tool_input)]
                else:
                    block = {"type": "text", "text": ""}
                    delta = {"type": "text_delta", "text": "Done."}
                    stop, content = "end_turn", [{"type": "text", "text": "Done."}]
                usage = {"input_tokens": 10, "output_tokens": 5, "cache_creation_input_tokens": 0,
                         "cache_read_input_tokens": 0}
                msg = {"id": "msg_01HOOKGATE", "type": "message", "role": "assistant", "model": model,
                       "content": [], "stop_reason": None, "stop_sequence": None, "usage": usage}
                if not body.get("stream"):
                    return self._json(dict(msg, content=content, stop_reason=stop))
                data = _sse([
                    {"type": "message_start", "message": msg},
                    {"type": "content_block_start", "index": 0, "content_block": block},
                    {"type": "content_block_delta", "index": 0, "delta": delta},
                    {"type": "content_block_stop", "index": 0},
                    {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                     "usage": {"output_tokens": 5}},
                    {"type": "message_stop"},
                ])
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def claude_binary(pkg_dir: str) -> str:
    for rel in (("bin", "claude.exe"), ("bin", "claude"), ("cli.js",)):
        p = os.path.join(pkg_dir, *rel)
        if os.path.isfile(p):
            return p
    native = os.path.join(os.path.dirname(pkg_dir), "claude-code-linux-x64", "claude")
    if os.path.isfile(native):
        return native
    pytest.skip(f"no claude binary in {pkg_dir}")


def run_claude(pkg_dir: str, home: str, project: str, port: int, debug_file: str, timeout: float = 90,
               extra_env: dict | None = None):
    env = base_env(home)
    env.update(extra_env or {})  # e.g. the test's decision-server runtime dir (ADR 0025)
    env.update(CLAUDE_CONFIG_DIR=os.path.join(home, ".claude"), ANTHROPIC_BASE_URL=f"http://127.0.0.1:{port}",
               ANTHROPIC_API_KEY="sk-ant-fake", DISABLE_TELEMETRY="1", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1",
               DISABLE_AUTOUPDATER="1", NO_COLOR="1")
    argv = [claude_binary(pkg_dir), "-p", "do the task", "--permission-mode", "acceptEdits",
            "--output-format", "stream-json", "--verbose", "--include-hook-events", "--debug-file", debug_file]
    return run_group(argv, project, env, timeout)
