"""``hookgate lock run|append``, ``hookgate locks list|release``, ``hookgate claim`` (ADR 0013).

Agents may run ``lock …``, ``claim`` and ``locks list`` from their shell (self-protection
allows them); ``locks release`` (anyone's leases and claims) is for humans.
"""

from __future__ import annotations

import json
import os
import time
from typing import Annotated, Optional

import typer

from hookgate.core import config
from hookgate.state import paths
from hookgate.cli._common import fail, project_root, state_dir
from hookgate.errors import EXIT_BUSY

lock_app = typer.Typer(help="Locked changes to shared coordination files (fcntl).", no_args_is_help=True)
locks_app = typer.Typer(help="Leases, claims and their queue.", no_args_is_help=True)
EX_BUSY = EXIT_BUSY  # 75 (EX_TEMPFAIL): a lock held by someone else


def _policy(root: str, state: str) -> dict:
    from hookgate.validators.coordination.validator import DEFAULT_POLICY

    try:
        cfg, _refusal = config.load(root, state)
        return cfg.get("policies", {}).get("coordination") or DEFAULT_POLICY
    except Exception:  # noqa: BLE001 - listing must work with a broken config
        return DEFAULT_POLICY


def _abs(p: str) -> str:
    return paths.normalize(p, os.getcwd(), paths.home_dir())


def _top() -> str | None:
    from hookgate.validators.coordination import identity

    return identity.worktree_top(os.getcwd())


def _key(p: str) -> str:
    """The coordination key of a path given on the command line (ADR 0022)."""
    from hookgate.validators.coordination import identity

    return identity.key(_abs(p), _top())


def _rel(p: str, root: str = "") -> str:
    """Keys are shown as they are (repository-relative; absolute outside the repository),
    with unprintable characters escaped."""
    from hookgate.validators.coordination.describe import show

    return show(p)


def _waiting(on: str, root: str) -> str:
    return f"lease on {_rel(on[6:], root)}" if on.startswith("lease:") else on


def _holder_place(rec: dict) -> dict:
    from hookgate.validators.coordination.describe import branch_now

    return {"worktree": rec.get("wt", ""), "branch": branch_now(rec)}


def _ago(seconds: float) -> str:
    from hookgate.validators.coordination.validator import _ago as ago

    return ago(seconds)


# --- lock ---------------------------------------------------------------------------------


