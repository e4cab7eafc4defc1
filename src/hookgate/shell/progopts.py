"""Options and mini-languages of known programs that read, write or run (ADR 0021), as data.

``OPTIONS`` maps a program to the options whose value is a command line (``shell``), a
program (``program``), a file it reads (``read``) or writes (``write``), or a name then a
file (``name read``: ``jq --rawfile NAME FILE``). ``extra(call)`` runs before the program's
own handler (``Walker.run``) and adds what the table says; the mini-languages some programs
take on their command line or stdin — sed's ``r``/``R``/``w``/``W``/``e`` commands and
``s///e``, ex/ed's ``r``/``w``/``!``/``so``, sqlite3's dot commands and ``readfile()``/
``writefile()``, gdb's ``shell``/``source``, make's ``--eval`` with ``$(file <F)``/
``$(shell …)``, the C preprocessor's ``#include`` — are scanned for the same four kinds.
Response files (``gcc @args``) are reads. ``curl``/``wget`` ``file://`` URLs are reads.
"""

from __future__ import annotations

OPTIONS = {
    "tar": {"--checkpoint-action": "exec=", "-I": "shell", "--use-compress-program": "shell",
            "--to-command": "shell", "--info-script": "shell", "-F": "shell", "--new-volume-script": "shell",
            "--rsh-command": "program", "-T": "read", "--files-from": "read", "-X": "read", "--exclude-from": "read"},
    "gtar": "tar", "bsdtar": "tar",
    "zip": {"-TT": "shell", "--unzip-command": "shell", "-@": None, "-i@": "read", "-x@": "read"},
    "rsync": {"-e": "shell", "--rsh": "shell", "--files-from": "read", "--exclude-from": "read",
              "--include-from": "read", "--password-file": "read", "--log-file": "write", "--write-batch": "write",
              "--read-batch": "read"},
    "gdb": {"-ex": "gdb", "--eval-command": "gdb", "-iex": "gdb", "--init-eval-command": "gdb", "-x": "gdbfile",
            "--command": "gdbfile", "-ix": "gdbfile", "--init-command": "gdbfile"},
    "jq": {"--rawfile": "name read", "--slurpfile": "name read", "-f": "read", "--from-file": "read"},
    "gojq": "jq",
    "make": {"--eval": "make", "-E": "make", "-f": "read", "--file": "read", "--makefile": "read"},
    "gmake": "make",
    "curl": {"-K": "read", "--config": "read"},
    "wget": {"-i": "read", "--input-file": "read", "--config": "read", "-a": "write", "--append-output": "write",
             "-o": "write", "--output-file": "write", "--post-file": "read", "--body-file": "read",
             "--use-askpass": "shell", "--load-cookies": "read", "--save-cookies": "write"},
    "sqlite3": {"-init": "sqlfile", "-cmd": "sql"},
    "vim": {"-c": "ex", "--cmd": "ex", "-S": "exfile", "-s": "exfile", "-u": "exfile", "-W": "write", "-w": "write"},
    "vi": "vim", "nvim": "vim", "ex": "vim", "view": "vim", "vimdiff": "vim", "gvim": "vim",
    # (openssl -key/-inkey and ssh-keygen -f are key use, ADR 0008: left to the unknown-program rule)
    "cmake": {"-P": "read", "-C": "read"},
    "cpp": {"-include": "read", "-imacros": "read"}, "gcc": "cpp", "g++": "cpp", "cc": "cpp", "clang": "cpp",
    "clang++": "cpp", "c++": "cpp",
    "m4": {"-I": None},
    # (git's options that run code or name files are gitcmd's: `git status` loads no module here)
}
# sub-commands that copy or print files (``cmake -E cat F``): their operands are reads/writes
SUBCOMMANDS = {
    "cmake": {"-E": {"cat": "read", "copy": "copy", "copy_if_different": "copy", "copy_directory": "copy",
                     "rename": "move", "remove": "delete", "rm": "delete", "touch": "write", "sha256sum": "read",
                     "md5sum": "read", "sha1sum": "read", "tar": "read", "create_symlink": "write",
                     "env": "run", "chdir": "run", "time": "run"}},
}
READS_OPERANDS = frozenset(("m4", "cpp"))  # the operands are source files (printed)
RESPONSE_FILES = frozenset(("gcc", "g++", "cc", "clang", "clang++", "c++", "ld", "javac", "java", "kotlinc",
                            "dotnet", "csc", "ar", "nm", "objdump", "as", "cpp", "tsc", "esbuild", "7z", "rustc"))


