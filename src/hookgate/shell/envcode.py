"""Environment variables that carry code or name a file (ADR 0021), as data.

A variable the command assigns (``VAR=v cmd``, ``export VAR=v``, ``VAR=v``, ``env VAR=v
cmd``) whose value a program later runs as a command line, sources as a script, or loads as
code is analysed where it is assigned: ``PAGER='cat .env' git log`` reads ``.env``,
``BASH_ENV=.env bash -c true`` sources it. Before, the value was data and nothing was seen.

Each table maps a name to what its value is:

- ``SHELL_CODE``: a command line a program hands to ``sh -c`` (pagers, editors, askpass,
  ssh commands, prompt strings that bash expands, ``LESSOPEN`` with its ``|``/``%s``);
- ``SOURCED``: a file bash or sh reads and runs (a read of that file);
- ``LIBRARY``: a shared object loaded into every program (code the text does not show);
- ``OPTIONS``: extra options of a program (``NODE_OPTIONS``, ``RUBYOPT``, ``PERL5OPT``,
  ``MAKEFLAGS``) — the files those options load are runs/reads;
- ``GIT_CONFIG``: ``GIT_CONFIG_PARAMETERS`` / ``GIT_CONFIG_KEY_n``/``VALUE_n`` are ``git -c``;
- ``CONFIG_FILES``: a config file of the agent's choosing that may itself name commands.
"""

from __future__ import annotations

SHELL_CODE = frozenset((
    "PAGER", "GIT_PAGER", "MANPAGER", "SYSTEMD_PAGER", "BAT_PAGER", "DELTA_PAGER", "PSQL_PAGER", "MYSQL_PAGER",
    "EDITOR", "VISUAL", "GIT_EDITOR", "GIT_SEQUENCE_EDITOR", "SUDO_EDITOR", "FCEDIT", "SVN_EDITOR",
    "GIT_SSH_COMMAND", "GIT_EXTERNAL_DIFF", "GIT_ASKPASS", "SSH_ASKPASS", "SUDO_ASKPASS", "GIT_PROXY_COMMAND",
    "BROWSER", "RSYNC_RSH", "CVS_RSH", "RSYNC_CONNECT_PROG", "PROMPT_COMMAND", "PS0", "PS1", "PS2", "PS3", "PS4",
    "LESSOPEN", "LESSCLOSE", "GIT_SSH", "TAR_RSH",
))
PROMPTS = frozenset(("PS0", "PS1", "PS2", "PS3", "PS4"))
SOURCED = frozenset(("BASH_ENV", "ENV"))
LIBRARY = frozenset(("LD_PRELOAD", "LD_AUDIT", "DYLD_INSERT_LIBRARIES"))
OPTIONS = {"NODE_OPTIONS": "node", "RUBYOPT": "ruby", "PERL5OPT": "perl", "MAKEFLAGS": "make", "MFLAGS": "make"}
CONFIG_FILES = frozenset(("GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG", "INPUTRC", "WGETRC", "CURL_HOME",
                          "NPM_CONFIG_USERCONFIG", "PIP_CONFIG_FILE", "GIT_EXEC_PATH", "GIT_TEMPLATE_DIR"))
# option of OPTIONS programs → what its value is: "run" (code loaded) or "read"
_OPTION_FILES = {
    "node": {"-r": "run", "--require": "run", "--import": "run", "--loader": "run", "--experimental-loader": "run",
             "--env-file": "read", "--env-file-if-exists": "read"},
    "ruby": {"-r": "run"},
    "perl": {"-M": "module", "-m": "module", "-I": "module"},
    "make": {"--eval": "code", "-f": "run", "--file": "run", "--makefile": "run", "-I": "module",
             "--include-dir": "module"},
}

WATCHED = SHELL_CODE | SOURCED | LIBRARY | CONFIG_FILES | frozenset(OPTIONS) | frozenset(("GIT_CONFIG_PARAMETERS", "PATH"))


def watched(name: str) -> bool:
    return name in WATCHED or name.startswith(("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_"))


