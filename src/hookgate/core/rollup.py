"""The evidence rollup: the ledger's evaluations as columns, bound to the ledger (ADR 0027).

``hookgate rollout status`` needs, per hook and platform, figures over an evidence window that
depends on the config and on the latest stage change (ADR 0015) — so what is kept is not the
figures but the facts they are computed from, one row per evaluated record (``decision``/
``post`` with a timestamp), in ledger order, in ``<state>/rollup/``:

- ``ts`` (float64), ``lat`` (float64), ``day`` (int32: UTC day number), ``plat`` (uint8: index
  into the header's platforms), and one byte per hook: present, raw outcome, would-block,
  error, has-latency;
- ``header.json``: the ledger bytes it covers (``offset``; ``base``, ``chain``, ``digest``: the
  resumable digest of those bytes, ``ledger.PrefixDigest``),
  the columns' digests, the labels, stage changes, answered checkpoints, the would-block rows
  by record id, and a MAC with the state dir's key.

The ledger stays the source of truth: the rollup is used only when its MAC checks, its columns
hash to what it names and the ledger's first ``offset`` bytes hash to its digest — a tampered
or stale rollup is rebuilt, never believed. Each use extends it with the records appended
since (parsed once). Figures are computed with bulk operations (``bytes.translate``,
``itertools.compress``, ``Counter``) and are exactly :func:`evidence.collect`'s; anything it
does not model (a record naming one hook twice, more than 250 platforms, a torn line) turns
the rollup off for that ledger: the streaming path decides then.

Built from a long stretch of ledger, it is built in parts, one per core (``_parts``), merged in
ledger order. A part reads each verdicts list once: when a line's only string spelled
``"verdicts"`` (and no ``\\u`` escape, which could spell another) is a key followed by the text
of a list the part already read, then ``,`` or ``}``, the line is parsed with ``0`` in the
list's place; if that parses to an object whose ``verdicts`` is that ``0``, the key was the
record's own and the line parses to the same object with the list there (JSON parses a value
by itself), so the list's codes are reused. Anything else: the whole line is parsed.
"""

from __future__ import annotations

import collections
import itertools
import os
from array import array
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from hookgate.core import evidence
from hookgate.state import jsonio as json
from hookgate.errors import HookgateError

if TYPE_CHECKING:
    from hookgate.state.ledger import PrefixDigest

Row = tuple[float, float, int, int, list[int]]  # ts, latency, day, platform index, code per hook

DIR = "rollup"
VERSION = 2  # 2: the ledger prefix's digest is resumable (``ledger.PrefixDigest``)
COLS = ("ts", "lat", "day", "plat")
RAW_CODE = {o: i for i, o in enumerate(evidence.RAW_OUTCOMES)}  # 4: any other raw value
PRESENT, WB, ERR, HASLAT = 1, 16, 32, 64


class Unusable(HookgateError):
    """The rollup cannot stand for this ledger: use the streaming path."""


def _sha() -> Any:
    from hashlib import sha256

    return sha256()


def _dir(state_dir: str) -> str:
    return os.path.join(state_dir, DIR)


def _col_path(state_dir: str, name: str) -> str:
    return os.path.join(_dir(state_dir), name + ".col")


def _hook_col(i: int) -> str:
    return f"h{i}"


def _key(state_dir: str) -> bytes | None:
    from hookgate.core import config

    try:
        return config._key(state_dir, create=True)
    except OSError:
        return None


def _mac(key: bytes, head: dict[str, Any]) -> str:
    from hookgate.core import config
    from hookgate.state import ledger

    return config._hmac(key, ledger.canonical({k: v for k, v in head.items() if k != "mac"}).encode())


def _empty(hooks: Iterable[str]) -> dict[str, Any]:
    return {"v": VERSION, "offset": 0, "base": 0, "chain": "", "digest": "", "hooks": list(hooks), "plats": [], "labels": [],
            "changes": [], "answered": 0, "checkpoint_hooks": [], "wb": {}, "rows": 0, "cols": {}}


