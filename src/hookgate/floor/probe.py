"""``doctor``'s live must-deny probe through each agent's *own* sandbox (ADR 0020).

A small shell script (written outside the project) tries to read each protected path and one
plain file and prints only ``1`` (bytes came back / the directory lists entries) or ``0``
(refused, or nothing to read) per path — never any content. It runs through the agent's
sandbox exactly as configured:

- **Codex**: ``codex sandbox -- sh SCRIPT`` in the project (the profile ``default_permissions``
  selects, the project's trust, ``sandbox_mode`` — all as a real session would see them);
- **Claude Code**: the installed ``claude`` binary in ``--bare -p`` mode (no hooks, no
  session saved) against a one-shot localhost stand-in for the model that asks for one Bash
  call, ``sh SCRIPT``; the settings files are the user's, read by Claude itself.

``(ok, detail)``: ok when every protected path reads nothing and the plain one reads; a
sandbox that cannot start, or lets a protected byte through, is not ok.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import tempfile
import threading
import time

MAX_PATHS = 200
TIMEOUT = 40.0
FUNC = ('probe() { if [ -d "$1" ]; then if [ -n "$(ls -A "$1" 2>/dev/null)" ]; then echo 1; else echo 0; fi; '
        'else n=$(head -c 1 "$1" 2>/dev/null | wc -c); if [ "$n" -gt 0 ]; then echo 1; else echo 0; fi; fi; }')
BEGIN, END = "HOOKGATE-PROBE-BEGIN", "HOOKGATE-PROBE-END"


def script(paths: list[str]) -> str:
    lines = [FUNC, f"echo {BEGIN}"] + [f"probe {shlex.quote(p)}" for p in paths] + [f"echo {END}"]
    return "\n".join(lines) + "\n"


def verdict(output: str, protected: list[str], plain: str, elapsed: float, how: str) -> tuple[bool, str]:
    """Read the probe's 0/1 lines back; (ok, one line)."""
    try:
        body = output.split(BEGIN, 1)[1].split(END, 1)[0]
    except IndexError:
        return False, f"{how}: the probe did not run (no answer from inside the sandbox)"
    got = [x.strip() for x in body.strip().splitlines() if x.strip() in ("0", "1")]
    if len(got) != len(protected) + 1:
        return False, f"{how}: the probe answered {len(got)} of {len(protected) + 1} paths"
    leaked = [p for p, g in zip(protected, got) if g == "1"]
    if leaked:
        return False, (f"{how}: {len(leaked)} of {len(protected)} protected path(s) readable through the sandbox, "
                       f"e.g. {leaked[0]}")
    if got[-1] != "1":
        return False, f"{how}: a plain file ({plain}) did not read either: the sandbox is not usable as configured"
    return True, (f"{how}: {len(protected)} protected path(s) refused, a plain file read "
                  f"({elapsed:.1f} s)")


