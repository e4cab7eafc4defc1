"""Which agent session a ``hookgate claim`` / ``hookgate lock …`` run belongs to (ADR 0013).

Hook payloads name their session; a command an agent runs in its shell does not. So the hook
leaves a trail: on every PreToolUse of a shell tool whose command mentions ``hookgate``, it
appends ``{ts, session, platform, cwd, command, pids}`` to ``<state>/coordination/calls.jsonl``
— ``pids`` being the hook process's ancestor chain (the agent process is in it). The command
then resolves its session, in order:

1. ``--session`` (a human, or a test);
2. ``HOOKGATE_SESSION``, ``CLAUDE_CODE_SESSION_ID`` (Claude Code's Bash tool),
   ``GEMINI_SESSION_ID`` in its environment;
3. the recorded call whose hook shares the *nearest* common ancestor with this process (the
   agent that ran both; other agents share only a terminal or tmux further up), then whose
   command text names this command, then the most recent — within ``WINDOW`` seconds;
4. no recorded call shares a process with this one: run from a terminal, the command belongs
   to the human at it (``human:$USER``, ADR 0022); otherwise, when the recorded calls carry
   process ancestry (so this process is provably not theirs), it is refused (``--session``);
5. without process ancestry (no /proc and no ``ps``): cwd + command text + recency.

A session that has ended (its SessionEnd hook appends an ``ended`` record to the trail) is
never chosen. Two sessions that tie at every step are ambiguous: the command says so and asks
for ``--session`` rather than guessing.
"""

from __future__ import annotations

from hookgate.state import jsonio as json
import os
import time

from hookgate.state import files
from hookgate.state.locks import SESSION_ENV_VARS, append_record, lock_file, release
from hookgate.errors import HookgateError

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from collections.abc import Mapping

CALLS_NAME = "calls.jsonl"
MAX_CALLS_BYTES = 256 * 1024
KEEP_CALLS = 300
WINDOW = 1800.0
MAX_CHAIN = 12
ENV_PLATFORM = {"CLAUDE_CODE_SESSION_ID": "claude-code", "GEMINI_SESSION_ID": "gemini-cli"}


def calls_path(state_dir: str) -> str:
    return os.path.join(state_dir, "coordination", CALLS_NAME)


