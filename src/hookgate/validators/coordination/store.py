"""The coordination state: leases and claims as data (ADR 0013, ADR 0027). Stdlib only, hot path.

Version 3 (ADR 0027) keeps the state in shards so that a decision reads only what concerns
its paths::

    <state>/coordination/state.json        {"v": 3, "seq": 7, "preempted": [...],
                                            "excl": {"<shard>": [paths of exclusive claims]}}
    <state>/coordination/shards/l<xxx>.jsonl  one line per change: {"l": key, "v": lease | null}
    <state>/coordination/shards/c<xxxx>.jsonl one line per change: {"c": claim id, "v": claim | null}

A lease lives in the lease shard of its key, a claim in the claim shard of its path
(``shard_of``: crc32 of the key; 4,096 lease shards, 65,536 claim shards); a shard is a log replayed in order,
appended to by each change and rewritten whole when it has grown to twice what it holds
(:func:`_write_shard`). What can concern a key is in the lease shard of the key, the claim
shards of the key and of its ancestors (a claim on a directory covers what is below it), and
the exclusive claims below it (``excl``, kept in the main document); only what lies below a
*directory* needs every shard (scope writes, a write to a directory, a session's end). Lease
and claim records are unchanged::

    leases: {"src/app.py": {"session", "platform", "since", "renewed", "expires", "via", "wt", "branch"}}
    claims: [{"id", "path", "session", "platform", "mode", "priority", "ttl",
              "requested", "refreshed", "granted", "expires", "wt", "branch"}]
    preempted: [{"session", "claim", "path", "mode", "by", "by_platform", "by_mode", "at"}]

Keys are repository-relative (``identity.key``; absolute for files outside the repository),
so every worktree meets every other's leases (ADR 0022). Version 1 (absolute keys, ADR 0013)
and version 2 (one document) are read as they are and migrated under the lock by the first
change — v1 re-keyed, v2 split into shards, the original kept as ``state.json.v1``/``.v2`` —
never dropped; a version this hookgate does not know is refused (:class:`UnsupportedState`),
never reset.

Times are Unix seconds (floats). Readers take no lock (every file is only ever replaced
whole; a reader may see one shard before and another after a concurrent change, which is
the same race as reading a moment earlier or later: a change re-checks under the lock);
every change happens in :func:`mutate`/:func:`mutate_for`: exclusive ``flock`` on
``state.lock`` (fail-fast), re-read, change, whole-line appends to the changed shards, then
the main document's atomic rewrite if it changed (temp + ``os.replace``; no fsync — leases are
soft state that a crash may drop but never tear).
"""

from __future__ import annotations

from hookgate.state import jsonio as json
import os
import time

from hookgate.state import files  # noqa: F401 (the state primitive; see mutate)
from hookgate.state.locks import atomic_write, ensure_dir, flock_timeout, unlock
from hookgate.errors import HookgateError
# the shard names (``presence`` tells whether a read can meet a claim without loading this module)
from hookgate.validators.coordination.presence import CLAIM_SHARDS, SHARDS, concerning, shard_of  # noqa: F401

COORD_DIR = "coordination"
STATE_NAME = "state.json"
LOCK_NAME = "state.lock"
SHARD_DIR = "shards"
COMPACT_SLACK = 32  # a shard log is rewritten when it holds this many lines more than twice its entries
LOCK_TIMEOUT = 2.0
MAX_DOC = 64 << 20  # a state file larger than this is no state hookgate wrote (bounded work)

VERSION = 3


class CorruptState(HookgateError, ValueError):
    """state.json does not parse (it is only ever replaced whole, so this means tampering)."""


class UnsupportedState(HookgateError, ValueError):
    """state.json was written by a newer hookgate: refused, never reset (it may hold leases)."""


def coord_dir(state_dir: str) -> str:
    return os.path.join(state_dir, COORD_DIR)


def state_path(state_dir: str) -> str:
    return os.path.join(state_dir, COORD_DIR, STATE_NAME)


def shard_path(state_dir: str, sid: str) -> str:
    return os.path.join(state_dir, COORD_DIR, SHARD_DIR, sid + ".jsonl")


def _sid_name(sid: str) -> str:
    return sid


def empty() -> dict:
    return {"v": VERSION, "seq": 0, "leases": {}, "claims": []}


def _loads(raw: bytes, path: str):
    try:
        return json.loads(raw)
    except ValueError as e:
        raise CorruptState(f"{path}: not JSON ({e})") from None


