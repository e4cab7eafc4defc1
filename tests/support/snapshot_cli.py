"""``scripts/behaviour-snapshot``: print, check or update the behaviour snapshot (tests/support/snapshot.py)."""

from __future__ import annotations

import argparse
import os
import sys

from tests.support import snapshot


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="scripts/behaviour-snapshot", description=__doc__)
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help=f"compare with {os.path.relpath(snapshot.SNAPSHOT, snapshot.REPO)}")
    mode.add_argument("--update", action="store_true", help="rewrite the committed snapshot")
    ap.add_argument("--section", action="append", choices=snapshot.SECTIONS,
                    help="only this section (repeatable; --update needs all)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    a = ap.parse_args(argv)
    sections = tuple(a.section or snapshot.SECTIONS)
    if a.update and sections != snapshot.SECTIONS:
        ap.error("--update rewrites the whole snapshot: leave out --section")
    got = snapshot.render(sections, jobs=a.jobs)
    if a.update:
        with open(snapshot.SNAPSHOT, "w", encoding="utf-8") as f:
            f.write(got)
        print(f"wrote {snapshot.SNAPSHOT}", file=sys.stderr)
        return 0
    if not a.check:
        sys.stdout.write(got)
        return 0
    with open(snapshot.SNAPSHOT, encoding="utf-8") as f:
        committed = snapshot.split_sections(f.read())
    mine = snapshot.split_sections(got)
    bad = 0
    for s in sections:
        if committed.get(s) == mine.get(s):
            print(f"behaviour snapshot: {s}: identical", file=sys.stderr)
        else:
            bad += 1
            print(f"behaviour snapshot: {s}: DIFFERS\n{snapshot.diff(committed.get(s, ''), mine.get(s, ''))}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
