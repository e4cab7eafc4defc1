"""``hookgate doctor``: is hookgate working here? A list of checks, one summary (ADR 0019).

Each check is a function ``check(ctx) -> list[Finding]`` in :data:`CHECKS`, run in order. A
finding is PASS, WARN or FAIL, with a one-line detail, a ``Fix:`` line for the user when it is
not a PASS, and optional ``items`` (the individual results it summarises, shown with
``--verbose``). Doctor exits 1 when any finding FAILs; ``--json`` prints the same as a stable
document. To add a check (the floor, a new platform), write such a function and append it to
:data:`CHECKS` (or :func:`add_check` from a module imported here).

The hook checks run the real installed hook on the golden payloads in a throw-away project and
HOME, so doctor changes nothing of the user's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field

import typer

from hookgate.adapters import golden
from hookgate.state import paths
from hookgate.cli._common import PROJECT_HELP, project_root
from hookgate.installer.targets import hook_command
from hookgate.adapters import ADAPTERS, load

CHECK_TIMEOUT = 20
JSON_VERSION = 1
PASS, WARN, FAIL = "PASS", "WARN", "FAIL"


@dataclass
class Finding:
    check: str               # the check's id: config, hook, wiring, path, ledger, …
    status: str              # PASS | WARN | FAIL
    detail: str              # one line: what was found
    fix: str = ""            # one line: what to do about it (not for PASS)
    platform: str = ""
    items: list = field(default_factory=list)  # [(name, ok, detail)] behind a summary
    name: str = ""           # a specific check within the platform (shown as platform/name)


@dataclass
class Context:
    platforms: list[str]     # the platforms to check (--platform, default: every adapter)
    command: str             # the hookgate executable under test
    project: str             # the project root
    home: str
    state: str               # the project's state dir


def run_golden(platform: str, command: str | None = None) -> list[tuple[str, bool, str]]:
    """[(check name, passed, detail)] for every golden payload of *platform*."""
    command = command or hook_command()
    adapter = load(platform)
    results = []
    with tempfile.TemporaryDirectory(prefix="hookgate-doctor-") as tmp:
        project = os.path.join(tmp, "project")
        home = os.path.join(tmp, "home")
        state = os.path.join(tmp, "state")
        for d in (project, home, state, os.path.join(project, ".git")):
            os.makedirs(d, exist_ok=True)
        with open(os.path.join(project, "README.md"), "w") as f:
            f.write("# doctor\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HOOKGATE_", "CLAUDE", "CURSOR", "GEMINI"))}
        env.update(HOME=home, HOOKGATE_STATE_DIR=state, PATH=os.path.dirname(command) + os.pathsep + env.get("PATH", ""))
        for name, expected in golden.expectations(platform).items():
            data = golden.payload(platform, name, project, home)
            try:
                p = subprocess.run(
                    [command, "hook", "--platform", platform],
                    input=data, capture_output=True, timeout=CHECK_TIMEOUT, env=env, cwd=project,
                )
            except (OSError, subprocess.TimeoutExpired) as e:
                results.append((name, False, f"could not run {command}: {e}"))
                continue
            out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
            observed = adapter.classify_output(out, err, p.returncode)
            ok = golden.matches(expected, observed)
            if ok and out.strip():
                try:
                    json.loads(out)
                except ValueError:
                    ok, observed = False, "stdout is not pure JSON"
            detail = f"expected {expected}, got {observed} (exit {p.returncode})"
            results.append((name, ok, detail))
    return results


# --- the checks -----------------------------------------------------------------------------


def check_config(ctx: Context) -> list[Finding]:
    """The project's .hookgate/ compiles; a refused file is a FAIL (the last good one is in force)."""
    from hookgate.core import config

    sources = config.project_sources(ctx.project)
    if not sources:
        return [Finding("config", PASS, "no .hookgate/ here: the shipped defaults apply")]
    cfg, refusal = config.load(ctx.project, ctx.state)
    if refusal is None:
        err = config.refusal_status(ctx.state)
        if err and err.get("sources") == config.signature(sources):
            refusal = err
    if refusal:
        return [Finding("config", FAIL, f"config refused: {refusal.get('error', '?')}",
                        fix=f"correct the file named above, then run `hookgate config compile --check`; until then "
                            f"the last good config (rev {refusal.get('last_good') or 'shipped defaults'}) stays in force")]
    return [Finding("config", PASS, f"{', '.join(os.path.relpath(s, ctx.project) for s in sources)} compiles "
                                    f"(rev {cfg.get('rev', '')})")]


