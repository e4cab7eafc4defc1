"""ADR 0007: the pure-Python fast path builds exactly the tree shfmt builds."""

from __future__ import annotations

import os
import random

import pytest

from tests.conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hookgate.shell import analyse
from hookgate.shell import parse as P

DROP = {"Pos", "End", "ValuePos", "ValueEnd", "Position", "Semicolon", "OpPos", "Dollar", "Left", "Right"}
CORPUS = os.path.join(REPO, "tests", "data", "corpus", "tldr-commands.txt")


def strip(n):
    if isinstance(n, dict):
        return {k: strip(v) for k, v in n.items() if k not in DROP}
    if isinstance(n, list):
        return [strip(x) for x in n]
    return n


def same_as_shfmt(cmd: str) -> None:
    fast = P.fast_parse(cmd)
    if fast is None:
        return
    try:
        slow = P.parse_shfmt(cmd)
    except P.ParseError as e:
        pytest.fail(f"fast path accepted what bash rejects: {cmd!r}: {e}")
    assert fast == strip(slow), cmd


WORD = st.text(alphabet="abcxyz019_./=:,@%+-", min_size=1, max_size=6)
QUOTED = st.text(alphabet="ab .$*;|&<>\"`\\", max_size=5).map(lambda s: "'" + s + "'")
DQUOTED = st.text(alphabet="ab .$*;|&<>'`\\!{}~\n", max_size=5).map(lambda s: '"' + s + '"')
TOKEN = st.one_of(WORD, QUOTED, DQUOTED, st.tuples(WORD, QUOTED).map("".join), st.tuples(DQUOTED, WORD).map("".join),
                  st.tuples(WORD, DQUOTED).map("".join),
                  st.sampled_from(["if", "for", "F=1", "x+=2", "{", "!", 'F="a b"', 'x+="y"']))
SEP = st.sampled_from([" ", " ", " ", " | ", " && ", " || ", "; ", ";", "|", "&&"])
# redirections the fast path takes (`> >> < >& &> &>>`, a 1–2 digit descriptor) and look-alikes it
# must leave to shfmt (here-docs, `<>`, `>|`, `<&`, process substitution, long descriptors)
REDIR_OP = st.sampled_from([">", ">>", "<", ">&", "&>", "&>>", "2>", "2>>", "1>", "0<", "12>", "2>&", "9>&",
                            "123>", "2&>", "<<", "<<<", "<>", ">|", "<&", ">(", ">>&", "&", "2>>&"])
REDIR = st.tuples(st.sampled_from(["", "", " "]), REDIR_OP, st.sampled_from(["", " "]),
                  st.one_of(WORD, QUOTED, DQUOTED, st.just(""))).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(TOKEN, SEP), min_size=1, max_size=6))
def test_fast_path_equals_shfmt_on_random_commands(parts):
    cmd = "".join(t + s for t, s in parts).strip()
    same_as_shfmt(cmd)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.one_of(TOKEN, REDIR, REDIR), SEP), min_size=1, max_size=6))
def test_fast_path_equals_shfmt_with_redirections(parts):
    cmd = "".join(t + s for t, s in parts).strip()
    same_as_shfmt(cmd)


@pytest.mark.parametrize("cmd", ["echo x > .claude/settings.json", "make 2>&1", "ls 2>/dev/null | head -3",
                                 "cat a >> b", "cmd < in.txt", "a && b > c; d", "echo 12>x", "echo 2&>x",
                                 "echo x&>>f", "echo >&2 x", "A=1 >f cmd", "A=1 >f", "echo x>f>g",
                                 "echo x > 'a b'", 'echo x >"a b"', "echo a>-", "echo 2>&1x", "npm test 2>&1 | tail -5",
                                 "echo x >", ">f echo", "echo x >|f", "cat <<EOF", "echo 123>x", "cat <>f",
                                 "echo x > ; y", "echo x >;y", "diff <(a) b", "echo x >(y)"])
def test_fast_path_redirection_examples(cmd):
    same_as_shfmt(cmd)


@pytest.mark.parametrize("cmd", ["ls -la", "cp a b", "F=.env cat x", "a | b | c", "a && b || c; d",
                                 "echo 'x y' z", "a'b'c", "x= y", "echo ''", "git commit -m 'msg here'",
                                 "rm -rf build", "cat a|grep b", "a;b", "if", "x=1", "echo a=b",
                                 'echo "a b" "" x"y"z', "python3 -c \"print(open('.env').read())\"", 'F="x y" cat "$F"',
                                 'git commit -m "fix: it\'s done"', 'echo "~/x" "*.txt" "{a,b}"'])
def test_fast_path_examples(cmd):
    same_as_shfmt(cmd)


def test_fast_path_equals_shfmt_on_tldr_sample():
    with open(CORPUS, encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f if line.strip()]
    eligible = [l for l in lines if P.fast_parse(l) is not None]
    assert len(eligible) / len(lines) > 0.8  # the fast path carries most everyday commands
    for cmd in random.Random(7).sample(eligible, 300):
        same_as_shfmt(cmd)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["cp a.txt b.txt", "rm -rf build", "cat .env", "echo x", "tar czf o.tgz src",
                                           "git checkout -- a.txt", "mv a b", "ls", "F=.env", "grep -r x src",
                                           "echo x > .env", "cat < .env", "make 2>&1", "ls 2>/dev/null",
                                           "echo k >> .env.local", "sh < run.sh", "F=.env cat a > out"]),
                          st.sampled_from([" | ", " && ", " || ", "; "])), min_size=1, max_size=5))
def test_fast_and_full_analysis_agree(tree, parts):
    cmd = "".join(t + s for t, s in parts).rstrip(" |&;")
    fast = analyse(cmd, tree[0], home=tree[1])
    assert fast.fast_path
    real = P.fast_parse
    try:
        P.fast_parse = lambda c: None
        slow = analyse(cmd, tree[0], home=tree[1])
    finally:
        P.fast_parse = real
    assert not slow.fast_path
    assert fast.accesses == slow.accesses
    assert fast.indeterminate == slow.indeterminate
    assert [(c.name, c.argv, c.depth) for c in fast.commands] == [(c.name, c.argv, c.depth) for c in slow.commands]
