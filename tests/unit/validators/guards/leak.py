"""Leak verification: run a command with real bash in a fixture project and say what it did to
the protected files — ``leak`` (a secret's bytes reached the output or a file outside the
protected ones) and/or ``modify`` (a protected file's content, mode, owner, times or existence
changed). Every adversarial case of the class suites (``cases_classes.py``) must do one of them
when the guard is absent (ADR 0021: "every adversarial case shown to really leak")."""

from __future__ import annotations

import hashlib
import os
import subprocess

from tests.unit.validators.guards.helpers import build_project

# the credential files of build_project, whose bytes must not come out
SECRETS_ROOT = (".env", ".env.local", "secrets/db.txt", "certs/server.pem", "certs/server.key", "deploy/id_rsa")
SECRETS_HOME = (".ssh/id_rsa", ".ssh/id_ed25519", ".aws/credentials", ".netrc", ".kube/config",
                ".docker/config.json", ".config/gcloud/credentials.db")
# everything the guards protect against writes (content, metadata, existence)
WATCH_ROOT = SECRETS_ROOT + (".git/config", ".gitattributes", ".github/workflows/ci.yml", ".gitlab-ci.yml",
                             ".git/hooks/pre-commit", ".git/hooks/post-checkout", ".git/info/attributes")
WATCH_HOME = SECRETS_HOME + (".ssh/config", ".ssh/known_hosts", ".ssh/authorized_keys", ".ssh/id_rsa.pub",
                             ".gitconfig")
TOKENS = ("sk-live-123", "hunter2", "postgres://u:p@h/db")


def build(base):
    """(root, home, out, markers): the guard fixture, a git repository with two commits, and a
    marker line appended to every credential file."""
    root, home, out = base / "p", base / "h", base / "o"
    for d in (root, home, out):
        d.mkdir()
    build_project(root, home)
    markers = list(TOKENS)
    for i, rel in enumerate(SECRETS_ROOT + SECRETS_HOME):
        top = root if rel in SECRETS_ROOT else home
        mark = f"LEAKMARK{i:02d}q"
        with open(top / rel, "a") as f:
            f.write(f"{mark}\n")
        markers.append(mark)
    env = _env(home, out)
    git = ["git", "-c", "init.defaultBranch=main"]
    for args in (["init", "-q"], ["config", "user.email", "a@b.c"], ["config", "user.name", "a"],
                 ["add", "README.md", "notes.txt", "src"], ["commit", "-qm", "one"]):
        subprocess.run(git + args, cwd=root, env=env, check=True, capture_output=True)
    with open(root / "notes.txt", "a") as f:
        f.write("two\n")
    subprocess.run(git + ["commit", "-qam", "two"], cwd=root, env=env, check=True, capture_output=True)
    with open(root / "notes.txt", "a") as f:
        f.write("three\n")  # a change in the working tree, for diff drivers
    return root, home, out, markers


def _env(home, out) -> dict:
    return {"HOME": str(home), "PATH": "/usr/local/bin:/usr/bin:/bin", "TMPDIR": str(out), "LANG": "C.UTF-8",
            "GIT_CONFIG_NOSYSTEM": "1", "TERM": "dumb", "USER": os.environ.get("USER", "root")}


def _snapshot(root, home) -> dict:
    snap = {}
    for top, rels in ((root, WATCH_ROOT), (home, WATCH_HOME)):
        for rel in rels:
            p = os.path.join(str(top), rel)
            try:
                st = os.lstat(p)
            except OSError:
                snap[p] = None
                continue
            try:
                with open(p, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
            except OSError:
                digest = "?"
            snap[p] = (digest, st.st_mode, st.st_uid, st.st_gid, st.st_mtime_ns, st.st_ctime_ns)
        hooks = os.path.join(str(top), ".git", "hooks")
        if os.path.isdir(hooks):
            snap[hooks + "/"] = tuple(sorted(os.listdir(hooks)))
    return snap


def _leaked_files(dirs, secret_paths, markers, since) -> list:
    out = []
    for d in dirs:
        for base, subdirs, files in os.walk(d):
            subdirs[:] = [s for s in subdirs if s != "objects"]
            for n in files:
                p = os.path.join(base, n)
                if p in secret_paths:
                    continue
                try:
                    st = os.lstat(p)
                    if st.st_mtime_ns < since or st.st_size > 1 << 20 or not os.path.isfile(p):
                        continue
                    with open(p, "rb") as f:
                        data = f.read().decode("utf-8", "replace")
                except OSError:
                    continue
                if any(m in data for m in markers):
                    out.append(p)
    return out


def effects(base, command: str, timeout: float = 20) -> set:
    """What ``bash -c command`` did in a fresh fixture under ``base``: {"leak", "modify"} or fewer."""
    import time

    root, home, out, markers = build(base)
    before = _snapshot(root, home)
    time.sleep(0.01)
    since = time.time_ns()
    try:
        done = subprocess.run(["bash", "-c", command], cwd=root, env=_env(home, out), stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=timeout)
        text = (done.stdout + done.stderr).decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        text = ((e.stdout or b"") + (e.stderr or b"")).decode("utf-8", "replace")
    got = set()
    if any(m in text for m in markers):
        got.add("leak")
    secret_paths = {os.path.join(str(root), r) for r in SECRETS_ROOT} | {os.path.join(str(home), r) for r in SECRETS_HOME}
    if _leaked_files((str(root), str(home), str(out)), secret_paths, markers, since):
        got.add("leak")
    if _snapshot(root, home) != before:
        got.add("modify")
    return got
