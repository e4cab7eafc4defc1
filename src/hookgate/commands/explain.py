"""``hookgate explain [--json] [--cwd DIR] COMMAND``: what a shell command reads, writes,
deletes and runs, as the shell engine sees it (ADR 0007). Read-only; agents may run it."""

from __future__ import annotations

import json
import os

import typer

_MODE_ORDER = {"write": 0, "delete": 1, "read": 2, "exec": 3}


def explain_json(command: str, cwd: str, home: str | None = None) -> dict:
    """The ``--json`` document (keys in contract order; ``verdicts`` may be added later)."""
    from hookgate.shell import analyse

    res = analyse(command, cwd, env={"HOME": home} if home else None, home=home)
    return res.to_json()


def render_tree(command: str, cwd: str, home: str | None = None) -> str:
    from hookgate.shell import analyse

    res = analyse(command, cwd, env={"HOME": home} if home else None, home=home)
    lines = [f"command: {command}", f"cwd:     {cwd}"]
    if res.indeterminate:
        lines.append(f"INDETERMINATE: {res.parse_error}")
        for r in res.reasons[1:]:
            lines.append(f"  also: {r}")
    if res.commands:
        lines.append("runs:")
        for c in res.commands:
            argv = " ".join("<?>" if a is None else a for a in c.argv)
            wrap = f"  (via {' '.join(c.wrappers)})" if getattr(c, "wrappers", ()) else ""
            lines.append(f"{'  ' * (c.depth + 1)}- {c.name or '<unresolvable>'}: {argv}{wrap}")
    if res.accesses:
        lines.append("touches:")
        for a in sorted(res.accesses, key=lambda a: _MODE_ORDER.get(a.mode, 9)):
            flag = "" if a.resolved else "  [unresolved]"
            lines.append(f"  {a.mode:<6} {a.path or '(no path)'}{flag}")
            lines.append(f"         because: {a.via} ({a.tool})")
    else:
        lines.append("touches: nothing")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    @app.command("explain")
    def explain(
        command: str = typer.Argument(..., help="The shell command to analyse (one argument; quote it)."),
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
        cwd: str = typer.Option(None, "--cwd", help="Directory the command would run in (default: here)."),
    ) -> None:
        """Show which files a shell command reads, writes, deletes or runs, and why."""
        where = os.path.abspath(cwd) if cwd else os.getcwd()
        home = os.environ.get("HOME") or None
        if as_json:
            typer.echo(json.dumps(explain_json(command, where, home)))
        else:
            typer.echo(render_tree(command, where, home))
