"""ADR 0027: the cold walk of a big ledger on every core — ``audit verify``'s spans and the
rollup's parts give exactly what the line-by-line walk gives: the same verdict, bad line and
reason for every tampering (in each worker's span, on either side of each span boundary and
block boundary), the same checkpoint, the same evidence."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hookgate.core import config, evidence, rollup
from hookgate.state import ledger
from hookgate.validators import KNOWN_HOOKS
from tests.conftest import REPO

_spec = importlib.util.spec_from_file_location("scaling", os.path.join(REPO, "benchmarks", "scaling.py"))
scaling = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scaling)

N = 400
SPANS = 3


def _state(project) -> str:
    return os.path.join(str(project), ".git", "hookgate")


@pytest.fixture
def parallel(monkeypatch):
    """Spans and parts for any ledger, small blocks (many block boundaries), three workers."""
    monkeypatch.setattr(ledger, "PARALLEL_MIN", 0)
    monkeypatch.setattr(ledger, "SPAN_BLOCK", 64 << 10)
    monkeypatch.setattr(ledger, "_cpus", lambda: SPANS)


def _outcome(res: ledger.VerifyResult) -> tuple:
    return res.ok, res.count, res.bad_line, res.reason, list(res.torn_lines), res.torn_tail


def _sequential(path: str) -> tuple:
    old = ledger.PARALLEL_MIN
    ledger.PARALLEL_MIN = 1 << 62
    try:
        return _outcome(ledger.verify(path))
    finally:
        ledger.PARALLEL_MIN = old


def _boundaries(path: str) -> list[int]:
    """0-based indices of the lines that start each span (and their neighbours), and of lines
    that straddle or start two of the 64 KiB blocks."""
    with open(path, "rb") as f:
        data = f.read()
    size = len(data)
    starts = [0]
    for i, c in enumerate(data):
        if c == 0x0A and i + 1 < size:
            starts.append(i + 1)
    picks = {0, 1, len(starts) - 2, len(starts) - 1}
    for k in range(1, SPANS):
        cut = size * k // SPANS
        first = next(n for n, s in enumerate(starts) if s > cut)
        picks |= {first - 2, first - 1, first, first + 1}
    for blk in (64 << 10, 192 << 10):
        n = max(i for i, s in enumerate(starts) if s <= blk)
        picks |= {n, n + 1}
    return sorted(p for p in picks if 0 <= p < len(starts))


def _lines(path: str) -> list[bytes]:
    with open(path, "rb") as f:
        return f.read().split(b"\n")[:-1]


def _put(path: str, lines: list[bytes], tail: bytes = b"\n") -> None:
    with open(path, "wb") as f:
        f.write(b"\n".join(lines) + (tail if lines else b""))


def _rehash(lines: list[bytes], at: int, text: str) -> None:
    """Line *at* becomes *text* with ``"hash":"H"`` filled in so that it chains (a hash computed
    over exactly these bytes, which need not be canonical): only the canonical-form test can
    refuse it."""
    prev = json.loads(lines[at - 1])["hash"] if at else ledger.GENESIS
    assert '"hash":"H"' in text
    body = text.replace(',"hash":"H"', "", 1)
    h = ledger.sha256((prev + body).encode("utf-8")).hexdigest()
    lines[at] = text.replace('"hash":"H"', f'"hash":"{h}"').encode()


def _variants(lines: list[bytes], at: int):
    """(name, the ledger's lines) for each tampering of line *at*."""
    line = lines[at]
    rec = json.loads(line)
    yield "byte flipped in the content", [*lines[:at], line.replace(b'"kind":"', b'"kind":"X', 1), *lines[at + 1:]]
    if b'"verdicts":[' in line:  # the part the spans check once per distinct list
        yield "byte flipped in the verdicts", [*lines[:at], line.replace(b'"raw":"allow"', b'"raw":"allov"', 1),
                                               *lines[at + 1:]]
    h = rec["hash"]
    yield "byte flipped in the hash", [*lines[:at], line.replace(h.encode(), (("1" if h[0] != "1" else "2") + h[1:]).encode()),
                                       *lines[at + 1:]]
    yield "record dropped", [*lines[:at], *lines[at + 1:]]
    if at + 1 < len(lines):
        yield "records swapped", [*lines[:at], lines[at + 1], line, *lines[at + 2:]]
    yield "line not JSON", [*lines[:at], b"{not json", *lines[at + 1:]]
    yield "empty line", [*lines[:at], b"", *lines[at + 1:]]
    yield "torn line (cut in the middle)", [*lines[:at], line[: len(line) // 2], *lines[at + 1:]]
    yield "not ASCII", [*lines[:at], line.replace(b'"kind":"', '"kind":"\u00e9'.encode(), 1), *lines[at + 1:]]
    canon = ledger.canonical({k: v for k, v in rec.items() if k != "hash"} | {"hash": "H"})
    for name, text in (
        ("a space after a colon", canon.replace('"kind":', '"kind": ', 1)),
        ("keys out of order", canon.replace('{"', '{"zz":1,"', 1)),
        ("a duplicate key", canon[:-1] + ',"zz":1,"zz":1}'),
        ("an escape where a character would do", canon.replace('"kind":"', '"kind":"\\u0041', 1)),
        ("an uppercase escape", canon[:-1] + ',"zz":"\\u00E9"}'),
        ("a number not in its shortest form", canon[:-1] + ',"zz":1.50}'),
        ("minus zero", canon[:-1] + ',"zz":-0}'),
        ("a space in the verdicts", canon.replace('"raw":"allow"', '"raw": "allow"', 1)),
        ("an escape in the verdicts", canon.replace('"raw":"allow"', '"raw":"\\u0061llow"', 1)),
        ("verdicts keys out of order", canon.replace('{"effective":', '{"zz":1,"effective":', 1)),
        ("a slash escaped", canon[:-1] + ',"zz":"a\\/b"}'),
        # a line that is no JSON, though with 0 in its verdicts' place it is canonical JSON
        ("a number glued to the verdicts", canon.replace('],"version"', '].5,"version"', 1)),
    ):
        if text == canon:
            continue
        forged = list(lines)
        _rehash(forged, at, text)
        yield "rehashed, not canonical: " + name, forged


def test_tampering_anywhere_gets_the_line_by_line_verdict(project, parallel):
    path = scaling.make_ledger(_state(project), N)
    lines = _lines(path)
    assert _outcome(ledger.verify(path)) == _sequential(path) == (True, N, 0, "", [], False)
    seen = set()
    for at in _boundaries(path):
        for name, changed in _variants(lines, at):
            _put(path, changed)
            want = _sequential(path)
            assert _outcome(ledger.verify(path)) == want, (at, name)
            seen.add(name)
            assert not want[0] or (name == "record dropped" and at == N - 1), (at, name)  # found
            if name not in ("record dropped", "empty line") and not name.startswith("torn"):
                assert want[2] == at + 1, (at, name, want)  # at its own line
    assert len(seen) == 21
    # a torn tail (a writer killed mid-write) and a truncated ledger
    _put(path, lines[:-1] + [lines[-1][:40]], tail=b"")
    assert _outcome(ledger.verify(path)) == _sequential(path)
    assert _sequential(path)[5]  # torn tail
    _put(path, lines[: N // 2])
    assert _outcome(ledger.verify(path)) == _sequential(path) == (True, N // 2, 0, "", [], False)


def test_a_dropped_record_breaks_the_chain_at_the_next_line(project, parallel):
    path = scaling.make_ledger(_state(project), N)
    lines = _lines(path)
    for at in _boundaries(path)[:-1]:
        _put(path, [*lines[:at], *lines[at + 1:]])
        res = ledger.verify(path)
        assert not res.ok and res.bad_line == at + 1 and "prev" in res.reason, (at, _outcome(res))


def test_the_checkpoint_is_the_line_by_line_walks(project, parallel):
    state = _state(project)
    path = scaling.make_ledger(state, N)
    key = config._key(state, create=True)
    res = ledger.verify(path, state, key)
    assert res.ok and res.count == N
    with open(os.path.join(state, ledger.CHECKPOINT_NAME)) as f:
        par = json.load(f)
    os.unlink(os.path.join(state, ledger.CHECKPOINT_NAME))
    ledger.PARALLEL_MIN = 1 << 62
    assert ledger.verify(path, state, key).ok
    with open(os.path.join(state, ledger.CHECKPOINT_NAME)) as f:
        seq = json.load(f)
    assert par == seq and par["offset"] == os.path.getsize(path)
    # and from it: the prefix hashed, nothing walked; an edit under it still found
    assert ledger.verify(path, state, key).count == N
    lines = _lines(path)
    _put(path, [*lines[:350], lines[350].replace(b'"kind":"', b'"kind":"X', 1), *lines[351:]])
    bad = ledger.verify(path, state, key)
    assert not bad.ok and bad.bad_line == 351


def test_a_worker_that_dies_costs_time_not_the_verdict(project, parallel, monkeypatch):
    path = scaling.make_ledger(_state(project), N)
    real = ledger._verify_span

    def dies_in_the_second(p, a, b):
        if a > 0:
            os._exit(9)
        return real(p, a, b)

    monkeypatch.setattr(ledger, "_verify_span", dies_in_the_second)
    assert _outcome(ledger.verify(path)) == (True, N, 0, "", [], False)
    lines = _lines(path)
    _put(path, [*lines[:300], lines[300].replace(b'"kind":"', b'"kind":"X', 1), *lines[301:]])
    res = ledger.verify(path)
    assert not res.ok and res.bad_line == 301


def _norm(f: dict):
    stats = {h: [(p, st.to_dict()) for p, st in per.items()] for h, per in f["stats"].items()}
    return stats, sorted(f["checkpoint_hooks"]), f["answered"], [c.get("id") for c in f["changes"]]


def _cols(state: str) -> dict[str, bytes]:
    out = {}
    for n in os.listdir(os.path.join(state, "rollup")):
        if n.endswith(".col"):
            with open(os.path.join(state, "rollup", n), "rb") as f:
                out[n] = f.read()
    return out


def test_the_rollup_built_in_parts_is_the_streamed_evidence(project, parallel):
    state = _state(project)
    path = scaling.make_ledger(state, N)
    lines = _lines(path)
    # lines the parts must read as jsonio.loads reads them: not JSON, not an object, blank,
    # whitespace around an object, an object spread over... one line only, not ASCII, a new platform
    extra = [b"{not json", b"[1,2]", b"", b'  {"kind":"label","label":"tp","target":"x","hook":"budget"} ',
             '{"kind":"decision","ts":"2026-11-30T10:00:00.000Z","platform":"caf\u00e9","latency_ms":2,'
             '"verdicts":[{"hook":"budget","raw":"checkpoint","error":"e"}]}'.encode(),
             b'{"kind":"decision","ts":"2026-11-30","platform":7,"verdicts":[{"hook":"budget","raw":1}]}',
             b'{"kind":"post","ts":"2026-11-30T10:00:61.500Z","approved_by":"me","verdicts":[]}']
    # lines that spell a verdicts list the parts have met elsewhere than as the record's own
    rec = json.loads(lines[40])
    vs = json.dumps(rec["verdicts"], sort_keys=True, separators=(",", ":"))
    head = '{"kind":"decision","ts":"2026-11-30T11:00:00.000Z","platform":"codex","latency_ms":1'
    extra += [(head + ',"input":{"a":1,"verdicts":' + vs + '},"verdicts":0}').encode(),
              (head + ',"input":{"a":1,"verdicts":' + vs + '},"verdicts" : 0}').encode(),
              (head + ',"input":{"a":1,"verdicts":' + vs + '}}').encode(),
              (head + ',"verdict\\u0073":[],"verdicts":' + vs + '}').encode(),
              (head + ',"verdicts":' + vs + ',"verdicts":[]}').encode(),
              (head + ',"note":"verdicts","verdicts":' + vs + '}').encode(),
              (head + ',"verdicts":' + vs + '}').encode(),
              (head.replace("codex", "new-platform") + ',"verdicts":' + vs + '}').encode(),
              ('{"kind":"rollout_change","hook":"budget","ts":"2026-11-30T12:00:00.000Z","verdicts":' + vs + '}').encode()]
    for i, x in enumerate(extra):
        lines.insert(60 + i * 20, x)
    _put(path, lines)
    for cfg in ({"hooks": {}}, {"hooks": {"read-guard": {"since": "2026-11-30"}}}):
        want = _norm(evidence.collect_path(path, cfg, KNOWN_HOOKS))
        assert _norm(rollup.collect(state, path, cfg, KNOWN_HOOKS)) == want
        head = rollup._load_head(state, rollup._key(state), list(KNOWN_HOOKS))
        assert head is not None and head["offset"] == os.path.getsize(path)
        shutil.rmtree(os.path.join(state, "rollup"))
    # built in parts and built in one: the same files
    rollup.collect(state, path, {"hooks": {}}, KNOWN_HOOKS)
    par = _cols(state)
    par_head = rollup._load_head(state, rollup._key(state), list(KNOWN_HOOKS))
    shutil.rmtree(os.path.join(state, "rollup"))
    ledger.PARALLEL_MIN = 1 << 62
    rollup.collect(state, path, {"hooks": {}}, KNOWN_HOOKS)
    seq = _cols(state)
    assert par == seq
    assert par_head == rollup._load_head(state, rollup._key(state), list(KNOWN_HOOKS))


def test_a_rollup_part_that_cannot_stand_turns_it_off(project, parallel):
    state = _state(project)
    path = scaling.make_ledger(state, N)
    lines = _lines(path)
    lines[300] = (b'{"kind":"decision","ts":"2026-11-30T10:00:00.000Z","platform":"x",'
                   b'"verdicts":[{"hook":"budget","raw":"allow"},{"hook":"budget","raw":"block"}]}')
    _put(path, lines)
    with pytest.raises(rollup.Unusable):
        rollup.collect(state, path, {"hooks": {}}, KNOWN_HOOKS)


_TS_CHARS = "0123456789:T.Z- a\u00b2"


@settings(max_examples=3000, deadline=None)
@given(st.one_of(
    st.text(alphabet=_TS_CHARS, min_size=20, max_size=26),
    st.lists(st.tuples(st.integers(0, 23), st.sampled_from(_TS_CHARS)), max_size=3).map(
        lambda edits: "".join(c if (i not in dict(edits)) else dict(edits)[i]
                              for i, c in enumerate("2026-11-23T10:59:59.999Z"))),
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (d.microsecond // 1000)),
    st.none(), st.integers(), st.floats(allow_nan=False)))
def test_the_rollups_timestamps_are_evidences(value):
    """The rollup parses a record's ``ts`` once per minute: exactly ``evidence.parse_ts``."""
    def outcome(f):
        try:
            return f(value)
        except ValueError as e:
            return type(e)

    cache: dict = {}
    assert outcome(lambda v: rollup._ts_of(v, cache)) == outcome(evidence.parse_ts)
    assert outcome(lambda v: rollup._ts_of(v, cache)) == outcome(evidence.parse_ts)  # from the cache


def test_the_warm_rollups_prefix_is_checked_beside_the_figures_and_still_decides(project, parallel, monkeypatch):
    """From a rollup that covers the whole ledger, the prefix is hashed in a worker while the
    figures are computed; an edit under the rollup (same length, so only the digest can tell)
    means the figures are thrown away and the rollup rebuilt."""
    state = _state(project)
    path = scaling.make_ledger(state, N)
    cfg = {"hooks": {}}
    want = _norm(evidence.collect_path(path, cfg, KNOWN_HOOKS))
    assert _norm(rollup.collect(state, path, cfg, KNOWN_HOOKS)) == want  # built
    forks = []
    real = ledger._fork_each
    monkeypatch.setattr(ledger, "_fork_each", lambda fn, calls: forks.append(fn.__name__) or real(fn, calls))
    assert _norm(rollup.collect(state, path, cfg, KNOWN_HOOKS)) == want
    assert forks == ["_prefix_checks"]
    lines = _lines(path)
    i = max(k for k, x in enumerate(lines) if b'"raw":"block"' in x)  # (inside the evidence window)
    lines[i] = lines[i].replace(b'"raw":"block"', b'"raw":"allow"', 1)
    _put(path, lines)
    forks.clear()
    want2 = _norm(evidence.collect_path(path, cfg, KNOWN_HOOKS))
    assert want2 != want
    assert _norm(rollup.collect(state, path, cfg, KNOWN_HOOKS)) == want2  # not the stale figures
    assert forks[0] == "_prefix_checks" and "_parse_span_portable" in forks  # checked, then rebuilt
    forks.clear()
    assert _norm(rollup.collect(state, path, cfg, KNOWN_HOOKS)) == want2 and forks == ["_prefix_checks"]