NAMES = frozenset(OPTIONS) | frozenset(SUBCOMMANDS) | RESPONSE_FILES | READS_OPERANDS | frozenset((
    "sed", "gsed", "ed", "red", "ex", "sqlite3", "curl", "wget"))


def table(name: str):
    t = OPTIONS.get(name)
    while isinstance(t, str):
        t = OPTIONS.get(t)
    return t


def extra(c) -> None:
    """What the program's options and mini-languages read, write or run (before its handler)."""
    from hookgate.shell.words import LIT

    name = c.name
    opts = table(name) or {}
    args = c.args
    i = 0
    while i < len(args):
        t, k = args[i]
        if k != LIT or not t.startswith(("-", "+")) or t == "--":
            if k == LIT and t.startswith("@") and len(t) > 1 and name in RESPONSE_FILES:
                _do(c, "read", (t[1:], LIT), f"{name} @file (arguments read from a file)")
            i += 1
            continue
        opt, val = t, None
        if "=" in t and t.startswith("--"):
            opt, _, v = t.partition("=")
            val = (v, k)
        if opt not in opts and not t.startswith("--"):
            # attached short values: -Ifoo, -ex…: longest option that prefixes the word
            for o in sorted(opts, key=len, reverse=True):
                if o.startswith("-") and not o.startswith("--") and t.startswith(o) and len(t) > len(o):
                    opt, val = o, (t[len(o):], k)
                    break
        kind = opts.get(opt)
        if kind is None:
            if name in ("vim", "vi", "nvim", "ex", "view", "vimdiff", "gvim") and t.startswith("+") and len(t) > 1:
                _ex(c, t[1:], f"{name} +command")
            i += 1
            continue
        if val is None:
            if kind == "name read":
                if i + 2 < len(args):
                    _do(c, "read", args[i + 2], f"{name} {opt}")
                i += 3
                continue
            if i + 1 >= len(args):
                break
            val = args[i + 1]
            i += 1
        if kind == "name read":
            i += 2
            continue
        _do(c, kind, val, f"{name} {opt}")
        i += 1
    sub = SUBCOMMANDS.get(name)
    if sub:
        _subcommands(c, sub)
    if name in ("curl", "wget"):
        for t, k in args:
            if k != LIT and "file:" in t.lower():
                c.indeterminate(f"{name} of a file:// URL that cannot be known")
            elif k == LIT and t.lower().startswith("file://"):
                from urllib.parse import unquote

                path = unquote(t[7:].split("?", 1)[0].split("#", 1)[0])
                _do(c, "read", (path if path.startswith("/") else "/" + path, LIT), f"{name} file:// URL")
    if name in ("sed", "gsed"):
        _sed(c)
    if name in ("ed", "red", "ex") or (name in ("vim", "vi", "nvim") and any(t in ("-e", "-es", "-Es", "-E", "-s")
                                                                               for t, _ in args)):
        feed = c.feed
        if feed is not None and feed.text is not None:
            for line in feed.text.split("\n"):
                _ex(c, line, f"{name} script on stdin")
        elif feed is not None and not feed.source.startswith("file "):
            c.indeterminate(f"{name} runs editor commands read from {feed.source or 'stdin'}")
    if name == "sqlite3":
        ops = [a for a in args if not (a[1] == LIT and a[0].startswith("-"))]
        for a in ops[1:]:
            _sql(c, a)
        if len(ops) <= 1 and c.feed is not None:
            if c.feed.text is not None:
                _sql(c, (c.feed.text, LIT))
            elif not c.feed.source.startswith("file "):
                c.indeterminate("sqlite3 runs SQL read from stdin")
    if name in ("cpp", "m4") or name in ("gcc", "cc", "clang") and any(t == "-E" for t, _ in args):
        feed = c.feed
        if feed is not None and feed.text is not None:
            _includes(c, feed.text)


