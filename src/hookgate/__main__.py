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


if __name__ == "__main__":
    sys.exit(main())
