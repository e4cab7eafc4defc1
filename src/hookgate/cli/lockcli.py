"""``hookgate lock append FILE --record JSON [--timeout 2s]``: the lean path (ADR 0013).

Agents call this often, so it never imports typer: ``__main__`` dispatches here before the
CLI. One whole JSON line is appended under an exclusive ``flock`` (``hookgate.state.locks``).

Exit codes: 0 appended; 2 usage or a record that is not JSON; 75 (EX_TEMPFAIL) the file
stayed locked for the whole timeout — the message names the holder; 1 any other OS error.
"""

from __future__ import annotations

import os
import sys

from hookgate.errors import EXIT_BUSY

USAGE = (
    "usage: hookgate lock append FILE --record JSON [--timeout 2s] [--session ID]\n"
    "  Append JSON (one value; '-' reads it from stdin) to FILE as one line, under an fcntl lock.\n"
    "  --timeout  give up after this long (e.g. 2s, 500ms, 1.5); default 2s\n"
)
EX_BUSY = EXIT_BUSY  # 75 (EX_TEMPFAIL): a lock held by someone else


def parse_duration(text: str) -> float:
    """'2s' / '500ms' / '1.5' / '2m' → seconds."""
    t = text.strip().lower()
    scale = 1.0
    for suffix, mult in (("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)):
        if t.endswith(suffix):
            t, scale = t[: -len(suffix)], mult
            break
    value = float(t) * scale
    if not value >= 0 or value != value:
        raise ValueError(text)
    return value


def _args(argv: list[str]) -> dict:
    out = {"file": None, "record": None, "timeout": "2s", "session": ""}
    i = 0
    while i < len(argv):
        a = argv[i]
        key = None
        for opt in ("record", "timeout", "session"):
            if a == f"--{opt}":
                if i + 1 >= len(argv):
                    raise ValueError(f"--{opt} needs a value")
                out[opt] = argv[i + 1]
                i += 2
                key = opt
                break
            if a.startswith(f"--{opt}="):
                out[opt] = a.split("=", 1)[1]
                i += 1
                key = opt
                break
        if key:
            continue
        if a.startswith("-") and a != "-":
            raise ValueError(f"unknown option {a}")
        if out["file"] is not None:
            raise ValueError(f"unexpected argument {a!r} (one FILE only; quote the JSON record)")
        out["file"] = a
        i += 1
    if not out["file"]:
        raise ValueError("missing FILE")
    if out["record"] is None:
        raise ValueError("missing --record JSON")
    return out


def holder_path(state_dir: str, path: str) -> str:
    try:
        from _sha256 import sha256
    except ImportError:  # pragma: no cover
        from hashlib import sha256

    key = sha256(os.path.realpath(path).encode("utf-8", "surrogateescape")).hexdigest()[:20]
    return os.path.join(state_dir, "coordination", "holders", f"{key}.json")


def context(path: str, cmd: str, explicit_session: str = "", env=None) -> tuple[dict, str]:
    """(holder note, holder-note path) for a lock on *path* taken by this process."""
    from hookgate.state import paths
    from hookgate.validators.coordination import sessions

    env = os.environ if env is None else env
    root = paths.find_project_root(os.path.dirname(path))
    state = paths.state_dir(root, env)
    note = {"pid": os.getpid(), "cmd": cmd, "file": path}
    try:
        session, platform, _how = sessions.resolve(state, env, os.getcwd(), ("hookgate", "lock"), explicit_session)
        note["session"] = session
        if platform:
            note["platform"] = platform
    except (sessions.Unresolved, OSError, ValueError):
        pass
    return note, holder_path(state, path)


def append_main(argv: list[str]) -> int:
    if not argv or "-h" in argv or "--help" in argv:
        sys.stdout.write(USAGE)
        return 0 if argv else 2
    try:
        a = _args(argv)
        timeout = parse_duration(a["timeout"])
    except ValueError as e:
        sys.stderr.write(f"hookgate lock append: {e}\n{USAGE}")
        return 2
    from hookgate.state import jsonio as json

    from hookgate.state import locks

    raw = sys.stdin.read() if a["record"] == "-" else a["record"]
    try:
        record = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        sys.stderr.write(f"hookgate lock append: --record is not valid JSON ({e}); nothing appended\n")
        return 2
    path = os.path.abspath(a["file"])
    try:
        note, hpath = context(path, f"hookgate lock append {a['file']}", a["session"])
        parent = os.path.dirname(path)
        if not os.path.isdir(parent):
            os.makedirs(parent, exist_ok=True)
        locks.append_record(path, record, timeout, note, hpath)
    except locks.LockTimeout as e:
        who = e.holder or "another process (holder unknown)"
        sys.stderr.write(f"hookgate lock append: {a['file']} is locked by {who}; nothing appended "
                         f"after {timeout:g}s; retry in a few seconds\n")
        return EX_BUSY
    except OSError as e:
        sys.stderr.write(f"hookgate lock append: {a['file']}: {e.strerror or e}; nothing appended\n")
        return 1
    return 0


def main(argv: list[str]) -> int:
    """``argv`` after ``lock``: only ``append`` is lean; the caller checked that."""
    if argv and argv[0] == "append":
        return append_main(argv[1:])
    sys.stderr.write("hookgate lock: only `append` runs here\n")
    return 2
