"""Dispatch: ``hookgate hook …`` (and ``hookgate lock append``) take the lean stdlib path;
everything else goes to the typer CLI (ADR 0001)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    if args and args[0] == "hook":
        from hookgate.hook import main as hook_main

        return hook_main(args[1:])
    if args[:2] == ["lock", "append"]:  # lean too: agents call it often (ADR 0013)
        from hookgate.coordination.lockcli import main as lock_main

        return lock_main(args[1:])
    from hookgate.cli import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
