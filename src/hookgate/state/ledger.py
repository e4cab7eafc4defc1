"""The append-only, hash-chained decision ledger (ADR 0004).

One JSON object per line, keys sorted, no spaces. Each record carries ``prev`` (the hash
of the record before it; 64 zeros for the first) and ``hash`` =
``sha256(prev + canonical(record without "hash"))``. A line must be byte-identical to the
canonical form of its parsed object, so editing any byte of any record breaks the chain at
that record. Appends are one ``os.write`` on an ``O_APPEND`` descriptor under ``flock``;
the previous hash is read from the file's tail under the same lock.
"""

from __future__ import annotations

from hookgate.state import jsonio as json
import os

try:  # the builtin module avoids loading OpenSSL through hashlib (~4 ms per process)
    from _sha256 import sha256
except ImportError:  # pragma: no cover - other interpreters
    from hashlib import sha256

from hookgate.state.locks import LockTimeout, describe_holder, ensure_dir, flock_timeout, unlock, write_all

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from collections.abc import Callable
    from typing import IO, Any, Iterable, Iterator

GENESIS = "0" * 64
LEDGER_NAME = "ledger.jsonl"
SIDE_NAME = "ledger.side.jsonl"
# well inside the per-call deadline (ADR 0018): appends take milliseconds; a lock held longer
# is an agent stalling hookgate, and the record goes to the side log instead
LOCK_TIMEOUT = 2.0

__all__ = ["LockTimeout", "append_file", "append_side", "holder_of"]
_TAIL_CHUNK = 65536


def ledger_path(state_dir: str) -> str:
    return os.path.join(state_dir, LEDGER_NAME)


