"""ADR 0025: ledger durability under the server. 16 clients × N decisions; the server is
SIGKILLed mid-run and restarted. Every answered decision is in the ledger with the outcome the
client got, ``audit verify`` passes, and no client got an allow for a protected action."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time

import pytest

from hookgate.adapters.claude_code import classify_output
from hookgate.server.client import Conn, hook_via
from tests.unit.validators.guards.helpers import build_project, env_for
from tests.unit.server import helpers as h

CLIENTS = 16
N = int(os.environ.get("HOOKGATE_CRASH_N", "20"))
CASES = [("Bash", {"command": "cat .env"}, "deny"), ("Bash", {"command": "git status"}, "allow"),
         ("Write", {"file_path": "{root}/notes.txt", "content": "x"}, "allow"),
         ("Read", {"file_path": "{home}/.ssh/id_rsa"}, "deny")]


@pytest.mark.parametrize("group_commit_ms", [0, 10])
def test_sigkill_mid_run_loses_no_answered_decision(tmp_path, group_commit_ms):
    root, home, rt = tmp_path / "p", tmp_path / "h", tmp_path / "rt"
    root.mkdir()
    home.mkdir()
    build_project(root, home)
    env = {**env_for(home), "CLAUDE_PROJECT_DIR": str(root)}
    server = [h.start(home, rt, group_commit_ms=group_commit_ms)]
    answered: list[tuple[str, str]] = []  # (session, label)
    errors: list[str] = []
    lock = threading.Lock()
    total = CLIENTS * N

    def client(ci: int) -> None:
        conn = None
        for i in range(N):
            tool, inp, want = CASES[(ci + i) % len(CASES)]
            inp = {k: v.replace("{root}", str(root)).replace("{home}", str(home)) for k, v in inp.items()}
            session = f"c{ci}-{i}"
            for _attempt in range(400):
                try:
                    if conn is None:
                        conn = Conn(h.sock_path(rt), 30)
                    got = classify_output(*hook_via(conn, "claude-code", h.payload(root, tool, inp, session),
                                                    dict(env), str(root)))
                    break
                except OSError:
                    if conn is not None:
                        conn.close()
                    conn = None
                    time.sleep(0.05)
            else:
                with lock:
                    errors.append(f"{session}: no answer")
                continue
            with lock:
                answered.append((session, got))
                if want == "deny" and got not in ("deny", "exit2-deny"):
                    errors.append(f"{session}: {tool} {inp} got {got}")
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=client, args=(ci,)) for ci in range(CLIENTS)]
    for t in threads:
        t.start()
    while len(answered) < total // 3:
        time.sleep(0.01)
    os.kill(server[0].pid, signal.SIGKILL)  # mid-run, whatever it is doing
    server[0].wait()
    killed_at = len(answered)
    server[0] = h.start(home, rt, group_commit_ms=group_commit_ms)  # the restart (a stale socket file is replaced)
    for t in threads:
        t.join(300)
    h.stop(server[0])
    assert not errors, errors[:5]
    assert len(answered) == total and killed_at < total

    ledger = os.path.join(str(root), ".git", "hookgate", "ledger.jsonl")
    recorded: dict[str, list[str]] = {}
    with open(ledger, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            recorded.setdefault(rec.get("session", ""), []).append(rec.get("outcome"))
    want_outcome = {"deny": "block", "exit2-deny": "block", "allow": "allow"}
    missing = [(s, lab) for s, lab in answered if want_outcome[lab] not in recorded.get(s, [])]
    assert not missing, missing[:5]
    r = subprocess.run([h.HOOKGATE, "audit", "verify"], cwd=root, env={**env, "HOOKGATE_SERVE": "off"},
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
