"""ADR 0007: random compositions never raise, stay under the time cap, and never lose a
planted write silently (it is reported, or the whole command is indeterminate)."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hookgate.shell import TIME_CAP, analyse

BENIGN = ["ls -la", "cat a.txt", "grep -r x src", "echo hi", "git status", "true", "cd sub", "F=x.txt",
          "find . -name '*.py'", "sort b.txt | uniq", "python3 -c 'print(1)'", "tar tzf x.tgz", "echo $(date)",
          "cat <<EOF\nhello\nEOF", "for i in 1 2; do echo $i; done", "[ -f a.txt ]"]
PLANTS = [
    ("echo x > {p}", "write"), ("echo x >> {p}", "write"), ("cp a.txt {p}", "write"), ("tee {p} < a.txt", "write"),
    ("rm -f {p}", "delete"), ("mv a.txt {p}", "write"), ("touch {p}", "write"), ("sed -i s/a/b/ {p}", "write"),
    ("dd if=a.txt of={p}", "write"), ("truncate -s0 {p}", "write"), ("ln -sf a.txt {p}", "write"),
    ("curl -o {p} http://x", "write"), ("python3 -c \"open('{p}','w')\"", "write"),
]
OPS = [" ; ", " && ", " || ", " | ", "\n"]


def sq(s: str) -> str:
    return "'" + s.replace("'", "'\\''") + "'"


def dq(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$").replace("`", "\\`") + '"'


WRAPS = [
    lambda s: s,
    lambda s: "( " + s + " )",
    lambda s: "{ " + s + " ; }",
    lambda s: "bash -c " + sq(s),
    lambda s: "sh -c " + dq(s),
    lambda s: "echo $( " + s + " )",
    lambda s: "if true; then " + s + "; fi",
    lambda s: "for i in 1; do " + s + "; done",
    lambda s: "sudo " + s if s[:1].isalpha() else s,
    lambda s: "env X=1 " + s if s[:1].isalpha() else s,
    lambda s: "timeout 5 " + s if s[:1].isalpha() else s,
    lambda s: "eval " + sq(s),
    lambda s: "{ f() { " + s + " ; }; f; }",
    lambda s: "cat <<'EOF' | sh\n" + s + "\nEOF",
    lambda s: "while true; do " + s + "; break; done",
]


@st.composite
def composition(draw):
    plant, mode = draw(st.sampled_from(PLANTS))
    name = draw(st.sampled_from(["planted.txt", "sub/planted.txt", ".hookgate/planted", "~/planted"]))
    planted = plant.format(p=name)
    before = draw(st.lists(st.sampled_from(BENIGN), max_size=3))
    after = draw(st.lists(st.sampled_from(BENIGN), max_size=2))
    cmd = planted
    for wrap in draw(st.lists(st.sampled_from(WRAPS), max_size=3)):
        cmd = wrap(cmd)
    parts = before + [cmd] + after
    seps = [draw(st.sampled_from(OPS)) for _ in parts[1:]]
    text = parts[0]
    for sep, p in zip(seps, parts[1:]):
        if text.endswith("\nEOF"):  # a here-doc terminator must be alone on its line
            sep = "\n"
        text += sep + p
    return text, name, mode


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(composition())
def test_planted_write_is_found_or_indeterminate(tree, case):
    cwd, home = tree
    cmd, name, mode = case
    t = time.monotonic()
    res = analyse(cmd, cwd, home=home)
    assert time.monotonic() - t < TIME_CAP + 1.0
    if res.indeterminate:
        return
    tail = name.lstrip("~/").split("/")[-1]
    hits = [a for a in res.accesses if a.mode in ("write", "delete") and (a.path.endswith(tail) or not a.resolved)]
    assert hits, (cmd, res.accesses)


NOISE = st.text(alphabet="ab $'\"`\\(){}[]<>|&;*?~#!=\n\t-./", max_size=80)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.one_of(NOISE, st.builds(lambda a, b: a + b, st.sampled_from(BENIGN + [p for p, _ in PLANTS]), NOISE)))
def test_arbitrary_text_never_raises(tree, text):
    cwd, home = tree
    t = time.monotonic()
    res = analyse(text, cwd, home=home)
    assert time.monotonic() - t < TIME_CAP + 1.0
    assert isinstance(res.indeterminate, bool)
    assert res.parse_error is None or isinstance(res.parse_error, str)
    for a in res.accesses:
        assert a.mode in ("read", "write", "delete", "exec")
        assert not a.resolved or a.path.startswith("/")


def test_caps(tree):
    cwd, home = tree
    assert analyse("echo " + "x" * (70 * 1024), cwd, home=home).indeterminate
    deep = "echo " + "$(" * 300 + "x" + ")" * 300
    res = analyse(deep, cwd, home=home)
    assert res.indeterminate and res.parse_error
    assert analyse("eval " * 20 + "true", cwd, home=home).indeterminate
    nested = "true"
    for _ in range(8):
        nested = "bash -c " + sq(nested)
    t = time.monotonic()
    assert not analyse(nested, cwd, home=home).indeterminate
    assert time.monotonic() - t < TIME_CAP
    assert analyse("a\x00b", cwd, home=home).indeterminate


def test_missing_parser_is_indeterminate(tree, monkeypatch):
    from hookgate.shell import shfmt

    monkeypatch.setattr(shfmt, "_binary_cache", [None])
    res = analyse("echo 'needs shfmt' $(date) > x", tree[0], home=tree[1])
    assert res.indeterminate and "not found" in res.parse_error
    assert not analyse("echo fast x", tree[0], home=tree[1]).indeterminate  # fast path needs no binary


def test_parser_timeout_is_indeterminate(tree, monkeypatch):
    from hookgate.shell import parse as P

    res = P.parse_shfmt  # real call with a tiny timeout
    try:
        res("echo 'x'", timeout=0.0)
    except P.ParseError as e:
        assert "timed out" in str(e)


# --- concrete listings: grep patterns from the command text are untrusted input ------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as hst  # noqa: E402

_LINES = ["./src/" + "a" * 40 + ".py", "./.env", "./" + "ab" * 30, "./x y/z"]


@settings(max_examples=300, deadline=2000)
@given(hst.text(alphabet="ab()[]*+?{}|\\.^$1-", max_size=40), hst.sampled_from(["-E", "-G", "-F", "-P", "-i"]))
def test_listing_grep_never_raises_or_hangs(pattern, flag):
    """Any pattern: a subset of the lines, or None (unknown) — never an exception, and never
    catastrophic backtracking (the deadline would fail the example)."""
    from hookgate.shell.textprogs import _grep
    from hookgate.shell.words import LIT

    got = _grep("grep", [(flag, LIT), (pattern, LIT)], list(_LINES))
    assert got is None or set(got) <= set(_LINES)


def test_listing_grep_refuses_backtracking_bombs():
    from hookgate.shell.textprogs import _grep
    from hookgate.shell.words import LIT

    for bomb in ("(a+)+$", "(a*)*b", "(a|aa)*c", "a*a*a*a*a*a*b", "(x)\\1"):
        assert _grep("grep", [("-E", LIT), (bomb, LIT)], ["a" * 60]) is None, bomb
    assert _grep("grep", [("-E", LIT), ("env$", LIT)], ["./.env", "./a.py"]) == ["./.env"]
    assert _grep("grep", [("-v", LIT), ("a\\.py", LIT)], ["./.env", "./a.py"]) == ["./.env"]