def canonical(obj: dict[str, Any]) -> str:
    """Sorted keys, no spaces, ASCII only: non-ASCII (and lone surrogates from non-UTF-8
    input) become ``\\uXXXX`` escapes, so every record encodes and verifies byte-exactly."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def chain_hash(prev: str, body: dict[str, Any]) -> str:
    return str(sha256((prev + canonical(body)).encode("utf-8")).hexdigest())


def _lines_backwards(fd: int, size: int) -> Iterator[bytes]:
    """Complete lines of the file, last first, without the partial line after the last newline.
    Linear in the bytes read: each chunk is split once and a line is joined once."""
    end = size
    frags: list[bytes] = []  # pieces of the line being assembled, right to left
    seen_nl = False
    while end > 0:
        start = max(0, end - _TAIL_CHUNK)
        chunk = os.pread(fd, end - start, start)
        end = start
        pos = len(chunk)
        while True:
            nl = chunk.rfind(b"\n", 0, pos)
            if nl < 0:
                frags.append(chunk[:pos])
                break
            piece = chunk[nl + 1:pos]
            if seen_nl:  # the bytes after the last newline are a partial line: never yielded
                frags.append(piece)
                line = b"".join(reversed(frags))
                if line:
                    yield line
            seen_nl = True
            frags = []
            pos = nl
    if seen_nl and frags:
        line = b"".join(reversed(frags))
        if line:
            yield line


def _last_hash(fd: int) -> tuple[str, bool]:
    """(hash of the last complete record, whether the file ends in a torn line)."""
    size = os.fstat(fd).st_size
    if size == 0:
        return GENESIS, False
    torn = os.pread(fd, 1, size - 1) != b"\n"
    for raw in _lines_backwards(fd, size):
        try:
            rec = json.loads(raw)
            h = rec.get("hash")
            if isinstance(h, str) and len(h) == 64:
                return h, torn
        except (ValueError, AttributeError):
            continue  # a torn line in the middle: chain over it
    return GENESIS, torn


# The hash chain in memory (ADR 0025): a process that appends more than once (the decision server,
# the one writer) keeps the tail it wrote — (device, inode, size, last bytes, their hash) per
# ledger — and takes ``prev`` from it when the file, under the flock, is still exactly what it
# left: same file, same size, and its last bytes the ones it wrote (one small pread). Anything
# else (a one-shot process appended, a repair, a replaced file) reads the tail as before.
_TAILS: dict[str, tuple[int, int, int, bytes, str]] = {}


def _tail_of(fd: int, path: str) -> tuple[str, bool, int]:
    """(previous hash, torn tail, size) of the locked ledger *fd*."""
    st = os.fstat(fd)
    known = _TAILS.get(path)
    if known is not None and known[:3] == (st.st_dev, st.st_ino, st.st_size):
        last = known[3]
        if os.pread(fd, len(last), st.st_size - len(last)) == last:
            return known[4], False, st.st_size
    prev, torn = _last_hash(fd)
    return prev, torn, st.st_size


def _remember(fd: int, path: str, size: int, data: bytes, h: str) -> None:
    try:
        st = os.fstat(fd)
    except OSError:
        st = None
    if st is None or st.st_size != size:  # not what this write left (not under the flock): forget
        _TAILS.pop(path, None)
        return
    if len(_TAILS) >= 64 and path not in _TAILS:  # a server that wrote to many repositories
        _TAILS.clear()
    _TAILS[path] = (st.st_dev, st.st_ino, size, data[-min(len(data), 4096):], h)


def append_file(state_dir: str, record: dict[str, Any], fsync: bool = True) -> dict[str, Any]:
    """Append *record* (without prev/hash) to the ledger file; return it as written. A record
    of a decision goes through ``state.backend.ledger_append``, which picks the repository's
    chain (this file, or the shared one of ADR 0028)."""
    ensure_dir(state_dir)
    path = ledger_path(state_dir)
    grew_past = False
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        try:
            flock_timeout(fd, LOCK_TIMEOUT, path)
        except LockTimeout:
            raise LockTimeout(path, LOCK_TIMEOUT, describe_holder(path)) from None
        try:
            prev, torn, size = _tail_of(fd, path)
            body = dict(record)
            body.pop("hash", None)
            body["prev"] = prev
            body["hash"] = chain_hash(prev, body)
            line = canonical(body) + "\n"
            data = ("\n" + line if torn else line).encode("utf-8")
            write_all(fd, data)
            _remember(fd, path, size + len(data), data, body["hash"])
            grew_past = (size + len(data)) // UPKEEP_EVERY != size // UPKEEP_EVERY
            if fsync:
                if GROUP_COMMIT is None:
                    os.fsync(fd)
                else:
                    GROUP_COMMIT(path)
        finally:
            unlock(fd)
    finally:
        os.close(fd)
    if grew_past:
        start_upkeep(state_dir)
    return body


# ADR 0027: every UPKEEP_EVERY bytes of ledger, its writer starts the upkeep that extends the
# verified-prefix checkpoint and the evidence rollup (``hookgate upkeep``, ``core/upkeep.py``), so the first
# ``audit verify`` / ``rollout status`` on a big ledger reads at most this much past them.
UPKEEP_EVERY = 8 << 20


def start_upkeep(state_dir: str) -> None:
    """Start the ledger's upkeep, detached: through ``sh -c '… &'``, which exits at once and is
    reaped here (no zombie in the server), in its own session, no inherited descriptors, stdio on
    /dev/null — the hook's caller never waits for it. Best effort: if it cannot start, the next
    reader does the work."""
    try:
        import subprocess
        import sys

        subprocess.run(["/bin/sh", "-c", '"$@" &', "sh", sys.executable, "-E", "-m", "hookgate", "upkeep",
                        os.path.abspath(state_dir)],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       close_fds=True, start_new_session=True, cwd="/", timeout=5)
    except Exception:  # noqa: BLE001 - never a reason to fail a decision
        pass


# ADR 0025: the decision server sets this to a callable that takes the ledger path and fsyncs it
# within its stated group-commit window (the record is written — it survives a killed process —
# before the answer; the fsync, which only a machine crash needs, follows within the window).
GROUP_COMMIT = None


def side_path(state_dir: str) -> str:
    return os.path.join(state_dir, SIDE_NAME)


def append_side(state_dir: str, record: dict[str, Any]) -> None:
    """The side log (ADR 0018): a record the ledger could not take in time (its lock held, the
    deadline near). No lock: one ``os.write`` of one whole line on an ``O_APPEND`` descriptor,
    so an agent holding the ledger cannot also silence this. Not hash-chained; ``hookgate
    audit`` reports it beside the ledger."""
    ensure_dir(state_dir)
    body = dict(record)
    body.pop("hash", None)
    body.pop("prev", None)
    fd = os.open(side_path(state_dir), os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        write_all(fd, (canonical(body) + "\n").encode("utf-8"))
    finally:
        os.close(fd)


def holder_of(state_dir: str) -> str:
    """Who holds the ledger's lock now ("pid N, session S" or "")."""
    try:
        return describe_holder(ledger_path(state_dir))
    except Exception:  # noqa: BLE001
        return ""


