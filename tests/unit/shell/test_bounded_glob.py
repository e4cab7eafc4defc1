"""ADR 0027: globbing that stops. The bounded glob matches exactly what ``glob`` matches (same
order); past its budget of entries, its match cap, the find/walk cap or the analysis deadline,
the command is indeterminate — never "allow", and never slow."""

from __future__ import annotations

import glob
import json
import os
import time

import pytest

from hookgate.shell import analyse, boundglob
from hookgate.shell import compound as W
from tests.conftest import run_hook


@pytest.fixture()
def tree(tmp_path):
    for d in ("a", "a/b", "a/.h", ".hid", "c d", "e[1]"):
        os.makedirs(tmp_path / d, exist_ok=True)
    for f in ("x.txt", "y.py", ".dot.txt", "a/z.txt", "a/b/w.py", "a/.h/q.txt", ".hid/k.txt", "c d/s p.txt",
              "e[1]/n.txt", "a/b/.env", "ab.txt"):
        (tmp_path / f).write_text("x")
    os.symlink("a", tmp_path / "link")
    return tmp_path


PATTERNS = ["*.txt", "*", ".*", "a/*", "*/*.txt", "a/**", "**/*.py", "**", "a/**/*.txt", "[ax]*", "?.txt",
            "*/", "a/b/.e*", "link/*", "c d/*", "e[[]1]/*", "nope/*", "*/*/*", "**/.env", "x.txt", "a/b/"]


@pytest.mark.parametrize("pat", PATTERNS)
@pytest.mark.parametrize("recursive", [False, True])
@pytest.mark.parametrize("hidden", [False, True])
def test_same_matches_as_glob(tree, pat, recursive, hidden):
    want = list(glob.iglob(pat, root_dir=str(tree), recursive=recursive, include_hidden=hidden))
    got = list(boundglob.iglob(pat, root_dir=str(tree), recursive=recursive, include_hidden=hidden))
    assert got == want
    absolute = os.path.join(str(tree), pat)
    assert list(boundglob.iglob(absolute, recursive=recursive, include_hidden=hidden)) == \
        list(glob.iglob(absolute, recursive=recursive, include_hidden=hidden))


def test_the_budget_ends_the_walk(tmp_path):
    for i in range(50):
        (tmp_path / f"f{i}.txt").write_text("")
    with pytest.raises(boundglob.GlobCap):
        list(boundglob.iglob(str(tmp_path / "*.log"), budget=boundglob.Budget(entries=20)))
    assert len(list(boundglob.iglob(str(tmp_path / "*.txt"), budget=boundglob.Budget(entries=60)))) == 50
    with pytest.raises(boundglob.GlobCap):  # a deadline already past
        list(boundglob.iglob(str(tmp_path / "*.log"), budget=boundglob.Budget(entries=5000, deadline=0.0)))


def _payload(project, command):
    return {"session_id": "s", "cwd": str(project), "hook_event_name": "PreToolUse", "tool_name": "Bash",
            "tool_input": {"command": command}}


def _decision(proc) -> str:
    out = proc.stdout.decode().strip()
    if not out:
        return "deny" if proc.returncode == 2 else "allow"
    return json.loads(out).get("hookSpecificOutput", {}).get("permissionDecision", "allow")


def _populate(d, n, names=()):
    os.makedirs(d)
    for i in range(n):
        os.close(os.open(os.path.join(d, f"f{i:06d}.txt"), os.O_CREAT | os.O_WRONLY, 0o644))
    for name in names:
        with open(os.path.join(d, name), "w") as f:
            f.write("-----BEGIN OPENSSH PRIVATE KEY-----\n")


def test_a_glob_over_a_huge_directory_is_indeterminate_and_quick(project, tmp_path):
    """Past the entry budget the glob is unknown: the read guard fails closed (the key file in
    there may be among the matches), in bounded CPU time."""
    d = os.path.join(str(project), "d")
    _populate(d, boundglob.MAX_ENTRIES + 2000, names=("id_rsa.txt",))
    t0 = time.process_time()
    a = analyse("cat d/*.txt", str(project), env={"HOME": str(tmp_path)})
    cpu = time.process_time() - t0
    assert a.indeterminate and any(x.path.endswith(W.GLOB_CAP_WORD) for x in a.accesses)
    assert cpu < 0.5, cpu  # ~5 ms of listing at rest; generous for a loaded CI machine
    assert _decision(run_hook(_payload(project, "cat d/*.txt"))) in ("deny", "ask")


def test_matches_past_the_match_cap_are_not_ignored(project, tmp_path):
    """300 matches, a key file past the first 200 in directory order: before, the first 200
    were judged and the rest dropped — the read of the key file was allowed. Now: indeterminate."""
    d = os.path.join(str(project), "d")
    _populate(d, 299)
    for k in range(200):  # a key file's name that the directory lists late (ext4: hash order)
        name = f"id_rsa{k}.txt"
        with open(os.path.join(d, name), "w") as f:
            f.write("-----BEGIN OPENSSH PRIVATE KEY-----\n")
        pos = [e.name for e in os.scandir(d)].index(name)
        if pos >= W.MAX_GLOB_MATCHES:
            break
        os.unlink(os.path.join(d, name))
    assert pos >= W.MAX_GLOB_MATCHES, pos  # the old code never looked at it
    a = analyse("cat d/*.txt", str(project), env={"HOME": str(tmp_path)})
    assert a.indeterminate and "more than 200 matches" in (a.parse_error or "")
    assert _decision(run_hook(_payload(project, "cat d/*.txt"))) in ("deny", "ask")


def test_a_small_glob_is_judged_file_by_file(project, tmp_path):
    d = os.path.join(str(project), "d")
    _populate(d, 20)
    a = analyse("cat d/*.txt", str(project), env={"HOME": str(tmp_path)})
    assert not a.indeterminate and sum(1 for x in a.accesses if x.resolved) == 20
    assert _decision(run_hook(_payload(project, "cat d/*.txt"))) == "allow"


def test_the_find_walk_cap_is_indeterminate_never_allow(project, tmp_path):
    """`find` over more entries than the engine walks (listing.MAX_WALK): what it prints is
    unknown, so what the loop reads is unknown — never allowed when it may be the key file."""
    from hookgate.shell import listing

    d = os.path.join(str(project), "d")
    _populate(d, listing.MAX_WALK + 500, names=("id_rsa.txt",))
    cmd = "for f in $(find d -name '*.txt'); do cat \"$f\"; done"
    assert _decision(run_hook(_payload(project, cmd))) in ("deny", "ask")


def test_the_analysis_deadline_is_indeterminate_never_allow(project, tmp_path, monkeypatch):
    a = analyse("cat README.md; " * 50 + "cat ~/.ssh/id_rsa", str(project), env={"HOME": str(tmp_path)},
                time_cap=0.0)
    assert a.indeterminate
    assert any(not x.resolved and x.mode == "read" for x in a.accesses)
