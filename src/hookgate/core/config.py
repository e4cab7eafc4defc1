"""Config: strict compile from YAML (CLI side) and the compiled JSON the hot path reads.

Sources (ADR 0016):
- shipped: ``rollout.yaml`` and ``hooks/<id>.yaml`` (package data), pre-compiled into
  ``_defaults.json`` inside the package, so a project without overrides never touches YAML;
- project: ``.hookgate/rollout.yaml`` and ``.hookgate/hooks/<id>.yaml``, compiled into
  ``<state>/config.json`` together with a digest of every source's bytes, signed (ADR 0018).

The hot path (:func:`load`) reads the compiled JSON (a one-shot decision: its signed marshal
copy, the guard policies loaded key by key as the decision asks for them — ADR 0027); only
when a project source changed does it compile again (importing PyYAML, once per change). A source that fails to compile is
refused: the last good compiled config stays in force, the refusal is written to
``<state>/config-error.json`` (``hookgate status`` shows it) and recorded in the ledger.
"""

from __future__ import annotations

from hookgate.state import jsonio as json
import os

from hookgate.state import paths
from hookgate.core.event import STAGES
from hookgate.validators import KNOWN_HOOKS, PINNED_ENFORCE
from hookgate.state import files
from hookgate.adapters import PLATFORM_IDS
from hookgate.state.resources import data_path, defaults_json_path

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from typing import Any

    StatKey = tuple[int, int, int, int, int]  # st_dev, st_ino, st_size, st_mtime_ns, st_ctime_ns

CACHE_NAME = "config.json"
ERROR_NAME = "config-error.json"
ROLLOUT_TOP_KEYS = frozenset(("version", "hooks", "global_stage_cap", "promotion"))
ROLLOUT_HOOK_KEYS = frozenset(("stage", "platforms", "since", "promoted_by", "note"))
# the evidence gate of `hookgate rollout promote` (ADR 0015): key -> (kind, lower, upper)
PROMOTION_KEYS = {
    "min_evaluations": ("int", 0, None),
    "min_days": ("number", 0, None),
    "min_labelled": ("int", 0, None),
    "min_precision": ("number", 0, 1),
    "max_error_rate": ("number", 0, 1),
}
MANIFEST_KEYS = frozenset(("id", "title", "description", "adr", "default_stage", "policy"))


# --- hot path --------------------------------------------------------------------------------


def _read_json(path: str) -> Any:
    data = paths.read_regular(path, 16 << 20)  # a FIFO or a huge file is no config (ADR 0018)
    if data is None:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return None


_DEFAULTS: dict[str, Any] | None = None


def defaults() -> dict[str, Any]:
    global _DEFAULTS
    if _DEFAULTS is None:
        path = defaults_json_path()
        d = _bundled_json("_defaults.json", path)
        if d is None:
            d = _read_json(path)
        if not isinstance(d, dict):
            raise RuntimeError("hookgate package data is damaged: _defaults.json unreadable")
        _DEFAULTS = d
    return _DEFAULTS


def _bundled_json(rel: str, path: str) -> Any:
    """Package data as parsed when the one-shot hook process's byte-code bundle was built
    (``hookgate/bundle.py``: ``marshal``, ~0.1 ms less than parsing the JSON); None in any other
    process, or when the file changed since (then it is read and parsed as before)."""
    b = __import__("sys").modules.get("hookgate.bundle")
    finder = getattr(b, "_FINDER", None) if b is not None else None
    if finder is None:
        return None
    try:
        return finder.data(rel, path)
    except Exception:  # noqa: BLE001 - an accelerator only
        return None


def project_sources(project_root: str) -> list[str]:
    cfg = paths.config_dir(project_root)
    out = []
    p = os.path.join(cfg, "rollout.yaml")
    if os.path.exists(p):
        out.append(p)
    hooks_dir = os.path.join(cfg, "hooks")
    try:
        names = sorted(os.listdir(hooks_dir))
    except OSError:
        names = []
    out.extend(os.path.join(hooks_dir, n) for n in names if n.endswith((".yaml", ".yml")))
    return out


KEY_NAME = "cache.key"
MAX_SOURCE = 1 << 20  # a config file larger than 1 MiB is refused (bounded work: ADR 0018)


def _sha256() -> Any:
    try:
        from _sha256 import sha256
    except ImportError:  # pragma: no cover
        from hashlib import sha256
    return sha256


def signature(sources: list[str]) -> dict[str, Any]:
    """Each source's content digest (None when unreadable): the cache is bound to the bytes,
    not to an mtime an agent can set (ADR 0018)."""
    return {p: _digest(p, MAX_SOURCE) for p in sources}


# A process that decides more than once (the decision server) re-hashes a file only when it
# may have changed: the digest is kept with the file's identity and change time (ctime, which
# no unprivileged process can set back), and only for a file whose ctime was over RACY_S
# before it was read — a later write then has a later ctime (the "racily clean" rule of git's
# index). The bytes still decide; this only skips re-reading bytes that cannot have changed.
_DIGESTS: dict[str, tuple[StatKey, str]] = {}
RACY_S = 2.0


def _stat_key(path: str) -> StatKey | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _settled(key: StatKey | None) -> bool:
    """Whether a file with this :func:`_stat_key` last changed over RACY_S ago."""
    import time

    if key is None:
        return False
    try:
        return time.time() - key[4] / 1e9 > RACY_S
    except (OverflowError, OSError, ValueError, TypeError):
        return False