# --- reading and verification (CLI side, but stdlib) ---------------------------------------


class VerifyResult:
    __slots__ = ("ok", "count", "bad_line", "reason", "torn_lines", "torn_tail")

    def __init__(self) -> None:
        self.ok = True
        self.count = 0
        self.bad_line = 0
        self.reason = ""
        self.torn_lines: list[int] = []
        self.torn_tail = False


def iter_lines(path: str) -> Iterator[tuple[int, bytes, bool]]:
    """Yield (line_no, raw_bytes, has_newline)."""
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        return
    with f:
        for n, raw in enumerate(f, 1):
            has_nl = raw.endswith(b"\n")
            yield n, raw[:-1] if has_nl else raw, has_nl


def iter_records(path: str) -> Iterable[dict[str, Any]]:
    """Yield parsed records, skipping lines that do not parse."""
    for _n, raw, _nl in iter_lines(path):
        try:
            rec = json.loads(raw)
        except ValueError:
            continue
        if isinstance(rec, dict):
            yield rec


def iter_records_backwards(path: str) -> Iterable[dict[str, Any]]:
    """Parsed records, last first (:func:`iter_records` in reverse, reading from the end in
    chunks: the last records of a 1 M-record ledger without reading the rest)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        return
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":  # a last line without its newline
            start = size
            while start > 0:
                chunk = os.pread(fd, min(start, _TAIL_CHUNK), max(0, start - _TAIL_CHUNK))
                nl = chunk.rfind(b"\n")
                if nl >= 0:
                    start = start - len(chunk) + nl + 1
                    break
                start -= len(chunk)
            frag = os.pread(fd, size - start, start)
            try:
                rec = json.loads(frag)
            except ValueError:
                rec = None
            if isinstance(rec, dict):
                yield rec
        for raw in _lines_backwards(fd, size):
            try:
                rec = json.loads(raw)
            except ValueError:
                continue
            if isinstance(rec, dict):
                yield rec
    finally:
        os.close(fd)


def _check(raw: bytes, prev: str) -> tuple[dict[str, Any] | None, str]:
    try:
        rec = json.loads(raw)
    except ValueError:
        return None, "not valid JSON"
    if not isinstance(rec, dict):
        return None, "not a JSON object"
    text = canonical(rec)
    if text.encode("utf-8") != raw:
        return rec, "bytes differ from the canonical form (record edited)"
    h = rec.get("hash")
    if rec.get("prev") != prev:
        return rec, "prev does not match the hash of the record before it"
    # the body's canonical form is the line without its hash member (the line is canonical, and
    # no earlier member can hold this record's own hash): one serialisation per record, not two
    if isinstance(h, str):
        member = '"hash":' + json.dumps(h)
        body = text.replace(member + ",", "", 1) if member + "," in text else text.replace("," + member, "", 1)
        ok = sha256((prev + body).encode("utf-8")).hexdigest() == h
    else:
        ok = False
    if not ok:
        return rec, "hash does not match the record's content"
    return rec, ""


# --- the bulk of a long walk: block by block, one process per core (ADR 0027) ------------------
#
# ``verify`` walks a ledger line by line (``_check``: parse, re-encode, compare, hash). Past
# PARALLEL_MIN bytes still to walk, the bulk goes to ``_verify_bulk`` first: the bytes are split
# at newlines into one span per core, each span checked in a forked process by ``_verify_span``,
# and the spans linked in order (each span's first ``prev`` must be the hash its predecessor
# ended on). A span accepts a line only when ``_check`` would, and stops at the first line it
# does not accept; ``verify`` then walks on line by line from the first place the spans did not
# reach — so every verdict, line number and reason is the line-by-line walk's own.

PARALLEL_MIN = 32 << 20
SPAN_BLOCK = 2 << 20


def _cpus() -> int:
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        n = os.cpu_count() or 1
    return max(1, min(n, 8))


def _canonical_encoder() -> Callable[[Any, int], Any] | None:
    """The encoder behind :func:`canonical` (the same arguments ``jsonio.dumps`` passes), or None."""
    try:
        import _json
    except ImportError:  # pragma: no cover - every CPython has it
        return None
    enc: Callable[[Any, int], Any] = _json.make_encoder(None, json._default, _json.encode_basestring_ascii, None,
                                                        ":", ",", True, False, True)
    return enc


def _verify_span(path: str, a: int, b: int) -> tuple[int, str, str, int]:
    """Check the lines of ``[a, b)`` (*a* a line start, *b* just after a newline) as ``_check``
    does, without a ``prev`` for the first: (offset of the first line not accepted — *b* when
    all are —, ``prev`` of the first record, hash of the last, records accepted).

    Read in blocks of whole lines; a block that is not ASCII (no canonical line is) is left to
    the line-by-line walk. Each line is scanned with ``jsonio``'s scanner, which must end
    exactly at the line's end (one JSON object, nothing before or after it: what
    ``jsonio.loads`` of the line parses, since a canonical line has no whitespace to strip),
    encoded again by ``canonical``'s encoder and compared, then hashed as ``_check`` hashes it.

    Most of a record's bytes are its ``verdicts`` list, which repeats from record to record.
    When the text after a line's last ``,"verdicts":[`` — minus its ``,`` and key, from the
    ``[`` on — starts with the canonical text *c* of a list this span already checked, followed
    by ``,`` or ``}``, the line is checked with ``0`` in place of *c* (``short``): if ``short``
    is canonical, so is the line. Proof: ``short`` is canonical, so its ``"`` after that ``,`` is
    not inside a string (a canonical string spells ``"`` as ``\\"``) and begins a key, and the
    ``0`` after its ``:`` is a whole value (followed by ``,`` or ``}``); the canonical encoder
    writes an object member by member, each value by itself, so putting the canonical text *c*
    of a value in place of that value's text gives the canonical text of the object with that
    value — the line. ``prev`` and ``hash`` are the line's (another member's value changed), and
    the body is hashed from the line itself."""
    from hashlib import sha256 as sha

    scan = json._scan
    enc = _canonical_encoder()
    if scan is None or enc is None:  # pragma: no cover - every CPython has _json
        return a, "", "", 0
    import _json

    quote = _json.encode_basestring_ascii
    first = ""
    prev = ""
    count = 0
    pos = a
    known: list[str] = []  # canonical texts of verdicts lists met (a JSON value each)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        while pos < b:
            data = os.pread(fd, min(SPAN_BLOCK, b - pos), pos)
            cut = data.rfind(b"\n") + 1
            if cut == 0:  # one line longer than a block (or the file changed): line by line
                return pos, first, prev, count
            try:
                s = data[:cut].decode("ascii")
            except UnicodeDecodeError:
                return pos, first, prev, count
            i = 0
            while i < cut:
                j = s.index("\n", i)
                line = s[i:j]
                # a verdicts list this span has already met, spelled the same: checked once
                short = ""
                at = line.rfind(',"verdicts":[') + 12
                if at > 11:
                    for c in known:
                        if line.startswith(c, at) and line[at + len(c):at + len(c) + 1] in (",", "}"):
                            short = line[:at] + "0" + line[at + len(c):]
                            break
                try:
                    o, e = scan(short or line, 0)
                except Exception:  # noqa: BLE001 - not JSON (StopIteration, ValueError, …): _check says why
                    return pos + i, first, prev, count
                if type(o) is not dict or e != len(short or line):
                    return pos + i, first, prev, count
                p = o.get("prev")
                h = o.get("hash")
                if type(p) is not str or type(h) is not str or (count and p != prev):
                    return pos + i, first, prev, count
                if "".join(enc(o, 0)) != (short or line):
                    return pos + i, first, prev, count
                if at > 11 and not short and len(known) < 64:  # learn this one
                    try:
                        _v, ve = scan(line, at)
                        known.append(line[at:ve])
                    except Exception:  # noqa: BLE001 - (the line is canonical: it is a value)
                        pass
                text = line
                member = '"hash":' + quote(h)
                body = text.replace(member + ",", "", 1) if member + "," in text else text.replace("," + member, "", 1)
                try:
                    if sha((p + body).encode("utf-8")).hexdigest() != h:
                        return pos + i, first, prev, count
                except UnicodeEncodeError:
                    return pos + i, first, prev, count
                if not count:
                    first = p
                prev = h
                count += 1
                i = j + 1
            pos += cut
    finally:
        os.close(fd)
    return pos, first, prev, count


def _fork_each(fn: Callable[..., Any], calls: list[tuple[Any, ...]]) -> list[tuple[int, int]]:
    """Start ``fn(*args)`` for each of *calls* in a forked child; (pid, read end of its pipe)
    each. A child writes its result (``marshal``) and leaves with ``os._exit``."""
    import marshal

    kids = []
    for args in calls:
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child (coverage does not follow it)
            code = 1
            try:
                os.close(r)
                data = marshal.dumps(fn(*args))
                with open(w, "wb", closefd=True) as out:
                    out.write(data)
                code = 0
            finally:
                os._exit(code)
        os.close(w)
        kids.append((pid, r))
    return kids


def _collect(kids: list[tuple[int, int]]) -> list[Any]:
    """The children's results, in order; None for a child that did not finish cleanly."""
    import marshal

    out = []
    for pid, r in kids:
        with open(r, "rb", closefd=True) as f:
            data = f.read()
        _pid, status = os.waitpid(pid, 0)
        try:
            out.append(marshal.loads(data) if os.waitstatus_to_exitcode(status) == 0 else None)
        except (EOFError, ValueError, TypeError):
            out.append(None)
    return out


