"""The command table: program name → handler, assembled in one place (ADR 0007, ADR 0026).

Each handler module builds its own ``HANDLERS`` dict (``commands``, the simple programs, builds
its entries one at a time: ``commands.lookup``) and registers nothing elsewhere. This
module says, explicitly, which module handles which program (``_MODULES``), and imports a
handler module only when a command of its programs is analysed: ``git status`` loads
``gitcmd``, ``cat .env`` no handler module but
``commands`` (ADR 0017's import budget; ADR 0025 for the figures). A program named in no
module below is ``commands``' (a ``Spec`` or a no-op) or unknown. Wrappers (``sudo``, ``env``, ``timeout`` …) return the command they run;
they are ``wrappers.WRAPPERS``, named in ``WRAPPER_NAMES``.

To add a program: write its handler in the module of its kind (or a new one), add it to that
module's ``HANDLERS`` and its name to that module's row of ``_MODULES`` (a new module gets a
row; ``tests/unit/shell/test_table.py`` fails when a row and a module's ``HANDLERS`` differ).

A handler module that cannot be imported raises out of the lookup: the walk ends in "analysis
failure", the command is indeterminate and the guards fail closed on it (ADR 0021) — never an
allow by a missing handler.
"""

from __future__ import annotations

import sys

# module → the programs it handles (the later row wins where ``commands`` also has an entry:
# the builtins replace the simple no-op entries of ``commands``)
_MODULES: dict[str, tuple[str, ...]] = {
    "hookgate.shell.builtins": (
        'alias', 'enable', 'fc', 'getopts', 'hash', 'history', 'let', 'mapfile', 'printf', 'read',
        'readarray', 'set', 'shift', 'shopt', 'unset', 'wait'),
    "hookgate.shell.fileops": (
        'brotli', 'bsdtar', 'bunzip2', 'bzip2', 'compress', 'cp', 'curl', 'dd', 'gtar', 'gunzip',
        'gzip', 'install', 'link', 'ln', 'lz4', 'lz4cat', 'lzip', 'lzma', 'mv', 'pbzip2', 'pigz',
        'rsync', 'scp', 'ssh', 'tar', 'uncompress', 'unlzma', 'unxz', 'unzip', 'unzstd', 'wget',
        'wget2', 'xz', 'zip', 'zstd'),
    "hookgate.shell.findx": ('find', 'parallel', 'xargs'),
    "hookgate.shell.gitcmd": ('git',),
    "hookgate.shell.interp": (
        'ack', 'ag', 'awk', 'bun', 'busybox-awk', 'bzgrep', 'code', 'deno', 'ed', 'edit', 'egrep',
        'emacs', 'emacsclient', 'ex', 'fgrep', 'gawk', 'gedit', 'grep', 'gsed', 'gvim', 'helix',
        'hx', 'jed', 'joe', 'jove', 'kak', 'kate', 'leafpad', 'mawk', 'mcedit', 'mg', 'micro',
        'mousepad', 'nano', 'nawk', 'ne', 'node', 'nodejs', 'nvim', 'pcregrep', 'perl', 'php',
        'pico', 'pluma', 'py', 'pypy', 'pypy3', 'python', 'python2', 'python3', 'red', 'rg', 'ruby',
        'sed', 'subl', 'sudoedit', 'ug', 'ugrep', 'vi', 'vim', 'vis', 'xed', 'xzgrep', 'zgrep'),
    "hookgate.shell.wrappers": (
        '.', 'ash', 'bash', 'dash', 'eval', 'fish', 'ksh', 'loksh', 'mksh', 'oksh', 'posh', 'rbash',
        'sh', 'source', 'trap', 'yash', 'zsh'),
}
_MODULE_OF: dict[str, str] = {n: m for m, names in _MODULES.items() for n in names}