def _parse(raw: bytes, path: str) -> dict:
    """The main document. v1/v2 hold every lease and claim; v3 only seq, notices and ``excl``."""
    data = _loads(raw, path)
    if not isinstance(data, dict):
        raise CorruptState(f"{path}: not a coordination state document")
    v = data.get("v", 1)
    if not isinstance(v, int) or isinstance(v, bool) or v < 1:
        raise CorruptState(f"{path}: bad format version {v!r}")
    if v > VERSION:
        raise UnsupportedState(
            f"{path} was written by a newer hookgate (format v{v}; this one reads v1-v{VERSION}); "
            "its leases are kept: upgrade hookgate here, or a human runs `hookgate locks release --all` "
            "to start over")
    if v < 3 and (not isinstance(data.get("leases"), dict) or not isinstance(data.get("claims"), list)):
        raise CorruptState(f"{path}: not a coordination state document")
    if v == 3 and not isinstance(data.get("excl", {}), dict):
        raise CorruptState(f"{path}: 'excl' is not a mapping")
    if v == 1:
        _migrate_v1(data, os.path.dirname(os.path.dirname(path)))
    if not isinstance(data.get("preempted", []), list):
        raise CorruptState(f"{path}: 'preempted' is not a list")
    return data


def _migrate_v1(data: dict, state_dir: str) -> None:
    """ADR 0013 keyed leases and claims by absolute path; re-key each on the worktree it lies
    in (every worktree of this repository is a candidate). A path in no worktree stays
    absolute — it is still a lease, on a file outside the repository."""
    from hookgate.validators.coordination import identity

    common = identity.common_dir_of_state(state_dir)
    tops = [w["top"] for w in identity.worktrees(common)] if common else []
    leases = {}
    for p, lease in data["leases"].items():
        if not isinstance(lease, dict):
            raise CorruptState(f"lease {p!r} is not an object")
        k, top = identity.migrate_key(p, tops) if identity.is_abs_key(p) else (p, None)
        rec = dict(lease)
        if top:
            rec.update(identity.where(top))
        prev = leases.get(k)
        if prev is None or float(prev.get("expires", 0)) < float(rec.get("expires", 0)):
            leases[k] = rec  # two worktrees' leases on one file: the longer-lived one stands
    data["leases"] = leases
    for c in data["claims"]:
        if isinstance(c, dict) and isinstance(c.get("path"), str) and identity.is_abs_key(c["path"]):
            k, top = identity.migrate_key(c["path"], tops)
            c["path"] = k
            if top:
                c.update(identity.where(top))
    data["v"] = 2
    data["migrated_from"] = 1


