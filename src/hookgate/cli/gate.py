"""``hookgate gate [--base REF] [REV] [--json]``: the merge gate (ADR 0022), and the chained
``pre-push`` hook that ``hookgate install --git-hooks`` adds.

Read-only: it reads git and the ledger and writes nothing, so an agent may run it from its
shell. Exit 0 every changed file was claimed; 1 some were not (each named, with who else held
it); 2 the gate cannot decide (bad ref, not a repository).
"""

from __future__ import annotations

import json
import os
import stat
import sys
from typing import Annotated, Optional

import typer

from hookgate.state import paths
from hookgate.cli._common import fail

MARK = "# hookgate pre-push (ADR 0022)"
CHAINED = "pre-push.hookgate-chained"
ZERO = "0" * 40


def _state(cwd: str) -> str:
    from hookgate.validators.coordination.gate import GateError, git

    if os.environ.get(paths.STATE_ENV):
        return paths.state_dir(cwd)
    try:
        common = git(cwd, "rev-parse", "--path-format=absolute", "--git-common-dir",
                     env=os.environ).decode("utf-8", "surrogateescape").strip()
    except GateError as e:
        raise fail(f"gate: not in a git repository ({e})", 2) from None
    return os.path.join(common, "hookgate")


def _report(res: dict, as_json: bool) -> None:
    from hookgate.validators.coordination.describe import show

    if as_json:
        typer.echo(json.dumps(res, indent=2, sort_keys=True))
        return
    what = f"{res['branch'] or res['rev']} since {res['base']}"
    if res["ok"]:
        typer.echo(f"gate: ok — all {res['files']} file(s) changed on {what} were leased or claimed on this branch")
        return
    typer.echo(f"gate: {len(res['unclaimed'])} of {res['files']} file(s) changed on {what} were never leased or "
               "claimed by a session working on this branch:")
    for row in res["unclaimed"]:
        name = show(row["path"]) + (f" (renamed from {show(row['from'])})" if row.get("from") else "")
        held = f" — held by {', '.join(row['held_by'])}" if row.get("held_by") else ""
        typer.echo(f"  {row['status']} {name}{held}")
    typer.echo("Review these changes with whoever else held them; an agent claims files with "
               "`hookgate claim PATH --intent hard` before it edits them (adr/0022-coordination-across-worktrees.md)")


