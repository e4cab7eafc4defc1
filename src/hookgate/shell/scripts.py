"""Scripts run by path (ADR 0021): ``bash t.sh``, ``sh t.sh``, ``./t.sh``, ``source t.sh``,
``python3 t.py``, ``node t.js``, ``perl t.pl``.

The script file is read as it is at check time — only when the read guard lets the agent
read it, it is a regular file of at most 64 KiB (``listing.read_now``) and outside the
system's own directories — and analysed like the command text: a shell script as bash code
(with its arguments as ``$1…``), other languages as interpreter code (``interpcode.analyse_code``),
whose argv-reading code makes the arguments files it may open. A script this command writes
or deletes before running it is indeterminate (what runs is not what is there now).

This is evidence, not proof: the file can change between the check and the run, and a
script can read what it is never told. The OS floor is the proof.
"""

from __future__ import annotations

SYSTEM_DIRS = ("/usr/", "/bin/", "/sbin/", "/lib", "/opt/", "/nix/", "/snap/", "/etc/", "/proc/", "/sys/", "/dev/")
MAX_NESTED = 3
_SHEBANG = {"bash": "shell", "sh": "shell", "dash": "shell", "zsh": "shell", "ksh": "shell", "python": "python",
            "python3": "python", "python2": "python", "node": "node", "nodejs": "node", "perl": "perl", "bun": "node",
            "deno": "node"}


def _lang_of(content: str, default):
    first = content.split("\n", 1)[0]
    if not first.startswith("#!"):
        return default
    words = first[2:].split()
    if not words:
        return default
    prog = words[0].rsplit("/", 1)[-1]
    if prog == "env":
        rest = [w for w in words[1:] if not w.startswith("-")]
        prog = rest[0].rsplit("/", 1)[-1] if rest else ""
    for k, v in _SHEBANG.items():
        if prog == k or prog.startswith(k) and prog[len(k):].replace(".", "").isdigit():
            return v
    return None  # another interpreter: not analysed


def run_script(c, field, lang, args, via: str) -> None:
    """Analyse the script ``field`` names (``lang``: "shell", "python", "node", "perl", or None
    to take it from the shebang) run with ``args``."""
    from hookgate.shell.listing import read_now
    from hookgate.shell.shellstate import norm
    from hookgate.shell.words import LIT

    text, kind = field
    w = c.w
    if kind != LIT or not isinstance(c.st.cwd, str) or not text:
        return
    path = norm(text, c.st.cwd)
    if path is None or path.startswith(SYSTEM_DIRS):
        return
    if _written_here(w, path):
        c.indeterminate(f"{via}: {text} is written by this command before it runs")
        return
    if getattr(w, "script_nesting", 0) >= MAX_NESTED:
        return
    content = read_now(w, text, c.st)
    if not content or "\0" in content:
        return
    lang = _lang_of(content, lang) if lang is None or content.startswith("#!") and lang == "shell" else lang
    if lang is None:
        return
    w.script_nesting = getattr(w, "script_nesting", 0) + 1
    try:
        if lang == "shell":
            from hookgate.shell.shellstate import bind_positional

            st = c.st.copy()
            st.vars["0"] = text
            bind_positional(st, list(args))
            w.script(content, st, c.depth + 1, f"{via} {text}")
        else:
            from hookgate.shell.interpcode import analyse_code, argv_operands

            analyse_code(c, (content, LIT), f"{lang} script {text}")
            argv_operands(c, (content, LIT), list(args), f"{lang} script {text}")
    finally:
        w.script_nesting -= 1


def _written_here(w, path: str) -> bool:
    for p in w.changed:
        p = p.rstrip("/") or "/"
        if p == path or path.startswith(p + "/"):
            return True
    return False
