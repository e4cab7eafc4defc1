"""A project and a HOME full of secrets, and the two ways to run a command in it: plain bash
(ground truth: the attack must really leak) and under ``hookgate run`` (it must not)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys

HOOKGATE = os.path.join(os.path.dirname(sys.executable), "hookgate")
VENV_BIN = os.path.dirname(sys.executable)
MARK = "LEAKMARK"

# relative to the project (no prefix) or to HOME (~/) -> content (each holds MARK)
SECRETS = {
    ".env": f"API_KEY={MARK}_env_1\nDB_PASSWORD=hunter2\n",
    ".env.local": f"TOKEN={MARK}_envlocal_2\n",
    ".env.production": f"TOKEN={MARK}_envprod_3\n",
    "pkg/.env": f"NESTED={MARK}_nested_4\n",
    "server.pem": f"-----BEGIN PRIVATE KEY-----\n{MARK}_pem_5\n-----END PRIVATE KEY-----\n",
    "deploy.key": f"{MARK}_key_6\n",
    "secrets/token.txt": f"{MARK}_secretsdir_7\n",
    "secrets/sub/deep.txt": f"{MARK}_secretsdeep_8\n",
    "dir with space/.env": f"SPACE={MARK}_space_9\n",
    "~/.ssh/id_ed25519": f"-----BEGIN OPENSSH PRIVATE KEY-----\n{MARK}_ssh_10\n",
    "~/.aws/credentials": f"[default]\naws_secret_access_key={MARK}_aws_11\n",
    "~/.config/gcloud/application_default_credentials.json": f'{{"secret":"{MARK}_gcloud_12"}}\n',
    "~/.netrc": f"machine example.com login u password {MARK}_netrc_13\n",
    "~/.docker/config.json": f'{{"auths":{{"x":{{"auth":"{MARK}_docker_14"}}}}}}\n',
    "~/.kube/config": f"token: {MARK}_kube_15\n",
}
PLAIN = {
    "README.md": "# demo project\n",
    ".env.example": "API_KEY=\nDB_PASSWORD=\n",
    "src/app.py": "def add(a, b):\n    return a + b\n",
    "tests/test_app.py": "import sys, os\nsys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'src'))\n"
    "from app import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n",
    "Makefile": "build:\n\t@echo building\n\t@mkdir -p build && cp src/app.py build/\n",
    "package.json": '{"name": "demo", "version": "1.0.0", "scripts": {"hello": "echo hello-from-npm"}}\n',
    "~/.ssh/id_ed25519.pub": "ssh-ed25519 AAAA demo@host\n",
    "~/.ssh/known_hosts": "example.com ssh-ed25519 AAAA\n",
    "~/.ssh/config": "Host example\n  User demo\n",
    "~/.gitconfig": "[user]\n\tname = Demo\n\temail = demo@example.com\n",
}
# hookgate's own places, written by the fixture: their bytes must not change under the floor
OWN = {
    ".claude/settings.json": '{"hooks": {}}\n',
    ".gemini/settings.json": "{}\n",
    ".git/hookgate/ledger.jsonl": '{"seq": 0}\n',
}


def make_project(base: str, home: str) -> str:
    """Create ``base/proj`` (a git repository with one commit) and fill *home*."""
    root = os.path.join(base, "proj")
    os.makedirs(root, exist_ok=True)
    env = run_env(home, base)
    subprocess.run(["git", "init", "-q", "-b", "main", root], check=True, env=env)
    for rel, text in {**SECRETS, **PLAIN, **OWN}.items():
        p = os.path.join(home, rel[2:]) if rel.startswith("~/") else os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
    os.makedirs(os.path.join(root, ".hookgate"), exist_ok=True)
    with open(os.path.join(root, ".gitignore"), "w") as f:
        f.write(".env\n.env.*\n!.env.example\n*.pem\n*.key\nsecrets/\npkg/.env\ndir with space/\nbuild/\n__pycache__/\n.pytest_cache/\n")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", "init"], cwd=root, check=True, env=env)
    return root


def run_env(home: str, base: str) -> dict:
    tmp = os.path.join(base, "tmp")
    os.makedirs(tmp, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOOKGATE_", "CLAUDE", "GEMINI", "CURSOR", "PYTEST", "GIT_"))}
    env.update(
        HOME=home, TMPDIR=tmp, LC_ALL="C.UTF-8", PATH=VENV_BIN + os.pathsep + env.get("PATH", "/usr/bin:/bin"),
        GIT_AUTHOR_NAME="Demo", GIT_AUTHOR_EMAIL="demo@example.com", GIT_COMMITTER_NAME="Demo",
        GIT_COMMITTER_EMAIL="demo@example.com", GIT_CONFIG_NOSYSTEM="1", npm_config_update_notifier="false",
        npm_config_cache=os.path.join(tmp, "npm-cache"), PYTHONDONTWRITEBYTECODE="1",
        XDG_DATA_HOME=os.path.join(home, ".local", "share"), XDG_CONFIG_HOME=os.path.join(home, ".config"),
    )
    return env


def run(cmd: str, root: str, env: dict, floor: bool, timeout: float = 60) -> subprocess.CompletedProcess:
    argv = ["bash", "-c", cmd]
    if floor:
        argv = [HOOKGATE, "run", "--", *argv]
    return subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True, timeout=timeout,
                          encoding="utf-8", errors="replace",
                          stdin=subprocess.DEVNULL)


def protected_state(root: str, home: str) -> dict:
    """Bytes of every protected file and the listing of every protected directory."""
    out = {}
    for rel in list(SECRETS) + list(OWN) + [p for p in PLAIN if p.startswith("~/.ssh/")]:
        p = os.path.join(home, rel[2:]) if rel.startswith("~/") else os.path.join(root, rel)
        try:
            with open(p, "rb") as f:
                out[rel] = hashlib.sha256(f.read()).hexdigest()
        except OSError as e:
            out[rel] = f"missing ({e.errno})"
    for d in ("secrets", ".hookgate", ".git/hookgate", ".claude", "~/.ssh", "~/.aws", "~/.config/gcloud"):
        p = os.path.join(home, d[2:]) if d.startswith("~/") else os.path.join(root, d)
        try:
            out[d + "/"] = sorted(n for n in os.listdir(p) if not n.startswith(("config.json", "config-error")))
        except OSError:
            out[d + "/"] = None
    return out


def leaked(p: subprocess.CompletedProcess, extra_files=()) -> bool:
    text = (p.stdout or "") + (p.stderr or "")
    for f in extra_files:
        try:
            with open(f, encoding="utf-8", errors="replace") as fh:
                text += fh.read()
        except OSError:
            pass
    return MARK in text


def have(tool: str) -> bool:
    return shutil.which(tool) is not None
