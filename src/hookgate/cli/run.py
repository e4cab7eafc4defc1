"""``hookgate run [--plan] [--] COMMAND [ARGS…]``: run a command (an agent CLI, a test run,
``bash -c …``) on hookgate's own floor (ADR 0020).

Inside, the read guard's deny-tier files are masked (reads fail with EACCES), deny-tier
directories are empty and read-only, block-tier paths and hookgate's config, state,
installation and every agent's wiring are read-only; everything else is as it was. Hook
calls made inside are decided outside by a broker (``hookgate.floor.broker``).

Where no floor can be built (not Linux, no bubblewrap, no user namespaces, too much to
mask) it refuses with one line and exit status 125; it never runs the command unprotected.

Lean path (stdlib only): dispatched from ``hookgate.__main__`` before the typer CLI.
"""

from __future__ import annotations

import os
import sys

REFUSED = 125
USAGE = (
    "usage: hookgate run [--plan] [--] COMMAND [ARGS...]\n"
    "  Run COMMAND with hookgate's protected paths closed by the OS (Linux, bubblewrap).\n"
    "  --plan   print what would be masked / made read-only, and exit\n"
)


def _refuse(why: str) -> int:
    sys.stderr.write(f"hookgate run: refused, no floor: {why} (the command was not run; see adr/0020-the-floor.md)\n")
    return REFUSED


def _parse(argv: list[str]) -> tuple[dict, list[str]] | None:
    opts = {"plan": False}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            return opts, argv[i + 1 :]
        if a == "--plan":
            opts["plan"] = True
        elif a in ("-h", "--help"):
            return None
        elif a.startswith("-"):
            raise ValueError(f"unknown option {a!r}")
        else:
            return opts, argv[i:]
        i += 1
    return opts, []


def hookgate_exe() -> str:
    here = os.path.join(os.path.dirname(sys.executable), "hookgate")
    if os.access(here, os.X_OK):
        return here
    import shutil

    return shutil.which("hookgate") or here


def describe(plan) -> str:
    lines = [f"project: {plan.project_root}  (scanned {plan.walked} entries)"]
    for title, items in (("masked (reads fail)", plan.mask_files), ("emptied, read-only", plan.mask_dirs),
                         ("read-only", plan.read_only),
                         ("not present now (a file created there later is not masked; the hook still denies)", plan.absent)):
        lines.append(f"{title}: {len(items)}")
        lines.extend(f"  {p!r}" if ("\n" in p or " " in p) else f"  {p}" for p in items)
    lines.extend(f"note: {n}" for n in plan.notes)
    return "\n".join(lines) + "\n"


def prepare(root: str) -> None:
    """Create the state dir and ``.hookgate/`` when missing, so that the floor makes them
    read-only too: otherwise a program inside could plant a config or a state dir that the
    hooks would then trust (an empty directory shows nowhere in ``git status``)."""
    from hookgate.state import paths
    from hookgate.state.locks import ensure_dir

    ensure_dir(paths.state_dir(root))
    cfg = paths.config_dir(root)
    if not os.path.isdir(cfg):
        os.makedirs(cfg, exist_ok=True)


def main(argv: list[str]) -> int:
    try:
        parsed = _parse(argv)
    except ValueError as e:
        sys.stderr.write(f"hookgate run: {e}\n{USAGE}")
        return 2
    if parsed is None:
        sys.stdout.write(USAGE)
        return 0
    opts, cmd = parsed
    if not cmd and not opts["plan"]:
        sys.stderr.write(USAGE)
        return 2
    if sys.platform != "linux":
        return _refuse(f"hookgate's own floor needs Linux with bubblewrap (this is {sys.platform})")
    from hookgate.state import paths
    from hookgate.floor import bwrap
    from hookgate.floor.plan import FloorError, build

    exe = bwrap.find()
    if not exe:
        return _refuse(f"bubblewrap (bwrap) not found; {bwrap.INSTALL_HINT}")
    root = paths.find_project_root(os.getcwd())
    try:
        prepare(root)
        plan = build(root)
    except FloorError as e:
        return _refuse(str(e))
    except Exception as e:  # noqa: BLE001 - a plan we cannot compute is no floor
        return _refuse(f"cannot compute the protected paths ({type(e).__name__}: {e})")
    if opts["plan"]:
        sys.stdout.write(describe(plan))
        return 0
    return execute(exe, plan, cmd)


def execute(exe: str, plan, cmd: list[str]) -> int:
    import subprocess

    from hookgate.state import jsonio as json
    from hookgate.floor import bwrap
    from hookgate.floor.broker import Broker

    broker = Broker(hookgate_exe(), dict(os.environ))
    try:
        broker.start()
    except OSError as e:
        broker.close()
        return _refuse(f"cannot open the hook broker socket ({e})")
    r, w = os.pipe()
    try:
        argv = bwrap.command(exe, plan, cmd, broker_dir=broker.dir, status_fd=w)
        try:
            proc = subprocess.Popen(argv, pass_fds=(w,))
        except OSError as e:
            return _refuse(f"cannot start bubblewrap ({e})")
        os.close(w)
        w = -1
        try:
            code = proc.wait()
        except KeyboardInterrupt:
            proc.terminate()
            code = proc.wait()
        status = b""
        while True:
            chunk = os.read(r, 65536)
            if not chunk:
                break
            status += chunk
        started = False
        for line in status.decode("utf-8", "replace").replace("}{", "}\n{").splitlines():
            try:
                doc = json.loads(line)
            except ValueError:
                continue
            if isinstance(doc, dict) and "child-pid" in doc:
                started = True
        if not started:
            return _refuse(f"bubblewrap could not set up the sandbox (exit {code}); {bwrap.userns_hint()}")
        return code if code >= 0 else 128 - code
    finally:
        if w >= 0:
            os.close(w)
        os.close(r)
        broker.close()