def _do(c, kind: str, field, via: str) -> None:
    from hookgate.shell.shellstate import R, W_, X
    from hookgate.shell.words import LIT

    text, k = field
    if kind == "shell":
        c.script(field, via)
    elif kind == "program":
        c.run([field])
    elif kind == "exec=":
        # tar --checkpoint-action=exec=CMD (also `sleep=`, `echo=`, … that run nothing)
        if k != LIT:
            c.indeterminate(f"{via} that cannot be known")
        elif text.startswith("exec="):
            c.script((text[5:], LIT), via)
    elif kind == "read":
        if k == LIT and text in ("-", ""):
            return
        c.acc(field, R, via)
    elif kind == "write":
        if k == LIT and text in ("-", ""):
            return
        c.acc(field, W_, via)
    elif kind == "pass":
        if k == LIT and text.startswith("file:"):
            c.acc((text[5:], LIT), R, via)
        elif k != LIT:
            c.indeterminate(f"{via} that cannot be known")
    elif kind == "gdb":
        _gdb(c, field, via)
    elif kind == "gdbfile":
        c.acc(field, R, via)
        c.acc(field, X, via)
    elif kind in ("ex",):
        if k != LIT:
            c.indeterminate(f"{via} that cannot be known")
        else:
            _ex(c, text, via)
    elif kind == "exfile":
        c.acc(field, R, via)
    elif kind == "make":
        _make(c, field, via)
    elif kind == "sql":
        _sql(c, field)
    elif kind == "sqlfile":
        c.acc(field, R, via)


def _subcommands(c, table) -> None:
    from hookgate.shell.shellstate import D, R, W_
    from hookgate.shell.words import LIT

    args = c.args
    for i, (t, k) in enumerate(args):
        sub = table.get(t) if k == LIT else None
        if sub is None or i + 1 >= len(args):
            continue
        verb, ops = args[i + 1][0], list(args[i + 2:])
        kind = sub.get(verb)
        via = f"{c.name} {t} {verb}"
        if kind == "read":
            for f in ops:
                c.acc(f, R, via)
        elif kind in ("copy", "move"):
            for f in ops[:-1]:
                c.acc(f, R, via)
                if kind == "move":
                    c.acc(f, D, via)
            if ops:
                c.acc(ops[-1], W_, via)
        elif kind == "delete":
            for f in ops:
                if not f[0].startswith("-"):
                    c.acc(f, D, via)
        elif kind == "write":
            for f in ops:
                c.acc(f, W_, via)
        elif kind == "run":
            rest = [f for f in ops if not (f[1] == LIT and (f[0].startswith("-") or "=" in f[0]))]
            if verb == "chdir" and rest:
                rest = rest[1:]
            if rest:
                c.run(rest)
        return


# --- sed ------------------------------------------------------------------------------------
def _sed(c) -> None:
    from hookgate.shell.shellstate import opts, values
    from hookgate.shell.words import LIT

    o, ops = opts(c.args, "efl", ("expression", "file", "line-length", "separate"), optional_attached="i")
    scripts = values(o, "-e", "--expression")
    if not scripts and not values(o, "-f", "--file") and ops:
        scripts = [ops[0]]
    for s, k in scripts:
        if k != LIT:
            continue
        for cmd in _sed_commands(s):
            _sed_command(c, cmd)


