"""The command table: program name → handler, assembled in one place (ADR 0007, ADR 0026).

Each handler module builds its own ``HANDLERS`` dict and registers nothing elsewhere; the
table is their union, in the order below (a later part overrides an earlier one: the
builtins replace the simple no-op entries of ``commands``). Wrappers (``sudo``, ``env``,
``timeout`` …) return the command they run; they are in ``WRAPPERS``.

To add a program: write its handler in the module of its kind (or a new one) and add it to
that module's ``HANDLERS``; a new module is added to ``_PARTS``.
"""

from __future__ import annotations

from hookgate.shell import builtins, commands, fileops, findx, gitcmd, interp, wrappers

_PARTS = (commands, builtins, fileops, findx, gitcmd, interp, wrappers)

HANDLERS: dict = {}
for _part in _PARTS:
    HANDLERS.update(_part.HANDLERS)

WRAPPERS: dict = wrappers.WRAPPERS

# versioned interpreter names (`python3.12`, `perl5.36`, `node18`) run like the plain one
_VERSIONED = ("perl", "ruby", "node", "php", "pip", "gawk", "bash", "zsh")


def handler_for(name: str):
    """The handler of ``name``: the table's, an interpreter's for a versioned name, else the
    unknown-program handler (its path-looking operands are possible reads)."""
    h = HANDLERS.get(name)
    if h is not None:
        return h
    if name.startswith("python") or name.startswith("pypy"):
        return HANDLERS["python"]
    for pre in _VERSIONED:
        if name.startswith(pre) and name[len(pre):].replace(".", "").isdigit():
            return HANDLERS.get(pre, commands.unknown_program)
    return commands.unknown_program