def _read(path: str) -> bytes | None:
    """The file's bytes (None when missing); one over ``MAX_DOC`` is no state hookgate wrote."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return None
    try:
        size = os.fstat(fd).st_size
        if size > MAX_DOC:
            raise CorruptState(f"{path}: larger than {MAX_DOC >> 20} MiB")
        chunks, n = [], 0
        while True:  # the size may grow while we read (an append): read to the end
            want = size + (1 << 16)
            b = os.read(fd, want)
            chunks.append(b)
            n += len(b)
            if n > MAX_DOC:
                raise CorruptState(f"{path}: larger than {MAX_DOC >> 20} MiB")
            if len(b) < want:  # a short read of a regular file: its end
                break
    finally:
        os.close(fd)
    return b"".join(chunks)


def _read_shard(state_dir: str, sid: str) -> tuple[int, dict]:
    """(lines in the log, {"leases", "claims"}) of one shard; a missing shard is empty.

    A shard is a log of whole lines, each the new value of one lease (``{"l": key, "v": lease}``)
    or claim (``{"c": id, "v": claim}``; ``"v": null`` removes it), replayed in order. Bytes after
    the last newline (an append in progress, or one killed mid-write) are not read; a line that
    does not parse is a torn append that a later one chained over (the writer starts each append
    on a fresh line)."""
    path = shard_path(state_dir, sid)
    raw = _read(path)
    leases: dict = {}
    claims: dict = {}
    if raw is None:
        return 0, {"leases": leases, "claims": []}
    end = raw.rfind(b"\n")
    if end < 0:
        return 0, {"leases": leases, "claims": []}
    body = raw[:end]
    try:  # one parse for the whole log (a torn line inside: line by line below)
        recs = json.loads(b"[" + body.replace(b"\n", b",") + b"]")
    except ValueError:
        recs = []
        for line in body.split(b"\n"):
            try:
                recs.append(json.loads(line))
            except ValueError:
                recs.append(None)  # torn
    n = 0
    for rec in recs:
        n += 1
        if rec is None:
            continue
        if not isinstance(rec, dict):
            raise CorruptState(f"{path}: line {n} is not an object")
        v = rec.get("v")
        if v is not None and not isinstance(v, dict):
            raise CorruptState(f"{path}: line {n}: not a lease or claim")
        if isinstance(rec.get("l"), str):
            if v is None:
                leases.pop(rec["l"], None)
            else:
                leases[rec["l"]] = v
        elif isinstance(rec.get("c"), str):
            if v is None:
                claims.pop(rec["c"], None)
            else:
                claims[rec["c"]] = v
        else:
            raise CorruptState(f"{path}: line {n} names no lease or claim")
    return n, {"leases": leases, "claims": list(claims.values())}


def _claim_order(c) -> tuple:
    cid = str(c.get("id", "")) if isinstance(c, dict) else ""
    return (0, int(cid[1:]), cid) if cid[1:].isdigit() else (1, 0, cid)


def _view(main: dict, shards: dict) -> dict:
    """A state dict (the shape the pure functions of ``leases``/``claims`` take) over *shards*.

    Claims are in creation order (their ids are sequential), leases in order of ``since``, so a
    view reads like the one document of v2 did."""
    leases: list = []
    claims: list = []
    for doc in shards.values():
        leases.extend(doc["leases"].items())
        claims.extend(doc["claims"])
    if len(shards) > 1:
        leases.sort(key=lambda kv: (float(kv[1].get("since", 0)) if isinstance(kv[1], dict) else 0.0, kv[0]))
        claims.sort(key=_claim_order)
    for k, lease in leases:
        if not isinstance(lease, dict):
            raise CorruptState(f"lease {k!r} is not an object")
    data = {k: v for k, v in main.items() if k not in ("leases", "claims", "excl")}
    data["v"] = VERSION
    data["leases"] = dict(leases)
    data["claims"] = claims
    return data


def _main(state_dir: str) -> tuple[bytes, dict | None]:
    path = state_path(state_dir)
    raw = _read(path)
    if raw is None:
        return b"", None
    return raw, _parse(raw, path)


def _wanted(main: dict, keys, below: bool) -> set | None:
    """The shards holding what concerns *keys* (None: every shard)."""
    if below:
        return None
    sids = set()
    ks = [k for k in keys if isinstance(k, str) and k]
    for k in ks:
        sids.add(shard_of(k, "l"))  # a lease concerns its own key only
        for a in concerning(k):
            sids.add(shard_of(a, "c"))
    excl = main.get("excl") or {}
    if excl and ks:  # exclusive claims below a key block even its reads
        for sid, paths in excl.items():
            for p in paths if isinstance(paths, list) else ():
                if isinstance(p, str) and any(_under(p, k) for k in ks):
                    sids.add(sid)
    return sids


def _under(p: str, k: str) -> bool:
    if k in (".",):
        return not p.startswith("/")
    return p.startswith(k.rstrip("/") + "/")


def _shard_ids(state_dir: str) -> list[str]:
    try:
        names = os.listdir(os.path.join(coord_dir(state_dir), SHARD_DIR))
    except OSError:
        return []
    out = []
    for n in names:
        if n.endswith(".jsonl") and ((n[0] == "l" and len(n) == 10) or (n[0] == "c" and len(n) == 11)):
            out.append(n[:-6])
    return sorted(set(out))


def load(state_dir: str) -> dict:
    """The whole current state (no lock). Missing → empty; unparsable → :class:`CorruptState`."""
    return load_for(state_dir, (), below=True)


def load_for(state_dir: str, keys, below: bool = False) -> dict:
    """The leases and claims that concern *keys* (no lock): on each key or an ancestor of it,
    and the exclusive claims below it; with *below*, everything (what lies below a directory).

    This is the hot path's read: it opens one small shard per key and ancestor, whatever the
    number of leases and claims elsewhere (ADR 0027)."""
    _raw, main = _main(state_dir)
    if main is None:
        return empty()
    if main["v"] < 3:
        return main
    wanted = _wanted(main, keys, below)
    sids = sorted(wanted) if wanted is not None else _shard_ids(state_dir)
    return _view(main, {sid: _read_shard(state_dir, sid)[1] for sid in sids})


def exists(state_dir: str) -> bool:
    return os.path.exists(state_path(state_dir))


def _dumps(data: dict) -> bytes:
    # ASCII escapes: a path that is not UTF-8 (a lone surrogate from surrogateescape) survives
    return json.dumps(data, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _split(data: dict) -> dict:
    """{shard: {"leases", "claims"}} of a state dict."""
    out: dict = {}
    for k, lease in data["leases"].items():
        out.setdefault(shard_of(k, "l"), {"leases": {}, "claims": []})["leases"][k] = lease
    for c in data["claims"]:
        p = c.get("path") if isinstance(c, dict) else None
        sid = shard_of(p if isinstance(p, str) else "", "c")
        out.setdefault(sid, {"leases": {}, "claims": []})["claims"].append(c)
    return out


def _excl(doc: dict) -> list:
    return sorted({c["path"] for c in doc["claims"] if isinstance(c, dict) and c.get("mode") == "exclusive"
                   and isinstance(c.get("path"), str)})


def mutate(state_dir: str, fn, timeout: float = LOCK_TIMEOUT):
    """Run ``fn(data)`` on the whole state under the state lock and save what changed; return
    fn's result. (The CLI, session ends; a decision uses :func:`mutate_for`.)"""
    return _mutate(state_dir, fn, timeout, None, True)


