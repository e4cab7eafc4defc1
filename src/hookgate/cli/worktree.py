"""``hookgate worktree new|list|gc`` (ADR 0022): a worktree and branch per agent session, what
each holds, and removal of exactly the safe ones (each removal recorded in the ledger).

Agents may run ``worktree new`` and ``worktree list`` from their shell; ``gc`` is a human's.
"""

from __future__ import annotations

import json
import os
import time
from typing import Annotated

import typer

from hookgate.state import paths
from hookgate.cli._common import fail

worktree_app = typer.Typer(help="A worktree per agent session: new, list, gc.", no_args_is_help=True)


def _common() -> tuple[str, str]:
    """(git common dir, state dir) of the repository around the cwd."""
    from hookgate.validators.coordination.worktrees import _git

    code, out = _git(os.getcwd(), "rev-parse", "--path-format=absolute", "--git-common-dir", env=os.environ)
    if code:
        raise fail(f"worktree: not in a git repository ({out.strip() or 'git failed'})", 2)
    common = out.strip()
    state = paths.state_dir(os.getcwd()) if os.environ.get(paths.STATE_ENV) else os.path.join(common, "hookgate")
    return common, state


def _ledger(state: str, kind: str, **fields) -> None:
    from hookgate.state import backend
    from hookgate.core.engine import _base_record

    rec = _base_record(kind, fields.pop("platform", ""))
    rec.update({k: v for k, v in fields.items() if v is not None})
    backend.ledger_append(state, rec)


def _age(s) -> str:
    from hookgate.validators.coordination.describe import _ago

    return "?" if s is None else _ago(float(s))


@worktree_app.command("new")
def new(
    name: Annotated[str, typer.Argument(help="Name of the worktree and of its new branch.")],
    base: Annotated[str, typer.Option(help="Start the branch from this ref (default HEAD).")] = "HEAD",
    path: Annotated[str, typer.Option(help="Where (default: <repository>.worktrees/NAME beside the repository).")] = "",
    session: Annotated[str, typer.Option(help="Owner session (default: the calling agent's, or you at a terminal).")] = "",
) -> None:
    """Create a worktree and branch NAME for one agent session, recorded with its owner."""
    from hookgate.validators.coordination import identity, sessions
    from hookgate.validators.coordination.worktrees import _git, mutate_registry

    common, state = _common()
    if _git(os.getcwd(), "check-ref-format", "--branch", name, env=os.environ)[0]:
        raise fail(f"worktree new: {name!r} is not a valid branch name", 2)
    mains = [w for w in identity.worktrees(common) if w["main"]]
    anchor = mains[0]["top"] if mains else common.rstrip("/")
    dest = os.path.abspath(path) if path else os.path.join(os.path.dirname(anchor), os.path.basename(anchor) + ".worktrees", name)
    try:
        owner, platform, how = sessions.resolve(state, os.environ, os.getcwd(), ("hookgate", "worktree"), session,
                                                use_ps=True)
    except sessions.Unresolved as e:
        raise fail(f"worktree new: whose worktree is this? {e}", 2) from None
    code, out = _git(os.getcwd(), "worktree", "add", "-b", name, dest, base, env=os.environ)
    if code:
        raise fail(f"worktree new: git worktree add failed: {out.strip()}", 1)
    now = time.time()

    def fn(data):
        data["worktrees"][dest] = {"name": name, "branch": name, "base": base, "session": owner,
                                   "platform": platform, "found_by": how, "created": now}

    mutate_registry(state, fn)
    _ledger(state, "worktree_new", platform=platform, session=owner, path=dest, branch=name, base=base)
    typer.echo(dest)
    typer.echo(f"worktree {name} on branch {name} (from {base}) for session {owner} ({how})", err=True)


@worktree_app.command("list")
def list_(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    base: Annotated[str, typer.Option(help="Branch that counts as merged-into (default: origin/HEAD, main or master).")] = "",
    max_age: Annotated[str, typer.Option(help="Idle time after which a worktree's lease expires.")] = "7d",
) -> None:
    """Worktrees: owner, age, session alive?, uncommitted/unpushed work, merged? (read-only)."""
    from hookgate.validators.coordination.worktrees import default_base, survey

    common, state = _common()
    rows = survey(common, state, base or default_base(os.getcwd(), os.environ), time.time(), _duration(max_age),
                  os.environ)
    if as_json:
        typer.echo(json.dumps(rows, indent=2, sort_keys=True))
        return
    for r in rows:
        flags = [r["session"] + (f" ({r['owner']})" if r["owner"] else "")]
        if not r["exists"]:
            flags.append("DELETED")
        if r["locked"]:
            flags.append("locked")
        if r.get("uncommitted"):
            flags.append(f"{r['uncommitted']} uncommitted")
        if r.get("unpushed"):
            flags.append(f"{r['unpushed']} unpushed")
        if r.get("merged"):
            flags.append("merged")
        typer.echo(f"{r['path']}  [{r['branch'] or '?'}]  age {_age(r['age_s'])}  " + ", ".join(flags)
                   + ("  (main)" if r["main"] else ""))


