"""Claude Code wiring for the decision server's ``http`` door (ADR 0025): what ``hookgate serve
wiring`` prints, byte for byte the hooks ``hookgate install --platform claude-code`` writes in
project scope (the command-hook template transformed by ``installer.server.claude_transform``).

Checked in the real client (2.1.330, ``.cache/npm-clients``): an ``http`` hook accepts
``headers`` (``$VAR`` interpolated from Claude's own environment, only for names in
``allowedEnvVars``), ``timeout`` and ``onFailure``; ``onFailure: "block"`` makes a failed call
(connection refused, timeout, non-2xx, invalid JSON) count as exit code 2, i.e. the tool call
is blocked. Without it an HTTP failure is non-blocking (the tool runs). Hooks of one matcher
group run in parallel and Claude waits for all of them, so a command hook beside the http hook
would cost a process per call again: the fail-closed wiring is the http hook with
``onFailure: "block"`` alone, with the server (re)started by command hooks at SessionStart and
UserPromptSubmit (``serve start`` returns at once when it is up).
"""

from __future__ import annotations


def claude_http_hooks(launcher: str, port: int, project: str, skill_shell: bool | None = None) -> dict:
    """The ``hooks`` object ``hookgate install`` writes into *project*'s ``.claude/settings.json``
    for the launcher *launcher* (its thin client ``hookgate-client`` beside it when there is one).

    The project dir is written literally into the header: Claude interpolates ``$VAR`` in
    headers from its own process environment, where ``CLAUDE_PROJECT_DIR`` is not set (it is
    set only for command-hook processes; measured with the real client). So the http door is
    wired per project; a header that is missing or wrong is a deny (ADR 0025)."""
    import copy

    from hookgate.floor import native
    from hookgate.installer import merge, server, targets

    command = server.client_command(launcher)
    doc, _added = merge.add_ours({}, "claude-code", command)
    if skill_shell is None:  # as install decides it: from the `claude` on PATH
        skill_shell = native.knows_skill_shell(native.claude_version()[0])
    if skill_shell:  # stays a command hook, as install writes it
        pre = targets.template("claude-code", command)["hooks"]["PreToolUse"][0]["hooks"]
        doc["hooks"].setdefault(native.SKILL_SHELL, []).append({"matcher": "*", "hooks": copy.deepcopy(pre)})
    return server.claude_transform(doc, command, port, project)["hooks"]
