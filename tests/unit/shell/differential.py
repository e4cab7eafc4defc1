"""The check shared by the differential tests: bash's real arguments against the engine."""

from __future__ import annotations

import os


def bash_args(completed) -> list:
    """The non-empty NUL-separated arguments a `printf '%s\\0'` stand-in printed."""
    return [a for a in completed.stdout.decode("utf-8", "surrogateescape").split("\0") if a]


def assert_deletes_cover(res, args, cwd: str, label: str) -> None:
    """Every argument bash passed to the stand-in is a delete the engine reports — unless the
    engine called the command unknown or reported an unresolved delete (the guards deny those:
    never a silent allow)."""
    deleted = [a for a in res.accesses if a.mode == "delete"]
    if res.indeterminate or any(not a.resolved for a in deleted):
        return
    paths = {a.path for a in deleted}
    for a in args:
        want = os.path.normpath(a if a.startswith("/") else os.path.join(cwd, a))
        assert want in paths, (label, a, sorted(paths))
