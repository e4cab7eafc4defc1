"""``hookgate install`` / ``hookgate uninstall``: merge hookgate's hook wiring into each agent's
settings (ADR 0011), and ``wiring_checks(platform)`` for ``hookgate doctor``."""

from __future__ import annotations

import difflib
import os

import typer

from hookgate.state import paths
from hookgate.cli._common import PROJECT_HELP, fail, project_root
from hookgate.installer import checks, merge, targets
from hookgate.installer import floor as floor_install

PLATFORM_HELP = "claude-code | cursor | gemini-cli | codex | copilot-cli | qwen-code | opencode | all (repeatable)"


def _command(explicit: str) -> str:
    from hookgate.installer.server import client_command
    from hookgate.installer.targets import hook_command

    # a `hookgate` launcher (this one, or --command's) is wired through the static thin client
    # beside it when the wheel shipped one (ADR 0025)
    cmd = client_command(explicit or hook_command())
    if not os.path.isabs(cmd):
        raise fail(f"--command must be an absolute path (got {cmd!r}); hookgate is never registered as `python -m`")
    if not os.access(cmd, os.X_OK):
        raise fail(f"{cmd} is not an executable file")
    return cmd


def _targets(platform: list[str], scope: str) -> list[targets.Target]:
    if scope not in targets.SCOPES:
        raise fail(f"--scope must be project or user (got {scope!r})", 2)
    try:
        plats = targets.expand_platforms(platform or [])
    except ValueError as e:
        raise fail(str(e), 2) from None
    if not plats:
        raise fail("--platform is required (" + PLATFORM_HELP + ")", 2)
    home = paths.home_dir()
    root = project_root()
    return [targets.target(p, scope, home, root) for p in plats]


def _diff(plan: merge.Plan) -> str:
    a = (plan.before or b"").decode("utf-8", "replace").splitlines(keepends=True)
    b = (plan.after or b"").decode("utf-8", "replace").splitlines(keepends=True)
    return "".join(difflib.unified_diff(a, b, plan.target.path + " (now)", plan.target.path + " (after)"))


def _run(plans: list[merge.Plan], dry_run: bool) -> None:
    for plan in plans:
        if dry_run:
            typer.echo(f"would {'leave unchanged' if plan.after == plan.before else 'change'}: {plan.target.path}")
            d = _diff(plan)
            if d:
                typer.echo(d, nl=not d.endswith("\n"))
            continue
        what = merge.apply(plan)
        floor_install.after_apply(plan)
        extra = f" (backup: {plan.target.path}{merge.BACKUP_SUFFIX})" if plan.backup_new else ""
        typer.echo(f"{what}: {plan.target.path} [{plan.target.platform}]{extra}")


def _plan_all(ts: list[targets.Target], build) -> list[merge.Plan]:
    plans, refusals = [], []
    for t in ts:
        try:
            plans.append(build(t))
        except merge.Refusal as e:
            refusals.append(str(e))
    if refusals:  # nothing is written unless every file can be
        for r in refusals:
            typer.echo(f"hookgate: refusing: {r}", err=True)
        raise typer.Exit(1)
    return plans


def _floor_plans(plans: list, refusals: list, messages: list, dry_run: bool) -> list:
    if refusals:  # nothing is written unless every file can be
        for r in refusals:
            typer.echo(f"hookgate: refusing: {r}", err=True)
        raise typer.Exit(1)
    for m in messages:
        typer.echo(("(dry run) " if dry_run else "") + m, err=True)
    return plans


