"""ADR 0022: repository identity of a file, state migration, clock skew, bad input."""

from __future__ import annotations

import json
import os
import time

import pytest

from hookgate.validators.coordination import identity, leases, sessions, store
from tests.conftest import run_cli
from tests.unit.validators.coordination.gitfix import add_worktree, git, make_repo


@pytest.mark.parametrize(
    "path,top,key",
    [("/r/src/a.py", "/r", "src/a.py"), ("/r", "/r", "."), ("/rx/a.py", "/r", "/rx/a.py"),
     ("/tmp/x", "/r", "/tmp/x"), ("/r/a b/c\nd.py", "/r", "a b/c\nd.py"), ("/r/x", None, "/r/x")],
)
def test_key(path, top, key):
    assert identity.key(path, top) == key
    assert identity.abs_path(key, top) == (path if top or identity.is_abs_key(key) else key)


@pytest.mark.parametrize(
    "k,scope,inside",
    [("src/a.py", ".", True), ("/tmp/a", ".", False), ("src/a.py", "src", True), ("srcx/a", "src", False),
     ("src", "src/a.py", False), ("/r/x/y", "/r/x", True)],
)
def test_under(k, scope, inside):
    assert identity.under(k, scope) is inside


def test_worktrees_branches_detached_head_and_deleted_worktree(tmp_path):
    repo = make_repo(tmp_path / "r")
    wt = add_worktree(repo, tmp_path / "w 1", "feat")
    git(wt, "checkout", "-q", "--detach")
    common = os.path.join(repo, ".git")
    tops = {w["top"]: w for w in identity.worktrees(common)}
    assert set(tops) == {repo, wt} and tops[repo]["main"]
    assert identity.head(identity.git_dir(repo)) == "main"
    assert identity.head(identity.git_dir(wt)).startswith("detached at ")
    import shutil

    shutil.rmtree(wt)
    assert [w["exists"] for w in identity.worktrees(common) if not w["main"]] == [False]


def test_bare_repository_with_a_worktree(tmp_path):
    src = make_repo(tmp_path / "src")
    git(tmp_path, "clone", "-q", "--bare", src, str(tmp_path / "b.git"))
    wt = add_worktree(tmp_path / "b.git", tmp_path / "w", "x")
    ws = identity.worktrees(str(tmp_path / "b.git"))
    assert [w["top"] for w in ws] == [wt]  # no main worktree in a bare repository
    assert identity.worktree_top(os.path.join(wt, "src")) == wt


def test_v1_state_is_migrated_never_dropped(tmp_path):
    repo = make_repo(tmp_path / "r")
    wt = add_worktree(repo, tmp_path / "w", "feat")
    state = os.path.join(repo, ".git", "hookgate")
    os.makedirs(os.path.join(state, "coordination"))
    now = time.time()
    v1 = {"v": 1, "seq": 1,
          "leases": {f"{repo}/src/app.py": {"session": "A", "platform": "claude-code", "since": now, "renewed": now,
                                            "expires": now + 600, "via": "Write"},
                     f"{wt}/src/util.py": {"session": "B", "platform": "cursor", "since": now, "renewed": now,
                                           "expires": now + 600, "via": "Write"},
                     "/elsewhere/notes.txt": {"session": "C", "since": now, "renewed": now, "expires": now + 600}},
          "claims": [{"id": "c1", "path": f"{wt}/docs", "session": "B", "platform": "", "mode": "write",
                      "priority": "normal", "ttl": 600, "requested": now, "granted": now, "expires": now + 600}]}
    raw = json.dumps(v1)
    with open(store.state_path(state), "w") as f:
        f.write(raw)
    data = store.load(state)
    assert data["v"] == 2 and data["migrated_from"] == 1
    assert set(data["leases"]) == {"src/app.py", "src/util.py", "/elsewhere/notes.txt"}
    assert data["leases"]["src/util.py"]["wt"] == wt and data["leases"]["src/util.py"]["branch"] == "feat"
    assert data["claims"][0]["path"] == "docs"
    store.mutate(state, lambda d: None)  # the first write keeps what was migrated
    with open(store.state_path(state) + ".v1") as f:
        assert f.read() == raw
    r = run_cli("locks", "list", "--json", cwd=wt)
    assert {x["path"] for x in json.loads(r.stdout)["leases"]} == {"src/app.py", "src/util.py", "/elsewhere/notes.txt"}


def test_newer_state_is_refused_not_reset(tmp_path, project):
    from tests.unit.validators.coordination.conftest import enforce, outcome, reason, session_end, state_file, write

    enforce(project)
    os.makedirs(os.path.dirname(state_file(project)), exist_ok=True)
    with open(state_file(project), "w") as f:
        json.dump({"v": 9, "leases": {}, "claims": []}, f)
    r = write(project, "s1")
    assert outcome(r) == "deny" and "newer hookgate" in reason(r)
    with open(state_file(project)) as f:
        assert json.load(f)["v"] == 9  # untouched
    listed = run_cli("locks", "list", cwd=project)
    assert listed.returncode == 0 and "newer hookgate" in listed.stdout
    r = run_cli("locks", "release", "--expired", cwd=project)
    assert r.returncode == 2 and "newer hookgate" in r.stderr and "Traceback" not in r.stderr
    assert session_end(project, "s1").returncode == 0
    r = run_cli("locks", "release", "--all", cwd=project)  # a human starts over; the file is kept
    assert r.returncode == 0 and "unsupported-" in r.stdout
    assert outcome(write(project, "s1")) == "allow"


