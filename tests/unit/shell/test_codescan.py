"""ADR 0017: the regex-free scans of interpreter code (shell/codescan.py) give the answer of
interp's regexes, or defer to them (None) — never a different one."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hookgate.shell import codescan, interp

FRAGMENTS = ["open", "open(", "fopen(", "print", "print ", "{", "}", "$", "fh", "(", ")", ",", " ", "\t", "\n",
             "'", '"', "`", "\\", "w", "a", "r", "x", "+", ">", "+<", "|", "mode", "=", ".env", "/", ".", "~", "_",
             "read()", "sh", "exec", "os.", "chr", "b", "é", "'''", '"""', "r'", "a.txt", "-", "1", "system",
             "compile", "decode", "fromhex", "atob", "base64", "platform.", "re."]
CODE = st.lists(st.sampled_from(FRAGMENTS), max_size=14).map("".join)


@settings(max_examples=600, deadline=None)
@given(CODE)
def test_prechecks_agree_with_the_regexes(code):
    amb = codescan.ambiguous(code)
    if amb is not None:
        assert amb == bool(interp._AMBIGUOUS.search(code)), code
    wa = codescan.write_api(code)
    if wa is not None:
        assert wa == bool(interp._WRITE_API.search(code)), code


@settings(max_examples=600, deadline=None)
@given(CODE)
def test_literals_agree_with_the_regex(code):
    got = codescan.literals(code)
    if got is not None:
        assert got == [m.group(2) for m in interp._STR.finditer(code)], code


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet="ab_./~-é1 \t$*", max_size=12))
def test_path_shapes_agree_with_the_regexes(s):
    assert codescan.pathish(s) == bool(interp._PATHISH.search(s)), s
    assert codescan.nameish(s) == bool(interp._NAMEISH.match(s)), s


@pytest.mark.parametrize("code,writes", [
    ("print(open('.env').read())", False),
    ("open('.env', 'w').write('x')", None),
    ("f = open(p, mode='a')", None),
    ("open(FH, '>out.txt')", None),
    ("print FH $x", None),
    ("fopen(\"w\")", None),
    ("import json; print(json.loads(s))", False),
])
def test_write_api_table(code, writes):
    assert codescan.write_api(code) is writes
    if writes is None:
        assert interp._WRITE_API.search(code)


def test_common_one_liners_need_no_regex():
    for code in ("print(open('.env').read())", "import sys; print(sys.version)", "print(len(open('a.txt').readlines()))"):
        assert codescan.ambiguous(code) is False and codescan.write_api(code) is False
        assert codescan.literals(code) is not None


@pytest.mark.parametrize("code,joined", [
    ('open(".e" + "nv")', [".env"]),
    ("open('.e' . 'nv')", [".env"]),
    ('x = ".e" "nv"', [".env"]),
    ('f(".e", "nv")', []),
    ('"a" + b + "c"', []),
])
def test_joined_literals(code, joined):
    assert codescan.joined_literals(code) == joined


def test_path_tokens_outside_literals():
    assert ".env" in codescan.path_tokens('print(f"{open(".env").read()}")')
    assert "~/.ssh/id_rsa" in codescan.path_tokens("File.read(%q(~/.ssh/id_rsa))")
    assert "print" not in codescan.path_tokens("print(1)")
