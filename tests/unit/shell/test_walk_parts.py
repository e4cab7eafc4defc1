"""The walker's parts (``shell/walk.py`` ``_PARTS``, ADR 0007 "Layout"): word expansion,
redirections and pipes, and compound commands are mixins in modules of their own that join the
``Walker`` on first use. Each row of the table names exactly its mixin's methods, a command
that needs a part loads it and gets the same analysis, and a part that cannot be imported makes
the command indeterminate (fail closed), never a silent allow."""

from __future__ import annotations

import sys
import types

import pytest

from hookgate.shell import walk
from tests.unit.shell.fresh import analyse_in_fresh_process


def _methods(cls) -> set[str]:
    return {k for k, v in vars(cls).items() if isinstance(v, types.FunctionType)}


@pytest.mark.parametrize("module", sorted(walk._PARTS))
def test_each_row_names_exactly_its_mixins_methods(module):
    __import__(module)
    mixin_name, names = walk._PARTS[module]
    mixin = getattr(sys.modules[module], mixin_name)
    assert set(names) == _methods(mixin)
    assert len(names) == len(set(names))


def test_no_part_redefines_the_core():
    """A part's method never shadows one the Walker defines itself (the graft would replace it),
    and no two parts define the same name."""
    core = {k for k, v in walk.Walker.__dict__.items() if isinstance(v, types.FunctionType)
            and k not in walk._PART_OF}
    seen: set[str] = set()
    for _, names in walk._PARTS.values():
        assert not set(names) & core
        assert not set(names) & seen
        seen |= set(names)


def test_a_missing_attribute_is_still_an_attribute_error():
    w = walk.Walker("/home/u", 1e18)
    with pytest.raises(AttributeError):
        _ = w.no_such_method  # type: ignore[attr-defined]
    assert getattr(w, "word_alone", "default") == "default"


@pytest.mark.parametrize("command,part", [
    ("cat \"$HOME/notes.txt\"", "hookgate.shell.expand"),
    ("cat notes.txt > out.txt", "hookgate.shell.redirs"),
    ("cat notes.txt | sort", "hookgate.shell.redirs"),
    ("for f in a b; do cat $f; done", "hookgate.shell.compound"),
    ("F=notes.txt cat notes.txt", "hookgate.shell.compound"),
    ("cat *.txt", "hookgate.shell.compound"),
])
def test_a_part_that_cannot_load_makes_the_command_indeterminate(tmp_path, command, part):
    (tmp_path / "notes.txt").write_text("x\n")
    clean = analyse_in_fresh_process(command, tmp_path)
    assert part in clean["loaded"] and not clean["indeterminate"], clean
    res = analyse_in_fresh_process(command, tmp_path, part)
    assert res["indeterminate"] and part in (res["error"] or ""), res
    # and the guards see an unknown read and write (ADR 0021), not just the accesses seen so far
    assert any(not r and m == "write" for _, m, r in res["accesses"]), res


@pytest.mark.parametrize("command", ["git status", "cat .env", "ls -la && cat a b"])
def test_a_simple_command_needs_no_part(tmp_path, command):
    res = analyse_in_fresh_process(command, tmp_path)
    assert not set(res["loaded"]) & set(walk._PARTS), res["loaded"]
    assert not res["indeterminate"]


def test_the_agents_environment_is_made_on_first_use():
    """``Walker.env``: ``freevars.environment`` of what the hook inherits, ``HOME`` the
    analysis' home — made when a variable is first looked up, not for every command."""
    from hookgate.shell.freevars import environment

    raw = {"NOTES": "n.txt", "BASH_ENV": "/x", "PWD": "/p", "HOME": "/elsewhere", "PATH": "/bin", "IFS": ":"}
    w = walk.Walker("/home/u", 1e18, env_from=raw)
    assert w._env is None
    assert w.env == {**environment(raw), "HOME": "/home/u"} == {"NOTES": "n.txt", "PATH": "/bin", "HOME": "/home/u"}
    assert w.env is w.env
    assert walk.Walker("/home/u", 1e18).env == {}
    given = {"A": "1"}
    assert walk.Walker("/home/u", 1e18, env=given).env is given


# --- Walker.fields' short road: a word of quoted literals is its text, without ``expand`` ------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as hst  # noqa: E402

_PIECE = hst.one_of(
    hst.text(alphabet="ab.-=/_", min_size=1, max_size=4),
    hst.text(alphabet="ab .{}~*?[]$\\\"", max_size=4).map(lambda s: "'" + s + "'"),
    hst.text(alphabet="ab .{}~*?[]'$\\`", max_size=4).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', "") + '"'),
    hst.sampled_from(["~", "*", "{a,b}", "$HOME", "$'a\\tb'", "a\\ b", "\"$x\"", "''", '""', "[ab]"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(hst.lists(_PIECE, min_size=1, max_size=4))
def test_the_short_road_gives_what_expansion_gives(tmp_path, pieces):
    from hookgate.shell import parse as P
    from hookgate.shell.walk import State

    word_text = "".join(pieces)
    try:
        tree = P.parse_shfmt("echo " + word_text)
    except P.ParseError:
        return
    args = tree["Stmts"][0]["Cmd"].get("Args") or []
    for word in args[1:]:
        w = walk.Walker(str(tmp_path), 1e18, env={"HOME": str(tmp_path)})
        st = State(str(tmp_path), {}, {})
        full = w.word_fields(word, st.copy(), 0)
        assert w.fields(word, st.copy(), 0) == full, word_text
        if walk._quoted_literal(word.get("Parts") or []) is not None:
            assert full == [(walk._quoted_literal(word["Parts"]), walk.LIT)]


@pytest.mark.parametrize("command", ['git commit -m "fix: it is done"', "grep -rn 'TODO' src", 'find . -name "*.py"'])
def test_quoted_literals_need_no_expansion(tmp_path, command):
    res = analyse_in_fresh_process(command, tmp_path)
    assert "hookgate.shell.expand" not in res["loaded"] and not res["indeterminate"], res
