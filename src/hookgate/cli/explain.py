"""``hookgate explain [--json] [--cwd DIR] COMMAND``: what a shell command reads, writes,
deletes and runs, as the shell engine sees it (ADR 0007). Read-only; agents may run it."""

from __future__ import annotations

import json
import os

import typer

_MODE_ORDER = {"write": 0, "delete": 1, "read": 2, "exec": 3}


def explain_json(command: str, cwd: str, home: str | None = None, analysis=None) -> dict:
    """The ``--json`` document (keys in contract order; ``verdicts`` may be added later).
    ``analysis``: the hook's own (``decide_verdicts``), which may have read list files (ADR
    0008 item 6); without it the engine reads none."""
    from hookgate.shell import analyse

    res = analysis if analysis is not None else analyse(command, cwd, env={"HOME": home} if home else None, home=home)
    return res.to_json()


def render_tree(command: str, cwd: str, home: str | None = None, analysis=None) -> str:
    from hookgate.shell import analyse

    res = analysis if analysis is not None else analyse(command, cwd, env={"HOME": home} if home else None, home=home)
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


_TOOL_INPUT_KEY = {"Write": "file_path", "Edit": "file_path", "MultiEdit": "file_path", "Read": "file_path",
                   "NotebookEdit": "notebook_path", "Grep": "path", "Glob": "pattern"}


def tool_input_for(tool: str, command: str | None, path: str | None) -> dict:
    if tool == "Bash":
        return {"command": command or ""}
    key = _TOOL_INPUT_KEY.get(tool, "path")
    inp: dict = {key: path or ""}
    if tool == "Write":
        inp["content"] = ""
    elif tool in ("Edit",):
        inp.update(old_string="", new_string="")
    elif tool == "MultiEdit":
        inp["edits"] = []
    elif tool == "Grep":
        inp["pattern"] = ""
    return inp


def decide_verdicts(tool: str, tool_input: dict, cwd: str, platform: str = "claude-code") -> dict:
    """Every validator's verdict for one action, as the hook would decide it now — without side
    effects: leases, budgets and session state are evaluated in a scratch state dir (so leases
    held by live sessions are not shown); self-protection sees the real state dir."""
    import tempfile

    from hookgate.core import chain, engine
    from hookgate.state import paths
    from hookgate.core import event as ev
    from hookgate import validators as registry
    from hookgate.adapters.claude_code import tool_kind

    root = paths.find_project_root(cwd)
    env = dict(os.environ)
    real_state = paths.state_dir(root, env)
    event = ev.Event(
        platform=platform, phase=ev.PRE, event_name="explain", session_id="explain", cwd=cwd,
        project_root=root, tool_kind=tool_kind(tool), tool_name=tool, tool_input=tool_input, raw={},
        capabilities=ev.Capabilities(can_ask=True, can_block=True, can_message=True),
    )
    mods = registry.load_all()
    first = [m for m in mods if m.HOOK_ID == "self-protection"]
    rest = [m for m in mods if m.HOOK_ID != "self-protection"]
    with tempfile.TemporaryDirectory(prefix="hookgate-explain-") as scratch:
        decision, ctx = engine.decide(event, {**env, paths.STATE_ENV: scratch}, validators=rest)
        ctx.state_dir = real_state
        records = chain.run(first, ctx) + list(decision.verdicts)
    merged = chain.decide(event, records)
    return {
        "accesses": [
            {"path": a.path, "mode": a.mode, "resolved": a.resolved, "via": a.via, "tool": a.tool}
            for a in ctx.accesses
        ],
        "verdicts": records,
        "outcome": merged.outcome,
        "message": merged.message,
        "analysis": ctx.analysis if hasattr(ctx.analysis, "to_json") else None,
    }


def register(app: typer.Typer) -> None:
    @app.command("explain")
    def explain(
        command: str = typer.Argument(None, help="The shell command to analyse (one argument; quote it)."),
        as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
        cwd: str = typer.Option(None, "--cwd", help="Directory the command would run in (default: here)."),
        tool: str = typer.Option("Bash", "--tool", help="Explain a tool call instead: Write, Edit, Read, Grep, Glob …"),
        path: str = typer.Option(None, "--path", help="With --tool: the file the tool call names."),
        platform: str = typer.Option("claude-code", "--platform", help="Whose rollout stages to apply."),
    ) -> None:
        """Show which files a command (or a tool call) touches, and every validator's verdict."""
        where = os.path.abspath(cwd) if cwd else os.getcwd()
        home = os.environ.get("HOME") or None
        if tool == "Bash" and command is None:
            raise typer.BadParameter("give a COMMAND, or --tool TOOL --path PATH")
        if tool != "Bash" and not path:
            raise typer.BadParameter("--tool needs --path")
        result = decide_verdicts(tool, tool_input_for(tool, command, path), where, platform)
        if as_json:
            doc = explain_json(command, where, home, result["analysis"]) if tool == "Bash" else {"tool": tool, "path": path,
                                                                               "accesses": result["accesses"]}
            doc["verdicts"] = result["verdicts"]
            doc["outcome"] = result["outcome"]
            typer.echo(json.dumps(doc))
            return
        if tool == "Bash":
            typer.echo(render_tree(command, where, home, result["analysis"]))
        else:
            typer.echo(f"tool: {tool} {path}")
            for a in result["accesses"]:
                typer.echo(f"  {a['mode']:<6} {a['path']}{'' if a['resolved'] else '  [unresolved]'}  ({a['via']})")
        typer.echo("verdicts:")
        for v in result["verdicts"]:
            line = f"  {v['hook']:<16} {v['raw']:<10} stage={v['stage']:<8} -> {v['effective']}"
            if v.get("rule"):
                line += f"  [{v['rule']}]"
            typer.echo(line)
            if v.get("reason") and v["raw"] != "allow":
                typer.echo(f"      {v['reason']}")
        typer.echo(f"decision: {result['outcome']}")