def check_hook(ctx: Context) -> list[Finding]:
    """The real hook decides the built-in sample payloads of each platform as expected."""
    out = []
    for plat in ctx.platforms:
        if plat not in ADAPTERS:
            out.append(Finding("hook", FAIL, f"unknown platform {plat!r}", platform=plat,
                               fix=f"use one of: {', '.join(ADAPTERS)}"))
            continue
        items = run_golden(plat, ctx.command)
        bad = [i for i in items if not i[1]]
        if bad:
            first = bad[0]
            out.append(Finding("hook", FAIL, f"{len(bad)} of {len(items)} sample decisions wrong, e.g. "
                                             f"{first[0]}: {first[2]}", platform=plat, items=items,
                               fix=f"reinstall (`./install.sh`) and run `hookgate doctor --verbose --platform {plat}`; "
                                   "report the failing names if it persists"))
        else:
            out.append(Finding("hook", PASS, f"{len(items)}/{len(items)} sample payloads decided as expected",
                               platform=plat, items=items))
    return out


def check_wiring(ctx: Context) -> list[Finding]:
    """The agents' settings name this hookgate, once, with safe flags (installer's checks)."""
    from hookgate.installer import checks

    out = []
    for plat in ctx.platforms:
        if plat not in ADAPTERS:
            continue
        for name, ok, detail in checks.wiring_checks(plat, ctx.home, ctx.project, ctx.command):
            scope = name.rsplit("-", 1)[-1] if name.startswith("wiring-") else "project"
            specific = "" if name.startswith("wiring") else name
            if ok and detail.startswith(("note: ", "warning: ")):  # true, and worth knowing (ADR 0023)
                out.append(Finding("wiring", WARN, detail.split(": ", 1)[1], platform=plat, name=specific))
            elif ok:
                out.append(Finding("wiring", PASS, detail, platform=plat, name=specific))
            elif "stale path" in detail or "missing events" in detail or "duplicated" in detail:
                out.append(Finding("wiring", FAIL, detail, platform=plat, name=specific,
                                   fix=f"hookgate install --platform {plat} --scope {scope}"))
            else:
                text, _, fix = detail.partition(" Fix: ")
                out.append(Finding("wiring", FAIL, text, platform=plat, name=specific,
                                   fix=fix or "edit the file as the message says, then "
                                              f"`hookgate install --platform {plat} --scope {scope}`"))
    if out and all(f.status == PASS and f.detail.startswith("not wired") for f in out):
        out = [Finding("wiring", WARN, f"hookgate is not wired for any agent here ({', '.join(ctx.platforms)})",
                       fix="hookgate install --platform claude-code (or cursor, gemini-cli, all); "
                           "--scope user for every project")]
    return out


def check_path(ctx: Context) -> list[Finding]:
    """`hookgate` on PATH is this one (agents' messages and the README use the bare name)."""
    found = shutil.which("hookgate")
    if not found:
        link = os.path.join(os.environ.get("XDG_BIN_HOME") or os.path.join(ctx.home, ".local", "bin"), "hookgate")
        if os.path.realpath(link) == os.path.realpath(ctx.command):
            where = os.path.dirname(link)
            shown = "$HOME" + where[len(ctx.home):] if where.startswith(ctx.home.rstrip("/") + "/") else where
            fix = f'add this line to your shell\'s rc file (~/.bashrc, ~/.zshrc): export PATH="{shown}:$PATH"'
        else:
            fix = (f"link it where your PATH looks (`ln -s {ctx.command} ~/.local/bin/hookgate`), or add "
                   f"{os.path.dirname(ctx.command)} to PATH in your shell's rc file")
        return [Finding("path", WARN, "`hookgate` is not on your PATH (the hook itself runs by absolute path)",
                        fix=fix)]
    if os.path.realpath(found) != os.path.realpath(ctx.command):
        return [Finding("path", WARN, f"`hookgate` on PATH is {found}, not {ctx.command}",
                        fix="remove the other one, or put this one first on PATH")]
    return [Finding("path", PASS, f"`hookgate` on PATH is {found}")]