@lock_app.command("append", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def append(ctx: typer.Context) -> None:
    """FILE --record JSON [--timeout 2s]: append one whole JSON line under the file's lock."""
    from hookgate.cli.lockcli import append_main

    raise typer.Exit(append_main(list(ctx.args)))


@lock_app.command("run")
def run(
    file: Annotated[str, typer.Argument(help="The coordination file to hold locked.")],
    cmd: Annotated[list[str], typer.Argument(help="The command to run while holding it (after --).")],
    timeout: Annotated[str, typer.Option(help="Give up waiting for the lock after this long.")] = "2s",
    session: Annotated[str, typer.Option(help="Session id to record as the holder.")] = "",
) -> None:
    """Hold FILE's lock while CMD runs (read-modify-write): `hookgate lock run FILE -- CMD…`."""
    import subprocess

    from hookgate.state import locks
    from hookgate.cli.lockcli import context, parse_duration

    try:
        secs = parse_duration(timeout)
    except ValueError:
        raise fail(f"bad --timeout {timeout!r} (e.g. 2s, 500ms)", 2) from None
    if not cmd:
        raise fail("missing command: hookgate lock run FILE -- CMD…", 2)
    path = os.path.abspath(file)
    note, hpath = context(path, "hookgate lock run " + " ".join([file, "--", *cmd])[:300], session)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    try:
        fd = locks.lock_file(path, secs, note, hpath)
    except locks.LockTimeout as e:
        who = e.holder or "another process (holder unknown)"
        raise fail(f"lock run: {file} is locked by {who}; not run after {secs:g}s; retry in a few seconds",
                   EX_BUSY) from None
    try:
        env = dict(os.environ, HOOKGATE_LOCK_HELD=path)
        code = subprocess.call(cmd, env=env)
    except OSError as e:
        raise fail(f"lock run: cannot run {cmd[0]!r}: {e.strerror or e}", 127) from None
    finally:
        locks.release(fd)
    raise typer.Exit(code)


# --- locks list / release ------------------------------------------------------------------


def _coord(state: str):
    """The coordination store of this repository's backend (ADR 0028): the files, or the
    shared database (this CLI process reaches it itself)."""
    from hookgate.state import backend
    from hookgate.validators.coordination.validator import store_for

    backend.ALLOW_CLIENT = True
    if backend.SERVER_ENV is None:
        backend.SERVER_ENV = dict(os.environ)
    try:
        return store_for(state)
    except backend.SharedStateUnavailable as e:
        raise fail(str(e), 1) from None


def snapshot(root: str, state: str, now: float | None = None) -> dict:
    """Everything `locks list` shows, as data (read-only: expired entries are hidden, not pruned)."""
    from hookgate.state import locks as lk
    from hookgate.validators.coordination import claims, leases

    store = _coord(state)
    now = time.time() if now is None else now
    pol = _policy(root, state)
    promote = float(pol.get("claim_promote_after_seconds", claims.DEFAULT_PROMOTE_AFTER))
    try:
        data = store.load(state)
        now = data.get("db_now", now)  # a shared backend: the database's clock (ADR 0028)
    except (store.CorruptState, store.UnsupportedState) as e:
        data = store.empty()
        data["error"] = str(e)
    out: dict = {"now": now, "state": store.state_path(state), "leases": [], "claims": [], "queue": [], "locks": []}
    for p, lease in sorted(data["leases"].items()):
        if not leases.live(lease, now):
            continue
        out["leases"].append({"path": p, "rel": _rel(p, root), "session": lease.get("session"),
                              "platform": lease.get("platform", ""), "since": lease.get("since"),
                              "age_s": round(now - float(lease.get("since", now)), 1),
                              "expires_in_s": round(float(lease["expires"]) - now, 1), "via": lease.get("via", ""),
                              **_holder_place(lease)})
    for c in data["claims"]:
        if not claims.live(c, now):
            continue
        row = {"id": c["id"], "path": c["path"], "rel": _rel(c["path"], root), "session": c["session"],
               "platform": c.get("platform", ""), "mode": c["mode"], "priority": c["priority"],
               "expires_in_s": round(float(c["expires"]) - now, 1), **_holder_place(c)}
        if claims.is_held(c):
            row["age_s"] = round(now - float(c["granted"]), 1)
            out["claims"].append(row)
        else:
            row["waiting_s"] = round(now - float(c["requested"]), 1)
            row["effective_priority"] = claims.PRIORITY_NAMES[claims.effective_priority(c, now, promote)]
            row["position"] = claims.queue_position(data, c, now, promote)
            row["waiting_on"] = c.get("waiting_on", "")
            out["queue"].append(row)
    out["queue"].sort(key=lambda r: (r["path"], r["position"]))
    hdir = os.path.join(store.coord_dir(state), "holders")
    try:
        names = sorted(os.listdir(hdir))
    except OSError:
        names = []
    for n in names:
        try:
            with open(os.path.join(hdir, n), encoding="utf-8") as f:
                note = json.load(f)
        except (OSError, ValueError):
            continue
        if isinstance(note, dict) and lk._pid_alive(note.get("pid")) and note.get("file") and _busy(note["file"]):
            out["locks"].append(note)
    if data.get("error"):
        out["error"] = data["error"]
    if data.get("preempted"):
        out["preempted"] = data["preempted"]
    return out


def _place(r: dict) -> str:
    if not r.get("worktree"):
        return ""
    return f"  in {_rel(r['worktree'])}" + (f" [{_rel(r['branch'])}]" if r.get("branch") else "")


def _busy(path: str) -> bool:
    """Whether someone holds *path*'s lock right now (a shared try-lock fails)."""
    import fcntl

    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


@locks_app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """Leases, held claims, the claim queue (read-only)."""
    root = project_root()
    snap = snapshot(root, state_dir(root))
    if as_json:
        typer.echo(json.dumps(snap, indent=2, sort_keys=True))
        return
    if snap.get("error"):
        typer.echo(f"warning: {snap['error']}")
    typer.echo(f"leases ({len(snap['leases'])}):")
    for r in snap["leases"]:
        typer.echo(f"  {r['rel']}  {r['platform'] or 'agent'} session {r['session']}{_place(r)}  "
                   f"since {_ago(r['age_s'])} ago  expires in {_ago(r['expires_in_s'])}  ({r['via']})")
    typer.echo(f"claims held ({len(snap['claims'])}):")
    for r in snap["claims"]:
        typer.echo(f"  {r['id']}  {r['rel']}  {r['mode']}  {r['priority']}  session {r['session']}{_place(r)}  "
                   f"for {_ago(r['age_s'])}  expires in {_ago(r['expires_in_s'])}")
    typer.echo(f"queue ({len(snap['queue'])}):")
    for r in snap["queue"]:
        pr = r["priority"] if r["priority"] == r["effective_priority"] else f"{r['priority']}→{r['effective_priority']}"
        typer.echo(f"  {r['position']}. {r['id']}  {r['rel']}  {r['mode']}  {pr}  session {r['session']}  "
                   f"waiting {_ago(r['waiting_s'])}" + (f"  (behind {_waiting(r['waiting_on'], root)})" if r["waiting_on"] else ""))
    if snap["locks"]:
        typer.echo(f"file locks held ({len(snap['locks'])}):")
        for n in snap["locks"]:
            typer.echo(f"  pid {n.get('pid')}  session {n.get('session') or '?'}  `{n.get('cmd', '')}`")


@locks_app.command("release")
def release(
    targets: Annotated[Optional[list[str]], typer.Argument(help="Paths whose leases and claims to drop.")] = None,
    session: Annotated[str, typer.Option(help="Drop everything this session holds or waits for.")] = "",
    all_: Annotated[bool, typer.Option("--all", help="Drop every lease and claim.")] = False,
    expired: Annotated[bool, typer.Option("--expired", help="Only prune expired entries.")] = False,
) -> None:
    """Release leases and claims (a human's command: it overrides other agents)."""
    from hookgate.validators.coordination import claims, leases

    if not (targets or session or all_ or expired):
        raise fail("say what to release: PATH…, --session ID, --expired or --all", 2)
    root = project_root()
    state = state_dir(root)
    store = _coord(state)
    wanted = [_key(t) for t in targets or []]

    def fn(data):
        now = time.time()
        n = leases.prune(data, now) + claims.prune(data, now)
        got_l, got_c = [], []
        if not expired or targets or session or all_:
            if all_:
                got_l, got_c = leases.release(data), claims.release(data)
            else:
                if wanted:
                    got_l += leases.release(data, session or None, wanted)
                    got_c += claims.release(data, session or None, paths=wanted)
                elif session:
                    got_l += leases.release(data, session)
                    got_c += claims.release(data, session)
        granted = claims.schedule(data, now)
        return n, got_l, got_c, granted

    try:
        pruned, got_l, got_c, granted = store.mutate(state, fn)
    except store.UnsupportedState as e:
        if not all_:
            raise fail(f"locks release: {e}", 2) from None
        kept = f"{store.state_path(state)}.unsupported-{int(time.time())}"
        os.replace(store.state_path(state), kept)  # --all from a human: start over, keep the file
        typer.echo(f"moved the state this hookgate cannot read to {kept}; starting with no leases or claims")
        return
    typer.echo(f"released {len(got_l)} lease(s), {len(got_c)} claim(s); pruned {pruned} expired")
    for p in got_l:
        typer.echo(f"  lease {_rel(p, root)}")
    for c in got_c:
        typer.echo(f"  claim {c['id']} {_rel(c['path'], root)} ({c['mode']}, session {c['session']})")
    for c in granted:
        typer.echo(f"  now granted: {c['id']} {_rel(c['path'], root)} to session {c['session']}")


# --- claim ----------------------------------------------------------------------------------


def claim_cmd(
    targets: Annotated[Optional[list[str]], typer.Argument(help="Files or directories to claim.")] = None,
    mode: Annotated[str, typer.Option(help="read | intent_write | write | exclusive")] = "write",
    intent: Annotated[str, typer.Option(help="read | soft (yields) | hard (pre-empts lower priorities) | "
                                             "exclusive; sets --mode (ADR 0022)")] = "",
    priority: Annotated[str, typer.Option(help="critical | high | normal | low")] = "normal",
    ttl: Annotated[str, typer.Option(help="How long the claim lives without renewal (e.g. 15m).")] = "",
    session: Annotated[str, typer.Option(help="Claim for this session (default: the calling agent's; at a terminal, "
                                              "you, as human:$USER).")] = "",
    release_: Annotated[bool, typer.Option("--release", help="Release this session's claims on PATH… (all without PATH).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Claim PATH… for the calling agent session; queued (exit 75) when someone else holds it.

    Run it again to renew a held claim or to check a queued one (its wait keeps counting)."""
    from hookgate.validators.coordination import claims, sessions
    from hookgate.cli.lockcli import parse_duration

    root = project_root()
    state = state_dir(root)
    store = _coord(state)
    pol = _policy(root, state)
    if intent:
        if intent not in claims.INTENTS:
            raise fail(f"unknown --intent {intent!r} (use one of {', '.join(claims.INTENTS)})", 2)
        mode = claims.INTENTS[intent]
    if mode not in claims.MODES:
        raise fail(f"unknown --mode {mode!r} (use one of {', '.join(claims.MODES)})", 2)
    if priority not in claims.PRIORITIES:
        raise fail(f"unknown --priority {priority!r} (use one of {', '.join(claims.PRIORITIES)})", 2)
    try:
        ttl_s = parse_duration(ttl) if ttl else float(pol.get("claim_default_ttl_seconds", 900))
    except ValueError:
        raise fail(f"bad --ttl {ttl!r} (e.g. 15m, 900s)", 2) from None
    if ttl_s <= 0:
        raise fail("--ttl must be positive", 2)
    if not targets and not release_:
        raise fail("missing PATH…", 2)
    try:
        sess, platform, how = sessions.resolve(state, os.environ, os.getcwd(), ("hookgate", "claim", *(targets or [])),
                                               session, use_ps=True)
    except sessions.Unresolved as e:
        raise fail(f"claim: cannot tell which agent session this is: {e}", 2) from None
    wanted = [_key(t) for t in targets or []]
    promote = float(pol.get("claim_promote_after_seconds", claims.DEFAULT_PROMOTE_AFTER))
    from hookgate.validators.coordination import identity

    where = identity.where(_top())

    if release_:
        gone = store.mutate(state, lambda d: (claims.release(d, sess, paths=wanted or None), claims.schedule(d, time.time(), promote))[0])
        typer.echo(f"released {len(gone)} claim(s) of session {sess}")
        return

    def fn(data):
        now = time.time()
        told = claims.take_notices(data, sess)
        mine = claims.request(data, wanted, sess, platform, mode, priority, ttl_s, now, promote, where)
        rows = []
        for c in mine:
            row = {"id": c["id"], "path": c["path"], "rel": _rel(c["path"], root), "mode": c["mode"],
                   "priority": c["priority"], "granted": claims.is_held(c), "expires_in_s": round(c["expires"] - now, 1)}
            if not claims.is_held(c):
                row["position"] = claims.queue_position(data, c, now, promote)
                row["waiting_on"] = c.get("waiting_on", "")
                row["waiting_s"] = round(now - float(c["requested"]), 1)
            rows.append(row)
        return rows, told

    try:
        rows, told = store.mutate(state, fn)
    except ValueError as e:
        raise fail(f"claim: {e}", 2) from None
    _record_claims(state, sess, platform, how, rows, where)
    from hookgate.validators.coordination.describe import _clock

    for n in told:
        typer.echo(claims.notice_sentence(n, _clock), err=True)
    if as_json:
        typer.echo(json.dumps({"session": sess, "found_by": how, "claims": rows}, indent=2, sort_keys=True))
    else:
        typer.echo(f"session {sess} ({how}):")
        for r in rows:
            if r["granted"]:
                typer.echo(f"  granted {r['mode']} claim {r['id']} on {r['rel']} (expires in {_ago(r['expires_in_s'])})")
            else:
                typer.echo(f"  queued {r['mode']} claim {r['id']} on {r['rel']}: position {r['position']}"
                           + (f", behind {_waiting(r['waiting_on'], root)}" if r["waiting_on"] else "")
                           + "; work on something else and run the same `hookgate claim` again later")
    if not all(r["granted"] for r in rows):
        raise typer.Exit(EX_BUSY)


def _record_claims(state: str, sess: str, platform: str, how: str, rows: list, where: dict) -> None:
    """A ``kind: claim`` ledger record: the merge gate's evidence that *sess* claimed these keys
    while working on this branch (ADR 0022)."""
    from hookgate.core.engine import record_claims

    warning = record_claims(state, sess, platform, how, rows, where)
    if warning:
        typer.echo(warning, err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(lock_app, name="lock")
    app.add_typer(locks_app, name="locks")
    app.command("claim")(claim_cmd)