def _newline_after(fd: int, pos: int, end: int) -> int:
    """The offset just after the first newline at or after *pos*, or *end*."""
    while pos < end:
        chunk = os.pread(fd, min(65536, end - pos), pos)
        if not chunk:
            break
        nl = chunk.find(b"\n")
        if nl >= 0:
            return pos + nl + 1
        pos += len(chunk)
    return end


def _whole_lines_end(fd: int, size: int) -> int:
    """The offset just after the last newline below *size* (0 when there is none)."""
    end = size
    while end > 0:
        start = max(0, end - 65536)
        nl = os.pread(fd, end - start, start).rfind(b"\n")
        if nl >= 0:
            return start + nl + 1
        end = start
    return 0


def _verify_bulk(f: IO[bytes], path: str, start: int, prev: str,
                 digest: PrefixDigest) -> tuple[int, str, int, PrefixDigest]:
    """The ledger from *start* (a line start, *prev* the hash before it, *digest* the digest of
    the bytes before it) as far as the spans accept it: (offset reached, the hash there, records
    accepted, the digest of the bytes before the offset). Each of those records is one
    ``_check`` accepts, chained on the one before it."""
    fd = f.fileno()
    end = _whole_lines_end(fd, os.fstat(fd).st_size)
    k = _cpus()
    if end - start < PARALLEL_MIN or k < 2:
        return start, prev, 0, digest
    cuts = [start]
    for i in range(1, k):
        c = _newline_after(fd, start + (end - start) * i // k, end)
        if cuts[-1] < c < end:
            cuts.append(c)
    cuts.append(end)
    spans = list(zip(cuts, cuts[1:]))
    kids = _fork_each(_verify_span, [(path, a, b) for a, b in spans])
    whole = digest.copy()  # meanwhile: the digest of what the spans check
    left = end - start
    try:
        f.seek(start)
        while left > 0:
            chunk = f.read(min(left, 4 * DIGEST_BLOCK))
            if not chunk:
                break
            whole.update(chunk)
            left -= len(chunk)
    finally:
        results = _collect(kids)  # (every child waited for, whatever happens here)
    offset, cur, count = start, prev, 0
    for (_a, b), r in zip(spans, results):
        if r is None:  # the child failed: walked line by line from its span's start
            break
        stop, first, last, c = r
        if c and first != cur:  # does not chain on the span before: the walk finds where
            break
        if c:
            cur = last
        count += c
        offset = stop
        if stop != b:
            break
    if offset == end and left == 0:
        return offset, cur, count, whole
    f.seek(start)
    left = offset - start
    while left > 0:
        chunk = f.read(min(left, 4 * DIGEST_BLOCK))
        digest.update(chunk)
        left -= len(chunk)
    return offset, cur, count, digest


CHECKPOINT_NAME = "ledger.verified.json"
CHECKPOINT_EVERY = 100_000
CHECKPOINT_VERSION = 2
DIGEST_BLOCK = 1 << 20


def _sha256_ctor() -> Callable[..., Any]:
    try:
        from hashlib import sha256 as ctor  # OpenSSL: the CLI side, at disk speed
    except ImportError:  # pragma: no cover
        ctor = sha256
    return ctor


class PrefixDigest:
    """The digest of a ledger prefix that can be resumed from what a checkpoint stores (ADR 0027):
    sha256 chained over 1 MiB blocks — ``chain = sha256(chain ‖ block)`` from 32 zero bytes, the
    digest of a prefix ``sha256(chain ‖ the bytes after the last whole block)``. Checking a
    prefix still costs one read of it at disk speed (``audit verify``, ``rollout status`` do);
    extending a checkpoint (the writer's upkeep) reads only the bytes after ``base`` — the last
    whole block it names — so keeping it current costs what was appended, not the ledger."""

    __slots__ = ("base", "chain", "pending", "_ctor")

    def __init__(self, base: int = 0, chain: bytes = bytes(32), ctor: Callable[..., Any] | None = None) -> None:
        self.base = base
        self.chain = chain
        self.pending = bytearray()
        self._ctor = ctor or _sha256_ctor()

    @property
    def offset(self) -> int:
        return self.base + len(self.pending)

    def update(self, data: bytes) -> None:
        self.pending += data
        if len(self.pending) < DIGEST_BLOCK:
            return
        whole = len(self.pending) // DIGEST_BLOCK * DIGEST_BLOCK
        with memoryview(self.pending) as mv:
            for i in range(0, whole, DIGEST_BLOCK):
                h = self._ctor(self.chain)
                h.update(mv[i:i + DIGEST_BLOCK])
                self.chain = h.digest()
        del self.pending[:whole]
        self.base += whole

    def hexdigest(self) -> str:
        h = self._ctor(self.chain)
        h.update(self.pending)
        return str(h.hexdigest())

    def state(self) -> dict[str, Any]:
        return {"base": self.base, "chain": self.chain.hex(), "digest": self.hexdigest()}

    def copy(self) -> PrefixDigest:
        d = PrefixDigest(self.base, self.chain, self._ctor)
        d.pending = bytearray(self.pending)
        return d


def _checkpoint_mac(key: bytes, cp: dict[str, Any]) -> str:
    import hmac

    body = {k: v for k, v in cp.items() if k != "mac"}
    return hmac.new(key, canonical(body).encode("utf-8"), "sha256").hexdigest()


def read_checkpoint(state_dir: str, path: str, key: bytes | None) -> dict[str, Any] | None:
    """The verified prefix of the ledger (ADR 0027), when hookgate wrote it (MAC with the state
    dir's key) and it can still describe the ledger (the file is at least that long). Whether the
    prefix's bytes are still the ones verified is the caller's check (:func:`prefix_digest`).
    Otherwise None: the ledger is verified from its first byte."""
    if key is None:
        return None
    try:
        with open(os.path.join(state_dir, CHECKPOINT_NAME), "rb") as f:
            cp = json.loads(f.read(1 << 16))
    except (OSError, ValueError):
        return None
    if not isinstance(cp, dict) or cp.get("v") != CHECKPOINT_VERSION or cp.get("mac") != _checkpoint_mac(key, cp):
        return None
    if not all(isinstance(cp.get(k), int) and not isinstance(cp.get(k), bool)
               for k in ("offset", "count", "lines", "base")):
        return None
    if not (0 <= cp["base"] <= cp["offset"] and cp["base"] % DIGEST_BLOCK == 0 and cp["offset"] - cp["base"] < DIGEST_BLOCK):
        return None
    try:
        bytes.fromhex(cp.get("chain") or "")
        if os.path.getsize(path) < cp["offset"]:
            return None
    except (OSError, ValueError, TypeError):
        return None
    return cp


def prefix_digest(f: IO[bytes], offset: int, want: dict[str, Any], resume: bool = False) -> PrefixDigest | None:
    """The digest of the first *offset* bytes of the open ledger *f* when it is the one *want*
    names (``base``, ``chain``, ``digest``), positioned at *offset*; else None. *resume*: trust
    the bytes below ``base`` (hashed when *want* was written) and read only the rest — for
    extending what a MAC'd record already says, never for verifying it."""
    try:
        if resume:
            d = PrefixDigest(want["base"], bytes.fromhex(want["chain"]))
            f.seek(want["base"])
        else:
            d = PrefixDigest()
            f.seek(0)
    except (KeyError, TypeError, ValueError, OSError):
        return None
    left = offset - d.base
    while left > 0:
        chunk = f.read(min(left, 4 * DIGEST_BLOCK))
        if not chunk:
            return None
        d.update(chunk)
        left -= len(chunk)
    if d.hexdigest() != want.get("digest") or d.base != want.get("base") or d.chain.hex() != want.get("chain"):
        return None
    return d


def write_checkpoint(state_dir: str, key: bytes | None, offset: int, count: int, lines: int, prev: str,
                     digest: PrefixDigest) -> None:
    if key is None:
        return
    from hookgate.state.locks import atomic_write

    cp = {"v": CHECKPOINT_VERSION, "offset": offset, "count": count, "lines": lines, "prev": prev, **digest.state()}
    cp["mac"] = _checkpoint_mac(key, cp)
    try:
        atomic_write(os.path.join(state_dir, CHECKPOINT_NAME), canonical(cp).encode(), fsync=False)
    except OSError:
        pass


def verify(path: str, state_dir: str | None = None, key: bytes | None = None, resume: bool = False) -> VerifyResult:
    """Walk the chain; with *state_dir* and its *key* (the state dir's secret, which agents
    cannot read: ADR 0018), start after the verified prefix its checkpoint names — once the
    bytes of that prefix hash to the digest it recorded (read at disk speed, never believed
    otherwise) — and record a checkpoint as the walk passes clean ground (ADR 0027).
    *resume* (the writer's upkeep, :mod:`hookgate.core.upkeep`): re-read only the checkpoint's
    last partial block, not the whole prefix — it extends the checkpoint, it does not check it.
    Memory is bounded: one line at a time."""
    res = VerifyResult()
    prev = GENESIS
    pending_bad: tuple[int, str] | None = None
    sd = state_dir or ""
    if not sd:
        key = None
    cp = read_checkpoint(sd, path, key) if key is not None else None
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        return res
    with f:
        n = 0
        offset = 0
        digest = prefix_digest(f, cp["offset"], cp, resume) if cp is not None else None
        if digest is not None and cp is not None:
            prev, res.count, n, offset = cp["prev"], cp["count"], cp["lines"], cp["offset"]
        else:  # no checkpoint, or its prefix changed since: never believed, verify it all
            cp = None
            f.seek(0)
            digest = PrefixDigest()
        offset, prev, got, digest = _verify_bulk(f, path, offset, prev, digest)
        if got:
            res.count += got
            n += got
            if key is not None:  # clean ground passed
                write_checkpoint(sd, key, offset, res.count, n, prev, digest)
        f.seek(offset)
        for raw in f:
            n += 1
            has_nl = raw.endswith(b"\n")
            digest.update(raw)
            offset += len(raw)
            if has_nl:
                raw = raw[:-1]
            rec, err = _check(raw, prev)
            if not err and rec is not None:  # (no error: a record)
                if pending_bad is not None:  # a bad line that the next record chained over
                    res.torn_lines.append(pending_bad[0])
                    pending_bad = None
                res.count += 1
                prev = rec["hash"]
                if key is not None and has_nl and not res.torn_lines and res.count % CHECKPOINT_EVERY == 0:
                    write_checkpoint(sd, key, offset, res.count, n, prev, digest)
                continue
            if rec is None and pending_bad is None:
                if not has_nl:
                    res.torn_lines.append(n)
                    res.torn_tail = True
                    continue
                pending_bad = (n, err)  # torn only if the next record chains over it
                continue
            if pending_bad is not None:
                n, err = pending_bad
            res.ok = False
            res.bad_line = n
            res.reason = err
            return res
        if pending_bad is not None:
            res.ok, res.bad_line, res.reason = False, pending_bad[0], pending_bad[1]
            return res
        if res.torn_lines:
            res.ok = False
            res.bad_line = res.torn_lines[0]
            res.reason = "torn record (a writer died mid-write)"
            return res
        if key is not None and (cp is None or offset > cp["offset"]):
            write_checkpoint(sd, key, offset, res.count, n, prev, digest)
    return res


def repair(path: str) -> list[int]:
    """Remove torn records only (under the ledger lock); return the removed line numbers.

    Refuses (returns []) unless every problem ``verify`` finds is a torn record.
    """
    fd = os.open(path, os.O_RDWR)
    try:
        flock_timeout(fd, LOCK_TIMEOUT, path)
        try:
            res = verify(path)
            if not res.torn_lines or res.bad_line not in res.torn_lines:
                return []
            torn = set(res.torn_lines)
            if res.torn_tail and torn == {max(torn)} and len(torn) == 1:
                # truncate only the torn tail
                size = os.fstat(fd).st_size
                data = os.pread(fd, min(size, _TAIL_CHUNK * 16), max(0, size - _TAIL_CHUNK * 16))
                cut = data.rfind(b"\n")
                new_size = size - (len(data) - cut - 1) if cut >= 0 else 0
                os.ftruncate(fd, new_size)
                os.fsync(fd)
                return sorted(torn)
            # rewrite in place (same inode: appenders blocked on this lock stay valid),
            # after keeping a backup of the original bytes
            with open(path, "rb") as f:
                original = f.read()
            from hookgate.state import files

            files.replace(path + ".repair-backup", original)
            keep = bytearray()
            for n, raw, _nl in iter_lines(path):
                if n not in torn:
                    keep += raw + b"\n"
            os.ftruncate(fd, 0)
            os.pwrite(fd, bytes(keep), 0)
            os.fsync(fd)
            return sorted(torn)
        finally:
            unlock(fd)
    finally:
        os.close(fd)


def find(path: str, record_id: str) -> dict[str, Any] | None:
    for rec in iter_records(path):
        if rec.get("id") == record_id:
            return rec
    return None
