"""Issue #16: the first hour of a new user, scripted, through the real parts — a clean copy of the
tree and an empty HOME, `./install.sh --project ~/demo`, `hookgate` by its bare name on the PATH
line install.sh printed, the real Claude Code (`claude -p`) and Gemini CLI binaries offline, the
installed hook command, approvals typed at a pseudo-terminal.

1. install into a demo project        4. a headless checkpoint (`claude -p`) approved
2. a blocked read (Claude Code)       5. two agents and a lease
3. a checkpoint approved from a       6. a bad config (and a hand edit of a stage)
   terminal (Gemini CLI, queue)

It writes a readable transcript (what a user typed and saw, what the agent was told) to
``$HOOKGATE_FIRST_HOUR_TRANSCRIPT`` when set, and prints it (``pytest -s``).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess

import pytest


from tests.e2e.realclients.clients import (CLAUDE, GEMINI, MessagesAPI, ensure_client, gemini_responses,  # noqa: E402
                     run_claude, run_gemini)
from tests.e2e.test_install_sh import clean_copy, run_sh  # noqa: E402

from tests.unit.approvals.helpers import on_pty  # noqa: E402
from tests.support.payloads import claude_event  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.realclient]

SECRET = "sk-live-FIRST-HOUR-CANARY-0123456789"
CI = ".github/workflows/ci.yml"
CI_TEXT = "name: ci\non: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n"
MAX_LINES = 30


class Transcript:
    def __init__(self, subs: list[tuple[str, str]]):
        self.out: list[str] = []
        self.subs = subs

    def _clean(self, text: str) -> str:
        for a, b in self.subs:
            text = text.replace(a, b)
        return text

    def step(self, title: str) -> None:
        self.out += ["", f"== {title}", ""]

    def note(self, text: str) -> None:
        self.out += [f"# {line}" if line else "#" for line in self._clean(text).splitlines()]

    def shown(self, prompt: str, text: str, limit: int = MAX_LINES) -> None:
        self.out.append(self._clean(prompt))
        lines = self._clean(text).rstrip("\n").splitlines()
        if len(lines) > limit:
            lines = lines[:limit] + [f"  … {len(lines) - limit} more lines"]
        self.out += lines

    def cmd(self, shown_cmd: str, res, limit: int = MAX_LINES) -> None:
        text = (res.stdout or "") + (res.stderr or "")
        self.shown(f"$ {shown_cmd}", text, limit)
        if res.returncode:
            self.out.append(f"(exit {res.returncode})")

    def text(self) -> str:
        return "\n".join(self.out).lstrip("\n") + "\n"


def claude_events(r) -> list[dict]:
    out = []
    for line in r.stdout.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass
    return out


def tool_results(events) -> list[dict]:
    return [c for e in events if e.get("type") == "user"
            for c in (e.get("message") or {}).get("content") or () if isinstance(c, dict) and c.get("type") == "tool_result"]


def ledger(demo) -> list[dict]:
    p = demo / ".git" / "hookgate" / "ledger.jsonl"
    return [json.loads(x) for x in p.read_text().splitlines() if x.strip()] if p.exists() else []


def test_first_hour(tmp_path):
    claude_pkg = ensure_client(CLAUDE)
    gemini_pkg = ensure_client(GEMINI)
    home = tmp_path / "home"
    clone = home / "src" / "hookgate"
    demo = home / "demo"
    clone.mkdir(parents=True)
    clean_copy(str(clone))
    (demo / "src").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(demo)], check=True)
    (demo / "README.md").write_text("# demo\n")
    (demo / "src" / "app.py").write_text("print('hi')\n")
    (demo / ".env").write_text(f"API_KEY={SECRET}\n")
    (demo / CI).parent.mkdir(parents=True)
    (demo / CI).write_text(CI_TEXT)
    venv_bin = home / ".local" / "share" / "hookgate" / "venv" / "bin"
    t = Transcript([(str(venv_bin / "hookgate"), "~/.local/share/hookgate/venv/bin/hookgate"), (str(home), "~")])
    user_env = {"HOME": str(home), "PATH": f"{home}/.local/bin:/usr/local/bin:/usr/bin:/bin", "SHELL": "/bin/bash",
                "LANG": os.environ.get("LANG", "C.UTF-8"), "GIT_CONFIG_GLOBAL": os.devnull, "USER": "newcomer"}

    def hg(*args, shown=None, limit=MAX_LINES, input=None):
        r = subprocess.run(["hookgate", *args], cwd=str(demo), env=user_env, capture_output=True, text=True,
                           timeout=300, input=input)
        t.cmd(shown or "hookgate " + shlex.join(args), r, limit)
        return r

    def hook(payload):
        return subprocess.run([str(venv_bin / "hookgate"), "hook", "--platform", "claude-code"],
                              input=json.dumps(payload), capture_output=True, text=True, cwd=str(demo),
                              env=user_env, timeout=60)

    # 1. install ---------------------------------------------------------------------------------
    t.step("1. Install hookgate for a demo project (empty HOME, a clean clone in ~/src/hookgate)")
    r = run_sh(str(clone), str(home), str(clone), "--project", str(demo),
               "--platform", "claude-code", "--platform", "gemini-cli")
    t.cmd("cd ~/src/hookgate && ./install.sh --project ~/demo --platform claude-code --platform gemini-cli", r, 60)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert 'export PATH="$HOME/.local/bin:$PATH"' in r.stdout and "all checks passed" in r.stdout
    t.note('added the line install.sh printed to ~/.bashrc: export PATH="$HOME/.local/bin:$PATH"')
    t.out.append("$ cd ~/demo")
    assert hg("--version").returncode == 0
    r = hg("statsu")
    assert r.returncode == 2 and len(r.stderr.splitlines()) == 1
    assert hg("status").returncode == 0

    # 2. a blocked read ----------------------------------------------------------------------------
    t.step("2. Claude Code (claude -p) tries to read .env")
    with MessagesAPI("Read", {"file_path": str(demo / ".env")}) as api:
        r = run_claude(claude_pkg, str(home), str(demo), api.port, str(tmp_path / "claude1.log"))
    res = tool_results(claude_events(r))
    assert res and res[0].get("is_error"), r.stdout[-3000:] + r.stderr[-2000:]
    assert all(SECRET not in json.dumps(q["body"]) for q in api.requests)
    t.shown("[the agent was told]", str(res[0].get("content")))
    rec = [x for x in ledger(demo) if x.get("kind") == "decision" and x.get("tool") == "Read"][-1]
    assert rec["outcome"] == "block"
    hg("audit", "tail", "-n", "3", "--tool", "Read")
    hg("audit", "why", rec["id"][:6], limit=14)

    # 3. a checkpoint approved from a terminal (Gemini CLI: the queue) ---------------------------
    t.step("3. Gemini CLI runs a command hookgate cannot analyse: queued; the user approves it at a terminal")
    resp = tmp_path / "gemini.jsonl"
    gemini_responses(str(resp), "run_shell_command", {"command": 'read X; eval "$X"'})
    r = run_gemini(gemini_pkg, str(home), str(demo), str(resp))
    told = [json.loads(x) for x in r.stdout.splitlines() if x.startswith("{")]
    first = next((e for e in told if e.get("type") == "tool_result"), {})
    t.shown("[the agent was told]", json.dumps(first.get("error") or first.get("output") or first, ensure_ascii=False))
    queued = [x for x in ledger(demo) if x.get("approval") == "queued" and x.get("platform") == "gemini-cli"]
    assert queued, r.stdout[-3000:] + r.stderr[-2000:]
    rid = queued[-1]["approval_id"]
    hg("approvals", "list")
    rc, shown = on_pty(["approvals", "approve", rid], demo, user_env, command="hookgate")
    t.shown(f"$ hookgate approvals approve {rid}          (at a terminal; typed y)", shown)
    assert rc == 0 and 'read X; eval "$X"' in shown, shown
    r = run_gemini(gemini_pkg, str(home), str(demo), str(resp))
    approved = [x for x in ledger(demo) if x.get("approval") == "approved" and x.get("approval_id") == rid]
    assert approved and approved[-1]["outcome"] == "allow", r.stdout[-3000:]
    t.note(f"the agent retried the same command: allowed, and request {rid} is spent (single use)")

    # 4. a headless checkpoint approved ------------------------------------------------------------
    t.step("4. Claude Code, headless (claude -p), edits the CI workflow: no prompt possible, so it is queued")
    new_ci = CI_TEXT.replace("make test", "make lint test")
    with MessagesAPI("Write", {"file_path": str(demo / CI), "content": new_ci}) as api:
        r = run_claude(claude_pkg, str(home), str(demo), api.port, str(tmp_path / "claude2.log"))
    res = tool_results(claude_events(r))
    assert res and res[0].get("is_error") and (demo / CI).read_text() == CI_TEXT, r.stdout[-3000:]
    t.shown("[the agent was told]", str(res[0].get("content")))
    queued = [x for x in ledger(demo) if x.get("approval") == "queued" and x.get("tool") == "Write"]
    assert queued and "claude -p" in queued[-1].get("no_prompt", "")
    rid = queued[-1]["approval_id"]
    hg("approvals", "show", rid)
    rc, shown = on_pty(["approvals", "approve", rid], demo, user_env, command="hookgate")
    t.shown(f"$ hookgate approvals approve {rid}          (at a terminal; typed y)", shown, 12)
    assert rc == 0, shown
    with MessagesAPI("Write", {"file_path": str(demo / CI), "content": new_ci}) as api:
        r = run_claude(claude_pkg, str(home), str(demo), api.port, str(tmp_path / "claude3.log"))
    assert (demo / CI).read_text() == new_ci, r.stdout[-3000:]
    t.note("the agent ran again with the same write: allowed once, the file now has the approved content")

    # 5. two agents and a lease ----------------------------------------------------------------------
    t.step("5. Two agents edit the same file (coordination promoted to enforce by the maintainer)")
    hg("rollout", "promote", "coordination", limit=8)
    assert hg("rollout", "promote", "coordination", "--force", "--reason", "first-hour demo").returncode == 0
    assert hg("rollout", "promote", "coordination", "--force", "--reason", "first-hour demo").returncode == 0
    a = hook(claude_event(demo, "agent-A", "PreToolUse", "Edit", {"file_path": str(demo / "src" / "app.py"),
                                                                    "old_string": "hi", "new_string": "hello"}))
    assert a.returncode == 0 and "deny" not in a.stdout
    t.note("agent-A edits src/app.py: allowed, and agent-A now holds a lease on it")
    b = hook(claude_event(demo, "agent-B", "PreToolUse", "Write", {"file_path": str(demo / "src" / "app.py"),
                                                                     "content": "print('B')\n"}))
    told = json.loads(b.stdout)["hookSpecificOutput"]["permissionDecisionReason"]
    assert "being worked on by another agent" in told and f"{venv_bin / 'hookgate'} locks list" in told
    t.shown("[agent-B writes src/app.py and is told]", told)
    hg("locks", "list")
    hook(claude_event(demo, "agent-A", "SessionEnd"))
    t.note("agent-A's session ends (SessionEnd): its lease is released")
    b = hook(claude_event(demo, "agent-B", "PreToolUse", "Write", {"file_path": str(demo / "src" / "app.py"),
                                                                     "content": "print('B')\n"}))
    assert "deny" not in b.stdout, b.stdout
    t.note("agent-B retries: allowed")

    # 6. a bad config ------------------------------------------------------------------------------
    t.step("6. A typo in .hookgate/rollout.yaml, then a hand edit of a stage")
    rollout = demo / ".hookgate" / "rollout.yaml"
    good = rollout.read_text()
    rollout.write_text(good.replace('budget: {stage: "warn"}', 'budget: {stage: "warm"}'))
    t.note('edited .hookgate/rollout.yaml: budget: {stage: "warm"}')
    r = hg("status", limit=8)
    assert r.returncode == 1 and "CONFIG REFUSED" in r.stdout
    r = hg("doctor", limit=16)
    assert r.returncode == 1 and "Fix: " in r.stdout
    rollout.write_text(good.replace('budget: {stage: "warn"}', 'budget: {stage: "monitor"}'))
    t.note('fixed it, and moved budget to monitor by hand: budget: {stage: "monitor"}')
    r = hg("doctor")
    assert r.returncode == 0 and "all checks passed" in r.stdout
    hook(claude_event(demo, "agent-B", "PreToolUse", "Read", {"file_path": str(demo / "README.md")}))
    r = hg("audit", "tail", "--kind", "rollout_change", "-n", "1")
    assert "budget warn → monitor by hand edit" in r.stdout

    text = t.text()
    print(text)
    dest = os.environ.get("HOOKGATE_FIRST_HOUR_TRANSCRIPT")
    if dest:
        with open(dest, "w", encoding="utf-8") as f:
            f.write(text)