def _digest(path: str, limit: int) -> str | None:
    before = _stat_key(path)
    got = _DIGESTS.get(path)
    if before is not None and got is not None and got[0] == before:
        return got[1]
    data = paths.read_regular(path, limit)
    digest = None if data is None else _sha256()(data).hexdigest()
    if before is not None and digest is not None and _stat_key(path) == before:
        if _settled(before):
            if len(_DIGESTS) > 256:
                _DIGESTS.clear()
            _DIGESTS[path] = (before, digest)
    return digest


def _defaults_digest() -> str:
    digest = _digest(defaults_json_path(), 16 << 20)
    if digest is None:
        raise RuntimeError("hookgate package data is damaged: _defaults.json unreadable")
    return digest


def _binding(sig: dict[str, Any]) -> str:
    """What a compiled cache is bound to: the project sources' bytes, the shipped defaults'
    bytes and hookgate's version."""
    from hookgate import __version__

    return str(_sha256()(json.dumps({"sources": sig, "defaults": _defaults_digest(), "version": __version__},
                                    sort_keys=True).encode()).hexdigest())


def _hmac(key: bytes, msg: bytes) -> str:
    """HMAC-SHA256 (RFC 2104) without importing ``hmac``/``hashlib`` (OpenSSL: ADR 0017)."""
    sha256 = _sha256()
    if len(key) > 64:
        key = sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner = sha256(bytes(b ^ 0x36 for b in key) + msg).digest()
    return str(sha256(bytes(b ^ 0x5C for b in key) + inner).hexdigest())


def _key(state_dir: str, create: bool) -> bytes | None:
    """The state dir's cache key (random, 0600), made when there is none and *create*. Agents
    cannot open the state dir (ADR 0018), so they cannot sign a cache of their own."""
    if create:
        return _signing_key(state_dir)
    data = paths.read_regular(os.path.join(state_dir, KEY_NAME), 4096)
    return data if data and len(data) >= 32 else None


