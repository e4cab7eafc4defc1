"""ADR 0007 "Free variables": a name the command never assigns has the agent's environment
value, or none. Table tests of the text net, and a differential test against bash: random
scripts that assign and use variables in every way bash offers, where every argument the
command really receives must be an access the engine reports (or it reports an unknown one).
"""

from __future__ import annotations

import os
import subprocess

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hookgate.shell.freevars import candidate, environment, textually_free
from tests.unit.shell.differential import assert_deletes_cover, bash_args
from tests.support import need


@pytest.fixture(scope="module")
def _bash():
    need.program("bash")  # fail, never skip


NEEDS = pytest.mark.usefixtures("_bash")


@pytest.mark.parametrize("cmd,name,free", [
    ("cat $f", "f", True),
    ("cat ${f}", "f", True),
    ("cat ${f:-x}", "f", True),
    ("cut -d ' ' -f 1 $f", "f", True),  # an option letter assigns nothing
    ("cat ${f:=x}", "f", False),
    ("cat ${f=x}", "f", False),
    ("f=x; cat $f", "f", False),
    ("f+=x; cat $f", "f", False),
    ("read f; cat $f", "f", False),
    ("read -r -a f; cat $f", "f", False),
    ("read -raf; cat $f", "f", False),  # glued to an option cluster
    ("printf -vf %s x; cat $f", "f", False),
    ("for f in a; do :; done; cat $f", "f", False),
    ("((f++)); cat $f", "f", False),
    ("((--f)); cat $f", "f", False),
    ("exec {f}>x; cat $f", "f", False),
    ("declare -n r=f; cat $f", "f", False),
    ("eval 'f=x'; cat $f", "f", False),
    ("bash -c 'f=x; cat $f'", "f", False),
    ("cat $file", "f", True),  # a longer name
    ("cat $f", "file", True),
])
def test_textually_free_table(cmd, name, free):
    assert textually_free(cmd, name) is free


def test_shell_set_names_are_never_candidates():
    for name in ("_", "PWD", "OLDPWD", "REPLY", "RANDOM", "BASHPID", "BASH_SOURCE", "HOSTNAME", "IFS", "KUBECONFIG",
                 "1", "@"):
        assert not candidate(name), name
    assert candidate("f") and candidate("OUT_DIR")


def test_environment_keeps_the_agents_variables_not_the_shells():
    env = environment({"F": ".env", "IFS": ":", "PWD": "/x", "_": "/usr/bin/hookgate", "SHLVL": "3", "PATH": "/bin",
                       "BASH_ENV": "/x", "N": 3})
    assert env == {"F": ".env", "PATH": "/bin"}


# --- differential: random scripts through bash and through the engine ------------------------
NAMES = ("f", "g")
ASSIGN = ["{v}=a.txt", "{v}=", "printf -v{v} %s b.txt", "printf -v {v} %s a.txt", "read -r {v} <<< b.txt",
          "read -ra{v} <<< a.txt", "mapfile -t {v} <<< b.txt", "declare {v}=a.txt", "export {v}=b.txt",
          ": ${{{v}:=a.txt}}", "(({v}=1))", "let {v}=2", "for {v} in a.txt b.txt; do :; done", "unset {v}",
          "{v}+=.txt", "x={v}; declare \"$x=b.txt\"", "declare -n r={v}; r=a.txt", "getopts ab {v}",
          "{v}=$E", "eval '{v}=a.txt'", "{v}=b.txt C x.txt", "h() {{ {v}=a.txt; }}; h", "h() {{ local {v}=b.txt; }}; h",
          "exec {{{v}}}>/dev/null", "bash -c '{v}=a.txt'", "echo a.txt | read {v}", "{v}=$(echo b.txt)",
          "trap '{v}=a.txt' DEBUG", "mapfile -C '{v}=b.txt; :' -c 1 q <<< 'z'", "case x in x) {v}=a.txt;; esac",
          "false && {v}=b.txt", "false || {v}=a.txt", "{{ {v}=b.txt; }} > /dev/null", "set -- a.txt; {v}=$1",
          "{v}=a.txt; readonly {v}", "shopt -s expand_aliases; alias q='{v}=b.txt'"]
USE = ["C ${v}", "C \"${v}\"", "C ${{{v}:-b.txt}}", "C ${{{v}-a.txt}}", "C ${{{v}:+a.txt}}", "C pre${v}",
       "C $_", "C \"$E\" ${v}", "C ${{{v}%.txt}}.txt", "C \"$(dirname \"${v}\")\"", "q={v}; C ${{!q}}",
       "q=E; C ${{!q}}"]
WRAP = ["{s}", "for i in 1 2; do {s}; done", "if true; then {s}; fi", "( {s} )", "echo | {{ {s}; }}", "{s} &&  :",
        "while read -r i; do {s}; done <<< 'x\ny'"]


# loops whose next iteration sees what this one set (`cat $f; f=…`)
WRAP2 = ["for i in 1 2; do {s}; {t}; done", "while read -r i; do {s}; {t}; done <<< 'x\ny'",
         "for ((i=0;i<2;i++)); do {s}; {t}; done", "n=0; while [ $n -lt 2 ]; do {s}; {t}; n=$((n+1)); done"]


@st.composite
def _script(draw):
    stmts = []
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.integers(0, 3)) == 0:
            v = draw(st.sampled_from(NAMES))
            s, t = draw(st.sampled_from(USE)).format(v=v), draw(st.sampled_from(ASSIGN)).format(v=v)
            pre = draw(st.sampled_from(["", "{v}=x.txt; ".format(v=v)]))
            stmts.append(pre + draw(st.sampled_from(WRAP2)).format(s=s, t=t))
            continue
        form = draw(st.sampled_from(ASSIGN + USE))
        s = form.format(v=draw(st.sampled_from(NAMES)))
        stmts.append(draw(st.sampled_from(WRAP)).format(s=s))
    stmts.append(draw(st.sampled_from(USE)).format(v=draw(st.sampled_from(NAMES))))
    return "; ".join(stmts)


@pytest.fixture(scope="module")
def var_tree(tmp_path_factory):
    base = tmp_path_factory.mktemp("freevars")
    for rel in ("a.txt", "b.txt", "x.txt"):
        (base / rel).write_text("x\n")
    return str(base)


@NEEDS
@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(_script())
def test_every_value_bash_passes_is_reported(var_tree, script):
    from hookgate.shell import analyse

    env = {"LC_ALL": "C", "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": var_tree, "E": "x.txt"}
    real = subprocess.run(["bash", "-c", "C() { printf '%s\\0' \"$@\"; }; " + script],
                          cwd=var_tree, capture_output=True, timeout=20, env=env)
    assume(real.returncode in (0, 1))
    res = analyse("C() { rm -f -- \"$@\"; }; " + script, var_tree, env=env, home=var_tree)
    assert_deletes_cover(res, bash_args(real), var_tree, script)