def gate_cmd(
    rev: Annotated[Optional[str], typer.Argument(help="The revision to check (default HEAD).")] = None,
    base: Annotated[str, typer.Option(help="Compare against this ref (default: origin/HEAD, main or master).")] = "",
    branch: Annotated[str, typer.Option(help="The branch REV stands for (default: derived from REV).")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    pre_push: Annotated[bool, typer.Option("--pre-push", hidden=True,
                                           help="Run as git's pre-push hook (REV is then the remote's name).")] = False,
    plan: Annotated[str, typer.Option(help="Check the changed files against this plan's write claims instead "
                                           "(ADR 0024).")] = "",
) -> None:
    """The merge gate: every file changed since BASE was leased or claimed on this branch."""
    from hookgate.validators.coordination.gate import GateError, check

    cwd = os.getcwd()
    state = _state(cwd)
    if plan:
        raise typer.Exit(_plan_gate(cwd, state, base, rev or "HEAD", plan, as_json))
    if pre_push:
        raise typer.Exit(_pre_push(cwd, state, base, rev or "", as_json))
    try:
        res = check(cwd, state, os.environ, base, rev or "HEAD", branch)
    except GateError as e:
        raise fail(f"gate: {e}", 2) from None
    _report(res, as_json)
    raise typer.Exit(0 if res["ok"] else 1)


def _plan_gate(cwd: str, state: str, base: str, rev: str, plan: str, as_json: bool) -> int:
    """``gate --plan ID`` (ADR 0024): the branch's changed files against the plan's claims."""
    from hookgate.validators.coordination.gate import GateError
    from hookgate.plans import gate as plan_gate

    try:
        res = plan_gate.run(cwd, state, plan, os.environ, base, rev)
    except (GateError, plan_gate.PlanGateError) as e:
        typer.echo(f"hookgate: gate: {e}", err=True)
        return 2
    if as_json:
        typer.echo(json.dumps(res, indent=2, sort_keys=True))
    else:
        for line in plan_gate.report_lines(res):
            typer.echo(line)
    return 0 if res["ok"] else 1


def _pre_push(cwd: str, state: str, base: str, remote: str, as_json: bool) -> int:
    """git's pre-push: stdin has ``<local ref> <local sha> <remote ref> <remote sha>`` lines."""
    from hookgate.validators.coordination.gate import GateError, check

    worst = 0
    for line in sys.stdin.read().splitlines():
        parts = line.split()
        if len(parts) != 4 or parts[1] == ZERO or not parts[0].startswith("refs/heads/"):
            continue  # a delete, or a tag
        try:
            res = check(cwd, state, os.environ, base, parts[1], parts[0][11:], remote)
        except GateError as e:
            typer.echo(f"hookgate gate: {e}", err=True)
            worst = max(worst, 2)
            continue
        _report(res, as_json)
        if not res["ok"]:
            worst = max(worst, 1)
    if worst:
        typer.echo("hookgate gate: push refused (bypassing with --no-verify is possible: run `hookgate gate` in CI "
                   "too)", err=True)
    return worst


# --- install --git-hooks ----------------------------------------------------------------------


def _hooks_dir(cwd: str) -> str:
    from hookgate.validators.coordination.gate import git

    return git(cwd, "rev-parse", "--path-format=absolute", "--git-path", "hooks",
               env=os.environ).decode("utf-8", "surrogateescape").strip()


def hook_script(command: str) -> str:
    q = "'" + command.replace("'", "'\\''") + "'"
    return f"""#!/bin/sh
{MARK}: runs the pre-push hook that was here before (if any), then the merge gate.
# `hookgate install --git-hooks --uninstall` puts the previous hook back.
input=$(cat)
here=$(dirname "$0")
if [ -x "$here/{CHAINED}" ]; then
  printf '%s\\n' "$input" | "$here/{CHAINED}" "$@" || exit $?
fi
printf '%s\\n' "$input" | {q} gate --pre-push "$1"
"""


def install_git_hooks(cwd: str, command: str, uninstall: bool = False) -> list[str]:
    """Add (or remove) the chained pre-push hook; return what was done, one line each.

    A foreign ``pre-push`` is never overwritten: it is moved to ``pre-push.hookgate-chained``
    and run first by ours, with the same arguments and input; uninstall moves it back."""
    from hookgate.state import files

    d = _hooks_dir(cwd)
    hook, chained = os.path.join(d, "pre-push"), os.path.join(d, CHAINED)
    ours = _is_ours(hook)
    done = []
    if uninstall:
        if ours:
            os.unlink(hook)
            done.append(f"removed {hook}")
            if os.path.lexists(chained):
                os.replace(chained, hook)
                done.append(f"restored the previous pre-push hook from {chained}")
        else:
            done.append(f"{hook} is not hookgate's; left alone")
        return done
    os.makedirs(d, exist_ok=True)
    if os.path.lexists(hook) and not ours:
        if os.path.lexists(chained):
            raise OSError(f"{chained} already exists; refusing to overwrite a hook (move it away first)")
        os.replace(hook, chained)
        done.append(f"kept the existing pre-push hook as {chained}; it runs first")
    files.replace(hook, hook_script(command).encode(), mode=0o755, fsync=True)
    os.chmod(hook, os.stat(hook).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    done.append(f"{'updated' if ours else 'installed'} {hook} (runs `hookgate gate` before every push)")
    return done


def git_hooks_cli(command: str, dry_run: bool, uninstall: bool) -> int:
    """``hookgate install|uninstall --git-hooks`` (the install command's surface calls this)."""
    from hookgate.validators.coordination.gate import GateError

    cwd = os.getcwd()
    try:
        d = _hooks_dir(cwd)
    except GateError as e:
        typer.echo(f"hookgate: --git-hooks: not in a git repository ({e})", err=True)
        return 2
    if dry_run:
        hook = os.path.join(d, "pre-push")
        what = "remove" if uninstall else ("update" if _is_ours(hook) else
                                           "chain the existing hook and install" if os.path.lexists(hook) else "install")
        typer.echo(f"would {what} {hook}")
        return 0
    try:
        for line in install_git_hooks(cwd, command, uninstall):
            typer.echo(line)
    except OSError as e:
        typer.echo(f"hookgate: --git-hooks: {e}", err=True)
        return 1
    if not uninstall:
        typer.echo("Agents can push with --no-verify: run `hookgate gate --base <target branch>` in CI as well.")
    return 0


def _is_ours(hook: str) -> bool:
    try:
        with open(hook, "rb") as f:
            return MARK.encode() in f.read(4096)
    except OSError:
        return False


def register(app: typer.Typer) -> None:
    app.command("gate")(gate_cmd)
