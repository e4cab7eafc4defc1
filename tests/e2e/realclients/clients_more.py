"""Harness for the real Codex CLI, Copilot CLI, Qwen Code and OpenCode, offline (ADR 0023).

Pinned npm installs cached like the others (``clients.ensure_client``). Two localhost stand-ins
for the model: the OpenAI **Responses** API (Codex, SSE) and the OpenAI **Chat Completions** API
(Copilot CLI, Qwen Code, OpenCode; stream and non-stream). Each answers the first request that
offers the named tool with one call of it, and everything after a tool result with "Done.";
every request body is kept, so a test sees exactly what the model was shown.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.e2e.realclients.clients import base_env, run_group

CODEX = ("@openai/codex", "0.171.0", "codex")
COPILOT = ("@github/copilot", "1.0.102", "copilot-cli")
QWEN = ("@qwen-code/qwen-code", "0.24.4", "qwen-code")
OPENCODE = ("opencode-ai", "1.18.33", "opencode")


class _Server:
    """A ThreadingHTTPServer on 127.0.0.1 with a list of request bodies."""

    def __init__(self, handler_cls):
        self.requests: list[dict] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler_cls)
        self.server.api = self
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def text(self) -> str:
        return json.dumps(self.requests)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def _json(self, obj, code=200):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _sse(self, events):
        data = "".join(events).encode()
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        api = self.server.api
        api.requests.append({"GET": self.path})
        if self.path.rstrip("/").endswith("/models"):
            return self._json({"object": "list", "data": [{"id": api.model, "object": "model", "owned_by": "mock"}]})
        self._json({"error": {"message": "not found"}}, 404)

    def _body(self) -> dict:
        n = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(n) if n else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        self.server.api.requests.append({"POST": self.path, "body": body})
        return body


# --- OpenAI Responses API (Codex) ------------------------------------------------------------

class ResponsesAPI(_Server):
    """Turn 1 (the offered tools include *tool*): one call of it — a ``function_call`` with
    JSON *arguments*, or a ``custom_tool_call`` (freeform, e.g. apply_patch) with text *input*."""

    def __init__(self, tool: str, arguments=None, custom_input: str | None = None, model: str = "gpt-5.5"):
        self.tool, self.arguments, self.custom_input, self.model = tool, arguments, custom_input, model
        super().__init__(_ResponsesHandler)

    def outputs(self) -> list[str]:
        """What the model was sent back as tool output, in order."""
        out = []
        for r in self.requests:
            for item in (r.get("body") or {}).get("input") or ():
                if isinstance(item, dict) and item.get("type") in ("function_call_output", "custom_tool_call_output"):
                    o = item.get("output")
                    out.append(o if isinstance(o, str) else json.dumps(o))
        return out


class _ResponsesHandler(_Handler):
    def do_POST(self):
        api = self.server.api
        body = self._body()
        if not self.path.rstrip("/").endswith("/responses"):
            return self._json({"error": {"message": "unsupported " + self.path}}, 404)
        items = body.get("input") or []
        answered = any(isinstance(i, dict) and i.get("type", "").endswith("_call_output") for i in items)
        offered = set()
        for t in body.get("tools") or ():
            offered.add(t.get("name") or (t.get("function") or {}).get("name"))
        rid = "resp_" + uuid.uuid4().hex[:12]
        call_id = "call_" + uuid.uuid4().hex[:12]
        if not answered and api.tool in offered:
            if api.custom_input is not None:
                item = {"type": "custom_tool_call", "id": "ctc_" + call_id, "call_id": call_id, "name": api.tool,
                        "input": api.custom_input, "status": "completed"}
            else:
                item = {"type": "function_call", "id": "fc_" + call_id, "call_id": call_id, "name": api.tool,
                        "arguments": json.dumps(api.arguments or {}), "status": "completed"}
        else:
            item = {"type": "message", "id": "msg_" + rid, "role": "assistant", "status": "completed",
                    "content": [{"type": "output_text", "text": "Done.", "annotations": []}]}
        usage = {"input_tokens": 10, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 5,
                 "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 15}
        resp = {"id": rid, "object": "response", "created_at": int(time.time()), "status": "completed",
                "model": body.get("model", api.model), "output": [item], "usage": usage}

        def ev(obj):
            return f"event: {obj['type']}\ndata: {json.dumps(obj)}\n\n"

        self._sse([
            ev({"type": "response.created", "response": dict(resp, status="in_progress", output=[])}),
            ev({"type": "response.output_item.added", "output_index": 0, "item": item}),
            ev({"type": "response.output_item.done", "output_index": 0, "item": item}),
            ev({"type": "response.completed", "response": resp}),
        ])


def codex_binary(pkg_dir: str) -> str:
    root = os.path.dirname(os.path.dirname(pkg_dir))  # …/node_modules
    for dirpath, _dirs, files in os.walk(os.path.join(root, "@openai")):
        if "codex" in files and dirpath.endswith(os.path.join("bin")) and "linux" in dirpath:
            p = os.path.join(dirpath, "codex")
            if os.path.getsize(p) > 1 << 20:
                return p
    pytest.skip(f"no native codex binary under {root}")


def run_codex(pkg_dir: str, home: str, project: str, port: int, timeout: float = 120):
    codex_home = os.path.join(home, ".codex")
    os.makedirs(codex_home, exist_ok=True)
    with open(os.path.join(codex_home, "config.toml"), "w") as f:
        f.write('model = "gpt-5.5"\nmodel_provider = "mock"\n\n[model_providers.mock]\nname = "mock"\n'
                f'base_url = "http://127.0.0.1:{port}/v1"\nwire_api = "responses"\nenv_key = "MOCK_API_KEY"\n'
                'request_max_retries = 0\nstream_max_retries = 0\n')
    env = base_env(home)
    env.update(CODEX_HOME=codex_home, MOCK_API_KEY="fake", NO_COLOR="1", RUST_LOG=os.environ.get("RUST_LOG", "warn"))
    argv = [codex_binary(pkg_dir), "exec", "--skip-git-repo-check", "--dangerously-bypass-hook-trust", "--json",
            "--sandbox", "danger-full-access", "do the task"]
    return run_group(argv, project, env, timeout)


# --- OpenAI Chat Completions (Copilot CLI, Qwen Code, OpenCode) -----------------------------

class ChatAPI(_Server):
    """Turn 1 (the offered tools include *tool*): one call of it with *arguments*."""

    def __init__(self, tool: str, arguments: dict, model: str = "mock-model"):
        self.tool, self.arguments, self.model = tool, arguments, model
        super().__init__(_ChatHandler)

    def tool_results(self) -> list[str]:
        """The tool-result messages the model was sent, in order."""
        out = []
        for r in self.requests:
            for m in (r.get("body") or {}).get("messages") or ():
                if isinstance(m, dict) and m.get("role") == "tool":
                    c = m.get("content")
                    out.append(c if isinstance(c, str) else json.dumps(c))
        return out

    def offered(self) -> set[str]:
        names = set()
        for r in self.requests:
            for t in (r.get("body") or {}).get("tools") or ():
                names.add((t.get("function") or t).get("name"))
        return names


class _ChatHandler(_Handler):
    def do_POST(self):
        api = self.server.api
        body = self._body()
        if not self.path.rstrip("/").endswith("chat/completions"):
            return self._json({"error": {"message": "unsupported path " + self.path}}, 404)
        msgs = body.get("messages") or []
        answered = any(isinstance(m, dict) and m.get("role") == "tool" for m in msgs)
        offered = {(t.get("function") or t).get("name") for t in body.get("tools") or ()}
        cid = "chatcmpl-" + uuid.uuid4().hex[:8]
        now = int(time.time())
        model = body.get("model", api.model)
        if not answered and api.tool in offered:
            tc = {"id": "call_" + uuid.uuid4().hex[:12], "type": "function",
                  "function": {"name": api.tool, "arguments": json.dumps(api.arguments)}}
            msg, finish = {"role": "assistant", "content": None, "tool_calls": [tc]}, "tool_calls"
        else:
            tc = None
            msg, finish = {"role": "assistant", "content": "Done."}, "stop"
        usage = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
        if not body.get("stream"):
            return self._json({"id": cid, "object": "chat.completion", "created": now, "model": model,
                               "choices": [{"index": 0, "message": msg, "finish_reason": finish}], "usage": usage})
        base = {"id": cid, "object": "chat.completion.chunk", "created": now, "model": model}

        def ev(obj):
            return "data: " + json.dumps({**base, **obj}) + "\n\n"

        chunks = [ev({"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]})]
        if tc:
            chunks.append(ev({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, **tc}]}, "finish_reason": None}]}))
        else:
            chunks.append(ev({"choices": [{"index": 0, "delta": {"content": "Done."}, "finish_reason": None}]}))
        chunks.append(ev({"choices": [{"index": 0, "delta": {}, "finish_reason": finish}], "usage": usage}))
        chunks.append("data: [DONE]\n\n")
        self._sse(chunks)


def copilot_binary(pkg_dir: str) -> str:
    p = os.path.join(os.path.dirname(pkg_dir), "copilot-linux-x64", "copilot")
    if not os.path.isfile(p):
        pytest.skip(f"no native copilot binary at {p}")
    return p


def run_copilot(pkg_dir: str, home: str, project: str, port: int, timeout: float = 120):
    env = base_env(home)
    env.update(COPILOT_OFFLINE="true", COPILOT_PROVIDER_BASE_URL=f"http://127.0.0.1:{port}/v1",
               COPILOT_PROVIDER_API_KEY="fake", COPILOT_MODEL="gpt-4.1", NO_COLOR="1")
    argv = [copilot_binary(pkg_dir), "-p", "do the task", "--allow-all-tools", "--no-auto-update", "--no-ask-user",
            "--output-format", "json"]
    return run_group(argv, project, env, timeout)


def run_qwen(pkg_dir: str, home: str, project: str, port: int, timeout: float = 180):
    env = base_env(home)
    env.update(OPENAI_API_KEY="fake", OPENAI_BASE_URL=f"http://127.0.0.1:{port}/v1", OPENAI_MODEL="mock-model",
               NO_COLOR="1", QWEN_CODE_DISABLE_TELEMETRY="1")
    argv = ["node", os.path.join(pkg_dir, "cli.js"), "-p", "do the task", "--approval-mode", "yolo",
            "--output-format", "stream-json"]
    return run_group(argv, project, env, timeout)


def opencode_binary(pkg_dir: str) -> str:
    root = os.path.dirname(pkg_dir)
    for name in sorted(os.listdir(root)):
        if name.startswith("opencode-linux-x64"):
            p = os.path.join(root, name, "bin", "opencode")
            if os.path.isfile(p):
                return p
    p = os.path.join(pkg_dir, "bin", "opencode")
    if os.path.isfile(p):
        return p
    pytest.skip(f"no opencode binary under {root}")


def run_opencode(pkg_dir: str, home: str, project: str, timeout: float = 180):
    env = base_env(home)
    env.update(XDG_CONFIG_HOME=os.path.join(home, ".config"), XDG_DATA_HOME=os.path.join(home, ".local", "share"),
               XDG_CACHE_HOME=os.path.join(home, ".cache"), XDG_STATE_HOME=os.path.join(home, ".local", "state"),
               OPENCODE_DISABLE_AUTOUPDATE="1", OPENCODE_DISABLE_SHARE="1", OPENCODE_DISABLE_MODELS_FETCH="1",
               OPENCODE_DISABLE_LSP_DOWNLOAD="1", OPENCODE_DISABLE_CLAUDE_CODE="1", NO_COLOR="1",
               # OpenCode npm-installs @opencode-ai/plugin next to plugin dirs in the background; hookgate's
               # plugin imports only node:child_process, so let that fail at once instead of going online
               npm_config_registry="http://127.0.0.1:9/", npm_config_fetch_retries="0", npm_config_offline="true")
    argv = [opencode_binary(pkg_dir), "run", "do the task", "--format", "json"]
    return run_group(argv, project, env, timeout)


def opencode_config(project: str, port: int) -> None:
    cfg = {"$schema": "https://opencode.ai/config.json",
           "provider": {"mock": {"npm": "@ai-sdk/openai-compatible", "name": "mock",
                                 "options": {"baseURL": f"http://127.0.0.1:{port}/v1", "apiKey": "fake"},
                                 "models": {"mock-model": {"name": "mock-model", "tool_call": True}}}},
           "model": "mock/mock-model", "share": "disabled", "autoupdate": False,
           "permission": {"bash": "allow", "edit": "allow", "webfetch": "allow", "read": "allow",
                          "external_directory": "allow"}}
    with open(os.path.join(project, "opencode.json"), "w") as f:
        json.dump(cfg, f)


# --- Codex's own output schemas, as an oracle ---------------------------------------------------

def codex_output_schemas(binary: str) -> dict:
    """The draft-07 schemas Codex embeds for hook output (``<event>.command.output``), by title:
    the client's own validator — output failing it is ignored and the tool runs."""
    import re

    with open(binary, "rb") as f:
        data = f.read()
    out = {}
    for m in re.finditer(rb'\{\s*"\$schema"', data):
        depth, start = 0, m.start()
        for i in range(start, min(start + 50000, len(data))):
            c = data[i]
            if c == 0x7B:
                depth += 1
            elif c == 0x7D:
                depth -= 1
                if depth == 0:
                    break
        try:
            obj = json.loads(data[start:i + 1])
        except ValueError:
            continue
        if isinstance(obj, dict) and str(obj.get("title", "")).endswith(".command.output"):
            out[obj["title"]] = obj
    return out


