"""Whether the coordination store can hold anything that concerns a read, answered without
loading it (ADR 0027; the one-shot budget of ADR 0017). Stdlib only, hot path.

A read meets only exclusive claims (leases never block reads, ADR 0013): one on the key or an
ancestor of it, which lives in that path's claim shard, or one below it, which the main
document lists (``excl``). :func:`reads_unclaimed` is true only when the store plainly holds
none of them: no ``state.json`` (no store), or a version-3 document that lists no exclusive
claim and no claim shard of a key or an ancestor on disk. Anything else — another version, a
document that does not parse, a claim shard that exists, however stale — is for the store to
decide (``store.load_for``: it refuses a newer format, sets a corrupt one aside).

The shard names are the store's (``store`` imports them from here)."""

from __future__ import annotations

import os

SHARDS = 4096  # lease shards: a key's own shard is read
CLAIM_SHARDS = 65536  # claim shards: a key's and each ancestor's are read, so almost all are absent
_MAIN_MAX = 1 << 20  # a larger main document is read by the store (it bounds and refuses)


def shard_of(key: str, kind: str = "l") -> str:
    """The shard a lease key (*kind* ``l``: ``l0a3``) or a claim path (``c``: ``c0a3f``) lives in."""
    from binascii import crc32

    h = crc32(key.encode("utf-8", "surrogateescape"))
    return "l%03x" % (h % SHARDS) if kind == "l" else "c%04x" % (h % CLAIM_SHARDS)


def concerning(key: str) -> list[str]:
    """*key* and every key whose lease or claim may concern it from above: its ancestors, up to
    ``.`` (the whole tree) for repository-relative keys and ``/`` for absolute ones."""
    out = [key]
    if key in (".", "/"):
        return out
    k = key.rstrip("/")
    while True:
        cut = k.rfind("/")
        if cut < 0:
            out.append(".")
            return out
        k = k[:cut]
        if not k:
            out.append("/")
            return out
        out.append(k)


def _main(coord: str) -> bytes | None:
    """The main document's bytes; None when absent; b"" when unreadable or too large (the
    store decides)."""
    try:
        fd = os.open(os.path.join(coord, "state.json"), os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None
    except OSError:
        return b""
    try:
        raw = os.read(fd, _MAIN_MAX + 1)
    except OSError:
        return b""
    finally:
        os.close(fd)
    return b"" if len(raw) > _MAIN_MAX else raw


def reads_unclaimed(state_dir: str, keys) -> bool:
    """True only when no exclusive claim can concern a read of *keys* (files backend; the
    caller asks only then). False means: load the store and decide."""
    coord = os.path.join(state_dir, "coordination")
    raw = _main(coord)
    if raw is None:
        return True  # no store at all (``store.exists``)
    if not raw:
        return False
    from hookgate.state import jsonio

    try:
        doc = jsonio.loads(raw)
    except ValueError:
        return False
    if not isinstance(doc, dict) or type(doc.get("v")) is not int or doc["v"] != 3:
        return False
    if doc.get("excl", {}) != {} or not isinstance(doc.get("preempted", []), list):
        return False
    shards = os.path.join(coord, "shards")
    for key in keys:
        if not isinstance(key, str) or not key:
            return False
        for a in concerning(key):
            if os.path.exists(os.path.join(shards, shard_of(a, "c") + ".jsonl")):
                return False
    return True