def _proc_ppid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
            stat = f.read()
        return int(stat.rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _ps_ppid(pid: int) -> int | None:  # CLI only (subprocess): macOS and other /proc-less systems
    import subprocess

    try:
        out = subprocess.run(["ps", "-o", "ppid=", "-p", str(pid)], capture_output=True, text=True, timeout=2)
        return int(out.stdout.strip())
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


def ancestors(pid: int | None = None, use_ps: bool = False) -> list[int]:
    """The parent chain of *pid* (default: this process), nearest first, without pid 0/1."""
    pid = os.getpid() if pid is None else pid
    chain: list[int] = []
    have_proc = os.path.isdir("/proc/self")
    cur = pid
    for _ in range(MAX_CHAIN):
        if cur == os.getpid():
            parent: int | None = os.getppid()
        elif have_proc:
            parent = _proc_ppid(cur)
        elif use_ps:
            parent = _ps_ppid(cur)
        else:
            parent = None
        if not parent or parent <= 1 or parent in chain:
            break
        chain.append(parent)
        cur = parent
    return chain


def record_shell_call(state_dir: str, session: str, platform: str, cwd: str, command: str, env: Mapping[str, str]) -> None:
    """Hot path: leave the trail for a shell command that runs hookgate."""
    rec = {"ts": round(time.time(), 3), "session": session, "platform": platform, "cwd": cwd,
           "command": command[:2000], "pids": ancestors()}
    agent = env.get("CLAUDE_PID")
    if agent and agent.isdigit():
        rec["agent_pid"] = int(agent)
    path = calls_path(state_dir)
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    append_record(path, rec, timeout=0.5, fsync=False)
    try:
        if os.path.getsize(path) > MAX_CALLS_BYTES:
            _compact(path)
    except OSError:
        pass


def record_end(state_dir: str, session: str) -> None:
    """SessionEnd: mark *session* ended, so no later command is attributed to it."""
    path = calls_path(state_dir)
    if not os.path.exists(path):
        return
    append_record(path, {"ts": round(time.time(), 3), "session": session, "ended": True}, timeout=0.5, fsync=False)


def _compact(path: str) -> None:
    fd = lock_file(path, timeout=0.5)
    try:
        with open(path, "rb") as f:
            lines = f.read().splitlines(keepends=True)
        files.replace(path, b"".join(lines[-KEEP_CALLS:]), fsync=False)
    finally:
        release(fd)


def recent_calls(state_dir: str, now: float, window: float = WINDOW) -> list[dict]:
    path = calls_path(state_dir)
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            f.seek(max(0, size - MAX_CALLS_BYTES))
            raw = f.read()
    except OSError:
        return []
    out, ended = [], {}
    for line in raw.splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if not isinstance(rec, dict) or not isinstance(rec.get("session"), str) or not rec["session"]:
            continue
        try:
            ts = float(rec.get("ts", 0))
        except (TypeError, ValueError):
            continue
        if rec.get("ended"):
            ended[rec["session"]] = max(ts, ended.get(rec["session"], 0.0))
        elif now - ts <= window:
            out.append(rec)
    return [r for r in out if float(r.get("ts", 0)) > ended.get(r["session"], -1.0)]


def human(env: Mapping[str, str]) -> str:
    """The identity of a human at a terminal: ``human:<login>``."""
    name = env.get("USER") or env.get("LOGNAME")
    if not name:
        try:
            import pwd

            name = pwd.getpwuid(os.getuid()).pw_name
        except (ImportError, KeyError, OSError):
            name = f"uid{os.getuid()}"
    return f"human:{name}"


def on_terminal() -> bool:
    try:
        return os.isatty(0)
    except OSError:
        return False


class Unresolved(HookgateError, LookupError):
    """No session could be determined (the message says why and what to pass)."""


def from_env(env: Mapping[str, str]) -> tuple[str, str, str] | None:
    for name in SESSION_ENV_VARS:
        value = env.get(name)
        if value:
            return value, ENV_PLATFORM.get(name, ""), f"${name}"
    return None


def resolve(state_dir: str, env: Mapping[str, str], cwd: str, words=(), explicit: str = "", now: float | None = None,
            use_ps: bool = False, my_chain: list[int] | None = None, terminal: bool | None = None) -> tuple[str, str, str]:
    """(session, platform, how it was found) or raise :class:`Unresolved`."""
    if explicit:
        return explicit, ("human" if explicit.startswith("human:") else ""), "--session"
    found = from_env(env)
    if found:
        return found
    now = time.time() if now is None else now
    terminal = on_terminal() if terminal is None else terminal
    calls = recent_calls(state_dir, now)
    if not calls:
        if terminal:
            return human(env), "human", "terminal"
        raise Unresolved("no live agent session's hook call recorded this shell (is hookgate installed as "
                         "the agent's hook?); pass --session ID (a human: --session human:NAME)")
    chain = ancestors(use_ps=use_ps) if my_chain is None else my_chain
    mine = {p: i for i, p in enumerate(chain)}

    def rank(rec: dict):
        pids = list(rec.get("pids") or [])
        if rec.get("agent_pid"):
            pids.append(rec["agent_pid"])
        depth = next((i + mine[p] for i, p in enumerate(pids) if p in mine), None)
        text = all(w in (rec.get("command") or "") for w in words)
        return (depth if depth is not None else 10**6, 0 if text else 1, 0 if rec.get("cwd") == cwd else 1, -float(rec["ts"]))

    ranked = sorted(calls, key=rank)
    best = ranked[0]
    key = rank(best)
    if key[0] == 10**6:  # no agent we saw shares a process with this one
        if terminal:
            return human(env), "human", "terminal"
        if chain and any(r.get("pids") for r in calls):
            raise Unresolved("this process is not the shell of any agent session hookgate saw; "
                             "pass --session ID (a human: --session human:NAME)")
    if key[0] == 10**6 and (key[1] or key[2]):
        raise Unresolved("no recorded hook call matches this process or command; pass --session ID")
    rivals = {r["session"] for r in ranked if rank(r)[:3] == key[:3] and r["session"] != best["session"]
              and abs(float(r["ts"]) - float(best["ts"])) < 5.0}
    if rivals:
        raise Unresolved(f"ambiguous: sessions {best['session']} and {sorted(rivals)[0]} both ran this command "
                         "just now; pass --session ID")
    how = "agent process" if key[0] < 10**6 else "command text"
    return best["session"], best.get("platform", ""), how
