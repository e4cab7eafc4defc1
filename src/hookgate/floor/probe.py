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

Nothing of the user's is written: Claude runs with a throw-away config dir (a copy of the
user's ``settings.json``), Gemini with a throw-away ``GEMINI_CLI_HOME``.

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
NO_ANSWER = "the probe did not run (no answer from inside the sandbox)"
# no command substitution: Gemini CLI refuses a shell command that has one
FUNC = ('probe() { if [ -d "$1" ]; then ls -A "$1" 2>/dev/null | head -c 1 | wc -c | grep -q 1 && echo 1 || echo 0; '
        'else head -c 1 "$1" 2>/dev/null | wc -c | grep -q 1 && echo 1 || echo 0; fi; }')
BEGIN, END = "HOOKGATE-PROBE-BEGIN", "HOOKGATE-PROBE-END"


def script(paths: list[str]) -> str:
    lines = [FUNC, f"echo {BEGIN}"] + [f"probe {shlex.quote(p)}" for p in paths] + [f"echo {END}"]
    return "\n".join(lines) + "\n"


def verdict(output: str, protected: list[str], plain: str, elapsed: float, how: str) -> tuple[bool, str]:
    """Read the probe's 0/1 lines back; (ok, one line)."""
    try:
        body = output.split(BEGIN, 1)[1].split(END, 1)[0]
    except IndexError:
        return False, f"{how}: {NO_ANSWER}"
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
    # short: Claude's sandbox makes Unix sockets under TMPDIR (108-byte limit); a long TMPDIR
    # (a per-test or per-session dir) is swapped for /tmp
    short = "/tmp" if len(tempfile.gettempdir()) > 40 and os.path.isdir("/tmp") else None
    d = tempfile.mkdtemp(prefix="hookgate-probe-", dir=short)
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

    state: dict = {"used": False, "result": None}

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
    is installed here. ``--bare``: no hooks run (the ledger is not touched), no session saved.
    A run whose tool result carries no probe answer at all (seen on a loaded machine) is tried
    once more before it counts as a FAIL; what the sandbox answered is quoted in the FAIL."""
    exe = binary or shutil.which("claude")
    if not exe:
        return None
    res = _claude_once(exe, project_root, protected, plain)
    if not res[0] and NO_ANSWER in res[1]:
        res = _claude_once(exe, project_root, protected, plain)
    return res


def _claude_once(exe: str, project_root: str, protected: list[str], plain: str) -> tuple[bool, str]:
    protected = protected[:MAX_PATHS]
    d, p = _write(protected + [plain])
    srv, state = _model(f"sh {shlex.quote(p)}")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "CLAUDE_CODE_USE_"))}
    # a throw-away config dir holding a copy of the user's settings.json: user-scope sandbox
    # settings count, and Claude's own state files (~/.claude.json …) are not touched
    cfg = os.path.join(d, "claude-config")
    os.makedirs(cfg)
    user_settings = os.path.join(env.get("CLAUDE_CONFIG_DIR") or os.path.join(os.path.expanduser("~"), ".claude"),
                                 "settings.json")
    if os.path.isfile(user_settings):
        shutil.copyfile(user_settings, os.path.join(cfg, "settings.json"))
    # TMPDIR: the probe's own short dir. Claude's sandbox puts its bridge sockets there, and a
    # Unix socket path over 107 bytes fails ("Failed to create bridge sockets")
    env.update(TMPDIR=d, CLAUDE_CONFIG_DIR=cfg, ANTHROPIC_BASE_URL=f"http://127.0.0.1:{srv.server_address[1]}", ANTHROPIC_API_KEY="sk-ant-hookgate-probe",
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
    ok, line = verdict(out, protected, plain, time.monotonic() - t0, "Claude Code's sandbox")
    if not ok and NO_ANSWER in line:
        line += f" [it answered: {' '.join(out.split())[:160]!r}]"
    return ok, line


# --- Gemini CLI: the real CLI, one run_shell_command from a canned model turn ------------------

def _gemini_settings(home: str, tmp: str) -> str:
    """A GEMINI_CLI_HOME for the probe: the user's own settings (so a user-scope toolSandboxing
    counts) with hooks off (the ledger is not touched) and a placeholder API-key login (no
    model is asked: the turns are canned)."""
    try:
        with open(os.path.join(home, ".gemini", "settings.json"), encoding="utf-8") as f:
            doc = json.load(f)
        doc = doc if isinstance(doc, dict) else {}
    except (OSError, ValueError):
        doc = {}
    doc.setdefault("hooksConfig", {})
    doc["hooksConfig"] = dict(doc["hooksConfig"] if isinstance(doc["hooksConfig"], dict) else {}, enabled=False)
    sec: dict = doc["security"] if isinstance(doc.get("security"), dict) else {}
    doc["security"] = dict(sec, auth={"selectedType": "gemini-api-key"})
    doc["privacy"] = {"usageStatisticsEnabled": False}
    gh = os.path.join(tmp, "gemini-home")
    os.makedirs(os.path.join(gh, ".gemini"))
    with open(os.path.join(gh, ".gemini", "settings.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f)
    return gh


def gemini(project_root: str, protected: list[str], plain: str, home: str,
           binary: str | None = None) -> tuple[bool, str] | None:
    """Through Gemini CLI's tool sandbox, as its settings and ``.geminiignore`` configure it;
    None when no ``gemini`` is installed here."""
    exe = binary or shutil.which("gemini")
    if not exe:
        return None
    protected = protected[:MAX_PATHS]
    d, p = _write(protected + [plain])

    def turn(parts):
        return {"method": "generateContentStream", "response": [
            {"candidates": [{"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}],
             "usageMetadata": {"promptTokenCount": 1, "candidatesTokenCount": 1, "totalTokenCount": 2}}]}

    turns = os.path.join(d, "turns.jsonl")
    with open(turns, "w", encoding="utf-8") as f:
        f.write(json.dumps(turn([{"functionCall": {"name": "run_shell_command",
                                                   "args": {"command": f"sh -c {shlex.quote(script(protected + [plain]))}"}}}]))
                + "\n")  # inline: the tool sandbox has a private /tmp (and hooks are off, so no hook reads it)
        f.write(json.dumps(turn([{"text": "Done."}])) + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINI_", "GOOGLE_"))}
    env.update(GEMINI_CLI_HOME=_gemini_settings(home, d), GEMINI_CLI_TRUST_WORKSPACE="true", GEMINI_API_KEY="probe",
               GEMINI_SANDBOX="false", NO_COLOR="1")
    t0 = time.monotonic()
    try:
        r = subprocess.run([exe, "-m", "gemini-2.5-flash", "-p", "run the probe", "--fake-responses", turns,
                            "--approval-mode", "yolo", "--output-format", "stream-json"], cwd=project_root, env=env,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace",
                           timeout=TIMEOUT, start_new_session=True)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, f"gemini could not run the probe ({type(e).__name__})"
    finally:
        shutil.rmtree(d, ignore_errors=True)
    out = ""
    for line in r.stdout.splitlines():
        if '"tool_result"' in line:
            try:
                doc = json.loads(line)
            except ValueError:
                continue
            out += str(doc.get("output") or "") + str((doc.get("error") or {}).get("message") or "")
    if not out:
        err = ((r.stderr or r.stdout).strip().splitlines() or [f"exit {r.returncode}"])[-1]
        return False, f"Gemini CLI did not run the probe ({err[:200]})"
    return verdict(out, protected, plain, time.monotonic() - t0, "Gemini CLI's tool sandbox")