def _sed_commands(script: str):
    """The commands of a sed script, one string each, addresses stripped (approximate: ``;``
    and newlines split, except inside ``s``/``y`` and after file-name commands)."""
    i, n = 0, len(script)
    while i < n:
        while i < n and script[i] in " \t\n;":
            i += 1
        # address: numbers, $, /re/, \cREc, ranges, steps, !
        while i < n and (script[i].isdigit() or script[i] in "$,~+! \t"):
            i += 1
        if i < n and script[i] in "/\\":
            d = "/"
            if script[i] == "\\" and i + 1 < n:
                d = script[i + 1]
                i += 1
            i += 1
            while i < n and script[i] != d:
                i += 2 if script[i] == "\\" else 1
            i += 1
            while i < n and (script[i].isdigit() or script[i] in "$,~+!IM \t/"):
                if script[i] == "/":
                    i += 1
                    while i < n and script[i] != "/":
                        i += 2 if script[i] == "\\" else 1
                i += 1
        if i >= n:
            return
        ch = script[i]
        if ch in "rRwWe" or ch in "aic":
            j = script.find("\n", i)
            j = n if j < 0 else j
            yield script[i:j]
            i = j
            continue
        if ch in "sy":
            j = _skip_s(script, i)
            yield script[i:j]
            i = j
            continue
        if ch in "{}":
            i += 1
            continue
        j = i
        while j < n and script[j] not in ";\n}":
            j += 1
        yield script[i:j]
        i = j


def _skip_s(script: str, i: int) -> int:
    n = len(script)
    if i + 1 >= n:
        return n
    d = script[i + 1]
    j = i + 2
    for _ in range(2 if script[i] == "s" else 2):
        while j < n and script[j] != d:
            j += 2 if script[j] == "\\" else 1
        j += 1
    # flags up to ; or newline (the `w FILE` flag takes the rest of the line)
    while j < n and script[j] not in ";\n}":
        if script[j] == "w":
            k = script.find("\n", j)
            return n if k < 0 else k
        j += 1
    return j


def _sed_command(c, cmd: str) -> None:
    from hookgate.shell.shellstate import R, W_
    from hookgate.shell.words import LIT

    ch, rest = cmd[:1], cmd[1:].strip()
    if ch in "rR" and rest:
        if rest not in ("/dev/stdin",):
            c.acc((rest, LIT), R, f"sed {ch} command")
    elif ch in "wW" and rest:
        if rest not in ("/dev/stdout", "/dev/stderr"):
            c.acc((rest, LIT), W_, f"sed {ch} command")
    elif ch == "e":
        if rest:
            c.script((rest, LIT), "sed e command")
        else:
            c.indeterminate("sed e runs the pattern space as a command")
    elif ch == "s" and len(cmd) > 2:
        d = cmd[1]
        parts, j, cur = [], 2, []
        while j < len(cmd) and len(parts) < 2:
            if cmd[j] == "\\" and j + 1 < len(cmd):
                cur.append(cmd[j:j + 2])
                j += 2
                continue
            if cmd[j] == d:
                parts.append("".join(cur))
                cur = []
                j += 1
                continue
            cur.append(cmd[j])
            j += 1
        flags = cmd[j:]
        wpos = flags.find("w")
        head = flags if wpos < 0 else flags[:wpos]
        if "e" in head and len(parts) == 2:
            rep = parts[1]
            if "\\" in rep or "&" in rep:
                c.indeterminate("sed s///e runs a command built from the input")
            else:
                c.script((rep, LIT), "sed s///e")


# --- ex / ed ----------------------------------------------------------------------------------
def _edfile(arg: str):
    """A file name as an editor takes it: vim expands ``~`` and ``$VAR`` itself."""
    from hookgate.shell.words import LIT, UNRES

    if arg.startswith("~/"):
        return ("$HOME" + arg[1:], UNRES)
    return (arg, UNRES if "$" in arg else LIT)


