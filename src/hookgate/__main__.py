"""Dispatch: ``hookgate hook …`` (and ``hookgate lock append``) take the lean stdlib path;
everything else goes to the typer CLI (ADR 0001)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if args and args[0] in ("hook", "lock", "claim"):
        forwarded = _floor_broker(args)  # inside `hookgate run`: decided outside (ADR 0020)
        if forwarded is not None:
            return forwarded
    if args and args[0] == "run":  # lean: the floor's start cost is paid on every run (ADR 0020)
        from hookgate.cli.run import main as run_main

        return run_main(args[1:])
    if args and args[0] == "hook":
        from hookgate.core.hook import main as hook_main

        return hook_main(args[1:])
    if args and args[0] == "serve":  # lean: the resident decision server (ADR 0025)
        from hookgate.cli.serve import main as serve_main

        return serve_main(args[1:])
    if args and args[0] == "upkeep":  # the ledger's background upkeep, started by its writer (ADR 0027)
        from hookgate.core.upkeep import main as upkeep_main

        return upkeep_main(args[1:])
    if args[:2] == ["lock", "append"]:  # lean too: agents call it often (ADR 0013)
        from hookgate.cli.lockcli import main as lock_main

        return lock_main(args[1:])
    from hookgate.cli.app import run

    return run(args)


def _floor_broker(args: list[str]) -> int | None:
    """Under ``hookgate run`` the state dir is read-only: hand the call to the broker outside
    the floor. ``None``: not under a floor — run here as usual."""
    import os

    sock = os.environ.get("HOOKGATE_FLOOR_BROKER")
    if not sock:
        return None
    from hookgate.floor.broker import forward

    return forward(sock, args)


# --- bin/hookgate's body (ADR 0017, ADR 0025) ---------------------------------------------------
# The launcher script is compiled on every call (a script has no .pyc): it only sets up the
# interpreter's paths and calls launch(); everything else lives here, byte-compiled once.
# `hookgate hook` first asks the user's decision server, if one is up (importing nothing of
# hookgate beyond this module); when none answers, the same decision is made here.


def launch() -> None:
    """Run ``hookgate`` as bin/hookgate was called. Never returns."""
    argv = sys.argv
    stdin = None
    if argv[1:2] == ["hook"] and len(argv) == 4 and __import__("os").environ.get("HOOKGATE_STDIN_LATE") == "1":
        stdin = TimeoutError  # hookgate-client waited DECIDE_S for stdin before handing over: a deny, here
    elif argv[1:2] == ["hook"]:
        try:
            code, stdin = _via_server(argv[1:])
        except BaseException:  # a proved answer may have begun to be written: never decide again
            code = 2 if _ANSWERING else None
        if code is not None:
            _exit(code)
    if argv[1:2] == ["hook"]:
        _bundle()
    if stdin is not None:  # stdin already read for a server that did not answer
        try:
            from hookgate.core.hook import _emit, decide

            environ = dict(__import__("os").environ)
            if isinstance(stdin, bytes):
                r = decide(argv[3], stdin, environ)
            else:  # TimeoutError: stdin not closed in time
                r = decide(argv[3], b"", environ, None, "stdin not closed within 4s")
            _exit(_emit(*r))
        except SystemExit:
            raise
        except BaseException as e:
            sys.stderr.write(f"hookgate: denied: internal error before a decision ({type(e).__name__}); denied to be safe\n")
            sys.exit(2)
    if argv[1:2] == ["hook"]:
        _exit(main())
    sys.exit(main())


def _bundle() -> None:
    """The package's byte code from one file (``hookgate/bundle.py``): an accelerator only, so
    any failure here means the normal imports."""
    try:
        if __import__("os").environ.get("HOOKGATE_BUNDLE") != "off":
            from hookgate import bundle

            bundle.install(fast=True)
    except Exception:  # noqa: BLE001
        pass


def _server_sock(os):
    # keep identical to hookgate.server.runtime.paths()["sock"] (tests/unit/server/test_serve_protection.py)
    d = os.environ.get("HOOKGATE_RUNTIME_DIR")
    if not d:
        x = os.environ.get("XDG_RUNTIME_DIR")
        d = os.path.join(x, "hookgate") if x and x.startswith("/") and os.path.isdir(x) else f"/tmp/hookgate-{os.getuid()}"
    k = "%08x" % _crc32(os.path.realpath(sys.prefix).encode("utf-8", "surrogateescape"))
    return os.path.join(d, k + ".sock")


def _crc32(data):
    """``zlib.crc32`` of a short key (the venv's path), bit by bit: importing ``zlib`` (a
    shared library) costs the launcher 0.2-0.5 ms on every call, this ~30 µs."""
    c = 0xFFFFFFFF
    for b in data:
        c ^= b
        for _ in range(8):
            c = (c >> 1) ^ (0xEDB88320 & -(c & 1))
    return c ^ 0xFFFFFFFF


def _via_server(argv):
    """(exit code or None, stdin bytes or None). None: no server answered; decide here."""
    import os

    if len(argv) != 3 or argv[1] != "--platform" or os.environ.get("HOOKGATE_SERVE") == "off" \
            or os.environ.get("HOOKGATE_FLOOR_BROKER"):
        return None, None
    sock = _server_sock(os)
    try:  # only a server of this user's: the runtime dir 0700 and both owned by us (no squatting)
        st_d, st_s, uid = os.stat(os.path.dirname(sock)), os.lstat(sock), os.getuid()
    except OSError:
        return None, None
    if st_d.st_uid != uid or st_d.st_mode & 0o077 or st_s.st_uid != uid:
        return None, None
    from hookgate._serverask import ask  # only now: a call with no server of ours never loads it

    answer, data = ask(argv[2], sock, uid)
    if answer is None:
        return None, data
    return _write_answer(*answer), data


# set once a proved answer starts going out: from then on this process never decides again
_ANSWERING = False


def _write_answer(out, err, code):
    """Write the server's proved answer, exactly once. A write that fails (even mid-way) is not
    followed by a second decision (a second answer on the same stdout): exit 2 with a line on
    stderr, which every platform takes as a deny."""
    global _ANSWERING
    _ANSWERING = True
    try:
        if out:
            sys.stdout.buffer.write(out)
            sys.stdout.buffer.flush()
        if err:
            sys.stderr.buffer.write(err)
            sys.stderr.buffer.flush()
        return code
    except BaseException:
        try:
            __import__("os").write(2, b"hookgate: denied: the decision server's answer could not be written "
                                      b"in full; denied to be safe (ADR 0025)\n")
        except BaseException:
            pass
        return 2


def _exit(code):
    """A hook call ends here: its output is flushed and its ledger record durable (fsynced in
    ledger.append_file); skip the interpreter's teardown of every loaded module (3-4 ms).
    An answer that cannot be flushed whole ends in exit 2 (a deny on every platform): Claude
    Code's JSON deny exits 0, so exit 0 with its stdout lost would read as an allow (and the
    interpreter's own exit after a failed flush is 120, which platforms take as an allow too)."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:
        code = 2
    __import__("os")._exit(code if isinstance(code, int) else (0 if code is None else 2))


if __name__ == "__main__":
    sys.exit(main())