def _load_head(state_dir: str, key: bytes, hooks: list[str]) -> dict[str, Any] | None:
    try:
        with open(os.path.join(_dir(state_dir), "header.json"), "rb") as f:
            head = json.loads(f.read())
    except (OSError, ValueError):
        return None
    if not isinstance(head, dict) or head.get("v") != VERSION or head.get("mac") != _mac(key, head):
        return None
    if head.get("hooks") != list(hooks):
        return None
    return head


def _read_cols(state_dir: str, head: dict[str, Any]) -> dict[str, Any] | None:
    """The columns, when each hashes to what the header names."""
    out = {}
    for name, typ in [("ts", "d"), ("lat", "d"), ("day", "i"), ("plat", "B")] + \
            [(_hook_col(i), "B") for i in range(len(head["hooks"]))]:
        try:
            with open(_col_path(state_dir, name), "rb") as f:
                raw = f.read()
        except OSError:
            return None
        h = _sha()
        h.update(raw)
        if head["cols"].get(name) != h.hexdigest():
            return None
        a = array(typ)
        a.frombytes(raw)
        if len(a) != head["rows"]:
            return None
        out[name] = a if typ != "B" else raw
    return out


def _prefix_ok(path: str, head: dict[str, Any], resume: bool = False) -> PrefixDigest | None:
    """The digest of the ledger's first ``offset`` bytes when it is still the header's (read at
    disk speed; *resume*: only the bytes after its last whole block — extending, not checking),
    else None."""
    from hookgate.state import ledger

    off = head["offset"]
    if not isinstance(off, int) or not isinstance(head.get("base"), int) or not 0 <= off - head["base"] < ledger.DIGEST_BLOCK:
        return None
    try:
        if os.path.getsize(path) < off:
            return None
        with open(path, "rb") as f:
            return ledger.prefix_digest(f, off, head, resume)
    except OSError:
        return None