def mutate_for(state_dir: str, keys, fn, timeout: float = LOCK_TIMEOUT, below: bool = False):
    """:func:`mutate` over the view :func:`load_for` gives: ``fn`` sees (and may change) the
    leases and claims concerning *keys*; only their shards are rewritten."""
    return _mutate(state_dir, fn, timeout, keys, below)


def _mutate(state_dir: str, fn, timeout: float, keys, below: bool):
    """A corrupt main document or shard is moved aside (``….corrupt-<ts>``) and replaced by an
    empty one, so one bad byte cannot wedge every agent. A v1/v2 document is migrated to shards
    first (its bytes kept as ``state.json.v1``/``.v2``)."""
    d = coord_dir(state_dir)
    ensure_dir(d)
    fd = os.open(os.path.join(d, LOCK_NAME), os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        flock_timeout(fd, timeout, os.path.join(d, LOCK_NAME))
        try:
            path = state_path(state_dir)
            try:
                before, main = _main(state_dir)
            except CorruptState:
                os.replace(path, f"{path}.corrupt-{int(time.time())}")
                before, main = b"", None
            if main is None:
                main = {"v": VERSION, "seq": 0}
            elif main["v"] < 3:
                main = _migrate_to_shards(state_dir, before, main)
                before = b""
            sids = _wanted(main, keys or (), below) if keys is not None else None
            if sids is None:
                sids = set(_shard_ids(state_dir))
            shards, counts = {}, {}
            for sid in sids:
                try:
                    counts[sid], shards[sid] = _read_shard(state_dir, sid)
                except CorruptState:
                    sp = shard_path(state_dir, sid)
                    os.replace(sp, f"{sp}.corrupt-{int(time.time())}")
                    counts[sid], shards[sid] = 0, {"leases": {}, "claims": []}
            data = _view(main, shards)
            frozen = {sid: _frozen(doc) for sid, doc in shards.items()}  # fn changes entries in place
            result = fn(data)
            _save(state_dir, main, before, data, frozen, counts)
            return result
        finally:
            unlock(fd)
    finally:
        os.close(fd)


def _save(state_dir: str, main: dict, before: bytes, data: dict, shards: dict, counts: dict) -> None:
    """Write back what changed in the shards of the view (a lease or claim *fn* added on a key
    of a shard not in the view goes to that shard), then the main document.

    A change is appended to its shard's log (one ``write`` of whole lines, under the state
    lock): replacing a file that exists costs a data flush on ext4 (``auto_da_alloc``, ~2-4 ms
    measured), appending does not. A log with many more lines than entries is rewritten whole
    (temp + ``os.replace``), which keeps its size linear in what it holds."""
    new = _split(data)
    excl = dict(main.get("excl") or {})
    for sid in sorted(set(new) | set(shards)):
        doc = new.get(sid, {"leases": {}, "claims": []})
        if sid in shards:
            old = shards[sid]
        else:  # not read: only what fn added to it
            counts[sid], disk = _read_shard(state_dir, sid)
            old = _frozen(disk)
            ids = {c.get("id") for c in doc["claims"]}
            merged = dict(disk["leases"])
            merged.update(doc["leases"])
            doc = {"leases": merged, "claims": [c for c in disk["claims"] if c.get("id") not in ids] + doc["claims"]}
        lines = _changes(old, doc)
        if not lines:
            continue
        _write_shard(state_dir, sid, doc, lines, counts.get(sid, 0))
        paths = _excl(doc)
        if paths:
            excl[_sid_name(sid)] = paths
        else:
            excl.pop(_sid_name(sid), None)
    out = {k: v for k, v in data.items() if k not in ("leases", "claims")}
    out["v"] = VERSION
    out["excl"] = excl
    after = _dumps(out)
    if after != before:
        atomic_write(state_path(state_dir), after, fsync=False)


def _frozen(doc: dict) -> dict:
    """A shard's entries as the log lines that set them (compared after fn ran)."""
    out = {("l", k): _dumps({"l": k, "v": v}) for k, v in doc["leases"].items()}
    out.update({("c", str(c.get("id"))): _dumps({"c": str(c.get("id")), "v": c}) for c in doc["claims"]})
    return out


def _changes(old: dict, new: dict) -> list[bytes]:
    """The log lines that turn shard *old* (:func:`_frozen`) into *new*."""
    out = []
    now = set()
    for k, lease in new["leases"].items():
        now.add(("l", k))
        line = _dumps({"l": k, "v": lease})
        if old.get(("l", k)) != line:
            out.append(line)
    for c in new["claims"]:
        cid = str(c.get("id"))
        now.add(("c", cid))
        line = _dumps({"c": cid, "v": c})
        if old.get(("c", cid)) != line:
            out.append(line)
    for kind, k in old:
        if (kind, k) not in now:
            out.append(_dumps({kind: k, "v": None}))
    return out


def _snapshot(doc: dict) -> list[bytes]:
    return [_dumps({"l": k, "v": v}) for k, v in doc["leases"].items()] + \
           [_dumps({"c": str(c.get("id")), "v": c}) for c in doc["claims"]]


def _write_shard(state_dir: str, sid: str, doc: dict, lines: list, count: int) -> None:
    from hookgate.state.locks import write_all

    sp = shard_path(state_dir, sid)
    entries = len(doc["leases"]) + len(doc["claims"])
    if not entries:
        try:
            os.unlink(sp)
        except FileNotFoundError:
            pass
        return
    if count + len(lines) > 2 * entries + COMPACT_SLACK:
        atomic_write(sp, b"\n".join(_snapshot(doc)) + b"\n", fsync=False)
        return
    ensure_dir(os.path.dirname(sp))
    fd = os.open(sp, os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        size = os.fstat(fd).st_size
        torn = size > 0 and os.pread(fd, 1, size - 1) != b"\n"  # a writer killed mid-append
        write_all(fd, (b"\n" if torn else b"") + b"\n".join(lines) + b"\n")
    finally:
        os.close(fd)


def _migrate_to_shards(state_dir: str, raw: bytes, data: dict) -> dict:
    """v1/v2 → v3, under the lock: the shards first, then the main document (the commit point;
    a migration killed before it is done again from the untouched v2 document, and any shard
    file it left that the document does not explain is removed)."""
    path = state_path(state_dir)
    src = data.get("migrated_from") or data["v"]
    if not os.path.exists(f"{path}.v{src}"):
        atomic_write(f"{path}.v{src}", raw, fsync=False)  # what was migrated, kept
    new = _split(data)
    for sid in _shard_ids(state_dir):
        if sid not in new:
            os.unlink(shard_path(state_dir, sid))
    excl = {}
    for sid, doc in new.items():
        atomic_write(shard_path(state_dir, sid), b"\n".join(_snapshot(doc)) + b"\n", fsync=False)
        paths = _excl(doc)
        if paths:
            excl[_sid_name(sid)] = paths
    main = {k: v for k, v in data.items() if k not in ("leases", "claims")}
    main.update(v=VERSION, excl=excl, migrated_from=src)
    atomic_write(path, _dumps(main), fsync=False)
    return main


def next_id(data: dict, prefix: str) -> str:
    data["seq"] = int(data.get("seq", 0)) + 1
    return f"{prefix}{data['seq']}"


# --- collection (ADR 0027) ----------------------------------------------------------------------

GC_BATCH = 512  # shards examined per call: a call's cost is bounded, whatever the state's size
GC_GRACE = 60.0  # a lease or claim is collected this long after it expired
GC_CURSOR = "gc.cursor"
HOLDERS_DIR = "holders"
HOLDER_MAX_AGE = 86400.0  # a lock's holder note (``hookgate lock``) older than this is dropped


def gc(state_dir: str, now: float | None = None, batch: int = GC_BATCH, timeout: float = 0.0) -> dict:
    """Collect what no reader can see any more, a bounded batch at a time: leases and claims
    expired for over ``GC_GRACE`` (readers already ignore them: ``leases.live``,
    ``claims.live``), and so the shard files left with nothing in them; lock-holder notes older
    than ``HOLDER_MAX_AGE``. A session's end prunes every shard, but a session that crashed has
    no end, and nothing else ever looked at a shard whose keys no one writes again.

    Under the state lock like every change (*timeout* 0: a change in progress wins; the next
    call does the work), at most *batch* shards per call, continuing after the last one a
    previous call examined (``coordination/gc.cursor``), so each call's cost is bounded and
    successive calls cover every shard. Each shard is changed as :func:`_save` changes it (a
    whole-line append of the removals, or a rewrite via temp + ``os.replace``, or its removal
    when empty), then ``excl`` in the main document: a SIGKILL at any point leaves a state that
    reads as before or after. Only v3 states (an older one is migrated by its first change, not
    here). Returns counts: shards examined, leases and claims collected, files removed."""
    now = time.time() if now is None else now
    out = {"shards": 0, "leases": 0, "claims": 0, "removed": 0, "holders": 0}
    d = coord_dir(state_dir)
    if not os.path.isdir(d):
        return out
    fd = os.open(os.path.join(d, LOCK_NAME), os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        try:
            flock_timeout(fd, timeout, os.path.join(d, LOCK_NAME))
        except (OSError, HookgateError):  # LockTimeout: someone is changing the state
            return out
        try:
            before, main = _main(state_dir)
        except CorruptState:
            main = None
        try:
            if main is not None and main.get("v") == VERSION:
                _gc_shards(state_dir, main, before, now, batch, out)
        finally:
            unlock(fd)
    finally:
        os.close(fd)
    _gc_holders(d, now, batch, out)
    return out


def _gc_shards(state_dir: str, main: dict, before: bytes, now: float, batch: int, out: dict) -> None:
    sids = _shard_ids(state_dir)
    if not sids:
        return
    cursor_path = os.path.join(coord_dir(state_dir), GC_CURSOR)
    try:
        with open(cursor_path, encoding="ascii") as f:
            cursor = f.read(32).strip()
    except (OSError, UnicodeDecodeError):
        cursor = ""
    import bisect

    start = bisect.bisect_right(sids, cursor)
    todo = (sids[start:] + sids[:start])[:max(1, batch)]
    excl = dict(main.get("excl") or {})
    limit = now - GC_GRACE
    for sid in todo:
        out["shards"] += 1
        try:
            count, doc = _read_shard(state_dir, sid)
        except CorruptState:
            continue  # set aside by the next change that reads it (_mutate), never by the collector
        old = _frozen(doc)
        kept_leases = {k: v for k, v in doc["leases"].items() if float(v.get("expires", 0) or 0) >= limit}
        kept_claims = [c for c in doc["claims"] if float(c.get("expires", 0) or 0) >= limit]
        gone_l = len(doc["leases"]) - len(kept_leases)
        gone_c = len(doc["claims"]) - len(kept_claims)
        if not (gone_l or gone_c):
            continue
        new = {"leases": kept_leases, "claims": kept_claims}
        _write_shard(state_dir, sid, new, _changes(old, new), count)
        out["leases"] += gone_l
        out["claims"] += gone_c
        if not (kept_leases or kept_claims):
            out["removed"] += 1
        paths = _excl(new)
        if paths:
            excl[_sid_name(sid)] = paths
        else:
            excl.pop(_sid_name(sid), None)
    if excl != (main.get("excl") or {}):
        after = _dumps(dict(main, excl=excl))
        if after != before:
            atomic_write(state_path(state_dir), after, fsync=False)
    try:
        atomic_write(cursor_path, todo[-1].encode("ascii"), fsync=False)
    except OSError:
        pass


def _gc_holders(coord: str, now: float, batch: int, out: dict) -> None:
    hd = os.path.join(coord, HOLDERS_DIR)
    try:
        it = os.scandir(hd)
    except OSError:
        return
    with it:
        for n, e in enumerate(it):
            if n >= 4 * batch:
                break
            if not e.name.endswith(".json"):
                continue
            try:
                if now - e.stat(follow_symlinks=False).st_mtime > HOLDER_MAX_AGE:
                    os.unlink(e.path)
                    out["holders"] += 1
            except OSError:
                pass