def check_ledger(ctx: Context) -> list[Finding]:
    """The project's ledger verifies (hash chain intact)."""
    from hookgate.state import ledger

    lp = ledger.ledger_path(ctx.state)
    if not os.path.exists(lp):
        return [Finding("ledger", PASS, f"no ledger yet ({lp})")]
    from hookgate.core import config

    # from the verified prefix `audit verify` left, when there is one (ADR 0027): a 1 M-record
    # ledger is otherwise a minute's walk
    res = ledger.verify(lp, ctx.state, config._key(ctx.state, create=False))
    if res.ok:
        return [Finding("ledger", PASS, f"{res.count} records, hash chain intact")]
    return [Finding("ledger", FAIL, f"ledger does not verify: {res.reason} (line {res.bad_line})",
                    fix="hookgate audit verify (and `--repair` if it says the tail is torn)")]


def check_floor(ctx: Context) -> list[Finding]:
    """The floor per platform: on/off, configured as hookgate writes it, a live must-deny
    probe (ADR 0020). A floor that is configured but not effective is a FAIL."""
    from hookgate.floor import doctor as floor_doctor

    out = []
    for plat in ctx.platforms:
        if plat not in ADAPTERS:
            continue
        import time

        t0 = time.monotonic()
        results = floor_doctor.checks(plat, ctx.project, ctx.home)
        took = time.monotonic() - t0
        if took >= 1.0:
            results = [(n, ok, f"{d} [floor checks took {took:.1f} s]" if n == "floor" else d) for n, ok, d in results]
        if results and all(ok is True for _n, ok, _d in results):  # summarised; --verbose lists them
            head = next((d for n, _ok, d in results if n == "floor"), results[0][2])
            more = f" ({len(results)} checks passed)" if len(results) > 1 else ""
            out.append(Finding("floor", PASS, f"{head}{more}", platform=plat, items=list(results)))
            continue
        for name, ok, detail in results:
            text, _, fix = detail.partition(" Fix: ")
            if not ok and not fix:
                text, _, fix = detail.partition(". Fix: ")
            status = PASS if ok is True else WARN if ok is None else FAIL  # None: a named gap
            out.append(Finding("floor", status, text.strip(), fix=fix.strip(), platform=plat,
                               name="" if name == "floor" else name))
    return out


def check_bundle(ctx: Context) -> list[Finding]:  # noqa: ARG001 - the check protocol
    """The one-shot hook process's byte-code bundle (ADR 0025): without a current one every hook
    call imports module by module, about 2 ms slower; never a wrong decision."""
    from hookgate import bundle

    ok, what = bundle.status()
    if ok:
        return [Finding("bundle", PASS, what)]
    return [Finding("bundle", WARN, f"{what}: each one-shot hook call is about 2 ms slower",
                    fix="hookgate install (it builds the bundle), or: python -m hookgate.bundle")]


def check_server(ctx: Context) -> list[Finding]:
    """The decision server (ADR 0025): up or down, and which door each platform's wiring uses.
    Down is not a failure (command hooks decide one-shot; Claude's http door blocks until the
    next prompt starts it); an http door wired to a port the server is not on is."""
    from hookgate.installer import checks, merge, server, targets

    up, line = server.status()
    out = [Finding("server", PASS if up else WARN, f"decision server {line}",
                   fix="" if up else "it starts with the next Claude Code session or prompt; by hand: hookgate serve start")]
    port = None
    if up:
        from hookgate.server import runtime

        try:
            with open(runtime.paths()["info"], encoding="utf-8") as f:
                port = json.load(f).get("port")
        except (OSError, ValueError):
            pass
    for plat in ctx.platforms:
        if plat not in targets.SPEC or targets.layout(plat) == "plugin":
            continue
        for scope in targets.SCOPES:
            t = targets.target(plat, scope, ctx.home, ctx.project)
            try:
                doc = merge.load(t.path, merge.read_bytes(t.path))
            except merge.Refusal:
                continue
            handlers = checks.our_handlers(doc, plat)
            door = server.door(plat, handlers)
            if not door:
                continue
            wired = server.wired_port(doc) if plat == "claude-code" else None
            if wired and port and wired != port:
                out.append(Finding("server", FAIL, f"{scope}: http door wired to port {wired}, the server listens on {port}",
                                   fix=f"hookgate serve stop, then free port {wired} (or reinstall with "
                                       f"--server-port {port})", platform=plat, name="door"))
            else:
                out.append(Finding("server", PASS, f"{scope}: {door}", platform=plat, name="door"))
    return out


