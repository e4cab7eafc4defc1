"""Path facts shared by every tool, the shell engine and every validator.

One normalisation for all routes (docs/architecture.md, "Paths"): resolve against the event's
cwd, normalise ``..``, expand ``~``/``$HOME``, follow symlinks. A symlink to ``.env`` *is*
``.env``. Also where a project keeps its config and its state.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from typing import Any, Mapping

STATE_ENV = "HOOKGATE_STATE_DIR"


def home_dir(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    return env.get("HOME") or os.path.expanduser("~")


def expand_home(path: str, home: str) -> str:
    if path == "~" or path.startswith("~/"):
        return home + path[1:]
    if path == "$HOME" or path.startswith("$HOME/"):
        return home + path[5:]
    if path == "${HOME}" or path.startswith("${HOME}/"):
        return home + path[7:]
    return path


def normalize(path: str, cwd: str, home: str | None = None) -> str:
    """Absolute, ``..``-free path; no filesystem access (symlinks untouched)."""
    if home is None:
        home = home_dir()
    if path.startswith("file://"):
        path = path[7:]
    path = expand_home(path, home)
    if not os.path.isabs(path):
        path = os.path.join(cwd or "/", path)
    return os.path.normpath(path).replace("//", "/")


def resolve(path: str, cwd: str, home: str | None = None) -> str:
    """Normalise, then follow symlinks of every existing component (realpath)."""
    p = normalize(path, cwd, home)
    try:
        return os.path.realpath(p)
    except (OSError, ValueError):
        return p


def both_forms(path: str, cwd: str, home: str | None = None) -> tuple[str, ...]:
    """The normalised path and, when different, its symlink-resolved target.

    Policy matching checks both: the name the agent used and the file it lands on.
    """
    n = normalize(path, cwd, home)
    try:
        r = os.path.realpath(n)
    except (OSError, ValueError):
        r = n
    return (n,) if r == n else (n, r)


def find_project_root(cwd: str) -> str:
    """The project a directory belongs to (ADR 0019).

    Inside a git repository: the nearest ancestor holding ``.hookgate/`` below the repository
    root, else the repository root (the nearest ``.git``). Outside one: the nearest ancestor
    holding ``.hookgate/`` (what ``hookgate init`` made), else *cwd* itself. The walk never
    reaches the home directory or climbs past it, and never reaches ``/``: a ``~/.git`` (a
    dotfiles repository) or a stray ``~/.hookgate``/``/.hookgate`` does not turn every directory
    under it into one project (whose "project" wiring would be the user's own files).
    """
    d = os.path.abspath(cwd or os.getcwd())
    home = home_dir()
    stops = {"/"}
    if home and home != "/":
        h = os.path.abspath(home)
        stops.add(h)
        try:
            stops.add(os.path.realpath(h))
        except (OSError, ValueError):
            pass
    marked = ""
    probe = d
    while True:
        if os.path.exists(os.path.join(probe, ".git")):
            return marked or probe
        if not marked and os.path.isdir(os.path.join(probe, ".hookgate")):
            marked = probe
        parent = os.path.dirname(probe)
        if parent == probe or probe in stops or parent in stops:
            return marked or d
        probe = parent


# Where each platform says the session's project is (ADR 0018): env the platform sets for the
# hook process, never a payload field the model fills. Unknown platforms use the generic names.
PROJECT_ENV = {
    "claude-code": ("CLAUDE_PROJECT_DIR",),
    "gemini-cli": ("GEMINI_PROJECT_DIR", "CLAUDE_PROJECT_DIR"),
    "cursor": ("CURSOR_PROJECT_DIR", "CLAUDE_PROJECT_DIR"),
    "qwen-code": ("QWEN_PROJECT_DIR",),
    # these run the hook in the session's directory and set no project env: the process cwd
    "codex": (),
    "copilot-cli": (),
    "opencode": (),
}
GENERIC_PROJECT_ENV = ("CLAUDE_PROJECT_DIR",)


def governed_base(platform: str, env: Mapping[str, str], workspace_roots: Any = (), hint: str = "",
                  proc_cwd: str = "") -> str:
    """The directory the governed project is found from (ADR 0018), from what the platform
    controls only: a workspace root the platform listed (Cursor ``workspace_roots``; the one
    holding *hint* when there are several), the platform's project-dir env, else the hook
    process's own cwd as the platform started it. Never the payload's ``cwd``/``dir_path``."""
    roots = [os.path.normpath(r) for r in workspace_roots or () if isinstance(r, str) and os.path.isabs(r)]
    if roots:
        if hint and os.path.isabs(hint):
            h = os.path.normpath(hint)
            for r in sorted(roots, key=len, reverse=True):
                if is_under(h, r):
                    return r
        return roots[0]
    for name in PROJECT_ENV.get(platform, GENERIC_PROJECT_ENV):
        v = env.get(name)
        if isinstance(v, str) and os.path.isabs(v):
            return os.path.normpath(v)
    if proc_cwd:
        return proc_cwd
    try:
        return os.getcwd()
    except OSError:  # the cwd was removed under us: nothing governs but the filesystem root
        return "/"


def governed_root(platform: str, env: Mapping[str, str], workspace_roots: Any = (), hint: str = "",
                  proc_cwd: str = "") -> str:
    """The governed project root: :func:`find_project_root` from :func:`governed_base`."""
    return find_project_root(governed_base(platform, env, workspace_roots, hint, proc_cwd))


def git_common_dir(project_root: str) -> str | None:
    """The git common dir of a checkout (shared by all worktrees), without running git."""
    dot_git = os.path.join(project_root, ".git")
    if os.path.isdir(dot_git):
        return dot_git
    if not os.path.isfile(dot_git):
        return None
    try:
        with open(dot_git, encoding="utf-8") as f:
            line = f.readline().strip()
    except OSError:
        return None
    if not line.startswith("gitdir:"):
        return None
    gitdir = line[7:].strip()
    if not os.path.isabs(gitdir):
        gitdir = os.path.normpath(os.path.join(project_root, gitdir))
    try:
        with open(os.path.join(gitdir, "commondir"), encoding="utf-8") as f:
            common = f.readline().strip()
    except OSError:
        return gitdir
    if not os.path.isabs(common):
        common = os.path.normpath(os.path.join(gitdir, common))
    return common


def git_location_files(project_root: str) -> list[str]:
    """The files :func:`git_common_dir` reads to find the common dir (so that rewriting them,
    which would move the state dir, can be refused): ``.git`` and, for a worktree, its git
    dir's ``commondir``."""
    dot_git = os.path.join(project_root, ".git")
    out = [dot_git, os.path.join(dot_git, "commondir")]
    if os.path.isfile(dot_git):
        try:
            with open(dot_git, encoding="utf-8") as f:
                line = f.readline().strip()
        except OSError:
            return out
        if line.startswith("gitdir:"):
            gitdir = line[7:].strip()
            if not os.path.isabs(gitdir):
                gitdir = os.path.normpath(os.path.join(project_root, gitdir))
            out.append(os.path.join(gitdir, "commondir"))
    return out


def state_dir(project_root: str, env: Mapping[str, str] | None = None) -> str:
    """``<git common dir>/hookgate``; outside git ``.hookgate/state``."""
    env = os.environ if env is None else env
    override = env.get(STATE_ENV)
    if override:
        out = os.path.abspath(override)
    else:
        common = git_common_dir(project_root)
        out = os.path.join(common, "hookgate") if common else os.path.join(project_root, ".hookgate", "state")
    _note_root(out, project_root)
    return out


def _note_root(state: str, project_root: str) -> None:
    """Which checkout's ``.hookgate/state.yaml`` governs *state* (its backend: ADR 0028)."""
    from hookgate.state.backend import note_root

    note_root(state, project_root)


def open_regular(path: str) -> int | None:
    """A read-only descriptor of *path* when it is a regular file, else None (ADR 0018 item 5).

    Path fields the hook opens come from the model: ``O_NONBLOCK`` so a FIFO (or a device)
    cannot hang the open, ``O_NOCTTY``, and ``fstat`` after the open (no race with a swap) to
    refuse anything but a regular file. Reads from a regular file never block."""
    import stat

    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except (OSError, ValueError):
        return None
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return fd
    except OSError:
        pass
    os.close(fd)
    return None


def read_regular(path: str, limit: int) -> bytes | None:
    """At most *limit* bytes of a regular file (see :func:`open_regular`); None when it is not
    one, cannot be read, or is larger than *limit*."""
    fd = open_regular(path)
    if fd is None:
        return None
    try:
        if os.fstat(fd).st_size > limit:
            return None
        chunks, n = [], 0
        while n <= limit:
            b = os.read(fd, min(1 << 20, limit + 1 - n))
            if not b:
                break
            chunks.append(b)
            n += len(b)
        return None if n > limit else b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def config_dir(project_root: str) -> str:
    return os.path.join(project_root, ".hookgate")


def is_under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")
