"""ADR 0008 item 6: the hook reads list files now to know what a pipe carries — never a
protected file, never a pseudo file, never a FIFO (it would hang), never past MAX_READ, and
never a file the command itself writes first. Through the real hook code, with the ledger.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

from hookgate.shell import analyse
from hookgate.shell.listing import MAX_READ
from tests.unit.validators.guards.helpers import decide, fresh_project, guard_outcome

SECRETS = ("sk-live-123", "hunter2", "API_KEY", "DB_PASSWORD", "postgres://")


@pytest.fixture()
def project(tmp_path):
    return fresh_project(tmp_path)


def _ledger(root) -> str:
    with open(os.path.join(str(root), ".git", "hookgate", "ledger.jsonl"), encoding="utf-8") as f:
        return f.read()


@pytest.mark.parametrize("cmd", [
    "xargs -a .env touch", "touch $(cat .env)", "while read x; do touch \"$x\"; done < .env",
    "cat .env.local | xargs touch", "cat envlink | xargs mkdir", "mkdir $(< config.txt)",
    "xargs -a secrets/db.txt touch", "for f in $(cat ~/.netrc); do touch $f; done",
    "sed 's/=/ /' .env | xargs touch", "awk -F= '{print $2}' .env | xargs touch",
])
def test_protected_content_never_reaches_the_ledger(project, cmd):
    root, home = project
    label, reason, rec = decide(root, home, "Bash", {"command": cmd}, session="leak")
    assert label == "deny", (cmd, reason)
    text = _ledger(root)
    for s in SECRETS:
        assert s not in text, f"{cmd!r} put {s!r} in the ledger"
        assert s not in reason


def test_list_file_read_now_decides(project):
    root, home = project
    assert decide(root, home, "Bash", {"command": "cat files.txt | xargs rm -f"})[0] == "allow"
    label, reason, rec = decide(root, home, "Bash", {"command": "cat list.txt | xargs rm -f"})
    assert label == "deny" and guard_outcome(rec) == "block"
    assert ".env" in reason and "cannot tell" not in reason  # determinate: the file said .env


def test_a_file_the_command_writes_first_is_not_read(project):
    root, home = project
    # files.txt is benign now, but the command rewrites it before (or while) it is read
    for cmd in ("echo .env > files.txt; cat files.txt | xargs cat",
                "cat files.txt | (echo .env > files.txt; xargs cat)",
                "cp list.txt files.txt && xargs -a files.txt cat",
                "./gen.sh; xargs -a files.txt cat"):
        label, reason, _ = decide(root, home, "Bash", {"command": cmd})
        assert label == "deny", (cmd, reason)


def test_pseudo_files_and_fifos_are_never_read(project):
    root, home = project
    fifo = os.path.join(str(root), "pipe")
    os.mkfifo(fifo)
    t0 = time.monotonic()
    for cmd in ("cat pipe | xargs cat", "xargs -a /proc/self/environ touch", "xargs -a /dev/stdin cat",
                "cat /proc/self/cmdline | xargs touch", "while read f; do cat $f; done < pipe"):
        label, reason, _ = decide(root, home, "Bash", {"command": cmd})
        assert label == "deny", (cmd, reason)
        assert "cannot tell" in reason
    assert time.monotonic() - t0 < 10  # a FIFO opened for reading would block for ever


def test_big_files_are_not_read(project):
    root, home = project
    with open(os.path.join(str(root), "big.txt"), "w") as f:
        f.write("notes.txt\n" * (MAX_READ // 10 + 1))
    label, reason, _ = decide(root, home, "Bash", {"command": "cat big.txt | xargs rm -f"})
    assert label == "deny" and "cannot tell" in reason


def test_no_predicate_no_read(tmp_path):
    (tmp_path / "l").write_text("a\n")
    res = analyse("cat l | xargs rm", str(tmp_path), home=str(tmp_path))
    assert [a.path for a in res.accesses if a.mode == "delete"] == ["$(xargs input)"]
    res = analyse("cat l | xargs rm", str(tmp_path), home=str(tmp_path), may_read=lambda p: True)
    assert [a.path for a in res.accesses if a.mode == "delete"] == [str(tmp_path / "a")]
    res = analyse("cat l | xargs rm", str(tmp_path), home=str(tmp_path), may_read=lambda p: False)
    assert [a.path for a in res.accesses if a.mode == "delete"] == ["$(xargs input)"]


def test_concurrent_rewrite_is_never_half_read(tmp_path):
    """A list file rewritten while the hook reads it: the hook sees a whole version or
    refuses (size changed), never a torn mix taken for the truth."""
    p = tmp_path / "l"
    p.write_text("a\n" * 1000)
    stop = threading.Event()

    def churn():
        i = 0
        while not stop.is_set():
            p.write_text(("b\n" if i % 2 else "a\n") * (1000 + i % 7))
            i += 1

    th = threading.Thread(target=churn)
    th.start()
    try:
        for _ in range(200):
            res = analyse("cat l | xargs rm", str(tmp_path), home=str(tmp_path), may_read=lambda q: True)
            paths = {a.path for a in res.accesses if a.mode == "delete"}
            assert paths <= {str(tmp_path / "a"), str(tmp_path / "b"), "$(xargs input)"}
    finally:
        stop.set()
        th.join()