def _write(paths: list[str]) -> tuple[str, str]:
    d = tempfile.mkdtemp(prefix="hookgate-probe-")
    p = os.path.join(d, "probe.sh")
    with open(p, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(script(paths))
    return d, p


def codex(project_root: str, protected: list[str], plain: str, binary: str | None = None) -> tuple[bool, str] | None:
    """Through ``codex sandbox``; None when no ``codex`` is installed here."""
    exe = binary or shutil.which("codex")
    if not exe:
        return None
    protected = protected[:MAX_PATHS]
    d, p = _write(protected + [plain])
    t0 = time.monotonic()
    try:
        r = subprocess.run([exe, "sandbox", "--", "sh", p], cwd=project_root, stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, errors="replace", timeout=TIMEOUT)
        out = r.stdout
        if BEGIN not in out:
            err = (r.stderr.strip().splitlines() or [f"exit {r.returncode}"])[-1]
            return False, f"codex sandbox could not run the probe ({err[:200]})"
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, f"codex sandbox could not run the probe ({type(e).__name__})"
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return verdict(out, protected, plain, time.monotonic() - t0, "codex sandbox")


# --- Claude Code: the real binary, one Bash call asked by a localhost stand-in ---------------

def _model(command: str):
    """A one-shot Messages API on 127.0.0.1: the first request that offers Bash gets one
    ``Bash`` tool_use running *command*; everything else "Done."; the tool result is kept."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    state = {"used": False, "result": None}

    def sse(events) -> bytes:
        return "".join(f"event: {e['type']}\ndata: {json.dumps(e)}\n\n" for e in events).encode()

    class H(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            n = int(self.headers.get("content-length") or 0)
            try:
                body = json.loads(self.rfile.read(min(n, 64 << 20)) or b"{}")
            except ValueError:
                body = {}
            for m in body.get("messages") or ():
                for c in m.get("content") if isinstance(m.get("content"), list) else ():
                    if isinstance(c, dict) and c.get("type") == "tool_result":
                        state["result"] = json.dumps(c.get("content"))
            if "count_tokens" in self.path:
                data = b'{"input_tokens": 1}'
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            offered = [t.get("name") for t in body.get("tools") or () if isinstance(t, dict)]
            use = "Bash" in offered and not state["used"]
            state["used"] = state["used"] or use
            if use:
                block = {"type": "tool_use", "id": "toolu_01HOOKGATEPROBE", "name": "Bash", "input": {}}
                delta = {"type": "input_json_delta", "partial_json": json.dumps({"command": command,
                                                                                 "description": "hookgate probe"})}
                stop = "tool_use"
            else:
                block, delta, stop = {"type": "text", "text": ""}, {"type": "text_delta", "text": "Done."}, "end_turn"
            usage = {"input_tokens": 1, "output_tokens": 1, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
            msg = {"id": "msg_01HOOKGATEPROBE", "type": "message", "role": "assistant", "model": body.get("model", "x"),
                   "content": [], "stop_reason": None, "stop_sequence": None, "usage": usage}
            data = sse([{"type": "message_start", "message": msg},
                        {"type": "content_block_start", "index": 0, "content_block": block},
                        {"type": "content_block_delta", "index": 0, "delta": delta},
                        {"type": "content_block_stop", "index": 0},
                        {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                         "usage": {"output_tokens": 1}},
                        {"type": "message_stop"}])
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, state


def claude(project_root: str, protected: list[str], plain: str, binary: str | None = None) -> tuple[bool, str] | None:
    """Through Claude Code's own sandbox, as its settings configure it; None when no ``claude``
    is installed here. ``--bare``: no hooks run (the ledger is not touched), no session saved."""
    exe = binary or shutil.which("claude")
    if not exe:
        return None
    protected = protected[:MAX_PATHS]
    d, p = _write(protected + [plain])
    srv, state = _model(f"sh {shlex.quote(p)}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "CLAUDE_CODE_USE_"))}
    env.update(ANTHROPIC_BASE_URL=f"http://127.0.0.1:{srv.server_address[1]}", ANTHROPIC_API_KEY="sk-ant-hookgate-probe",
               DISABLE_TELEMETRY="1", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1", DISABLE_AUTOUPDATER="1")
    t0 = time.monotonic()
    try:
        r = subprocess.run([exe, "--bare", "-p", "run the probe", "--no-session-persistence", "--permission-mode",
                            "acceptEdits", "--allowedTools", "Bash", "--output-format", "json"],
                           cwd=project_root, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           errors="replace", timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, f"claude could not run the probe ({type(e).__name__})"
    finally:
        srv.shutdown()
        srv.server_close()
        shutil.rmtree(d, ignore_errors=True)
    out = state["result"]
    if out is None:
        err = ((r.stderr or r.stdout).strip().splitlines() or [f"exit {r.returncode}"])[-1]
        return False, f"Claude Code did not run the probe ({err[:200]})"
    try:
        out = json.loads(out)
        out = out if isinstance(out, str) else json.dumps(out)
    except ValueError:
        pass
    out = out.replace("\\n", "\n")
    return verdict(out, protected, plain, time.monotonic() - t0, "Claude Code's sandbox")
