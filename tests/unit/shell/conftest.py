"""A fixture tree the labelled corpus runs against (never the real $HOME)."""

from __future__ import annotations

import os

import pytest

FILES = [
    ".env", "README.md", "notes.md", "a.txt", "b.txt", "list.txt", "script.sh", "script.py", "script.sed",
    "prog.awk", "data.json", "fix.patch", "0001.patch", "x.tgz", "archive.zip", "data.gz", "f.xz", "x",
    "src/main.py", "src/util.py", "sub/keep.txt", ".claude/settings.json", ".hookgate/rollout.yaml",
    "secrets/key.pem", "conf/app.yaml",
]


def build_tree(base) -> tuple[str, str]:
    cwd = os.path.join(str(base), "w", "proj")
    home = os.path.join(str(base), "home")
    for rel in FILES:
        p = os.path.join(cwd, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write("x\n")
    os.makedirs(os.path.join(home, ".claude"), exist_ok=True)
    # a repository of its own: `git show HEAD:x` names a file of this tree, whatever `.git` an
    # ancestor directory (say a stray /tmp/.git) may hold
    os.makedirs(os.path.join(cwd, ".git"), exist_ok=True)
    os.symlink(os.path.join(cwd, ".env"), os.path.join(cwd, "link"))
    return cwd, home


@pytest.fixture(scope="session")
def tree(tmp_path_factory):
    return build_tree(tmp_path_factory.mktemp("shelltree"))