CHECKS = [check_config, check_hook, check_wiring, check_floor, check_path, check_ledger, check_bundle, check_server]


def add_check(fn) -> None:
    """Register a check ``fn(ctx) -> list[Finding]`` (run after the built-in ones)."""
    if fn not in CHECKS:
        CHECKS.append(fn)


def run_checks(ctx: Context) -> list[Finding]:
    out = []
    for fn in CHECKS:
        try:
            out.extend(fn(ctx))
        except Exception as e:  # noqa: BLE001 - a broken check is a finding, not a traceback
            out.append(Finding(fn.__name__.removeprefix("check_"), FAIL, f"the check crashed: {type(e).__name__}: {e}",
                               fix="report this with `HOOKGATE_DEBUG=1 hookgate doctor`"))
            if os.environ.get("HOOKGATE_DEBUG"):
                raise
    return out


def summary(findings: list[Finding]) -> dict:
    n = {s: sum(1 for f in findings if f.status == s) for s in (PASS, WARN, FAIL)}
    return {"checks": len(findings), "passed": n[PASS], "warnings": n[WARN], "failed": n[FAIL], "ok": not n[FAIL]}


def _summary_line(s: dict) -> str:
    warn = f", {s['warnings']} warning(s)" if s["warnings"] else ""
    if s["ok"]:
        return f"all checks passed ({s['passed']} passed{warn})"
    return f"{s['failed']} check(s) FAILED ({s['passed']} passed{warn})"


def register(app: typer.Typer) -> None:
    @app.command("doctor")
    def doctor(
        platform: list[str] = typer.Option([], "--platform", help="Platform(s) to check (default: all adapters)."),
        command: str = typer.Option("", "--command", help="The hookgate executable to test (default: this one)."),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="List every sample decision, not just a summary."),
        as_json: bool = typer.Option(False, "--json", help="Machine-readable result (stable, versioned)."),
        project: str = typer.Option("", "--project", metavar="DIR", help=PROJECT_HELP),
    ) -> None:
        """Check that hookgate works here: config, the real hook, the agents' wiring, PATH, the ledger."""
        root = project_root()
        ctx = Context(platforms=platform or list(ADAPTERS), command=command or hook_command(), project=root,
                      home=paths.home_dir(), state=paths.state_dir(root))
        findings = run_checks(ctx)
        s = summary(findings)
        if as_json:
            doc = {"version": JSON_VERSION, "command": ctx.command, "project": root, "summary": s,
                   "findings": [dict(asdict(f), items=[{"name": n, "ok": ok, "detail": d} for n, ok, d in f.items])
                                for f in findings]}
            typer.echo(json.dumps(doc, indent=1, ensure_ascii=False))
        else:
            typer.echo(f"hookgate doctor: {ctx.command}, project {root}")
            wheres = [f"{f.platform}/{f.name}" if f.name else f.check + (f" {f.platform}" if f.platform else "")
                      for f in findings]
            w = min(max([22, *map(len, wheres)]), 40)
            for f, where in zip(findings, wheres):
                typer.echo(f"{f.status}  {where:<{w}} {f.detail}")
                if f.fix and f.status != PASS:
                    typer.echo(f"{'':6}{'':<{w}} Fix: {f.fix}")
                if verbose:
                    for name, ok, detail in f.items:
                        typer.echo(f"{'':6}  {'ok ' if ok else 'BAD'} {name}: {detail}")
            typer.echo(_summary_line(s))
        if not s["ok"]:
            raise typer.Exit(1)