def _ex(c, text: str, via: str) -> None:
    """ex/ed/vim commands: ``r F``, ``w F``/``w >> F``/``wq F``, ``so F``, ``e F``, ``!cmd``,
    ``r !cmd``, ``w !cmd``; addresses (``%``, ``1,$``, ``.``) skipped; ``|`` separates (ex)."""
    from hookgate.shell.shellstate import R, W_
    from hookgate.shell.words import LIT

    for part in text.split("|") if not text.lstrip(":% ,.$0123456789").startswith("!") else [text]:
        s = part.strip().lstrip(":").lstrip("%,.$0123456789'<> ")
        if not s:
            continue
        if s.startswith("!"):
            c.script((s[1:], LIT), f"{via} (!command)")
            continue
        word, _, arg = s.partition(" ")
        arg = arg.strip()
        base = word.rstrip("!")
        if base in ("r", "re", "rea", "read", "so", "sou", "sour", "sourc", "source", "e", "ed", "edi", "edit",
                    "view", "sp", "split", "tabe", "tabedit", "new", "vs", "vsplit", "args", "badd", "find"):
            if arg.startswith("!"):
                c.script((arg[1:], LIT), f"{via} (r !command)")
            elif arg:
                c.acc(_edfile(arg), R, f"{via} ({base})")
        elif base in ("w", "wr", "wri", "writ", "write", "wq", "x", "xit", "sav", "saveas", "up", "update", "wa",
                      "wall", "wn", "wnext"):
            if arg.startswith("!"):
                c.script((arg[1:], LIT), f"{via} (w !command)")
            elif arg.startswith(">>"):
                c.acc(_edfile(arg[2:].strip()), W_, f"{via} (w >>)")
            elif arg:
                c.acc(_edfile(arg), W_, f"{via} ({base})")
        elif base in ("sh", "shell", "terminal", "term", "call", "py", "python", "py3", "python3", "pyfile",
                      "lua", "luafile", "perl", "ruby", "rubyfile", "exe", "exec", "execute", "norm", "normal",
                      "redir", "let", "cal", "call", "mksession", "mks", "mkexrc", "mkvimrc", "mkview", "helpgrep",
                      "vimgrep", "vim", "grep", "make", "diffpatch", "diffsplit", "wv", "wviminfo", "rv", "rviminfo"):
            c.indeterminate(f"{via} ({base}) runs or touches what the command does not show")


# --- gdb, make, sqlite3, cpp ---------------------------------------------------------------------
def _gdb(c, field, via: str) -> None:
    from hookgate.shell.shellstate import R
    from hookgate.shell.words import LIT

    text, k = field
    if k != LIT:
        c.indeterminate(f"{via} that cannot be known")
        return
    s = text.strip()
    word, _, arg = s.partition(" ")
    if word in ("shell", "!", "pipe", "|") or s.startswith("!"):
        c.script((s[1:] if s.startswith("!") else arg, LIT), f"{via} (shell)")
    elif word in ("source", "so"):
        c.acc((arg.strip(), LIT), R, f"{via} (source)")
    elif word in ("python", "py", "python-interactive", "pi", "guile", "gu", "eval", "define", "file", "core",
                  "exec-file", "symbol-file", "restore", "dump", "append", "run", "r", "start", "starti", "attach"):
        c.indeterminate(f"{via} ({word}) runs or touches what the command does not show")


def _make(c, field, via: str) -> None:
    from hookgate.shell.words import LIT

    text, k = field
    if k != LIT:
        c.indeterminate(f"{via} that cannot be known")
        return
    _make_text(c, text, via)


