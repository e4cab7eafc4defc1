"""``hookgate approvals list|show|approve|deny``: a human answers checkpoints (ADR 0012).

``approve`` shows the action and asks for confirmation on a real terminal. It refuses when stdin
is not a TTY (unless a maintainer passes ``--yes-i-am-human``) and whenever it runs inside an
agent's shell (``CLAUDECODE``, ``CURSOR_AGENT``, ``GEMINI_CLI``, … are set). Agents cannot run any
of this: self-protection denies the whole ``hookgate approvals`` group, ``python -m hookgate``
and writes to the state dir (ADR 0006).

Exit codes: 0 done; 1 not found / not pending / declined; 2 not a terminal; 3 inside an agent's
shell; 4 expired; 5 the action changed since it was shown.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
import time

import typer

from hookgate.core import config
from hookgate.approvals import gate, store
from hookgate.cli._common import fail, project_root, state_dir

approvals_app = typer.Typer(help="Answer checkpoints: list, show, approve or deny approval requests.",
                            no_args_is_help=True)

JSON_VERSION = 1
AGENT_ENV_VARS = ("CLAUDECODE", "CLAUDE_CODE", "CURSOR_AGENT", "GEMINI_CLI", "CODEX_SANDBOX", "COPILOT_AGENT")
# agent CLIs whose descendants never approve (basename of argv[0..2]; node runs gemini as a script)
AGENT_PROGRAMS = frozenset(("claude", "cursor-agent", "gemini", "gemini.js", "codex", "copilot"))
AGENT_PROGRAM_PREFIXES = ("claude-code",)
JSON_FIELDS = ("id", "status", "route", "platform", "session", "tool", "tool_kind", "summary", "digest", "cwd",
               "rules", "created", "expires", "age_seconds", "approved_by", "approved_at", "mode", "window_until",
               "reason", "uses", "why", "record", "proposal")
_TIME_FIELDS = ("created", "expires", "approved_at", "window_until")


def _store(state: str):
    """The approval store of this repository's backend (ADR 0028): the files, or the shared
    database, which this CLI process reaches itself (a human's terminal)."""
    from hookgate.state import backend

    backend.ALLOW_CLIENT = True
    if backend.SERVER_ENV is None:
        backend.SERVER_ENV = dict(os.environ)
    try:
        return gate.store_for(state)
    except backend.SharedStateUnavailable as e:
        raise fail(str(e), 1) from None


def _iso(t) -> str | None:
    return store._iso(float(t)) if isinstance(t, (int, float)) else None


ANSWERABLE = (store.PENDING, store.UNANSWERED)  # unanswered: a native prompt no one answered
DIFF_MAX_LINES = 200
FILE_MAX = 1024 * 1024


def effective_status(req: dict, now: float) -> str:
    if req["status"] in (store.PENDING, store.APPROVED, store.UNANSWERED) and now >= float(req.get("expires", 0)):
        return store.EXPIRED
    return req["status"]


def public(req: dict, now: float) -> dict:
    """The stable ``--json`` view of one request (ADR 0012 documents every field)."""
    out: dict = {}
    for k in JSON_FIELDS:
        if k == "age_seconds":
            out[k] = round(max(0.0, now - float(req.get("created", now))), 3)
        elif k in _TIME_FIELDS:
            out[k] = _iso(req.get(k))
        elif k == "status":
            out[k] = effective_status(req, now)
        elif k == "rules":
            out[k] = list(req.get("rules") or [])
        elif k == "uses":
            out[k] = int(req.get("uses") or 0)
        else:
            out[k] = req.get(k) or ""
    return out


def _age(seconds: float) -> str:
    s = int(seconds)
    if s < 120:
        return f"{s}s"
    if s < 7200:
        return f"{s // 60}m"
    if s < 172800:
        return f"{s // 3600}h"
    return f"{s // 86400}d"


def _get(state: str, rid: str) -> dict:
    try:
        req = _store(state).load(state, rid)
    except store.ApprovalError as e:
        raise fail(str(e), e.code) from None
    if req is None:
        raise fail(f"no approval request {rid} (see `hookgate approvals list`)", 1)
    return req


def _current_text(path: str) -> tuple[str | None, str]:
    """(the file's text as it is now, or None; a note when it cannot be shown)."""
    from hookgate.core.redact import redact_text

    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "", "new file"
    except OSError as e:
        return None, f"cannot read it ({e.strerror})"
    if st.st_size > FILE_MAX:
        return None, f"the file is {st.st_size} bytes; no diff shown"
    try:
        with open(path, "rb") as f:
            data = f.read(FILE_MAX)
    except OSError as e:
        return None, f"cannot read it ({e.strerror})"
    if b"\0" in data[:8192]:
        return None, "a binary file; no diff shown"
    return redact_text(data.decode("utf-8", "replace")), ""


def _diff(path: str, before: str, after: str) -> list[str]:
    import difflib

    out = list(difflib.unified_diff(before.splitlines(), after.splitlines(), f"{path} (now)",
                                    f"{path} (if approved)", lineterm=""))
    if len(out) > DIFF_MAX_LINES:
        out = out[:DIFF_MAX_LINES] + [f"… {len(out) - DIFF_MAX_LINES} more diff lines not shown"]
    return out or ["(no change to the file as it is now)"]


def render_proposal(req: dict) -> list[str]:
    """What the approver needs to see: the command, or the write/edit as a diff against the file
    as it is now (bounded, secrets redacted; ADR 0012)."""
    prop = req.get("proposal")
    if not isinstance(prop, dict):
        return []
    cut = ["  (shortened: the action is longer than shown)"] if prop.get("truncated") else []
    kind = prop.get("type")
    if kind == "command":
        return ["  command:", *("    " + line for line in str(prop.get("command", "")).splitlines() or [""]), *cut]
    if kind in ("write", "edit"):
        path = str(prop.get("path", ""))
        now_text, note = _current_text(path)
        if now_text is None:
            return [f"  change:   {path}: {note}", *cut]
        if kind == "write":
            after = str(prop.get("content", ""))
        else:
            after = now_text
            for e in prop.get("edits") or []:
                old, new = str(e.get("old_string", "")), str(e.get("new_string", ""))
                if old and old in after:
                    after = after.replace(old, new) if e.get("replace_all") else after.replace(old, new, 1)
                else:
                    return [f"  change:   {path}: the text to replace is not in the file as it is now; "
                            "the edit as asked:", *("    -" + x for x in old.splitlines()),
                            *("    +" + x for x in new.splitlines()), *cut]
        head = f"  change:   {path}" + (f" ({note})" if note else "")
        return [head, *("    " + line for line in _diff(path, now_text, after)), *cut]
    if kind == "input":
        return [f"  input:    {prop.get('input', '')}", *cut]
    return []


def describe(req: dict, now: float) -> list[str]:
    p = public(req, now)
    lines = [
        f"approval request {p['id']}  [{p['status']}]",
        f"  action:   {p['summary']}",
        f"  platform: {p['platform']}   session: {p['session'] or '-'}   tool: {p['tool']}",
        f"  cwd:      {p['cwd']}",
        f"  why:      {req.get('why') or ', '.join(p['rules']) or '-'}",
        f"  asked:    {p['created']} ({_age(p['age_seconds'])} ago)   expires: {p['expires']}",
    ]
    if req.get("record"):
        lines.append(f"  ledger:   record {req['record']} (`hookgate audit why {req['record']}`)")
    if req.get("status") == store.UNANSWERED:
        lines.append("  route:    asked in the agent's own prompt, not answered there (headless or not seen); "
                     "you can approve it here")
    lines.extend(render_proposal(req))
    lines.append(f"  digest:   {p['digest']}")
    if p["approved_by"]:
        lines.append(f"  answered: {p['status']} by {p['approved_by']} at {p['approved_at']}"
                     + (f" (window until {p['window_until']})" if p["window_until"] else "")
                     + (f", used {p['uses']}x" if p["uses"] else ""))
    if p["reason"]:
        lines.append(f"  reason:   {p['reason']}")
    return lines


@approvals_app.command("list")
def list_cmd(as_json: bool = typer.Option(False, "--json", help="Stable machine-readable output (ADR 0012).")) -> None:
    """Requests, newest first: age, platform, session, action summary, status."""
    now = time.time()
    reqs = sorted(_store(state_dir()).all_requests(state_dir()), key=lambda r: (-float(r.get("created", 0)), r["id"]))
    if as_json:
        typer.echo(json.dumps({"version": JSON_VERSION, "now": _iso(now), "requests": [public(r, now) for r in reqs]},
                              indent=1, sort_keys=True, ensure_ascii=False))
        return
    if not reqs:
        typer.echo("no approval requests")
        return
    typer.echo(f"{'ID':<9} {'STATUS':<11} {'AGE':>5}  {'PLATFORM':<11} {'SESSION':<14} ACTION")
    for r in reqs:
        p = public(r, now)
        typer.echo(f"{p['id']:<9} {p['status']:<11} {_age(p['age_seconds']):>5}  {p['platform']:<11} "
                   f"{(p['session'] or '-')[:14]:<14} {p['summary'][:100]}")
    if any(public(r, now)["status"] in ANSWERABLE for r in reqs):
        typer.echo("see one in full: hookgate approvals show ID; answer at your own terminal: "
                   "hookgate approvals approve ID / deny ID --reason …", err=True)


@approvals_app.command("show")
def show_cmd(rid: str = typer.Argument(..., metavar="ID"),
             as_json: bool = typer.Option(False, "--json", help="The stable JSON view of this request.")) -> None:
    """One request in full."""
    now = time.time()
    req = _get(state_dir(), rid)
    if as_json:
        typer.echo(json.dumps(public(req, now), indent=1, sort_keys=True, ensure_ascii=False))
        return
    for line in describe(req, now):
        typer.echo(line)


def _agent_env() -> str:
    return next((v for v in AGENT_ENV_VARS if os.environ.get(v)), "")


def _agent_ancestor() -> str:
    """The agent CLI among this process's ancestors (Linux /proc), or "" — a tripwire for a
    pseudo-terminal an agent made itself (``script -c``, ``expect``), which the env check
    alone misses when the agent unsets its variables."""
    pid = os.getppid()
    for _ in range(64):
        if pid <= 1:
            return ""
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = [a.decode("utf-8", "replace") for a in f.read().split(b"\0") if a]
            with open(f"/proc/{pid}/stat", "rb") as f:
                stat = f.read().decode("utf-8", "replace")
        except OSError:
            return ""
        names = [os.path.basename(a) for a in argv[:3]]
        hit = next((n for n in names if n in AGENT_PROGRAMS or n.startswith(AGENT_PROGRAM_PREFIXES)), "")
        if hit:
            return f"{hit} (pid {pid})"
        try:
            pid = int(stat.rsplit(")", 1)[1].split()[1])
        except (IndexError, ValueError):
            return ""
    return ""


def _who(via_flag: bool) -> str:
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001
        user = f"uid {os.getuid()}"
    try:
        tty = os.ttyname(sys.stdin.fileno())
    except OSError:
        return f"{user} (--yes-i-am-human, no terminal)" if via_flag else f"{user} (no terminal)"
    return f"{user} (terminal {tty})"


def _confirm(question: str) -> bool:
    sys.stdout.write(question)
    sys.stdout.flush()
    line = sys.stdin.readline()
    return line.strip().lower() in ("y", "yes")


@approvals_app.command("approve")
def approve_cmd(
    rid: str = typer.Argument(..., metavar="ID"),
    once: bool = typer.Option(False, "--once", help="Allow the exact action one time (the default)."),
    window: str = typer.Option("", "--for", metavar="DURATION",
                               help="Allow the exact action repeatedly until DURATION passes (e.g. 10m, 2h)."),
    human: bool = typer.Option(False, "--yes-i-am-human",
                               help="Maintainer only: skip the terminal confirmation (agents are denied this)."),
) -> None:
    """Approve a pending request after seeing its action (a real terminal is required)."""
    agent = _agent_env()
    if agent:
        raise fail(f"refusing: this shell belongs to an AI agent (${agent} is set); approve from your own terminal", 3)
    parent = _agent_ancestor()
    if parent:
        raise fail(f"refusing: this process runs under an AI agent ({parent}); approve from your own terminal", 3)
    if once and window:
        raise fail("choose one of --once and --for", 1)
    root = project_root()
    state = state_dir(root)
    _get(state, rid)  # an unknown id says so, before anything about the terminal
    if not sys.stdin.isatty() and not human:
        raise fail("refusing: stdin is not a terminal; approvals are confirmed by a human at a real terminal", 2)
    cfg = gate.settings(config.load(root, state)[0])
    mode, seconds = "once", 0.0
    if window:
        seconds = gate.parse_duration(window) or 0.0
        if not seconds:
            raise fail(f"--for {window!r}: expected a duration like 90s, 10m, 2h", 1)
        if seconds > cfg["max_window"]:
            raise fail(f"--for {window}: longer than the project's max_window ({int(cfg['max_window'])}s)", 1)
        mode = "window"
    now = time.time()
    req = _get(state, rid)
    if effective_status(req, now) not in ANSWERABLE:
        status = effective_status(req, now)
        code = 4 if status == store.EXPIRED else 1
        raise fail(f"approval request {rid} is {'' if code == 4 else 'already '}{status}; nothing to approve", code)
    for line in describe(req, now):
        typer.echo(line)
    scope = f"repeatedly for {window}" if mode == "window" else "once"
    if not human and not _confirm(f"Allow this exact action {scope}? [y/N] "):
        raise fail("not approved", 1)
    try:
        done = _store(state).answer(state, rid, approve=True, by=_who(human), now=time.time(), digest=req["digest"],
                            mode=mode, window=seconds, approved_ttl=cfg["approved_ttl"])
    except store.ApprovalError as e:
        raise fail(str(e), e.code) from None
    typer.echo(f"approved {rid} ({scope}) by {done['approved_by']}; the agent's retry of exactly this action "
               f"is allowed until {_iso(done['expires'])}")


@approvals_app.command("deny")
def deny_cmd(
    rid: str = typer.Argument(..., metavar="ID"),
    reason: str = typer.Option("", "--reason", help="Told to the agent when it retries."),
) -> None:
    """Deny a pending request; the agent's retry is blocked with your reason."""
    state = state_dir()
    try:
        _store(state).answer(state, rid, approve=False, by=_who(False), now=time.time(),
                     digest=_get(state, rid).get("digest", ""), reason=reason or "denied by a human")
    except store.ApprovalError as e:
        raise fail(str(e), e.code) from None
    typer.echo(f"denied {rid}")


@approvals_app.command("wait")
def wait_cmd(
    rid: str = typer.Argument(..., metavar="ID"),
    timeout: float = typer.Option(600.0, "--timeout", help="Give up after this many seconds (exit 75)."),
) -> None:
    """Wait until request ID is answered: approved → exit 0, denied → 1, expired → 4, still
    pending at --timeout → 75. On a shared backend (ADR 0028) the answer of a human on any
    machine arrives at once (LISTEN/NOTIFY); on files the request is re-read every 0.2 s."""
    state = state_dir()
    st = _store(state)
    b = getattr(st, "backend", None)
    listener = None
    if b is not None:
        from hookgate.approvals.pgstore import CHANNEL

        try:
            listener = b.db._connect()
            listener.execute(f"LISTEN {CHANNEL}")
        except Exception:  # noqa: BLE001 - poll instead
            listener = None
    end = time.monotonic() + max(0.0, timeout)
    try:
        while True:
            req = _get(state, rid)
            status = effective_status(req, time.time())
            if status not in ANSWERABLE:
                typer.echo(f"approval request {rid}: {status}" + (f" by {req.get('approved_by')}" if req.get("approved_by") else ""))
                raise typer.Exit({store.APPROVED: 0, store.CONSUMED: 0, store.DENIED: 1, store.EXPIRED: 4}.get(status, 1))
            left = end - time.monotonic()
            if left <= 0:
                typer.echo(f"approval request {rid}: still {status} after {timeout:g}s", err=True)
                raise typer.Exit(75)
            if listener is not None:
                for _n in listener.notifies(timeout=min(left, 5.0), stop_after=1):
                    break  # any change: read the request again
            else:
                time.sleep(min(left, 0.2))
    finally:
        if listener is not None:
            listener.close()


def register(app: typer.Typer) -> None:
    app.add_typer(approvals_app, name="approvals")