# the wrappers (``wrappers.WRAPPERS``): they return the command they run
WRAPPER_NAMES = frozenset((
    'at', 'batch', 'builtin', 'busybox', 'caffeinate', 'catchsegv', 'chroot', 'chrt', 'command',
    'cpulimit', 'dbus-run-session', 'doas', 'env', 'exec', 'expect', 'fakeroot', 'firejail',
    'flock', 'hookgate', 'ionice', 'ltrace', 'mpirun', 'nice', 'nocache', 'nohup', 'numactl',
    'proxychains', 'proxychains4', 'rlwrap', 'runuser', 'screen', 'script', 'sem', 'setsid',
    'stdbuf', 'strace', 'su', 'sudo', 'systemd-run', 'taskset', 'time', 'timeout', 'tmux',
    'torsocks', 'trickle', 'tsp', 'unbuffer', 'valgrind', 'watch', 'xvfb-run'))

# programs with options or mini-languages that read, write or run (``progopts.NAMES``) and the
# recursive readers (``bulk.NAMES``): their modules load only for these names
PROGOPTS_NAMES = frozenset((
    '7z', 'ar', 'as', 'bsdtar', 'c++', 'cc', 'clang', 'clang++', 'cmake', 'cpp', 'csc', 'curl',
    'dotnet', 'ed', 'esbuild', 'ex', 'g++', 'gcc', 'gdb', 'gmake', 'gojq', 'gsed', 'gtar',
    'gvim', 'java', 'javac', 'jq', 'kotlinc', 'ld', 'm4', 'make', 'nm', 'nvim', 'objdump', 'red',
    'rsync', 'rustc', 'sed', 'sqlite3', 'tar', 'tsc', 'vi', 'view', 'vim', 'vimdiff', 'wget', 'zip'))
BULK_NAMES = frozenset((
    'ack', 'ag', 'bsdtar', 'cp', 'diff', 'egrep', 'fgrep', 'grep', 'gtar', 'rg', 'rsync', 'scp',
    'tar', 'zip'))

# versioned interpreter names (`python3.12`, `perl5.36`, `node18`) run like the plain one
_VERSIONED = ("perl", "ruby", "node", "php", "pip", "gawk", "bash", "zsh")


def _module(name: str):
    """``importlib.import_module`` without importing ``importlib`` (ADR 0017)."""
    mod = sys.modules.get(name)
    if mod is None:
        __import__(name)
        mod = sys.modules[name]
    return mod


def _commands():
    """``shell/commands.py``, the simple programs: loaded only for a name no other module has."""
    return _module("hookgate.shell.commands")


def _lookup(name: str):
    """The table's handler of ``name`` (None when no module has it)."""
    m = _MODULE_OF.get(name)
    if m is not None:
        return _module(m).HANDLERS[name]
    return _commands().lookup(name)


def known(name: str) -> bool:
    """Does the table have an entry of its own for ``name``?"""
    return name in _MODULE_OF or _commands().lookup(name) is not None


def wrapper_for(name: str):
    """The wrapper of ``name`` (``sudo``, ``env`` …), or None."""
    if name not in WRAPPER_NAMES:
        return None
    return _module("hookgate.shell.wrappers").WRAPPERS[name]


def handler_for(name: str):
    """The handler of ``name``: the table's, an interpreter's for a versioned name, else the
    unknown-program handler (its path-looking operands are possible reads)."""
    h = _lookup(name)
    if h is not None:
        return h
    if name.startswith("python") or name.startswith("pypy"):
        return _lookup("python")
    for pre in _VERSIONED:
        if name.startswith(pre) and name[len(pre):].replace(".", "").isdigit():
            return _lookup(pre) or _commands().unknown_program
    return _commands().unknown_program


def progopts_extra(call) -> None:
    """Options and mini-languages that read, write or run (``shell/progopts.py``, ADR 0021)."""
    if call.name in PROGOPTS_NAMES:
        _module("hookgate.shell.progopts").extra(call)


def bulk_extra(call) -> None:
    """Recursive readers over a directory holding protected files (``shell/bulk.py``)."""
    if call.name in BULK_NAMES:
        _module("hookgate.shell.bulk").extra(call)


def __getattr__(name: str):
    """``HANDLERS`` and ``WRAPPERS``, whole (every handler module imported): for tools and
    tests that list the table, never the hot path."""
    if name == "HANDLERS":
        table = _commands().all_handlers()
        for m in _MODULES:
            table.update(_module(m).HANDLERS)
        return table
    if name == "WRAPPERS":
        return dict(_module("hookgate.shell.wrappers").WRAPPERS)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