def _signing_key(state_dir: str) -> bytes:
    """The state dir's cache key; a new one when there is none (or a damaged one)."""
    path = os.path.join(state_dir, KEY_NAME)
    data = paths.read_regular(path, 4096)
    if data and len(data) >= 32:
        return data
    from hookgate.state.locks import ensure_dir

    ensure_dir(state_dir)
    key = os.urandom(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # a concurrent writer made one: use it (or a damaged one: replace)
        data = paths.read_regular(path, 4096)
        if data and len(data) >= 32:
            return data
        files.replace(path, key)
        return key
    try:
        os.write(fd, key)
        os.fsync(fd)
    finally:
        os.close(fd)
    return key


def _mac(key: bytes, binding: str, compiled: dict[str, Any]) -> str:
    return _hmac(key, binding.encode() + b"\n" + json.dumps(compiled, sort_keys=True, separators=(",", ":")).encode())


FORMAT = 2  # the cache's layout: a header line, then the compiled config's bytes (ADR 0027)


def _parse_cache(raw: bytes | None) -> tuple[Any, bytes | None]:
    """(header dict, compiled bytes or None) of a cache file. Format 2: the first line is the
    header (``format``, ``sources``, ``binding``, ``mac``), the rest the compiled config as
    written — its MAC is over those bytes, so verifying it re-serialises nothing. An older
    cache (one JSON object holding ``compiled``) is read as it is."""
    if raw is None:
        return None, None
    nl = raw.find(b"\n")
    if nl > 0:
        try:
            head = json.loads(raw[:nl])
        except ValueError:
            head = None
        if isinstance(head, dict) and head.get("format") == FORMAT:
            return head, raw[nl + 1:]
    try:
        return json.loads(raw), None
    except ValueError:
        return None, None


def _verified(cache: object, state_dir: str, body: bytes | None = None,
              key: bytes | None = None) -> dict[str, Any] | None:
    """The cache's compiled config when hookgate wrote it (its MAC checks with the state dir's
    key), else None: a cache an agent wrote is never used, not even as the last good one."""
    if not isinstance(cache, dict):
        return None
    if key is None:
        key = _key(state_dir, create=False)
    binding = cache.get("binding")
    if key is None or not isinstance(binding, str):
        return None
    if body is not None:
        if cache.get("mac") != _hmac(key, binding.encode() + b"\n" + body):
            return None
        try:
            got = json.loads(body)
        except ValueError:
            return None
        return got if isinstance(got, dict) else None
    if not isinstance(cache.get("compiled"), dict) or cache.get("mac") != _mac(key, binding, cache["compiled"]):
        return None
    verified: dict[str, Any] = cache["compiled"]
    return verified


# the last verified cache per state dir, for a process that decides more than once (the decision
# server, replay): the same bytes under the same key and binding are the same compiled config,
# so the policy objects — and the classifiers compiled from them — are reused (ADR 0027)
_MEMO: dict[str, tuple[bytes | None, str, bytes | None, dict[str, Any], bool, tuple[StatKey | None, StatKey | None]]] = {}
_MEMO_MAX = 16


def load(project_root: str, state_dir: str, lazy: bool = False) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(compiled config, refusal or None). Never raises for a bad project file.

    The cache is used only when it is bound to the current sources and shipped defaults and
    carries a valid MAC (ADR 0018); a refused source keeps the last *verified* compiled config,
    else the shipped defaults. *lazy*: the guard policies may come from the marshal copy key by
    key, as a decision asks for them (``LazyMap``/``LazySeq``: the decision's door,
    ``engine.decide``); else every policy is whole, in plain lists and dicts."""
    cfg, refusal = _load(project_root, state_dir, True)
    return (cfg if lazy else _plain(cfg)), refusal


def _load(project_root: str, state_dir: str, fast_ok: bool) -> tuple[dict[str, Any], dict[str, Any] | None]:
    sources = project_sources(project_root)
    if not sources:
        return defaults(), None
    sig = signature(sources)
    binding = _binding(sig)
    cache_path = os.path.join(state_dir, CACHE_NAME)
    memo = _MEMO.get(state_dir)
    ident = (_stat_key(cache_path), _stat_key(os.path.join(state_dir, KEY_NAME)))
    if memo is not None and memo[4] and memo[1] == binding and memo[5] == ident:
        return memo[3], None  # neither file changed since they were verified (see _digest)
    key = _key(state_dir, create=False)
    if fast_ok and memo is None and ident[0] is not None and key is not None:
        fast = _fast_read(state_dir, key, binding, ident[0],
                          lambda hook_id, rev: _slow_policy(project_root, state_dir, hook_id, rev))
        if fast is not None:
            if len(_MEMO) >= _MEMO_MAX:
                _MEMO.clear()
            settled = None not in ident and ident == (_stat_key(cache_path), _stat_key(os.path.join(state_dir, KEY_NAME))) \
                and all(_settled(k) for k in ident)
            _MEMO[state_dir] = (key, binding, None, fast, settled, ident)
            return fast, None
    raw = paths.read_regular(cache_path, 16 << 20)
    if memo is not None and raw is not None and memo[0] == key and memo[1] == binding and memo[2] == raw:
        return memo[3], None
    cache, body = _parse_cache(raw)
    good = _verified(cache, state_dir, body, key)
    if good is not None and cache.get("binding") == binding:
        if len(_MEMO) >= _MEMO_MAX:
            _MEMO.clear()
        settled = None not in ident and ident == (_stat_key(cache_path), _stat_key(os.path.join(state_dir, KEY_NAME))) \
            and all(_settled(k) for k in ident)
        _MEMO[state_dir] = (key, binding, raw, good, settled, ident)
        if memo is None and key is not None and ident[0] is not None and ident[0] == _stat_key(cache_path):
            _fast_write(state_dir, key, binding, ident[0], good)
        return good, None
    last_good = good if good is not None else defaults()
    err = _read_json(os.path.join(state_dir, ERROR_NAME))
    if isinstance(err, dict) and err.get("binding") == binding:
        return last_good, None  # already refused and recorded for these exact bytes
    try:
        compiled = compile_config(project_root)
    except Exception as e:  # noqa: BLE001 - any failure is a refusal, never a crash
        refusal = {"sources": sig, "binding": binding, "error": _one_line(e), "last_good": last_good.get("rev", "")}
        try:
            files.replace(os.path.join(state_dir, ERROR_NAME), _dumps(refusal))
        except OSError:
            pass
        return last_good, refusal
    write_cache(state_dir, compiled, sig)
    if isinstance(cache, dict) and ("compiled" in cache or body is not None):
        _record_hand_edit(state_dir, last_good, compiled, project_root)
    return compiled, None


def _slow_policy(project_root: str, state_dir: str, hook_id: str, rev: Any) -> dict[str, Any] | None:
    """*hook_id*'s policy from the slow path (the JSON cache verified, or the sources compiled),
    when the marshal copy's part of it does not check; None unless it is the same revision."""
    _MEMO.pop(state_dir, None)
    try:
        cfg, _refusal = _load(project_root, state_dir, False)
    except Exception:  # noqa: BLE001 - the caller fails closed
        return None
    policy = (cfg.get("policies") or {}).get(hook_id) if cfg.get("rev") == rev else None
    return policy if isinstance(policy, dict) else None


# The verified compiled config again, as ``marshal`` data: what a one-shot process reads instead
# of parsing the JSON cache (a 1,000-rule config: ~470 KB of JSON, ~5 ms to parse per process;
# ADR 0025's figures). An accelerator only, derived from the JSON cache's verified content (so the
# same objects), bound to that file's identity (device, inode, size, mtime and ctime: any write
# to it, even one that sets the mtime back, changes its ctime), to the sources' binding and to
# this interpreter, and signed with the state dir's key like the JSON cache (ADR 0018): an
# agent cannot make one. Anything else (absent, stale, another Python, a bad MAC): the JSON cache.
#
# Layout (ADR 0027, amended in session 8): ``MAC\n`` + the header's length (10 digits) + ``\n``
# + the header + the parts. The MAC (with the binding, the JSON cache's identity and the
# interpreter) covers the header only; the header holds the config with each guard policy's
# rules and index left out (``policy.index.layout``), and for each of those policies a filter
# of its index keys, the range of its parts, and every part's offset, length and SHA-256. A
# decision loads the part of each key its paths ask for (a key the filter rules out needs none),
# checks that part's digest, and unmarshals it: it hashes and unmarshals what concerns it, not
# the 1,000 rules (``LazyMap``/``LazySeq``). A part that does not check (damaged, truncated,
# forged) is never used, and never means fewer rules: that policy is taken whole from the slow
# path (the JSON cache verified, or the sources compiled) — :func:`_slow_policy`.
FAST_NAME = "config.marshal"
FAST_LAYOUT = b"parts-1"
PART_KEYS = 8  # index keys per part (a key's part: its hash modulo the policy's part count)
FILTER_BITS = 32  # filter bits per key, two probes: ~0.4 % of absent keys load a part for nothing
_PART = 40  # a part's entry in the header: offset (4), length (4), sha256 (32)


def _fast_mac(key: bytes, binding: str, cache_ident: tuple[int, ...], body: bytes) -> str:
    import marshal

    magic = bytes(__import__("sys").modules["_frozen_importlib_external"].MAGIC_NUMBER)
    return _hmac(key, b"%s\n%s\n%s\n%r\n%d\n" % (FAST_LAYOUT, magic.hex().encode(), binding.encode(),
                                                   tuple(cache_ident), marshal.version) + body)


def _key_hash(table: str, key: str) -> int:
    """A stable 96-bit hash of an index key (two filter probes and the part), the same in every
    process (``hash()`` is salted per process)."""
    data = table.encode() + b"\0" + key.encode("utf-8", "surrogatepass")
    return int.from_bytes(_sha256()(data).digest()[:12], "little")


class _Parts:
    """The parts of one lazily loaded policy: where they are, which keys they may hold, what is
    loaded. Parts are checked against the header's digests before use; on any failure the
    whole policy comes from *fallback* (the slow path), never from what could be loaded."""

    __slots__ = ("src", "base", "table", "first", "count", "whole", "nbits", "bits", "done", "maps", "seqs",
                 "fallback", "full")

    def __init__(self, src: Any, base: int, table: bytes, meta: dict[str, Any], fallback: Any):
        self.src, self.base, self.table = src, base, table
        self.first, self.count, self.whole = meta["first"], meta["count"], meta["whole"]
        self.nbits, self.bits = meta["nbits"], meta["bits"]
        self.done: set[int] = set()
        self.maps: dict[str, LazyMap] = {}
        self.seqs: dict[str, LazySeq] = {}
        self.fallback = fallback
        self.full = False

    def part_of(self, table: str, key: str) -> int | None:
        """The part that holds *key* of *table*, or None when the filter says no part does."""
        if not self.count or not isinstance(key, str):
            return None
        h = _key_hash(table, key)
        nbits, bits = self.nbits, self.bits
        for b in (h & 0xFFFFFFFF) % nbits, ((h >> 32) & 0xFFFFFFFF) % nbits:
            if not bits[b >> 3] & (1 << (b & 7)):
                return None
        part: int = self.first + (h >> 64) % self.count
        return part

    def _read(self, part: int) -> Any:
        """The payload of *part*, its bytes checked against the header's digest (raises when not)."""
        import marshal

        at = part * _PART
        entry = self.table[at:at + _PART]
        off, size = int.from_bytes(entry[0:4], "little"), int.from_bytes(entry[4:8], "little")
        chunk = os.pread(self.src.fileno(), size, self.base + off)
        if len(entry) != _PART or len(chunk) != size or _sha256()(chunk).digest() != entry[8:]:
            raise ValueError("a part of the config's marshal copy does not check")
        return marshal.loads(chunk)

    def load(self, part: int) -> None:
        if self.full or part in self.done:
            return
        try:
            payload = self._read(part)
            merged = []
            for name, got in payload.items():
                target = self.maps.get(name) or self.seqs.get(name)
                if target is None or not isinstance(got, dict):
                    raise ValueError("a part of the config's marshal copy is not one")
                merged.append((target, got))
        except Exception:  # noqa: BLE001 - damaged or forged: the slow path, never fewer rules
            self.use_fallback()
            return
        for target, got in merged:
            for k, v in got.items():
                target._got.setdefault(k, v)
        self.done.add(part)

    def load_all(self) -> None:
        """Every entry (a probe past the index, a caller that walks the rules): the policy's
        whole copy, one part of its own (the same checks)."""
        if self.full:
            return
        try:
            policy = self._read(self.whole)
        except Exception:  # noqa: BLE001 - damaged or forged: the slow path
            policy = None
        if not self._adopt(policy):
            self.use_fallback()

    def use_fallback(self) -> None:
        """The whole policy from the slow path; what was loaded is replaced by it."""
        if self.full:
            return
        if not self._adopt(self.fallback()):
            raise RuntimeError("hookgate's compiled config cannot be loaded (its marshal copy is damaged and "
                               "the slow path gave no policy)")

    def _adopt(self, policy: Any) -> bool:
        """Take every entry from the whole *policy* (``rules`` and ``index``); False when it is none."""
        if not isinstance(policy, dict) or not isinstance(policy.get("rules"), list) \
                or not isinstance(policy.get("index"), dict) or not isinstance(policy["index"].get("refs"), list):
            return False
        index = policy["index"]
        anch = index.get("anch") or {}
        for name, m in self.maps.items():
            table = anch.get(name[5:]) if name.startswith("anch.") else index.get(name)
            m._got = dict(table or {})
            m._size = len(m._got)
        for name, seq in self.seqs.items():
            values = policy["rules"] if name == "rules" else index[name]
            seq._got = dict(enumerate(values))
            seq._size = len(values)
        self.full = True
        self.src = None  # every entry is in: the file is closed with its last reader
        return True


class LazyMap:
    """A table of a policy's index, loaded key by key (``dict``'s reading interface)."""

    __slots__ = ("_parts", "_name", "_size", "_got", "_miss")
    lazy = True
    MISSES = 4096  # keys known absent, kept for a process that decides again (then forgotten)

    def __init__(self, parts: _Parts, name: str, size: int):
        self._parts, self._name, self._size, self._got = parts, name, size, {}
        self._miss: set[Any] = set()
        parts.maps[name] = self

    def get(self, key: Any, default: Any = None) -> Any:
        got = self._got.get(key, self)
        if got is not self:
            return got
        parts = self._parts
        if parts.full or key in self._miss:
            return default
        part = parts.part_of(self._name, key)
        if part is not None:
            parts.load(part)
        got = self._got.get(key, self)
        if got is not self:
            return got
        if not parts.full:  # (absent from its part, or ruled out by the filter)
            if len(self._miss) >= self.MISSES:
                self._miss.clear()
            self._miss.add(key)
        return default

    def __getitem__(self, key: Any) -> Any:
        got = self.get(key, self)
        if got is self:
            raise KeyError(key)
        return got

    def __contains__(self, key: Any) -> bool:
        return self.get(key, self) is not self

    def __len__(self) -> int:
        return self._size

    def __bool__(self) -> bool:
        return self._size > 0

    def plain(self) -> dict[str, Any]:
        self._parts.load_all()
        return dict(self._got)

    def __iter__(self) -> Any:
        return iter(self.plain())

    def keys(self) -> Any:
        return self.plain().keys()

    def values(self) -> Any:
        return self.plain().values()

    def items(self) -> Any:
        return self.plain().items()

    def __eq__(self, other: object) -> bool:
        return self.plain() == (other.plain() if isinstance(other, LazyMap) else other)

    __hash__ = None  # type: ignore[assignment]


class LazySeq:
    """A policy's rules (or its index's pattern references), loaded item by item (``list``'s
    reading interface). An item not loaded with the keys that name it loads every part."""

    __slots__ = ("_parts", "_name", "_size", "_got")
    lazy = True

    def __init__(self, parts: _Parts, name: str, size: int, resident: dict[int, Any]):
        self._parts, self._name, self._size, self._got = parts, name, size, dict(resident)
        parts.seqs[name] = self

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, int) and not isinstance(i, bool):
            got = self._got.get(i if i >= 0 else i + self._size, self)
            if got is not self:
                return got
        return self.plain()[i]

    def __len__(self) -> int:
        return self._size

    def __bool__(self) -> bool:
        return self._size > 0

    def plain(self) -> list[Any]:
        self._parts.load_all()
        got = self._got
        return [got[i] for i in range(self._size)]

    def __iter__(self) -> Any:
        return iter(self.plain())

    def __contains__(self, item: object) -> bool:
        return item in self.plain()

    def index(self, item: object) -> int:
        return self.plain().index(item)

    def __eq__(self, other: object) -> bool:
        return self.plain() == (other.plain() if isinstance(other, LazySeq) else other)

    __hash__ = None  # type: ignore[assignment]


