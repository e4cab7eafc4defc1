"""``hookgate doctor``: run the installed hook on the golden payloads and check each answer.

Runs in a throw-away project and HOME, so it changes nothing of the user's; reports PASS or
FAIL per check and exits non-zero when any check fails. Wiring checks per platform are added
by the installer (``hookgate.commands.install``) when present.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile

import typer

from hookgate import golden
from hookgate.platforms import ADAPTERS, load

CHECK_TIMEOUT = 20


def hook_command() -> str:
    here = os.path.join(os.path.dirname(sys.executable), "hookgate")
    if os.path.exists(here):
        return here
    return shutil.which("hookgate") or here


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


def register(app: typer.Typer) -> None:
    @app.command("doctor")
    def doctor(
        platform: list[str] = typer.Option([], "--platform", help="Platform(s) to check (default: all adapters)."),
        command: str = typer.Option("", "--command", help="The hookgate executable to test (default: the installed one)."),
    ) -> None:
        """Run the real hook on built-in sample payloads; PASS/FAIL per check."""
        plats = platform or list(ADAPTERS)
        failed = 0
        for plat in plats:
            if plat not in ADAPTERS:
                typer.echo(f"FAIL  {plat}: unknown platform")
                failed += 1
                continue
            typer.echo(f"== {plat} ({command or hook_command()})")
            for name, ok, detail in run_golden(plat, command or None):
                typer.echo(f"{'PASS' if ok else 'FAIL'}  {plat}/{name}: {detail}")
                failed += 0 if ok else 1
            for name, ok, detail in _wiring_checks(plat) + _floor_checks(plat):
                typer.echo(f"{'PASS' if ok else 'FAIL'}  {plat}/{name}: {detail}")
                failed += 0 if ok else 1
        typer.echo(f"{'all checks passed' if not failed else f'{failed} check(s) FAILED'}")
        if failed:
            raise typer.Exit(1)


def _floor_checks(platform: str) -> list[tuple[str, bool, str]]:
    """The floor per platform, with a live must-deny probe (ADR 0020)."""
    from hookgate import paths
    from hookgate.commands._common import project_root
    from hookgate.floor import doctor as floor_doctor

    return floor_doctor.checks(platform, project_root(), paths.home_dir())


def _wiring_checks(platform: str) -> list[tuple[str, bool, str]]:
    """Wiring checks (missing, duplicated, stale path, wrong units): provided by the installer."""
    try:
        from hookgate.commands import install
    except ImportError:
        return []
    fn = getattr(install, "wiring_checks", None)
    return fn(platform) if fn else []
