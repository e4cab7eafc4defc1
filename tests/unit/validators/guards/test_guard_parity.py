"""ADR 0008/0009 parity: for every protected path, the Write/Edit/Read tool verdict equals
the verdict of the shell command doing the same thing (action-scoped, not tool-scoped)."""

from __future__ import annotations

import pytest

from tests.unit.validators.guards.helpers import decide

# (path relative to root, or ~/…)
PATHS = [
    ".env", ".env.local", ".env.example", "secrets/db.txt", "certs/server.pem", "certs/server.key",
    "deploy/id_rsa", "deploy/id_rsa.pub", "envlink", "vault/db.txt", "sshdir/id_rsa",
    "~/.ssh/id_rsa", "~/.ssh/id_rsa.pub", "~/.ssh/authorized_keys", "~/.ssh/config", "~/.aws/credentials",
    "~/.aws/config", "~/.netrc", "~/.kube/config", "~/.docker/config.json", "~/.config/gcloud/credentials.db",
    ".github/workflows/ci.yml", ".gitlab-ci.yml", "package-lock.json", "README.md", "src/app.py",
]


def _abs(p, root, home):
    return f"{home}/{p[2:]}" if p.startswith("~/") else f"{root}/{p}"


@pytest.mark.parametrize("rel", PATHS)
def test_read_parity(guarded, rel):
    root, home = guarded
    path = _abs(rel, root, home)
    tool, _, _ = decide(root, home, "Read", {"file_path": path}, session="par-r1")
    for cmd in (f"cat '{path}'", f"head -c 100 '{path}'", f"cp '{path}' /tmp/hookgate-parity-copy"):
        shell, reason, _ = decide(root, home, "Bash", {"command": cmd}, session="par-r2")
        assert shell == tool, f"Read {rel}: {tool}; `{cmd}`: {shell} ({reason})"


@pytest.mark.parametrize("rel", PATHS)
def test_write_parity(guarded, rel):
    root, home = guarded
    path = _abs(rel, root, home)
    tool, _, _ = decide(root, home, "Write", {"file_path": path, "content": "x"}, session="par-w1")
    edit, _, _ = decide(root, home, "Edit", {"file_path": path, "old_string": "a", "new_string": "b"}, session="par-w1")
    assert edit == tool
    for cmd in (f"echo x > '{path}'", f"tee '{path}' < /dev/null", f"cp /dev/null '{path}'"):
        shell, reason, _ = decide(root, home, "Bash", {"command": cmd}, session="par-w2")
        assert shell == tool, f"Write {rel}: {tool}; `{cmd}`: {shell} ({reason})"