def assigned(w, name: str, value, st, depth: int, others=None) -> None:
    """``name`` was set to ``value`` (str, or anything else: unknown) in state ``st``."""
    from hookgate.shell.shellstate import R, X, Call
    from hookgate.shell.words import LIT, UNRES, Opaque

    known = isinstance(value, str) and not isinstance(value, Opaque)
    call = Call(w, f"${name}", [(f"${name}", LIT)], st, depth, None)
    if name in PROMPTS:
        # a prompt string is expanded like a here-document (its `$(…)`, backquotes and
        # variables), after its own escapes; a value from a command's output is data
        if known and ("$" in value or "`" in value):
            call.script((": <<__hg_prompt__\n" + value + "\n__hg_prompt__", LIT),
                        f"${name} (a prompt bash expands)")
        return
    if name in SHELL_CODE:
        if not known:
            w.indeterminate(f"${name} is set to a command line that cannot be known")
            return
        text = value
        if name in ("LESSOPEN", "LESSCLOSE"):
            text = text.lstrip("|-").replace("%s", "/dev/null")
        if text.strip():
            call.script((text, LIT), f"${name} (a command another program runs)")
        return
    if name in SOURCED:
        if value == "":
            return
        call.acc((value, LIT) if known else (str(value) if isinstance(value, str) else f"${name}", UNRES),
                 R, f"${name} (a file bash sources)")
        return
    if name in LIBRARY:
        for p in (value.replace(":", " ").split() if known else [None]):
            if p is None:
                call.raw(f"${name}", X, False, f"${name} (a library every program loads)")
            else:
                call.acc((p, LIT), X, f"${name} (a library every program loads)")
        w.indeterminate(f"${name} loads a shared library into every program: code the command does not show")
        return
    if name in OPTIONS:
        _options(w, call, OPTIONS[name], value if known else None, name)
        return
    if name == "GIT_CONFIG_PARAMETERS":
        if not known:
            w.indeterminate("$GIT_CONFIG_PARAMETERS cannot be known")
            return
        from hookgate.shell import gitsub

        for item in _split(value):
            key, _, val = item.partition("=")
            gitsub.config_value(call, key, val)
        return
    if name.startswith("GIT_CONFIG_VALUE_"):
        key = (others or {}).get("GIT_CONFIG_KEY_" + name[17:], st.vars.get("GIT_CONFIG_KEY_" + name[17:]))
        from hookgate.shell import gitsub

        if not isinstance(key, str) or isinstance(key, Opaque):
            w.indeterminate(f"{name} is a git setting whose key cannot be known")
        elif known:
            gitsub.config_value(call, key, value)
        elif gitsub.runs_code(key):
            w.indeterminate(f"git setting {key} runs a command that cannot be known")
        return
    if name in CONFIG_FILES:
        if value:
            w.indeterminate(f"${name} points a program at a configuration the command does not show")
        return
    if name == "PATH":
        first = value.split(":", 1)[0] if known else None
        if first is None or (first and not first.startswith(("/", "$")) and first != "~"):
            # `PATH=.:$PATH ls`: a command name may now be a file the agent wrote
            w.indeterminate("$PATH starts with a directory relative to the working directory")


def _split(text: str) -> list:
    """``'a=b' 'c=d'`` (git's quoting of GIT_CONFIG_PARAMETERS) → items."""
    import shlex

    try:
        return shlex.split(text)
    except ValueError:
        return [text]


def _options(w, call, prog: str, value, name: str) -> None:
    from hookgate.shell.shellstate import R, X
    from hookgate.shell.words import LIT

    if value is None:
        w.indeterminate(f"${name} adds {prog} options that cannot be known")
        return
    table = _OPTION_FILES.get(prog, {})
    toks = _split(value)
    i = 0
    while i < len(toks):
        t = toks[i]
        opt, val = t, None
        if "=" in t and t.startswith("--"):
            opt, _, val = t.partition("=")
        elif t[:2] in table and len(t) > 2 and not t.startswith("--"):
            opt, val = t[:2], t[2:]
        if opt in table:
            if val is None:
                val = toks[i + 1] if i + 1 < len(toks) else ""
                i += 1
            kind = table[opt]
            if kind == "read":
                call.acc((val, LIT), R, f"${name} {opt}")
            elif kind == "run":
                call.acc((val, LIT), X, f"${name} {opt}")
                call.acc((val, LIT), R, f"${name} {opt}")
            elif kind == "code":
                w.indeterminate(f"${name} {opt} runs code the command does not show")
            else:
                w.indeterminate(f"${name} {opt} loads a module from a place the command chooses")
        elif prog == "perl" and t.startswith(("-e", "-E")):
            w.indeterminate(f"${name} holds perl code")
        i += 1
