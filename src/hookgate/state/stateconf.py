"""``.hookgate/state.yaml``: which state backend a repository uses (ADR 0028). Stdlib, hot path.

The file is committed (every clone and worktree reads the same choice)::

    backend: postgres          # or files (the default when the file is absent)
    database: hookgate
    host: db.internal          # a host name or address; a path is a Unix socket directory
    port: 5432
    user: hookgate             # the password is never here: see credentials below
    repository: 3f0c…          # this repository's identity in the shared database
    connect_timeout: 2         # seconds (libpq's minimum is 2)
    statement_timeout_ms: 1500

Only this flat subset of YAML is read (``key: scalar`` lines and comments), by a parser that is
linear in the file's size: the hot path never imports a YAML library (ADR 0017). Anything else
is refused — and a refused file means the shared state cannot be reached, which fails closed
for what needs it (ADR 0028), never "files" by accident.

Credentials are never in this file nor in any environment variable the agent can set for the
hook: the decision server (the only process that talks to the database) reads libpq's password
file ``$XDG_CONFIG_HOME/hookgate/pgpass`` (else ``~/.config/hookgate/pgpass``), else the
``PGPASSFILE`` of *its own* environment, else ``~/.pgpass``.
"""

from __future__ import annotations

import os

from hookgate.errors import HookgateError

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from collections.abc import Mapping
    from typing import Any

NAME = "state.yaml"
MAX_BYTES = 16384
BACKENDS = ("files", "postgres")
KEYS = {"backend": str, "database": str, "host": str, "port": int, "user": str, "repository": str,
        "connect_timeout": int, "statement_timeout_ms": int, "sslmode": str, "synchronous_commit": str}
DEFAULTS = {"backend": "files", "port": 5432, "connect_timeout": 2, "statement_timeout_ms": 1500,
            "synchronous_commit": "on"}
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/@")


class StateConfigError(HookgateError, ValueError):
    """state.yaml exists but cannot be used: what needs shared state is denied (ADR 0028)."""


def path_of(project_root: str) -> str:
    return os.path.join(project_root, ".hookgate", NAME)


def _scalar(raw: str) -> str:
    v = raw.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
        return v[1:-1]
    return v


def parse(text: str, where: str = NAME) -> dict[str, Any]:
    """The flat mapping of *text* (see the module doc); StateConfigError for anything else."""
    out: dict[str, Any] = {}
    for n, line in enumerate(text.splitlines(), 1):
        s = line.split(" #", 1)[0].rstrip() if not line.lstrip().startswith("#") else ""
        if not s.strip() or s.strip() == "---":
            continue
        if s[0] in " \t-":
            raise StateConfigError(f"{where}:{n}: only top-level `key: value` lines are allowed")
        k, sep, v = s.partition(":")
        k = k.strip()
        if not sep or k not in KEYS:
            raise StateConfigError(f"{where}:{n}: unknown key {k!r} (allowed: {', '.join(sorted(KEYS))})")
        if k in out:
            raise StateConfigError(f"{where}:{n}: {k} given twice")
        val: str | int = _scalar(v)
        if KEYS[k] is int:
            try:
                val = int(val)
            except ValueError:
                raise StateConfigError(f"{where}:{n}: {k} must be a whole number, got {val!r}") from None
            if val <= 0:
                raise StateConfigError(f"{where}:{n}: {k} must be positive")
        elif not val:
            raise StateConfigError(f"{where}:{n}: {k} is empty")
        out[k] = val
    return validate(out, where)


def validate(conf: dict[str, Any], where: str = NAME) -> dict[str, Any]:
    out: dict[str, Any] = dict(DEFAULTS)
    out.update(conf)
    if out["backend"] not in BACKENDS:
        raise StateConfigError(f"{where}: backend must be one of {', '.join(BACKENDS)}, got {out['backend']!r}")
    if out["backend"] == "postgres":
        for k in ("database", "host", "repository"):
            if not out.get(k):
                raise StateConfigError(f"{where}: backend postgres needs `{k}:`")
        repo = str(out["repository"])
        if not all(c in _ID_CHARS for c in repo) or len(repo) > 200:
            raise StateConfigError(f"{where}: repository must be a plain identifier (letters, digits, -_.:/@)")
        if out["synchronous_commit"] not in ("on", "off", "local", "remote_write", "remote_apply"):
            raise StateConfigError(f"{where}: synchronous_commit must be on, off, local, remote_write or remote_apply")
    return out


_CACHE: dict[str, tuple[tuple[int, int, int], dict[str, Any]]] = {}


def load(project_root: str) -> dict[str, Any]:
    """The project's state config ({"backend": "files", …} when there is none). Cached by the
    file's (mtime, size, inode), so the decision server re-reads it only when it changes."""
    p = path_of(project_root)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        return dict(DEFAULTS)
    except OSError as e:
        raise StateConfigError(f"{p}: cannot be read ({e.strerror})") from None
    sig = (st.st_mtime_ns, st.st_size, st.st_ino)
    hit = _CACHE.get(p)
    if hit is not None and hit[0] == sig:
        return hit[1]
    if st.st_size > MAX_BYTES:
        raise StateConfigError(f"{p}: larger than {MAX_BYTES} bytes")
    try:
        with open(p, "rb") as f:
            text = f.read(MAX_BYTES + 1).decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise StateConfigError(f"{p}: cannot be read ({type(e).__name__})") from None
    conf = parse(text, p)
    _CACHE[p] = (sig, conf)
    return conf


def render(conf: dict[str, Any]) -> str:
    """state.yaml text for *conf* (what `hookgate state use` writes)."""
    lines = ["# hookgate's state backend (ADR 0028). Committed: every clone uses the same.",
             "# Credentials are not here: the decision server reads ~/.config/hookgate/pgpass."]
    for k in KEYS:
        if k in conf and conf[k] not in (None, ""):
            if k != "backend" and conf.get("backend") == "files":
                continue
            lines.append(f"{k}: {conf[k]}")
    return "\n".join(lines) + "\n"


def passfile(env: Mapping[str, str]) -> str | None:
    """The password file the server hands libpq (from the *server's* environment)."""
    cfg = env.get("XDG_CONFIG_HOME") or os.path.join(env.get("HOME") or os.path.expanduser("~"), ".config")
    own = os.path.join(cfg, "hookgate", "pgpass")
    if os.path.isfile(own):
        return own
    given = env.get("PGPASSFILE")
    if given and os.path.isfile(given):
        return given
    home = os.path.join(env.get("HOME") or os.path.expanduser("~"), ".pgpass")
    return home if os.path.isfile(home) else None