def _row(rec: dict[str, Any], hooks: list[str], plats: list[str], checkpoint_hooks: set[str]) -> Row | None:
    """(ts, lat, day, plat index, [code per hook]) of an evaluated record, or None."""
    ts = evidence.parse_ts(rec.get("ts"))
    if ts is None:
        return None
    plat = rec.get("platform") or "?"
    try:
        pi = plats.index(plat)
    except ValueError:
        if len(plats) >= 250:
            raise Unusable("too many platforms") from None
        plats.append(plat)
        pi = len(plats) - 1
    lat = rec.get("latency_ms")
    has_lat = isinstance(lat, (int, float)) and not isinstance(lat, bool)
    codes = [0] * len(hooks)
    for v in rec.get("verdicts") or ():
        if not isinstance(v, dict):
            raise Unusable("a verdict that is not an object")
        hook = v.get("hook")
        if hook not in hooks:
            continue
        i = hooks.index(hook)
        if codes[i]:
            raise Unusable("a record names one hook twice")
        raw = v.get("raw")
        if raw == "checkpoint":
            checkpoint_hooks.add(hook)
        c = PRESENT | (RAW_CODE.get(raw, 4) << 1) if isinstance(raw, str) else PRESENT | (4 << 1)
        if v.get("would_block"):
            c |= WB
        if v.get("error"):
            c |= ERR
        if has_lat:
            c |= HASLAT
        codes[i] = c
    return ts, float(lat) if isinstance(lat, (int, float)) and has_lat else 0.0, int(ts // 86400), pi, codes


def _ts_of(value: Any, cache: dict[str, float | None]) -> float | None:
    """``evidence.parse_ts(value)``, with the ledger's own form (``2026-11-23T10:00:00.000Z``)
    checked and summed once per distinct minute (its first 16 characters) rather than once per
    record: the same checks as ``evidence._fast_ts`` and the same sum in the same order (whole
    seconds as an integer, the milliseconds added last)."""
    if (type(value) is str and len(value) == 24 and value[16] == ":" and value[19] == "." and value[23] == "Z"
            and value[17:19].isdigit() and value[20:23].isdigit()):
        base = cache.get(value[:16], 0)
        if base == 0:
            base = cache[value[:16]] = evidence._fast_ts(value[:16] + ":00.000Z")
            if len(cache) > 65536:
                cache.clear()
        if base is not None:
            sec = int(value[17:19])
            if sec <= 61:
                return base + sec + float("0." + value[20:23])
    return evidence.parse_ts(value)


def _new_part(hooks: list[str]) -> dict[str, Any]:
    return {"ts": array("d"), "lat": array("d"), "day": array("i"), "plat": bytearray(),
            "h": [bytearray() for _ in hooks], "plats": [], "labels": [], "changes": [], "wb": {},
            "answered": 0, "checkpoint_hooks": set(), "rows": 0}


REDO = ("redo",)  # _add: the record needs its verdicts parsed after all


def _add(part: dict[str, Any], rec: Any, hooks: list[str], hook_ix: dict[str, int],
         plat_ix: dict[str, int], ts_cache: dict[str, float | None],
         known: tuple[Any, ...] | None = None) -> tuple[Any, ...] | None:
    """One parsed line into *part*, as ``_extend`` has always read it (``_row``'s rules).
    Returns what its ``verdicts`` list gave (codes without HASLAT, checkpoint hooks) when that
    is a function of the list alone, for :func:`_parse_span` to reuse. *known*: that, for a
    record parsed with ``0`` in its list's place (``REDO`` when it needs the list itself)."""
    if not isinstance(rec, dict):
        return None  # as iter_records: a line that is no object is no record
    kind = rec.get("kind")
    plat = rec.get("platform") or "?"
    if known is not None and (kind == "rollout_change" or (
            kind in evidence.EVALUATED_KINDS and (type(plat) is not str or plat not in plat_ix))):
        return REDO  # (before anything is added)
    if rec.get("approved_by") or rec.get("denied_by"):
        part["answered"] += 1
    if kind == "label" and rec.get("label") in evidence.LABELS:
        part["labels"].append({k: rec.get(k) for k in ("target", "hook", "label")})
    elif kind == "rollout_change":
        part["changes"].append(rec)
    if kind not in evidence.EVALUATED_KINDS:
        return None
    ts = _ts_of(rec.get("ts"), ts_cache)
    if ts is None:
        return None
    plats = part["plats"]
    lat = rec.get("latency_ms")
    has_lat = isinstance(lat, (int, float)) and not isinstance(lat, bool)
    pi = plat_ix.get(plat) if type(plat) is str else None
    learnt: tuple[Any, ...] | None = None
    if known is not None:
        base, cph = known
        part["checkpoint_hooks"].update(cph)
        codes = [c | HASLAT if c and has_lat else c for c in base]
        simple = True
    else:
        verdicts = rec.get("verdicts") or ()
        simple = pi is not None and type(verdicts) is list
    if simple and known is None:
        base = [0] * len(hooks)
        cph = []
        for v in verdicts:
            if type(v) is not dict:
                simple = False
                break
            hook = v.get("hook")
            if type(hook) is not str:
                simple = False
                break
            i = hook_ix.get(hook)
            if i is None:
                continue
            if base[i]:
                raise Unusable("a record names one hook twice")
            raw = v.get("raw")
            if raw == "checkpoint":
                part["checkpoint_hooks"].add(hook)
                cph.append(hook)
            c = PRESENT | (RAW_CODE.get(raw, 4) << 1) if type(raw) is str else PRESENT | (4 << 1)
            if v.get("would_block"):
                c |= WB
            if v.get("error"):
                c |= ERR
            base[i] = c
        if simple:
            codes = [c | HASLAT if c and has_lat else c for c in base]
            learnt = (base, tuple(cph))
    if not simple:  # anything unusual: the general rules
        got = _row(rec, hooks, plats, part["checkpoint_hooks"])
        if got is None:
            return None
        _ts, _lat, _day, pi, codes = got
    rows = part["rows"]
    part["ts"].append(ts)
    part["lat"].append(float(lat) if has_lat and lat is not None else 0.0)
    part["day"].append(int(ts // 86400))
    part["plat"].append(pi)
    hcols = part["h"]
    for i, c in enumerate(codes):
        hcols[i].append(c)
        if c & WB:
            rs = part["wb"].setdefault(str(rec.get("id", "")), [])
            if not rs or rs[-1] != rows:
                rs.append(rows)
    part["rows"] = rows + 1
    return learnt


def _parse_span(path: str, a: int, b: int, hooks: list[str], portable: bool = False) -> dict[str, Any]:
    """The rollup's part for the whole lines of ``[a, b)``: each line parsed as ``jsonio.loads``
    parses it (a block decoded at once and each line scanned in place; any line the scanner
    does not take exactly is handed to ``jsonio.loads`` itself). *portable*: as plain data
    (``marshal``), for a forked worker. Rows, and the ``wb`` rows, count from 0."""
    from hookgate.state import ledger

    part = _new_part(hooks)
    hook_ix = {h: i for i, h in enumerate(hooks)}
    plat_ix: dict[str, int] = {}
    ts_cache: dict[str, float | None] = {}
    known: dict[str, tuple[Any, ...]] = {}  # text of a verdicts list -> what it gives (_add)
    scan = json._scan
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        pos = a
        block = ledger.SPAN_BLOCK
        while pos < b:
            data = os.pread(fd, min(block, b - pos), pos)
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                if len(data) < block:  # no newline before b: not a span of whole lines
                    raise Unusable("a line without its end")
                block *= 2  # a line longer than a block
                continue
            try:
                s = data[:cut].decode("utf-8")
            except UnicodeDecodeError:
                s = ""
            if s and scan is not None:
                i = 0
                n = len(s)
                while i < n:
                    j = s.index("\n", i)
                    line = s[i:j]
                    i = j + 1
                    # the line's only "verdicts" key (no other string spelled so, no \u escape
                    # that could spell one), its list one this part already read: parsed with 0
                    # in its place, the list's codes reused (see the module's docstring)
                    at = line.rfind(',"verdicts":[') + 12
                    plain = at > 11 and "\\u" not in line and line.count('"verdicts"') == 1
                    if plain and known:
                        done = False
                        for c, info in known.items():
                            if line.startswith(c, at) and line[at + len(c):at + len(c) + 1] in (",", "}"):
                                short = line[:at] + "0" + line[at + len(c):]
                                try:
                                    o, e = scan(short, 0)
                                except Exception:  # noqa: BLE001 - the whole line decides
                                    break
                                if (type(o) is dict and e == len(short) and type(o.get("verdicts")) is int
                                        and o["verdicts"] == 0):
                                    done = _add(part, o, hooks, hook_ix, plat_ix, ts_cache, info) is not REDO
                                break
                        if done:
                            continue
                    rec: Any = None
                    try:
                        if line[:1] == "{":
                            rec, e = scan(line, 0)
                            if e != len(line):
                                raise ValueError
                        else:
                            raise ValueError
                    except Exception:  # noqa: BLE001 - whatever it is, loads decides
                        try:
                            rec = json.loads(line + "\n")
                        except ValueError:
                            rec = None
                    if rec is not None:
                        plats_before = len(part["plats"])
                        learnt = _add(part, rec, hooks, hook_ix, plat_ix, ts_cache)
                        if len(part["plats"]) != plats_before or not plat_ix:
                            plat_ix.clear()
                            plat_ix.update((p, k) for k, p in enumerate(part["plats"]) if type(p) is str)
                        if plain and learnt is not None and len(known) < 64:
                            try:
                                v, ve = scan(line, at)
                            except Exception:  # noqa: BLE001 - (a list: it scans)
                                continue
                            if type(v) is list and v == rec.get("verdicts"):
                                known[line[at:ve]] = learnt
            else:
                for raw in data[:cut].split(b"\n")[:-1]:
                    try:
                        rec = json.loads(raw + b"\n")
                    except ValueError:
                        continue
                    _add(part, rec, hooks, hook_ix, plat_ix, ts_cache)
                    plat_ix.clear()
                    plat_ix.update((p, k) for k, p in enumerate(part["plats"]) if type(p) is str)
            pos += cut
    finally:
        os.close(fd)
    if portable:
        part.update(ts=part["ts"].tobytes(), lat=part["lat"].tobytes(), day=part["day"].tobytes(),
                    plat=bytes(part["plat"]), h=[bytes(c) for c in part["h"]],
                    checkpoint_hooks=sorted(part["checkpoint_hooks"]))
    return part


def _parse_span_portable(path: str, a: int, b: int, hooks: list[str]) -> dict[str, Any]:
    try:
        return {"part": _parse_span(path, a, b, hooks, portable=True)}
    except Unusable as e:
        return {"unusable": str(e)}


def _parts(path: str, start: int, end: int, hooks: list[str], digest: PrefixDigest) -> list[dict[str, Any]]:
    """The parts of ``[start, end)`` (whole lines) in order — one per core for a long stretch,
    parsed in forked workers while this process extends *digest* over the same bytes; else one,
    parsed here."""
    from hookgate.state import ledger

    cuts = [start]
    k = ledger._cpus() if end - start >= ledger.PARALLEL_MIN else 1
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        for i in range(1, k):
            c = ledger._newline_after(fd, start + (end - start) * i // k, end)
            if cuts[-1] < c < end:
                cuts.append(c)
    finally:
        os.close(fd)
    cuts.append(end)
    spans = list(zip(cuts, cuts[1:]))
    kids = ledger._fork_each(_parse_span_portable, [(path, a, b, hooks) for a, b in spans]) if len(spans) > 1 else []
    try:
        with open(path, "rb") as f:
            f.seek(start)
            left = end - start
            while left > 0:
                chunk = f.read(min(left, 4 * ledger.DIGEST_BLOCK))
                if not chunk:
                    raise Unusable("the ledger shrank")
                digest.update(chunk)
                left -= len(chunk)
    finally:
        results = ledger._collect(kids)  # (every child waited for, whatever happens here)
    if not kids:
        return [_parse_span(path, a, b, hooks) for a, b in spans]
    out = []
    for (a, b), got in zip(spans, results):
        if got is None:  # the worker failed: here, to fail (or not) the same way
            out.append(_parse_span(path, a, b, hooks))
            continue
        if "unusable" in got:
            raise Unusable(got["unusable"])
        out.append(got["part"])
    return out


def _extend(state_dir: str, path: str, head: dict[str, Any], cols: dict[str, Any] | None, key: bytes,
            digest: PrefixDigest | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read the ledger's complete lines after ``offset`` into the rollup; write it back.
    *digest*: the hash of the first ``offset`` bytes, already taken."""
    from hookgate.state import ledger

    hooks = head["hooks"]
    plats = list(head["plats"])
    checkpoint_hooks = set(head["checkpoint_hooks"])
    labels = list(head["labels"])
    changes = list(head["changes"])
    wb = {k: list(v) for k, v in head["wb"].items()}
    answered = head["answered"]
    ts_a, lat_a, day_a, plat_b = array("d"), array("d"), array("i"), bytearray()
    hcols = [bytearray() for _ in hooks]
    rows = head["rows"]
    offset = head["offset"]
    with open(path, "rb") as f:
        if digest is None:
            digest = ledger.PrefixDigest()
            left = offset
            while left > 0:
                chunk = f.read(min(left, 1 << 22))
                digest.update(chunk)
                left -= len(chunk)
        size = os.fstat(f.fileno()).st_size
        end = ledger._whole_lines_end(f.fileno(), size)
    if end < size:
        raise Unusable("a line without its end (a writer mid-write, or killed)")
    for part in _parts(path, offset, max(offset, end), hooks, digest) if end > offset else ():
        table = bytearray(range(256))
        for i, p in enumerate(part["plats"]):
            if p not in plats:
                if len(plats) >= 250:
                    raise Unusable("too many platforms")
                plats.append(p)
            table[i] = plats.index(p)
        ts_a.frombytes(bytes(part["ts"]))
        lat_a.frombytes(bytes(part["lat"]))
        day_a.frombytes(bytes(part["day"]))
        plat_b += bytes(part["plat"]).translate(bytes(table))
        for i, c in enumerate(part["h"]):
            hcols[i] += c
        labels.extend(part["labels"])
        changes.extend(part["changes"])
        for rid, rs in part["wb"].items():
            have = wb.setdefault(rid, [])
            for r in rs:
                if not have or have[-1] != rows + r:
                    have.append(rows + r)
        answered += part["answered"]
        checkpoint_hooks.update(part["checkpoint_hooks"])
        rows += part["rows"]
    offset = max(offset, end)
    if cols is not None and offset == head["offset"]:
        return head, cols  # nothing appended since
    os.makedirs(_dir(state_dir), mode=0o700, exist_ok=True)
    sums = {}
    data = {"ts": ts_a.tobytes(), "lat": lat_a.tobytes(), "day": day_a.tobytes(), "plat": bytes(plat_b)}
    data.update({_hook_col(i): bytes(c) for i, c in enumerate(hcols)})
    fresh = cols is None
    for name, b in data.items():
        p = _col_path(state_dir, name)
        with open(p, "wb" if fresh else "ab") as f:
            f.write(b)
        h = _sha()
        with open(p, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 22), b""):
                h.update(chunk)
        sums[name] = h.hexdigest()
    head = dict(head, offset=offset, **digest.state(), plats=plats, labels=labels, changes=changes,
                wb=wb, answered=answered, checkpoint_hooks=sorted(checkpoint_hooks), rows=rows, cols=sums)
    head["mac"] = _mac(key, head)
    from hookgate.state.locks import atomic_write

    atomic_write(os.path.join(_dir(state_dir), "header.json"), json.dumps(head).encode(), fsync=False)
    return head, _read_cols(state_dir, head) or {}


def _open(state_dir: str, path: str, hooks: list[str], resume: bool = False,
          wait: float = 30.0, defer: list[Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The rollup for the ledger at *path*, extended to its end (built when there is none, or
    when the one there is not to be believed), under the rollup's lock. *resume*: the writer's
    upkeep (:mod:`hookgate.core.upkeep`) extends it without re-reading the verified prefix.
    *defer*: see :func:`_open_locked`."""
    from hookgate.state.locks import LockTimeout, lock_file, release

    key = _key(state_dir)
    if key is None:
        raise Unusable("no key")
    os.makedirs(_dir(state_dir), mode=0o700, exist_ok=True)
    try:
        fd = lock_file(os.path.join(_dir(state_dir), "lock"), timeout=wait)
    except LockTimeout:
        raise Unusable("the rollup is being built by another process") from None
    try:
        return _open_locked(state_dir, path, hooks, key, resume, defer)
    finally:
        release(fd)


def refresh(state_dir: str, path: str, hooks: Iterable[str], wait: float = 0.0) -> int:
    """Extend (or build) the rollup to the ledger's end; its row count. For the writer's upkeep."""
    head, _cols = _open(state_dir, path, list(hooks), resume=True, wait=wait)
    return int(head["rows"])


def _prefix_checks(path: str, head: dict[str, Any]) -> bool:
    return _prefix_ok(path, head) is not None


def _open_locked(state_dir: str, path: str, hooks: list[str], key: bytes,
                 resume: bool = False, defer: list[Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """*defer* (a list): when the rollup covers the whole ledger as it is (nothing appended) and
    that is long, its prefix is checked in a forked worker, which *defer* receives, while the
    caller computes from the rollup; the caller believes nothing it computed until the worker
    says the prefix checks (:func:`collect`)."""
    from hookgate.state import ledger

    head = _load_head(state_dir, key, hooks)
    cols = None
    digest = None
    if head is not None:
        cols = _read_cols(state_dir, head)
        if (cols is not None and defer is not None and not resume and head["offset"] >= ledger.PARALLEL_MIN
                and ledger._cpus() > 1 and os.path.getsize(path) == head["offset"]
                and len(cols.get("ts", ())) == head["rows"]):
            defer.append(ledger._fork_each(_prefix_checks, [(path, head)]))
            return head, cols
        digest = _prefix_ok(path, head, resume) if cols is not None else None
        if digest is None:
            head, cols = None, None
    if head is None:
        head = _empty(hooks)
    head, cols = _extend(state_dir, path, head, cols, key, digest)
    if len(cols.get("ts", ())) != head["rows"]:
        raise Unusable("columns unreadable")
    return head, cols


def _and(a: bytes, b: bytes) -> bytes:
    n = len(a)
    return (int.from_bytes(a, "little") & int.from_bytes(b, "little")).to_bytes(n, "little")


def _table(pred: Callable[[int], object]) -> bytes:
    return bytes(1 if pred(i) else 0 for i in range(256))


def _window_mask(ts: array[float], w: float | None, n: int, run: list[float]) -> bytes:
    """1 for the rows with ts ≥ w (every row when w is None). *run*: the running maximum of ts
    (rows are in ledger order, nearly sorted by time: a record's ts is taken before its append)."""
    if w is None:
        return b"\x01" * n
    import bisect

    k = bisect.bisect_left(run, w)  # rows before k: ts < w
    k3 = bisect.bisect_left(run, w + 3600.0)
    out = bytearray(k)
    if k3 < n and min(ts[k3:]) >= w:  # rows from k3 on are all in: check only [k, k3) one by one
        out += bytes(1 if t >= w else 0 for t in ts[k:k3])
        out += b"\x01" * (n - k3)
    else:
        out += bytes(1 if t >= w else 0 for t in ts[k:])
    return bytes(out)


def collect(state_dir: str, path: str, config: dict[str, Any], hooks: Iterable[str]) -> dict[str, Any]:
    """:func:`evidence.collect` over the ledger at *path*, from its rollup. Raises
    :class:`Unusable` when the rollup cannot stand for it."""
    from hookgate.state import ledger

    hook_ids = list(hooks)
    pending: list[Any] = []
    head, cols = _open(state_dir, path, hook_ids, defer=pending)
    try:
        got = _collect_from(head, cols, config, hook_ids)
    finally:
        checked = ledger._collect(pending[0]) == [True] if pending else True  # (the worker waited for)
    if checked:
        return got
    head, cols = _open(state_dir, path, hook_ids)  # the prefix changed (or its check failed): rebuilt
    return _collect_from(head, cols, config, hook_ids)


def _collect_from(head: dict[str, Any], cols: dict[str, Any], config: dict[str, Any],
                  hook_ids: list[str]) -> dict[str, Any]:
    n = head["rows"]
    ts, lat, day, plat = cols["ts"], cols["lat"], cols["day"], cols["plat"]
    plats = head["plats"]
    changes = head["changes"]
    labels = {(lab["target"], lab["hook"]): lab["label"] for lab in head["labels"]}
    wb_rows = head["wb"]
    out: dict[str, dict[str, evidence.Stats]] = {}
    lat_cache: dict[Any, Any] = {}  # mask bytes -> what depends on the rows only (shared by hooks)
    windows: dict[float, bytes] = {}
    run: list[float] = []
    for hi, hook in enumerate(hook_ids):
        codes = cols[_hook_col(hi)]
        present = codes.translate(_table(lambda c: c & PRESENT))
        per_plat = []
        for pi, p in enumerate(plats):
            pm = _and(plat.translate(_table(pi.__eq__)), present)
            if b"\x01" not in pm:
                continue
            w = evidence.window_start(config, changes, hook, p)
            if w is not None and w not in windows:
                if not run:
                    run = list(itertools.accumulate(ts, max))
                windows[w] = _window_mask(ts, w, n, run)
            mask = _and(pm, windows[w]) if w is not None else pm
            first_row = mask.find(b"\x01")
            if first_row < 0:
                continue
            per_plat.append((first_row, p, _stats(hook, p, mask, codes, ts, lat, day, labels, wb_rows, lat_cache)))
        per_plat.sort(key=lambda x: x[0])  # in the order the streaming path meets them
        per = {p: st for _r, p, st in per_plat}
        per[evidence.ALL] = _merge(hook, [st for _r, _p, st in per_plat], lat_cache)
        out[hook] = {evidence.ALL: per[evidence.ALL], **{p: per[p] for p in per if p != evidence.ALL}}
    return {"stats": out, "checkpoint_hooks": set(head["checkpoint_hooks"]), "answered": head["answered"],
            "changes": changes}


def _merged_latencies(parts: list[evidence.Stats], cache: dict[Any, Any]) -> array[float]:
    """The platforms' sorted latencies as one sorted array (runs merged by Timsort in C),
    computed once for hooks that share them."""
    key = ("merged",) + tuple(id(s.latencies) for s in parts)
    got = cache.get(key)
    if got is None:
        lats = array("d")
        for s in parts:
            lats.extend(s.latencies)
        got = cache[key] = array("d", sorted(lats))
    return got


_T255 = bytes([0, 255]) + bytes(254)


def _stats(hook: str, p: str, mask: bytes, codes: bytes, ts: array[float], lat: array[float], day: array[int],
           labels: dict[tuple[str, str], str], wb_rows: dict[str, list[int]], lat_cache: dict[Any, Any]) -> evidence.Stats:
    st = evidence.Stats(hook, p)
    masked = _and(codes, mask.translate(_T255))  # the hook's code on the selected rows, else 0
    kinds = lat_cache.get(("kinds", codes))
    if kinds is None:
        kinds = lat_cache[("kinds", codes)] = sorted(set(codes) - {0})
    sel = {c: masked.count(c) for c in kinds}
    st.evaluations = sum(sel.values())
    for c, k in sel.items():
        r = (c >> 1) & 7
        if r < 4:
            st.raw[evidence.RAW_OUTCOMES[r]] += k
        if c & ERR:
            st.errors += k
        if c & WB:
            st.would_block += k
    latmask = _and(mask, codes.translate(_table(lambda c: c & HASLAT and 1)))
    got = lat_cache.get(("lat", latmask))
    if got is None:
        got = lat_cache[("lat", latmask)] = array("d", sorted(itertools.compress(lat, latmask)))
    st.latencies = got
    st.latencies_sorted = True
    rows = lat_cache.get(("rows", mask))
    if rows is None:
        rows = lat_cache[("rows", mask)] = (min(itertools.compress(ts, mask)), max(itertools.compress(ts, mask)),
                                  {evidence.day_of(d * 86400.0) for d in set(itertools.compress(day, mask))})
    st.first, st.last = rows[0], rows[1]
    st.eval_days = set(rows[2])
    wbmask = _and(mask, codes.translate(_table(lambda c: c & WB and 1)))
    if st.would_block * 32 < len(wbmask):  # few would-blocks: visit them, not every row
        per: dict[int, int] = {}
        r = wbmask.find(1)
        while r >= 0:
            per[day[r]] = per.get(day[r], 0) + 1
            r = wbmask.find(1, r + 1)
    else:
        per = collections.Counter(itertools.compress(day, wbmask))
    for d, k in per.items():  # (first met first, either way)
        st.per_day[evidence.day_of(d * 86400.0)] = k
    for (target, lh), label in labels.items():
        if lh != hook:
            continue
        for r in wb_rows.get(target, ()):
            if wbmask[r]:
                if label == "tp":
                    st.tp += 1
                elif label == "fp":
                    st.fp += 1
    st.unlabelled = st.would_block - st.tp - st.fp
    return st


def _merge(hook: str, parts: list[evidence.Stats], cache: dict[Any, Any]) -> evidence.Stats:
    st = evidence.Stats(hook, evidence.ALL)
    for s in parts:
        st.evaluations += s.evaluations
        for k in st.raw:
            st.raw[k] += s.raw[k]
        st.would_block += s.would_block
        st.tp += s.tp
        st.fp += s.fp
        st.errors += s.errors
        st.unlabelled += s.unlabelled
        if s.first is not None:
            st.first = s.first if st.first is None else min(st.first, s.first)
            st.last = s.last if st.last is None or s.last is None else max(st.last, s.last)
        st.eval_days |= s.eval_days
        for day, count in s.per_day.items():
            st.per_day[day] = st.per_day.get(day, 0) + count
    st.latencies = _merged_latencies(parts, cache)
    st.latencies_sorted = True
    return st
