"""The ledger's upkeep (ADR 0027): keep its checkpoint and rollup current as it grows.

    python -E -m hookgate upkeep STATE_DIR

Started by the ledger's writer (``ledger.append_file``: the decision server and one-shot
``hookgate hook`` processes alike) each time the ledger crosses a multiple of
``ledger.UPKEEP_EVERY`` bytes, detached, at a lower priority; one at a time per ledger (a
flock: a second one waits for the first, then does what is left). It extends

- the verified-prefix checkpoint (``ledger.verified.json``): the chain walked from the
  checkpoint's end to the ledger's, each record checked as ``audit verify`` checks it;
- the evidence rollup (``rollup/``): the records appended since, as ``rollout status`` would;

each from the digest state its MAC'd header names, reading only what was appended (and the
checkpoint's last partial block, compared with its digest). It never checks the prefix itself:
``audit verify`` and ``rollout status`` still hash every byte of it before believing either
file, so an edit in the verified part is found by them, as before. With no checkpoint (a
ledger from before this one) the first upkeep walks it all — the one-time migration, in the
background. A killed upkeep leaves the previous files (both are written whole: temp + rename).

It also collects the coordination state (``store.gc``): leases and claims expired long ago and
the shard files they leave empty, old lock-holder notes — in bounded batches under the state's
lock, continuing where the previous upkeep stopped.
"""

from __future__ import annotations

import os
import sys

LOCK_NAME = "ledger.upkeep.lock"
GC_ROUNDS = 16  # batches of the coordination state's collection per upkeep
PASSES = 16  # passes over what was appended meanwhile, at most
WAIT_S = 120.0  # for another upkeep to finish


def run(state_dir: str) -> int:
    from hookgate.core import config, rollup
    from hookgate.state import ledger
    from hookgate.state.locks import LockTimeout, flock_timeout
    from hookgate.validators import KNOWN_HOOKS

    path = ledger.ledger_path(state_dir)
    if not os.path.isfile(path):
        return 0
    try:
        fd = os.open(os.path.join(state_dir, LOCK_NAME), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError:
        return 1
    try:
        try:  # another upkeep at it: wait for it (it may have finished its last pass before what
            # started this one was written), then do what is left — usually nothing
            flock_timeout(fd, WAIT_S, os.path.join(state_dir, LOCK_NAME))
        except (OSError, LockTimeout):
            return 0
        key = config._key(state_dir, create=True)
        if key is None:
            return 1
        # an upkeep started while this one ran found the lock held and left: pass again while
        # the ledger grew during the pass (each pass reads only what is new), a bounded number
        for _ in range(PASSES):
            size = os.path.getsize(path)
            ledger.verify(path, state_dir, key, resume=True)
            try:
                rollup.refresh(state_dir, path, KNOWN_HOOKS, wait=0.0)
            except (rollup.Unusable, OSError, ValueError, KeyError, TypeError):
                pass  # `rollout status` streams then, or builds it itself
            if os.path.getsize(path) == size:
                break
        collect(state_dir)
        return 0
    finally:
        os.close(fd)


def collect(state_dir: str, rounds: int = GC_ROUNDS) -> dict[str, int]:
    """The coordination state's collection (``store.gc``): a few bounded batches, each under the
    state lock on its own (a decision waiting for the lock waits for one batch at most)."""
    from hookgate.validators.coordination import store

    total: dict[str, int] = {}
    for _ in range(rounds):
        try:
            got = store.gc(state_dir)
        except (OSError, ValueError):
            break
        for k, v in got.items():
            total[k] = total.get(k, 0) + v
        if got["shards"] < store.GC_BATCH:  # every shard seen in this round
            break
    return total


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not os.path.isabs(argv[0]):
        print("usage: hookgate upkeep STATE_DIR (absolute)", file=sys.stderr)
        return 2
    try:
        os.nice(10)
    except OSError:
        pass
    return run(argv[0])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