def _fast_pack(compiled: dict[str, Any]) -> tuple[bytes, bytes]:
    """(header, parts) of the marshal copy of *compiled* (see the layout above)."""
    import marshal

    from hookgate.validators.policy.index import layout

    compiled = _shared_strings(compiled, {})  # once: each part and the header refer to the same strings
    policies = compiled.get("policies")
    base = dict(compiled)
    base["policies"] = dict(policies) if isinstance(policies, dict) else policies
    lazy: dict[str, Any] = {}
    table: list[bytes] = []
    blobs: list[bytes] = []
    offset = 0
    for hook_id, policy in sorted((policies or {}).items()) if isinstance(policies, dict) else ():
        got = layout(policy)
        if got is None:
            continue
        stub, sizes, resident, groups = got
        count = (len(groups) + PART_KEYS - 1) // PART_KEYS
        nbits = max(64, len(groups) * FILTER_BITS)
        bits = bytearray((nbits + 7) // 8)
        payloads: list[dict[str, dict[Any, Any]]] = [{} for _ in range(count)]
        for name, key, payload in groups:
            h = _key_hash(name, key)
            for b in (h & 0xFFFFFFFF) % nbits, ((h >> 32) & 0xFFFFFFFF) % nbits:
                bits[b >> 3] |= 1 << (b & 7)
            into = payloads[(h >> 64) % count]
            for part_name, entries in payload.items():
                into.setdefault(part_name, {}).update(entries)
        lazy[hook_id] = {"stub": stub, "sizes": sizes, "resident": resident, "first": len(table),
                         "count": count, "whole": len(table) + count, "nbits": nbits, "bits": bytes(bits)}
        base["policies"][hook_id] = None
        whole = {"rules": policy["rules"], "index": policy["index"]}
        for p in [*payloads, whole]:
            blob = marshal.dumps(p)
            table.append(offset.to_bytes(4, "little") + len(blob).to_bytes(4, "little") + _sha256()(blob).digest())
            blobs.append(blob)
            offset += len(blob)
    head = marshal.dumps({"layout": FAST_LAYOUT.decode(), "config": base, "lazy": lazy, "parts": b"".join(table)})
    return head, b"".join(blobs)


def _fast_read(state_dir: str, key: bytes, binding: str, cache_ident: tuple[int, ...],
               fallback: Any = None) -> dict[str, Any] | None:
    """The compiled config of the marshal copy, its guard policies loaded on demand; None when
    there is no usable copy. *fallback(hook_id, rev)*: a policy from the slow path (a damaged
    part). Only the header is read here; parts are read (``pread``) from the same open file."""
    fd = paths.open_regular(os.path.join(state_dir, FAST_NAME))
    if fd is None:
        return None
    src = _Fd(fd)  # closed with the last policy that needs it
    try:
        got = os.pread(fd, 1 << 16, 0)
        mac, nl, rest = got.partition(b"\n")
        if not nl or len(mac) != 64 or rest[10:11] != b"\n" or not rest[:10].isdigit():
            return None
        start = len(mac) + 1 + 11
        end = start + int(rest[:10])
        if end > len(got):
            if end > 32 << 20:
                return None
            got += os.pread(fd, end - len(got), len(got))
        head = got[start:end]
        if len(head) != end - start or mac.decode("ascii") != _fast_mac(key, binding, cache_ident, rest[:11] + head):
            return None
        import marshal

        doc = marshal.loads(head)
        cfg = doc["config"]
        lazy = doc["lazy"]
        if doc["layout"] != FAST_LAYOUT.decode() or not isinstance(cfg, dict) or not isinstance(lazy, dict):
            return None
        rev = cfg.get("rev")
        for hook_id, meta in lazy.items():
            parts = _Parts(src, end, doc["parts"], meta,
                           (lambda h=hook_id: fallback(h, rev)) if fallback is not None else _no_fallback)
            sizes, resident = meta["sizes"], meta["resident"]
            maps = {name: LazyMap(parts, name, sizes[name]) for name in LAZY_MAPS}
            seqs = {name: LazySeq(parts, name, sizes[name], resident[name]) for name in ("rules", "refs")}
            cfg["policies"][hook_id] = assemble(meta["stub"], maps, seqs)
    except Exception:  # noqa: BLE001 - no usable fast copy: the JSON cache
        return None
    return cfg


# the lazily loaded tables and lists of a policy (``policy.index.layout`` writes them)
LAZY_MAPS = ("lit", "suf", "pre", "anch.root", "anch.home")


def assemble(stub: dict[str, Any], maps: dict[str, LazyMap], seqs: dict[str, LazySeq]) -> dict[str, Any]:
    """The policy dict of a lazily loaded one: *stub* with ``rules`` and ``index`` whose tables
    and lists are the lazy ones."""
    policy = dict(stub)
    index = dict(stub["index"])
    index.update(refs=seqs["refs"], lit=maps["lit"], suf=maps["suf"], pre=maps["pre"],
                 anch={"root": maps["anch.root"], "home": maps["anch.home"]})
    policy["index"] = index
    policy["rules"] = seqs["rules"]
    return policy


class _Fd:
    """An open descriptor, closed when the last lazily loaded policy reading it is gone."""

    __slots__ = ("fd",)

    def __init__(self, fd: int):
        self.fd = fd

    def fileno(self) -> int:
        return self.fd

    def __del__(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass


def _no_fallback() -> None:
    return None


def _plain(cfg: dict[str, Any]) -> dict[str, Any]:
    """*cfg* with every lazily loaded policy loaded whole, as plain lists and dicts (for callers
    that walk or serialise the config; in place, so classifiers already made stay valid)."""
    policies = cfg.get("policies")
    for policy in policies.values() if isinstance(policies, dict) else ():
        if isinstance(policy, dict) and isinstance(policy.get("rules"), LazySeq):
            index = dict(policy["index"])
            index["refs"] = index["refs"].plain()
            for name in ("lit", "suf", "pre"):
                index[name] = index[name].plain()
            index["anch"] = {a: t.plain() for a, t in index["anch"].items()}
            policy["rules"] = policy["rules"].plain()
            policy["index"] = index
    return cfg


def _shared_strings(o: Any, seen: dict[str, str]) -> Any:
    """*o* with each distinct string one object: marshal writes a repeated one as a reference
    (a 1,000-rule config: 10 % smaller, its load 20 % faster). Equal values, same types."""
    if isinstance(o, str):
        return seen.setdefault(o, o)
    if isinstance(o, dict):
        return {_shared_strings(k, seen): _shared_strings(v, seen) for k, v in o.items()}
    if isinstance(o, list):
        return [_shared_strings(v, seen) for v in o]
    return o


def _fast_write(state_dir: str, key: bytes, binding: str, cache_ident: tuple[int, ...], compiled: dict[str, Any]) -> None:
    try:
        if not os.access(state_dir, os.W_OK):
            return  # (a read-only state dir: nothing to write, every call)
        head, parts = _fast_pack(compiled)
        prefix = b"%010d\n" % len(head)
        files.replace(os.path.join(state_dir, FAST_NAME),
                      _fast_mac(key, binding, cache_ident, prefix + head).encode("ascii") + b"\n" + prefix + head
                      + parts, fsync=False)
    except Exception:  # noqa: BLE001 - an accelerator: never costs the decision
        pass


def read_cache(state_dir: str) -> dict[str, Any] | None:
    """The verified compiled config of the state dir's cache (any binding), or None."""
    cache, body = _parse_cache(paths.read_regular(os.path.join(state_dir, CACHE_NAME), 16 << 20))
    return _verified(cache, state_dir, body)


def _record_hand_edit(state_dir: str, old: dict[str, Any], new: dict[str, Any], project_root: str) -> None:
    """Stage changes made by editing the files (not by `hookgate rollout`) go to the ledger."""
    try:
        from hookgate.core import handedit

        handedit.record(state_dir, old, new, os.path.join(project_root, ".hookgate", "rollout.yaml"))
    except Exception:  # noqa: BLE001 - recording must never cost the decision
        pass


def write_cache(state_dir: str, compiled: dict[str, Any], sig: dict[str, Any]) -> None:
    binding = _binding(sig)
    key = _signing_key(state_dir)
    body = (json.dumps(compiled, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
    head = json.dumps({"format": FORMAT, "sources": sig, "binding": binding,
                       "mac": _hmac(key, binding.encode() + b"\n" + body)}, sort_keys=True, ensure_ascii=True)
    files.replace(os.path.join(state_dir, CACHE_NAME), head.encode() + b"\n" + body)
    try:
        os.unlink(os.path.join(state_dir, ERROR_NAME))
    except OSError:
        pass


def refusal_status(state_dir: str) -> dict[str, Any] | None:
    err = _read_json(os.path.join(state_dir, ERROR_NAME))
    return err if isinstance(err, dict) else None


def _dumps(obj: Any) -> bytes:
    return (json.dumps(obj, sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode()


def _one_line(e: BaseException) -> str:
    s = str(e).strip().replace("\n", " ") or type(e).__name__
    return s[:500]


# --- compile (imports yaml; CLI, or the hot path once per source change) ----------------------


def _err(source: str, where: str, msg: str) -> Exception:
    from hookgate.core.yamlio import ConfigError

    return ConfigError(f"{source}: {where}: {msg}" if where else f"{source}: {msg}")


def _check_stage(value: Any, source: str, where: str) -> str:
    if isinstance(value, bool):
        raise _err(source, where, f"expected one of {', '.join(STAGES)}, got boolean {value} "
                   "(quote the stage; YAML reads off/no/yes as booleans)")
    if value not in STAGES:
        raise _err(source, where, f"expected one of {', '.join(STAGES)}, got {value!r}")
    return str(value)


def validate_rollout(doc: Any, source: str) -> dict[str, Any]:
    """Strict schema check of a rollout document; returns the normalised form."""
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise _err(source, "", "top level must be a mapping")
    unknown = set(doc) - ROLLOUT_TOP_KEYS
    if unknown:
        raise _err(source, str(sorted(unknown)[0]), f"unknown key (allowed: {', '.join(sorted(ROLLOUT_TOP_KEYS))})")
    version = doc.get("version", 1)
    if version != 1 or isinstance(version, bool):
        raise _err(source, "version", f"unsupported version {version!r} (expected 1)")
    out: dict[str, Any] = {"hooks": {}}
    if "global_stage_cap" in doc:
        out["global_stage_cap"] = _check_stage(doc["global_stage_cap"], source, "global_stage_cap")
    if "promotion" in doc:
        out["promotion"] = validate_promotion(doc["promotion"], source)
    hooks = doc.get("hooks") or {}
    if not isinstance(hooks, dict):
        raise _err(source, "hooks", "must be a mapping of hook id to settings")
    for hook_id, entry in hooks.items():
        where = f"hooks.{hook_id}"
        if hook_id not in KNOWN_HOOKS:
            raise _err(source, where, f"unknown hook (known: {', '.join(KNOWN_HOOKS)})")
        if isinstance(entry, str) or isinstance(entry, bool):
            entry = {"stage": entry}
        if not isinstance(entry, dict):
            raise _err(source, where, "must be a mapping with a 'stage'")
        bad = set(entry) - ROLLOUT_HOOK_KEYS
        if bad:
            raise _err(source, f"{where}.{sorted(bad)[0]}", f"unknown key (allowed: {', '.join(sorted(ROLLOUT_HOOK_KEYS))})")
        norm: dict[str, Any] = {}
        if "stage" in entry:
            norm["stage"] = _check_stage(entry["stage"], source, f"{where}.stage")
        plats = entry.get("platforms") or {}
        if not isinstance(plats, dict):
            raise _err(source, f"{where}.platforms", "must be a mapping of platform to stage")
        for plat, st in plats.items():
            if plat not in PLATFORM_IDS:
                raise _err(source, f"{where}.platforms.{plat}", f"unknown platform (known: {', '.join(PLATFORM_IDS)})")
            norm.setdefault("platforms", {})[plat] = _check_stage(st, source, f"{where}.platforms.{plat}")
        if hook_id in PINNED_ENFORCE:
            lowered = [s for s in [norm.get("stage")] + list(norm.get("platforms", {}).values()) if s and s != "enforce"]
            if lowered:
                raise _err(source, where, f"{hook_id} is pinned to enforce (ADR 0006)")
        for k in ("since", "promoted_by", "note"):
            if k in entry:
                norm[k] = str(entry[k])
        out["hooks"][hook_id] = norm
    return out


def validate_promotion(doc: Any, source: str) -> dict[str, Any]:
    """The ``promotion:`` section: numeric gate thresholds, strict types (a bool is no number)."""
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise _err(source, "promotion", "must be a mapping of gate thresholds")
    out = {}
    for key, value in doc.items():
        where = f"promotion.{key}"
        if key not in PROMOTION_KEYS:
            raise _err(source, where, f"unknown key (allowed: {', '.join(sorted(PROMOTION_KEYS))})")
        kind, lo, hi = PROMOTION_KEYS[key]
        ok = isinstance(value, int) if kind == "int" else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok:
            raise _err(source, where, f"expected {'an integer' if kind == 'int' else 'a number'}, got {value!r}")
        if value < lo or (hi is not None and value > hi):
            raise _err(source, where, f"{value!r} out of range ({lo}..{'' if hi is None else hi})")
        out[key] = value
    return out


def validate_manifest(doc: Any, source: str, hook_id: str) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise _err(source, "", "top level must be a mapping")
    bad = set(doc) - MANIFEST_KEYS
    if bad:
        raise _err(source, sorted(bad)[0], f"unknown key (allowed: {', '.join(sorted(MANIFEST_KEYS))})")
    if doc.get("id", hook_id) != hook_id:
        raise _err(source, "id", f"is {doc.get('id')!r} but the file names hook {hook_id!r}")
    if "default_stage" in doc:
        _check_stage(doc["default_stage"], source, "default_stage")
    policy = doc.get("policy", {})
    if policy is None:
        policy = {}
    if not isinstance(policy, dict):
        raise _err(source, "policy", "must be a mapping")
    return doc


def _compile_policy(hook_id: str, shipped: dict[str, Any], project: dict[str, Any] | None, source: str, allow_loosen: bool) -> dict[str, Any]:
    from hookgate import validators as registry

    if hook_id in registry.VALIDATORS:
        mod = registry.load(hook_id)
        fn = getattr(mod, "compile_policy", None)
        if fn is not None:
            try:
                compiled: dict[str, Any] = fn(shipped=shipped, project=project, allow_loosen=allow_loosen)
                return compiled
            except ValueError as e:
                raise _err(source, "policy", str(e)) from None
    if project:
        merged = dict(shipped)
        merged.update(project)
        return merged
    return shipped


def compile_shipped() -> dict[str, Any]:
    """The shipped defaults, compiled (what ``_defaults.json`` holds)."""
    return _compile(None, allow_loosen=False)


def compile_config(project_root: str, allow_loosen: bool = False) -> dict[str, Any]:
    return _compile(project_root, allow_loosen)


def _compile(project_root: str | None, allow_loosen: bool) -> dict[str, Any]:
    from hookgate.core.yamlio import load_file

    shipped_rollout_path = data_path("rollout.yaml")
    rollout = validate_rollout(load_file(shipped_rollout_path), "rollout.yaml (shipped)")
    manifests: dict[str, dict[str, Any]] = {}
    for hook_id in KNOWN_HOOKS:
        mp = data_path("hooks", f"{hook_id}.yaml")
        if os.path.exists(mp):
            manifests[hook_id] = validate_manifest(load_file(mp), f"hooks/{hook_id}.yaml (shipped)", hook_id)
    hooks_cfg = {h: dict(v) for h, v in rollout["hooks"].items()}
    global_cap = rollout.get("global_stage_cap")
    promotion = dict(rollout.get("promotion", {}))
    project_policies: dict[str, tuple[dict[str, Any] | None, str]] = {}
    if project_root is not None:
        cfg = paths.config_dir(project_root)
        rp = os.path.join(cfg, "rollout.yaml")
        if os.path.exists(rp):
            proj = validate_rollout(load_file(rp), rp)
            for h, entry in proj["hooks"].items():
                merged = hooks_cfg.setdefault(h, {})
                merged.update(entry)
            if "global_stage_cap" in proj:
                global_cap = proj["global_stage_cap"]
            promotion.update(proj.get("promotion", {}))
        hooks_dir = os.path.join(cfg, "hooks")
        if os.path.isdir(hooks_dir):
            for name in sorted(os.listdir(hooks_dir)):
                if not name.endswith((".yaml", ".yml")):
                    continue
                hook_id = name.rsplit(".", 1)[0]
                p = os.path.join(hooks_dir, name)
                if hook_id not in KNOWN_HOOKS:
                    raise _err(p, "", f"unknown hook {hook_id!r} (known: {', '.join(KNOWN_HOOKS)})")
                doc = load_file(p)
                if isinstance(doc, dict) and "policy" not in doc and "id" not in doc:
                    doc = {"policy": doc}  # a bare policy file
                doc = validate_manifest(doc, p, hook_id)
                project_policies[hook_id] = (doc.get("policy") or {}, p)
    for hook_id, man in manifests.items():
        entry = hooks_cfg.setdefault(hook_id, {})
        entry.setdefault("stage", man.get("default_stage", "monitor"))
    for hook_id in KNOWN_HOOKS:
        hooks_cfg.setdefault(hook_id, {}).setdefault("stage", "monitor")
    policies: dict[str, dict[str, Any]] = {}
    adrs: dict[str, str] = {}
    for hook_id in KNOWN_HOOKS:
        man = manifests.get(hook_id, {})
        shipped_policy = man.get("policy") or {}
        proj_policy, src = project_policies.get(hook_id, (None, ""))
        policies[hook_id] = _compile_policy(hook_id, shipped_policy, proj_policy, src or f"hooks/{hook_id}.yaml",
                                            allow_loosen)
        if man.get("adr"):
            adrs[hook_id] = man["adr"]
    compiled = {
        "version": 1,
        "hooks": hooks_cfg,
        "global_stage_cap": global_cap,
        "policies": policies,
        "adrs": adrs,
        "promotion": promotion,
    }
    from hashlib import sha256

    compiled["rev"] = sha256(json.dumps(compiled, sort_keys=True).encode()).hexdigest()[:12]
    return compiled
