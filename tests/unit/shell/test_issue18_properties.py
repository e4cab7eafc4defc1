"""Property tests for the fuzz-found classes of issue 18 (ADR 0021): the same shape planted
anywhere, checked against what bash really does.

- brace expansion: every word bash makes of a brace word is a read the engine reports, or the
  engine reports the word unknown past the cap — never nothing;
- branches that assign (``&&``, ``||``, ``if``, ``case``): every argument bash really passes
  is reported, or an unknown one is;
- interpreter code with a spliced value (or argv): a file API with a value the shell splices
  in is always a read of something, never an ``exec`` of no file;
- caps: a walk cut short reports an unknown read and write.
"""

from __future__ import annotations

import os
import subprocess

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hookgate.shell import analyse
from hookgate.shell.expand import BRACE_PAST_CAP

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
ENV = {"HOME": "/nonexistent-home", "PATH": "/usr/bin:/bin"}


def _bash_args(script: str, cwd: str) -> list:
    stand_in = "cat() { printf '%s\\0' \"$@\"; }\n"
    out = subprocess.run(["bash", "-c", stand_in + script], cwd=cwd, capture_output=True, timeout=20,
                         env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent-home"})
    return [a for a in out.stdout.decode("utf-8", "surrogateescape").split("\0") if a]


def _reads(res):
    return [a for a in res.accesses if a.mode == "read"]


def _covered(res, args, cwd) -> None:
    reads = _reads(res)
    if res.indeterminate or any(not a.resolved for a in reads):
        return  # unknown: the guards decide on that, never a silent allow
    paths = {a.path for a in reads}
    for a in args:
        want = os.path.normpath(os.path.join(cwd, a))
        assert want in paths, (a, sorted(paths)[:10])


_alt = st.text(alphabet="aenv.", min_size=0, max_size=3)
_group = st.one_of(
    st.lists(_alt, min_size=2, max_size=6).map(lambda xs: "{" + ",".join(xs) + "}"),
    st.tuples(st.sampled_from("abcdefxyz"), st.sampled_from("mnopqrstuvwxyz")).map(lambda t: "{%s..%s}" % t),
    st.tuples(st.integers(0, 20), st.integers(0, 400)).map(lambda t: "{%d..%d}" % t),
)
def _size(g: str) -> int:
    body = g[1:-1]
    if ".." in body and "," not in body:
        a, b = body.split("..")
        return abs((ord(b) - ord(a)) if not a.isdigit() else int(b) - int(a)) + 1
    return body.count(",") + 1


_brace_parts = st.tuples(st.text(alphabet=".env", max_size=3), st.lists(_group, min_size=1, max_size=4),
                         st.text(alphabet="env.", max_size=2))


@SETTINGS
@given(_brace_parts)
def test_brace_words_are_read_or_unknown_never_nothing(tmp_path, parts):
    size = 1
    for g in parts[1]:
        size *= _size(g)
    assume(size <= 20000)  # (bash itself takes seconds past that)
    word = parts[0] + "".join(parts[1]) + parts[2]
    script = f"cat {word}"
    args = _bash_args(script, str(tmp_path))
    res = analyse(script, str(tmp_path), env=ENV)
    reads = _reads(res)
    if args and not reads:
        raise AssertionError(f"{word!r}: bash passes {len(args)} words, the engine reports none")
    if any(BRACE_PAST_CAP in (a.path or "") for a in reads):
        return
    _covered(res, args, str(tmp_path))


_guard = st.sampled_from(["true", "false", "[ -d . ]", "[ -e /nonexistent ]", "test -n x"])
_shape = st.sampled_from([
    "{g} && A={v}", "{g} || A={v}", "if {g}; then A={v}; fi", "if {g}; then A={v}; else A={w}; fi",
    "case $X in x) A={v};; *) A={w};; esac", "{g} && {{ A={v}; }} || A={w}", "while {g}; do A={v}; break; done",
])
_piece = st.text(alphabet="abe.nv", min_size=0, max_size=3)


@SETTINGS
@given(_shape, _guard, _piece, _piece, _piece, st.booleans())
def test_assignments_in_branches_are_never_lost(tmp_path, shape, guard, v, w, tail, quoted):
    use = f'cat "${{A}}{tail}"' if quoted else f"cat ${{A}}{tail}"
    script = shape.format(g=guard, v=v or "x", w=w or "y") + "; " + use
    args = _bash_args(script, str(tmp_path))
    res = analyse(script, str(tmp_path), env=ENV)
    _covered(res, args, str(tmp_path))


_api = st.sampled_from(["print(open({q}).read())", "import pathlib; print(pathlib.Path({q}).read_text())",
                        "import os; os.remove({q})", "exec(open({q}).read())"])
_value = st.sampled_from(["$(cat list)", "$F", "${F}", "`cat list`", "$(some-tool --path)"])
_quote = st.sampled_from(["'{v}'", "\"{v}\"", "'{v}/x'", "'pre{v}'"])


@SETTINGS
@given(_api, _value, _quote, st.booleans())
def test_spliced_values_in_code_are_reads(tmp_path, api, value, quote, assigned):
    code = api.format(q=quote.format(v=value)).replace('"', '\\"')
    script = ("F=$(cat list); " if assigned or "F" in value else "") + f'python3 -c "{code}"'
    res = analyse(script, str(tmp_path), env=ENV)
    touched = [a for a in res.accesses if a.mode in ("read", "write", "delete") and a.path]
    assert touched or res.indeterminate, (script, res.accesses)


@SETTINGS
@given(st.sampled_from(["python3 -c 'import sys; print(open(sys.argv[1]).read())'",
                        "node -e 'console.log(require(\"fs\").readFileSync(process.argv[1], \"utf8\"))'"]),
       st.sampled_from([".env", "$F", "\"$(ls .env)\"", "x/.env"]))
def test_argv_reading_code_reads_its_operands(tmp_path, code, operand):
    (tmp_path / ".env").write_text("K=1\n")
    res = analyse(f"F=$(cat list); {code} {operand}", str(tmp_path), env=ENV)
    assert any(a.mode == "read" and a.path and ("env" in a.path or "$" in a.path) for a in res.accesses), res


def test_a_walk_past_its_caps_reads_and_writes_the_unknown(tmp_path):
    deep = "x=$(" * 20 + "true" + ")" * 20
    many = "; ".join(["true"] * 4100) + "; cat README.md"
    for script in (deep, many):
        res = analyse(script, str(tmp_path), env=ENV)
        assert res.indeterminate
        modes = {a.mode for a in res.accesses if not a.resolved}
        assert {"read", "write"} <= modes, res.accesses[:3]