def _duration(text: str) -> float:
    from hookgate.cli.lockcli import parse_duration

    t = text.strip().lower()
    try:
        if t.endswith("d"):
            return float(t[:-1]) * 86400
        return parse_duration(t)
    except ValueError:
        raise fail(f"bad duration {text!r} (e.g. 7d, 12h, 30m)", 2) from None


@worktree_app.command("gc")
def gc(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would be removed; remove nothing.")] = False,
    max_age: Annotated[str, typer.Option(help="A worktree idle this long counts as abandoned.")] = "7d",
    base: Annotated[str, typer.Option(help="Branch that counts as merged-into (default: origin/HEAD, main or master).")] = "",
) -> None:
    """Remove only abandoned, clean, pushed-or-merged, unused worktrees; sweep stale hookgate state."""
    from hookgate.validators.coordination.worktrees import default_base, mutate_registry, remove, survey

    common, state = _common()
    now = time.time()
    rows = survey(common, state, base or default_base(os.getcwd(), os.environ), now, _duration(max_age), os.environ)
    removed = 0
    for r in rows:
        if not r["remove"]:
            if not r["main"]:
                typer.echo(f"keep    {r['path']}: {r['why']}")
            continue
        if dry_run:
            typer.echo(f"would remove {r['path']}: {r['why']}")
            continue
        ok, msg = remove(common, r, os.environ)
        if not ok:
            typer.echo(f"keep    {r['path']}: git refused ({msg})")
            continue
        removed += 1
        _ledger(state, "worktree_gc", session=r["owner"], path=r["path"], branch=r["branch"], reason=r["why"])
        mutate_registry(state, lambda d, p=r["path"]: d["worktrees"].pop(p, None))
        typer.echo(f"removed {r['path']}: {r['why']} (branch {r['branch'] or '?'} kept)")
    if not dry_run:
        for line in sweep(state, now):
            typer.echo(line)
    typer.echo(f"{removed} worktree(s) removed" if not dry_run else "dry run: nothing removed")


def sweep(state: str, now: float) -> list[str]:
    """hookgate's own stale state: expired leases and claims, old pre-emption notices, file-lock
    notes of dead processes, answered approvals past retention."""
    from hookgate.state import locks as lk
    from hookgate.validators.coordination import claims, leases, store

    out = []
    if store.exists(state):
        def fn(d):
            n = leases.prune(d, now) + claims.prune(d, now)
            before = len(d.get("preempted", []))
            d["preempted"] = [x for x in d.get("preempted", []) if now - float(x.get("at", 0)) < 86400]
            claims.schedule(d, now)
            return n, before - len(d["preempted"])

        try:
            n, notes = store.mutate(state, fn)
            out.append(f"swept {n} expired lease(s)/claim(s), {notes} old notice(s)")
        except (store.UnsupportedState, OSError) as e:
            out.append(f"state not swept: {e}")
    hdir = os.path.join(store.coord_dir(state), "holders")
    gone = 0
    for n in os.listdir(hdir) if os.path.isdir(hdir) else []:
        p = os.path.join(hdir, n)
        try:
            with open(p, encoding="utf-8") as f:
                pid = json.load(f).get("pid")
        except (OSError, ValueError, AttributeError):
            pid = None
        if not lk._pid_alive(pid):
            try:
                os.unlink(p)
                gone += 1
            except OSError:
                pass
    if gone:
        out.append(f"swept {gone} lock note(s) of dead processes")
    try:
        from hookgate.approvals import store as ap

        ap._gc(state, now)  # answered requests past their retention (ADR 0012)
    except Exception as e:  # noqa: BLE001 - the approvals store is another module's; say, don't crash
        out.append(f"approvals not swept: {e}")
    return out


def register(app: typer.Typer) -> None:
    app.add_typer(worktree_app, name="worktree")
