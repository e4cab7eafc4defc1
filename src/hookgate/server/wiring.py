"""Claude Code wiring for the decision server's ``http`` door (ADR 0025).

Checked in the real client (2.1.330, ``.cache/npm-clients``): an ``http`` hook accepts
``headers`` (``$VAR`` interpolated from Claude's own environment, only for names in
``allowedEnvVars``), ``timeout`` and
``onFailure``; ``onFailure: "block"`` makes a failed call (connection refused, timeout,
non-2xx, invalid JSON) count as exit code 2, i.e. the tool call is blocked. Without it an HTTP
failure is non-blocking (the tool runs). Hooks of one matcher group run in parallel and Claude
waits for all of them, so a command hook beside the http hook would cost a process per call
again: the fail-closed wiring is the http hook with ``onFailure: "block"`` alone, with the
server (re)started by command hooks at SessionStart and UserPromptSubmit (``serve start``
returns at once when it is up).
"""

from __future__ import annotations


def claude_http_hooks(launcher: str, port: int, project: str, idle_s: int = 28800) -> dict:
    """The ``hooks`` object to merge into *project*'s ``.claude/settings.json``.

    The project dir is written literally into the header: Claude interpolates ``$VAR`` in
    headers from its own process environment, where ``CLAUDE_PROJECT_DIR`` is not set (it is
    set only for command-hook processes; measured with the real client). So the http door is
    wired per project; a header that is missing or wrong is a deny (ADR 0025)."""
    start = {"type": "command", "command": launcher, "args": ["serve", "start", "--port", str(port),
                                                              "--idle", str(idle_s)], "timeout": 15}
    http = {"type": "http", "url": f"http://127.0.0.1:{port}/v1/hook/claude-code",
            "headers": {"X-Hookgate-Project-Dir": project}, "timeout": 10, "onFailure": "block"}
    one_shot = {"type": "command", "command": launcher, "args": ["hook", "--platform", "claude-code"],
                "timeout": 10}
    return {
        "SessionStart": [{"hooks": [start, one_shot]}],
        "UserPromptSubmit": [{"hooks": [start]}],
        "PreToolUse": [{"matcher": "*", "hooks": [http]}],
        "PostToolUse": [{"matcher": "*", "hooks": [http]}],
        "SessionEnd": [{"hooks": [one_shot]}],
    }