def test_non_utf8_keys_round_trip(tmp_path):
    state = str(tmp_path / "st")
    k = os.fsdecode(b"src/caf\xe9.py")
    store.mutate(state, lambda d: leases.take(d, k, "A", "", "Write", time.time(), 60))
    assert list(store.load(state)["leases"]) == [k]


def test_clock_skew_a_lease_from_a_clock_ahead_still_holds_and_says_so():
    from hookgate.validators.coordination.describe import describe

    now = time.time()
    data = store.empty()
    leases.take(data, "f", "A", "claude-code", "Write", now + 300, 900)  # writer 5 min ahead
    assert leases.conflict(data, "f", "B", now) is not None
    text = describe(dict(data["leases"]["f"], mode="lease"), now)
    assert "clock is 5m ahead" in text


# --- #16 item 8: whose claim is it? -------------------------------------------------------------

def _call(state, session, pids, ts, cmd="hookgate claim src"):
    path = sessions.calls_path(state)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a") as f:
        f.write(json.dumps({"ts": ts, "session": session, "platform": "claude-code", "cwd": "/p",
                            "command": cmd, "pids": pids}) + "\n")


def test_a_terminal_claim_belongs_to_the_human_not_a_recent_agent(tmp_path):
    state = str(tmp_path)
    now = time.time()
    _call(state, "agent-1", [500, 400, 300], now - 5)
    who = sessions.resolve(state, {"USER": "alice"}, "/p", ("hookgate", "claim", "src"), now=now,
                           my_chain=[900, 800], terminal=True)
    assert who == ("human:alice", "human", "terminal")
    with pytest.raises(sessions.Unresolved, match="not the shell of any agent"):
        sessions.resolve(state, {}, "/p", ("hookgate", "claim", "src"), now=now, my_chain=[900, 800], terminal=False)
    # the agent's own shell still resolves to the agent
    assert sessions.resolve(state, {}, "/p", ("hookgate", "claim"), now=now, my_chain=[901, 400],
                            terminal=False)[0] == "agent-1"


def test_an_ended_session_is_never_chosen(tmp_path):
    state = str(tmp_path)
    now = time.time()
    _call(state, "dead", [500, 400], now - 20, cmd="hookgate claim x")
    sessions.record_end(state, "dead")
    with pytest.raises(sessions.Unresolved):
        sessions.resolve(state, {}, "/p", ("hookgate", "claim"), now=now + 1, my_chain=[901, 400], terminal=False)
    assert sessions.resolve(state, {"USER": "bob"}, "/p", ("hookgate", "claim"), now=now + 1, my_chain=[901, 400],
                            terminal=True)[0] == "human:bob"


def test_human_claim_from_a_real_terminal_after_an_agent_ended(project):
    """Through the real command in a pty: the agent ran `hookgate claim`, ended; the human's
    claim in a terminal is the human's and blocks the agent that comes next."""
    import pty
    import subprocess

    from tests.conftest import HOOKGATE, run_hook
    from tests.unit.validators.coordination.conftest import bash, enforce, outcome, reason, session_end, write

    enforce(project)
    assert outcome(bash(project, "agent-1", "hookgate claim src/app.py")) == "allow"  # leaves the trail
    session_end(project, "agent-1")
    leader, follower = pty.openpty()
    env = dict(os.environ, USER="carol")
    p = subprocess.run([HOOKGATE, "claim", "src/app.py", "--json"], stdin=follower, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, cwd=str(project), env=env, timeout=60)
    os.close(follower)
    os.close(leader)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["session"] == "human:carol"
    r = write(project, "agent-2")
    assert outcome(r) == "deny" and "human:carol" in reason(r)
    assert run_hook is not None


from hypothesis import given, settings, strategies as st  # noqa: E402

_seg = st.text(alphabet=st.characters(blacklist_characters="/\0", blacklist_categories=("Cs",)), min_size=1,
               max_size=8).filter(lambda x: x not in (".", ".."))


@settings(max_examples=200, deadline=None)
@given(st.lists(_seg, min_size=1, max_size=6), st.lists(_seg, min_size=0, max_size=3))
def test_keys_round_trip_and_nest(parts, extra):
    top = "/repo/top"
    path = top + "/" + "/".join(parts)
    k = identity.key(path, top)
    assert not identity.is_abs_key(k) and identity.abs_path(k, top) == path
    assert identity.under(k, ".") and identity.under(k, k)
    deeper = identity.key(path + ("/" + "/".join(extra) if extra else ""), top)
    assert identity.under(deeper, k) and identity.overlaps(k, deeper) and identity.overlaps(deeper, k)
    assert identity.key("/elsewhere/" + "/".join(parts), top).startswith("/")