_TYPES = {"object": dict, "string": str, "boolean": bool, "array": list, "null": type(None)}


def schema_errors(schema: dict, value, root: dict | None = None, where: str = "$") -> list[str]:
    """The draft-07 keywords Codex's hook schemas use: $ref, allOf, const, enum, type,
    properties, additionalProperties, required."""
    root = root or schema
    errs: list[str] = []
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        errs += schema_errors(root["definitions"][name], value, root, where)
    for sub in schema.get("allOf") or ():
        errs += schema_errors(sub, value, root, where)
    if "const" in schema and value != schema["const"]:
        errs.append(f"{where}: {value!r} is not {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errs.append(f"{where}: {value!r} not in {schema['enum']}")
    t = schema.get("type")
    if t is not None:
        types = t if isinstance(t, list) else [t]
        if not any(isinstance(value, _TYPES.get(x, object)) and not (x != "boolean" and isinstance(value, bool))
                   for x in types):
            errs.append(f"{where}: {type(value).__name__} is not {t}")
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        for k, v in value.items():
            if k in props:
                errs += schema_errors(props[k], v, root, f"{where}.{k}")
            elif schema.get("additionalProperties") is False:
                errs.append(f"{where}: unexpected property {k!r}")
        for k in schema.get("required") or ():
            if k not in value:
                errs.append(f"{where}: missing {k!r}")
    return errs


def recording_wrapper(directory: str, real: str, log: str) -> str:
    """A ``hookgate`` that runs *real* unchanged and appends {in, out, err, rc} to *log*."""
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "hookgate")
    import sys

    with open(path, "w") as f:
        f.write(f"#!{sys.executable}\n"
                "import json, subprocess, sys\n"
                "data = sys.stdin.buffer.read()\n"
                f"p = subprocess.run([{real!r}] + sys.argv[1:], input=data, capture_output=True)\n"
                f"with open({log!r}, 'a') as f:\n"
                "    f.write(json.dumps({'in': data.decode('utf-8', 'replace'), 'out': p.stdout.decode(),\n"
                "                        'err': p.stderr.decode(), 'rc': p.returncode}) + '\\n')\n"
                "sys.stdout.buffer.write(p.stdout); sys.stderr.buffer.write(p.stderr)\n"
                "sys.exit(p.returncode)\n")
    os.chmod(path, 0o755)
    return path
