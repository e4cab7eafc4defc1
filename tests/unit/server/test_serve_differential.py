"""ADR 0025: one decision function, two doors. Every guard-suite case (tests/unit/validators/guards/cases.py)
and a sample of the shell corpus get byte-identical (stdout, stderr, exit code) from the
one-shot door (``hook.decide`` as ``hookgate hook`` calls it) and from a real ``hookgate serve``
process; a few go through the real launcher both ways."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.conftest import REPO

from hookgate.core import hook
from hookgate.adapters.claude_code import classify_output
from hookgate.server.client import Conn, hook_via
from tests.unit.validators.guards.cases import ADVERSARIAL, BENIGN, TOOL_CASES
from tests.unit.validators.guards.helpers import build_project, env_for
from tests.unit.server import helpers as h

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(REPO, "tests", "data", "corpus")


def _sample() -> list[str]:
    with open(os.path.join(HERE, "corpus_sample.txt"), encoding="utf-8") as f:
        return [ln.rstrip("\n") for ln in f if ln.strip() and not ln.startswith("#")]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    base = tmp_path_factory.mktemp("served")
    root, home, rt = base / "proj", base / "home", base / "rt"
    root.mkdir()
    home.mkdir()
    build_project(root, home)
    p = h.start(home, rt)
    conn = Conn(h.sock_path(rt))
    yield root, home, rt, conn
    conn.close()
    h.stop(p)


_N = [0]


def _both(served, tool, tool_input, monkeypatch):
    """Each door gets its own fresh session (session history — "another route to a path
    blocked earlier in this session (record …)" — is state, and each door would see the
    other's record)."""
    root, home, _, conn = served
    env = env_for(home)
    env["CLAUDE_PROJECT_DIR"] = str(root)
    _N[0] += 1
    monkeypatch.chdir(root)
    monkeypatch.setattr("sys.argv", [h.HOOKGATE, "hook", "--platform", "claude-code"])  # as the real process
    one = hook.decide("claude-code", h.payload(root, tool, tool_input, f"one-{_N[0]}"), dict(env))
    two = hook_via(conn, "claude-code", h.payload(root, tool, tool_input, f"two-{_N[0]}"), dict(env), str(root))
    return _norm(one), _norm(two)


def _norm(r):
    """Approval request ids are random per request: the only bytes allowed to differ."""
    import re

    out, err, code = r
    sub = lambda t: re.sub(r"(approval request |approve |approvals? )[0-9a-f]{6,}", r"\1<id>", t)  # noqa: E731
    return sub(out), sub(err), code


def _fill(v, root, home):
    if isinstance(v, str):
        return v.replace("{root}", str(root)).replace("{home}", str(home))
    if isinstance(v, dict):
        return {k: _fill(x, root, home) for k, x in v.items()}
    return v


SHELL = [c for c, _ in ADVERSARIAL] + list(BENIGN)


@pytest.mark.parametrize("command", SHELL, ids=range(len(SHELL)))
def test_guard_shell_cases_same_on_both_doors(served, command, monkeypatch):
    one, two = _both(served, "Bash", {"command": command}, monkeypatch)
    assert one == two


@pytest.mark.parametrize("case", TOOL_CASES, ids=range(len(TOOL_CASES)))
def test_guard_tool_cases_same_on_both_doors(served, case, monkeypatch):
    tool, tool_input, want = case
    one, two = _both(served, tool, _fill(tool_input, served[0], served[1]), monkeypatch)
    assert one == two
    got = classify_output(*two)
    assert got == want or (want == "deny" and got == "exit2-deny") or (want == "ask" and got in ("ask", "deny"))


def test_corpus_sample_same_on_both_doors(served, monkeypatch):
    cmds = _sample()
    if os.path.isdir(CORPUS):  # the vendored corpus: 200 more, drawn afresh per run
        import random

        r = random.Random()
        for n in sorted(n for n in os.listdir(CORPUS) if n.endswith(".txt")):
            with open(os.path.join(CORPUS, n), encoding="utf-8", errors="replace") as f:
                lines = [ln.rstrip("\n") for ln in f if ln.strip() and not ln.startswith("#")]
            cmds += r.sample(lines, min(100, len(lines)))
    diffs = []
    for c in cmds:
        one, two = _both(served, "Bash", {"command": c}, monkeypatch)
        if one != two:
            diffs.append((c, one, two))
    assert not diffs, diffs[:3]


def test_the_guards_really_deny_through_the_server(served, monkeypatch):
    """The differential test cannot pass by both doors being broken alike."""
    one, two = _both(served, "Bash", {"command": "cat .env"}, monkeypatch)
    assert classify_output(*two) == "deny"
    one, two = _both(served, "Bash", {"command": "git status"}, monkeypatch)
    assert classify_output(*two) == "allow"


def test_the_launcher_forwards_and_falls_back_with_the_same_answer(served):
    root, home, rt, conn = served
    st = lambda: conn.request("GET", "/v1/control/status", b"", {"X-Hookgate-Secret": _secret(rt)})  # noqa: E731
    import json

    env = {**h.server_env(home, rt), "CLAUDE_PROJECT_DIR": str(root)}
    for command in ("cat .env", "git status", "echo x > .claude/settings.json"):
        data = h.payload(root, "Bash", {"command": command})
        before = json.loads(st()[2])["decisions"]
        a = subprocess.run([h.HOOKGATE, "hook", "--platform", "claude-code"], input=data, env=env, cwd=root,
                           capture_output=True)
        after = json.loads(st()[2])["decisions"]
        b = subprocess.run([h.HOOKGATE, "hook", "--platform", "claude-code"], input=data,
                           env={**env, "HOOKGATE_SERVE": "off"}, cwd=root, capture_output=True)
        assert after == before + 1, "the launcher did not go through the server"
        assert (a.stdout, a.stderr, a.returncode) == (b.stdout, b.stderr, b.returncode)


def _secret(rt) -> str:
    with open(os.path.join(str(rt), "secret")) as f:
        return f.read().strip()
