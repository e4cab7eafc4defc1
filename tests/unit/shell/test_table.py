"""The explicit command table (``shell/table.py``, ADR 0007/0026): every program's handler comes
from the module its row names, each handler module loads only when one of its programs runs
(ADR 0017's import budget), and a handler module that cannot load fails closed."""

from __future__ import annotations


import pytest

from hookgate.shell import bulk, commands, progopts, table, wrappers
from hookgate.shell import builtins, fileops, findx, gitcmd, interp  # noqa: F401 - every part, for the union
from tests.unit.shell.fresh import analyse_in_fresh_process

PARTS = (commands, builtins, fileops, findx, gitcmd, interp, wrappers)  # the union's order: a later part wins


def _handlers(part) -> dict:
    return part.all_handlers() if part is commands else part.HANDLERS


def _union() -> dict:
    out: dict = {}
    for part in PARTS:
        out.update(_handlers(part))
    return out


def test_every_program_has_the_handler_of_the_union():
    union = _union()
    for name, h in union.items():
        assert table.handler_for(name) is h, name
        assert table.known(name), name
    assert table.HANDLERS == union


def test_each_row_names_exactly_the_programs_its_module_owns():
    owner = {}
    for part in PARTS:
        for name in _handlers(part):
            owner[name] = part.__name__
    rows = {m: set(names) for m, names in table._MODULES.items()}
    want: dict = {}
    for name, m in owner.items():
        if m != commands.__name__:
            want.setdefault(m, set()).add(name)
    assert rows == want
    assert set(rows) == {p.__name__ for p in PARTS[1:]}


def test_the_name_sets_match_their_modules():
    assert table.WRAPPER_NAMES == frozenset(wrappers.WRAPPERS)
    assert table.WRAPPERS == wrappers.WRAPPERS
    assert all(table.wrapper_for(n) is wrappers.WRAPPERS[n] for n in wrappers.WRAPPERS)
    assert table.wrapper_for("cat") is None
    assert table.PROGOPTS_NAMES == progopts.NAMES
    assert table.BULK_NAMES == bulk.NAMES


@pytest.mark.parametrize("name,want", [
    ("python3.12", "python"), ("pypy3.10", "python"), ("perl5.36", "perl"), ("node18", "node"),
    ("bash5.2", "bash"), ("zsh5", "zsh"), ("pip3", None), ("nosuchprogram", None), ("perlx", None),
])
def test_versioned_names(name, want):
    union = _union()
    got = table.handler_for(name)
    assert got is (union.get(want, commands.unknown_program) if want else commands.unknown_program)


def _loaded_after(command: str, cwd, poison: str = "") -> tuple[list[str], dict]:
    res = analyse_in_fresh_process(command, cwd, poison)
    return [m.rsplit(".", 1)[1] for m in res["loaded"]], res


HANDLER_MODULES = {"builtins", "fileops", "findx", "gitcmd", "gitsub", "interp", "interpcode", "wrappers", "progopts",
                   "bulk", "commands"}


@pytest.mark.parametrize("command,wanted", [
    ("cat README.md", {"commands"}),
    ("cat .env", {"commands"}),
    ("ls -la", {"commands"}),
    ("git status", {"gitcmd"}),
    ("git log --oneline -3", {"gitcmd"}),
    ("git commit -m x", {"gitcmd", "gitsub"}),
    ("git -c core.pager=less log", {"gitcmd", "gitsub"}),
    ("make -f build.mk", {"progopts", "commands"}),
    ("cp a b", {"fileops", "bulk"}),
    ("sudo rm -rf x", {"wrappers", "commands"}),
    ("python3 -c 'print(1)'", {"interp", "interpcode", "commands"}),
])
def test_only_the_handler_modules_a_command_needs_load(tmp_path, command, wanted):
    mods, res = _loaded_after(command, tmp_path)
    assert set(mods) & HANDLER_MODULES == wanted, mods
    assert not res["indeterminate"], res


@pytest.mark.parametrize("command,poison", [
    ("cp a b", "hookgate.shell.fileops"),
    ("git status", "hookgate.shell.gitcmd"),
    ("make -f build.mk", "hookgate.shell.progopts"),
    ("cat a", "hookgate.shell.commands"),
    ("git add a", "hookgate.shell.gitsub"),
    ("git -c core.pager=less log", "hookgate.shell.gitsub"),
    ("cp a b", "hookgate.shell.bulk"),
    ("sudo rm x", "hookgate.shell.wrappers"),
])
def test_a_handler_module_that_cannot_load_makes_the_command_indeterminate(tmp_path, command, poison):
    """Not a silent no-op handler: the analysis says it could not be done (and the guards fail
    closed on it: test_import_budget's end-to-end deny)."""
    _, clean = _loaded_after(command, tmp_path)
    assert not clean["indeterminate"]
    _, res = _loaded_after(command, tmp_path, poison)
    assert res["indeterminate"] and poison in (res["error"] or ""), res


def test_no_reader_is_also_a_simple_spec():
    """``commands.lookup`` answers a reader (``cat``) before it builds the ``_SIMPLE`` specs:
    sound only while no name is in both (nor an in-place converter in ``_SIMPLE``)."""
    readers = {n for n, sv in commands._READERS.items() if sv is not None}
    assert not readers & set(commands._simple())
    assert not set(commands._IN_PLACE) & set(commands._simple())