def _make_text(c, text: str, via: str) -> None:
    from hookgate.shell.shellstate import R, W_
    from hookgate.shell.words import LIT

    i = text.find("$(")
    while i >= 0:
        j = text.find(")", i)
        body = text[i + 2: j if j > 0 else len(text)]
        fn, _, arg = body.partition(" ")
        arg = arg.strip()
        if fn == "file" and arg:
            op = arg[:1]
            path = arg.lstrip("<>").strip().split(",", 1)[0].strip()
            if "$" in path:
                c.indeterminate(f"{via} $(file …) of a name computed by make")
            elif op == "<":
                c.acc((path, LIT), R, f"{via} $(file <)")
            else:
                c.acc((path, LIT), W_, f"{via} $(file >)")
        elif fn == "shell":
            if "$" in arg:
                c.indeterminate(f"{via} $(shell …) of a command computed by make")
            else:
                c.script((arg, LIT), f"{via} $(shell)")
        i = text.find("$(", i + 2)
    for line in text.split("\n"):
        s = line.strip()
        if s.startswith(("include ", "-include ", "sinclude ")):
            for f in s.split()[1:]:
                c.acc((f, LIT), R, f"{via} include")
        if line.startswith("\t"):
            c.indeterminate(f"{via} defines a recipe make may run")


def _sql(c, field) -> None:
    """sqlite3 SQL/dot-commands: ``.read F``, ``.import F T``, ``.output F``/``.once F``,
    ``.shell``/``.system`` CMD, ``.load``, ``readfile('F')``, ``writefile('F', …)``, ``edit()``."""
    from hookgate.shell.shellstate import R, W_
    from hookgate.shell.words import LIT

    text, k = field
    if k != LIT:
        if "readfile" in text or "writefile" in text or "." in text:
            c.indeterminate("sqlite3 SQL that cannot be known")
        return
    import re

    for line in text.split("\n"):
        s = line.strip()
        if s.startswith("."):
            word, _, arg = s.partition(" ")
            args = arg.split()
            if word in (".read", ".open", ".restore", ".clone", ".import", ".load", ".backup", ".save", ".output",
                        ".once", ".log", ".excel", ".shell", ".system", ".cd"):
                if word in (".shell", ".system"):
                    c.script((arg, LIT), f"sqlite3 {word}")
                elif word in (".once", ".output", ".log") and args and args[-1].startswith("|"):
                    c.script((arg.split("|", 1)[1], LIT), f"sqlite3 {word} |")
                elif word in (".read", ".open", ".restore", ".import", ".load", ".clone"):
                    files = [a for a in args if not a.startswith("-")]
                    if files:
                        path = files[0].strip("'\"")
                        if path.startswith("|"):
                            c.script((path[1:], LIT), f"sqlite3 {word} |")
                        else:
                            c.acc((path, LIT), R, f"sqlite3 {word}")
                elif args:
                    c.acc((args[-1].strip("'\""), LIT), W_, f"sqlite3 {word}")
    for m in re.finditer(r"\b(readfile|writefile|load_extension|edit|fts3_tokenizer)\s*\(\s*(?:'((?:[^']|'')*)'|(\S))",
                         text, re.I):
        fn = m.group(1).lower()
        if m.group(2) is None:
            c.indeterminate(f"sqlite3 {fn}() of a name computed in SQL")
        elif fn == "readfile":
            c.acc((m.group(2).replace("''", "'"), LIT), R, "sqlite3 readfile()")
        elif fn == "writefile":
            c.acc((m.group(2).replace("''", "'"), LIT), W_, "sqlite3 writefile()")
        else:
            c.indeterminate(f"sqlite3 {fn}() runs or loads code")


def _includes(c, text: str) -> None:
    from hookgate.shell.shellstate import R
    from hookgate.shell.words import LIT

    for line in text.split("\n"):
        s = line.strip()
        if s.startswith("#") and s[1:].lstrip().startswith(("include", "import", "embed")):
            rest = s[1:].lstrip().split(None, 1)[1:] or [""]
            name = rest[0].strip()
            if name[:1] in "\"<" and len(name) > 2:
                c.acc((name[1:].rstrip('">').rstrip(), LIT), R, f"{c.name} #include")
            else:
                c.indeterminate(f"{c.name} #include of a computed name")
        elif "include(" in s or "sinclude(" in s or "syscmd(" in s or "esyscmd(" in s:
            c.indeterminate(f"{c.name} macro that reads a file or runs a command")