def register(app: typer.Typer) -> None:
    @app.command("install")
    def install(
        platform: list[str] = typer.Option([], "--platform", help=PLATFORM_HELP),
        scope: str = typer.Option("project", "--scope", help="project (.claude/, .cursor/, .gemini/ here) or user (~/)"),
        dry_run: bool = typer.Option(False, "--dry-run", help="Print the diff; write nothing."),
        command: str = typer.Option("", "--command", help="Absolute path of the hookgate to register (default: this one; "
                                     "the hookgate-client beside it when there is one)."),
        project: str = typer.Option("", "--project", metavar="DIR", help=PROJECT_HELP),
        git_hooks: bool = typer.Option(False, "--git-hooks", help="Only add the merge gate as git's pre-push hook "
                                       "(chained after an existing one; ADR 0022)."),
        no_floor: bool = typer.Option(False, "--no-floor", help="Do not enable the agents' own sandboxes (ADR 0020)."),
        no_server: bool = typer.Option(False, "--no-server", help="Claude Code: command hooks, not the decision "
                                       "server's http door; no user service (ADR 0025)."),
        server_port: int = typer.Option(0, "--server-port", help="Loopback port of the decision server (default: "
                                        "the one already wired, else $HOOKGATE_SERVE_PORT, else a fixed per-user one)."),
    ) -> None:
        """Wire hookgate into the agents' hook settings (idempotent; foreign entries untouched),
        enable each agent's own sandbox over the protected paths (the floor, ADR 0020), and — for
        Claude Code in project scope — the decision server's http door, with a user service where
        there is one (ADR 0025)."""
        if git_hooks:
            from hookgate.cli.gate import git_hooks_cli

            raise typer.Exit(git_hooks_cli(_command(command), dry_run, uninstall=False))
        ts = _targets(platform, scope)
        cmd = _command(command)
        plans = _floor_plans(*floor_install.install_plans(ts, cmd, no_floor, project_root()), dry_run)
        port = 0
        if not no_server:
            plans, port = _server_plans(plans, cmd, server_port)
        _run(plans, dry_run)
        if port:
            from hookgate.installer import server

            typer.echo(server.install_service(paths.home_dir(), server.launcher_of(cmd), port, dry_run), err=True)
        note = checks.double_wiring_note(paths.home_dir(), project_root())
        if note and not dry_run:
            typer.echo(note, err=True)
        _platform_notes(ts, scope, dry_run)
        if not dry_run:
            _build_bundle()
            typer.echo("Restart (or reload) the agents so they read the new hooks; then run `hookgate doctor`.")

    @app.command("uninstall")
    def uninstall(
        platform: list[str] = typer.Option([], "--platform", help=PLATFORM_HELP),
        scope: str = typer.Option("project", "--scope", help="project or user"),
        dry_run: bool = typer.Option(False, "--dry-run", help="Print the diff; write nothing."),
        project: str = typer.Option("", "--project", metavar="DIR", help=PROJECT_HELP),
        git_hooks: bool = typer.Option(False, "--git-hooks", help="Only remove hookgate's pre-push hook (the "
                                       "chained previous one is put back)."),
    ) -> None:
        """Remove hookgate's entries (only those); restore the original file when nothing else changed."""
        if git_hooks:
            from hookgate.cli.gate import git_hooks_cli

            raise typer.Exit(git_hooks_cli("", dry_run, uninstall=True))
        ts = _targets(platform, scope)
        plans = _floor_plans(*floor_install.uninstall_plans(ts, project_root()), [], dry_run)
        _run([p for p in plans if p.before is not None], dry_run)
        if any(t.platform == "claude-code" for t in ts):
            from hookgate.installer import server

            msg = server.uninstall_service(paths.home_dir(), dry_run)
            if msg:
                typer.echo(msg, err=True)


def _build_bundle() -> None:
    """The one-shot hook process's byte-code bundle (ADR 0025), when it is not current: an
    accelerator (about 2 ms a hook call), so a failure is one line, never a failed install."""
    from hookgate import bundle

    ok, _what = bundle.status()
    if ok:
        return
    try:
        typer.echo(f"hookgate: built the byte-code bundle of the hook process ({bundle.build()})", err=True)
    except OSError as e:
        typer.echo(f"hookgate: could not build the byte-code bundle ({e}); each hook call imports module by "
                   "module, about 2 ms slower (see `hookgate doctor`)", err=True)


def _server_plans(plans: list, cmd: str, port: int) -> tuple[list, int]:
    """Claude Code's settings in project scope: the tool events on the server's http door
    (ADR 0025). (plans, the port wired, or 0 when nothing was)."""
    from hookgate.installer import server

    out, wired = [], 0
    for p in plans:
        t = p.target
        if t.platform != "claude-code" or t.scope != "project" or p.after is None \
                or os.path.basename(t.path) != targets.SPEC["claude-code"][1]:
            out.append(p)
            continue
        try:
            before_doc = merge.load(t.path, p.before)
        except merge.Refusal:
            before_doc = {}
        after_doc = merge.load(t.path, p.after)
        sandbox = after_doc.get("sandbox") if isinstance(after_doc, dict) else None
        if isinstance(sandbox, dict) and sandbox.get("enabled") is True:
            # Claude Code sends http hooks through its sandbox's network proxy, which answers 403
            # for the loopback port (measured with the real binary: every tool call then fails
            # closed). With its sandbox on, Claude keeps command hooks through the thin client
            # (ADR 0025, "The http door and Claude's sandbox").
            typer.echo("Claude Code: its sandbox (the floor) is on, so its hooks stay command hooks through "
                       "the thin client, not the decision server's http door (ADR 0025)", err=True)
            out.append(p)
            continue
        wired = port or server.wired_port(before_doc) or server.default_port()
        doc = server.claude_transform(after_doc, cmd, wired, project_root())
        after = merge.dump(doc)
        out.append(p._replace(after=after, backup_new=p.backup_new and after != p.before))
    return out, wired


def _platform_notes(ts: list[targets.Target], scope: str, dry_run: bool) -> None:
    """What Codex, Copilot CLI and Qwen Code will do with the new wiring (ADR 0023)."""
    from hookgate.installer import platform_checks

    if dry_run:
        return
    for note in platform_checks.install_notes({t.platform for t in ts}, paths.home_dir(), project_root(), scope):
        typer.echo(note, err=True)


def wiring_checks(platform: str) -> list[tuple[str, bool, str]]:
    """[(name, ok, detail)] for *platform*'s wiring in user and project scope (for doctor)."""
    from hookgate.installer.targets import hook_command

    return checks.wiring_checks(platform, paths.home_dir(), project_root(), hook_command())
