"""The PostgreSQL backend (ADR 0028): leases and claims, approvals and the ledger of many
repositories in one database. Runs in the decision server (and the CLI), never in the one-shot
hook.

- Leases are rows; a take is one round trip to ``hookgate_take_leases`` which decides the
  conflict in the database, on the database's clock, under the repository's coordination lock.
- Claims, their queue and pre-emption notices are the coordination document of ADR 0013 (the
  same pure functions of ``coordination.claims`` change them), held in one row per repository
  and changed in a transaction under the same lock.
- Approval requests are rows; the store's functions are ``approvals.store``'s own, run over
  these rows; every change NOTIFYs ``hookgate_approvals``.

The two stores are their owners' (``validators.coordination.pgstore``,
``approvals.pgstore``, ADR 0026: this module is below them); :meth:`PostgresBackend.store`
builds each once per backend from the factory its owner hands over. This module keeps the
connection, the ledger and the helpers they share.

- The ledger is one append-only hash chain per repository (``hookgate_ledger_append``: the
  chain link is made in the database under a transaction-level advisory lock). While the
  database is away records go to the local outbox and are shipped in order when it returns.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any, Literal, TypeVar

from hookgate.state import jsonio as json
from hookgate.state import backend as registry
from hookgate.state import outbox
from hookgate.state.backend import SharedStateUnavailable
from hookgate.state.ledger import VerifyResult
from hookgate.state.pg.db import Conn, Database, Unavailable

T = TypeVar("T")

INFLIGHT = "ledger.inflight.jsonl"  # the server's journal of records committed asynchronously

_DBS: dict[tuple[Any, ...], Database] = {}


def _db(conf: dict[str, Any]) -> Database:
    key = (conf["host"], conf["port"], conf["database"], conf.get("user"), conf["statement_timeout_ms"],
           conf["connect_timeout"], conf["synchronous_commit"], conf.get("sslmode"))
    d = _DBS.get(key)
    if d is None:
        d = _DBS[key] = Database(conf, registry.SERVER_ENV, async_commit=registry.GROUP_COMMIT is not None)
    return d


def _committed(db: Database) -> None:
    """An asynchronous commit happened: the server flushes the WAL within its window, in its
    group-commit thread (ADR 0028); the flush connection is made here, in the answering thread,
    when there is none (``Database.ready_flush``)."""
    if db.async_commit and registry.GROUP_COMMIT is not None:
        db.ready_flush()
        registry.GROUP_COMMIT(db.flush)


def backend_for(conf: dict[str, Any], project_root: str) -> PostgresBackend:
    return PostgresBackend(conf, project_root)


def _k(key: str) -> bytes:
    return key.encode("utf-8", "surrogateescape")


def _unk(b: bytes | bytearray | memoryview) -> str:
    return bytes(b).decode("utf-8", "surrogateescape")


def _dumps(obj: object) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=True, sort_keys=True)


class _nullcontext:
    def __enter__(self) -> _nullcontext:
        return self

    def __exit__(self, *exc: object) -> Literal[False]:
        return False


def _where(conf: dict[str, Any]) -> str:
    return f"postgres://{conf['host']}:{conf['port']}/{conf['database']} (repository {conf['repository']})"


class PostgresBackend:
    name = "postgres"
    shared = True

    def __init__(self, conf: dict[str, Any], project_root: str) -> None:
        self.conf = conf
        self.project_root = project_root
        self.db = _db(conf)
        self.ident = conf["repository"]
        self.stores: dict[str, Any] = {}  # name → the store its owner built over this backend
        self.state_dirs: set[str] = set()
        self.reshipped: dict[str, int] = {}  # state dir → the connection epoch its journal was re-shipped in
        self.db.sealers.append(self._seal)

    def describe(self) -> str:
        return _where(self.conf)

    def repo(self) -> int:
        return self.db.repo_id(self.ident)

    def run(self, fn: Callable[[Conn, int], T]) -> T:
        """``fn(conn, repo_id)``; SharedStateUnavailable (a clear sentence) when the database
        cannot answer in time."""
        try:
            rid = self.repo()
            return self.db.run(lambda c: fn(c, rid))
        except Unavailable as e:
            raise SharedStateUnavailable(
                f"the shared state database {_where(self.conf)} is unreachable or too slow ({e}); "
                "actions that need it (a write that takes a lease, a checkpoint) are denied until it "
                f"answers again (ADR 0028)") from None

    # --- the Protocol ----------------------------------------------------------------------

    def store(self, state_dir: str, name: str, files: Any, shared: Callable[[PostgresBackend], Any]) -> Any:
        """The store *name* over this database, built once by *shared* (its owner's factory)."""
        self.state_dirs.add(state_dir)
        s = self.stores.get(name)
        if s is None:
            s = self.stores[name] = shared(self)
        return s

    def ledger_append(self, state_dir: str, record: dict[str, Any], fsync: bool = True) -> dict[str, Any]:
        """Into the chain now when the database answers and nothing waits in the outbox; else
        into the outbox (the order of records is the order they reach the chain)."""
        self.state_dirs.add(state_dir)
        journal = self.db.async_commit
        if journal:
            self._reship(state_dir)
        if outbox.waiting_bytes(state_dir):
            body = outbox.append(state_dir, record, fsync)
            self.drain(state_dir, limit=200)  # one batch: a long queue is the server's tick's, not this call's
            return body
        try:
            if not journal:
                return self.append_records([record])[0]
            # kept until the WAL barrier covers it (a database crash loses nothing); begun/ended
            # tell a seal in the flush thread when this record has committed (db.Database._seal)
            self.db.journal_begun += 1
            try:
                outbox.append(state_dir, record, fsync=False, name=INFLIGHT)
                return self.append_records([record])[0]
            finally:
                self.db.journal_ended += 1
        except SharedStateUnavailable:
            return outbox.append(state_dir, record, fsync)

    # --- the in-flight journal (asynchronous commits) ---------------------------------------

    def _seal(self) -> list[str]:
        """Close each state dir's in-flight journal for the coming WAL barrier (the database's
        flush thread, ``Database._seal``, which then waits for the appends under way to
        commit); once the barrier returns they are on the database's disk and the sealed file
        goes."""
        out = []
        for sd in list(self.state_dirs):
            path = os.path.join(sd, INFLIGHT)
            try:
                if os.path.getsize(path) == 0:
                    continue
            except OSError:
                continue
            sealed = os.path.join(sd, f"{INFLIGHT[:-6]}.{time.time_ns()}.jsonl")
            try:
                os.replace(path, sealed)
            except OSError:
                continue  # sealed meanwhile by the server's last flush; the others still count
            out.append(sealed)
        return out

    def _reship(self, state_dir: str) -> None:
        """After a new connection (the database may have crashed and lost commits not yet on
        its disk) and on this server's first use of *state_dir* (a previous server may have
        died): append every journaled record again, in order — the chain keeps a record id
        once, so only what was lost is added — committed synchronously, then drop the journal."""
        if self.reshipped.get(state_dir) == self.db.epoch and self.db.conn is not None:
            return
        import glob

        sealed = sorted(glob.glob(os.path.join(glob.escape(state_dir), f"{INFLIGHT[:-6]}.*.jsonl")),
                        key=lambda p: int(p.rsplit(".", 2)[-2]) if p.rsplit(".", 2)[-2].isdigit() else 0)
        current = os.path.join(state_dir, INFLIGHT)
        recs = [r for p in sealed + [current] for r in outbox.read_records(p)]
        try:
            for i in range(0, len(recs), 200):
                self.append_records(recs[i:i + 200], sync=True)
            self.repo()  # connected (epoch current) even when there was nothing to re-ship
        except SharedStateUnavailable:
            return
        for p in sealed:
            try:
                os.unlink(p)
            except OSError:
                pass
        if recs:
            try:
                os.truncate(current, 0)
            except OSError:
                pass
        self.reshipped[state_dir] = self.db.epoch

    def status(self, state_dir: str) -> dict[str, Any]:
        out: dict[str, Any] = {"backend": "postgres", "database": _where(self.conf), "state_dir": state_dir,
               "outbox_bytes": outbox.waiting_bytes(state_dir), "outbox_records": len(outbox.pending(state_dir)),
               "lag_s": outbox.lag_seconds(state_dir)}
        try:
            t0 = time.perf_counter()

            def q(c: Conn, rid: int) -> tuple[Any, ...] | None:
                now = c.execute("SELECT hookgate_now(), (SELECT max(seq) FROM hookgate_ledger WHERE repo = %s), "
                                "(SELECT count(*) FROM hookgate_leases WHERE repo = %s AND expires > hookgate_now()), "
                                "(SELECT count(*) FROM hookgate_approvals WHERE repo = %s AND status = 'pending')",
                                (rid, rid, rid)).fetchone()
                return now

            row = self.run(q)
            if row is None:
                raise SharedStateUnavailable("the shared state database answered with no row")
            db_now, seq, leases, pending = row
            out.update(health="ok", round_trip_ms=round((time.perf_counter() - t0) * 1000, 2),
                       clock_offset_s=round(float(db_now) - time.time(), 3), ledger_records=int(seq or 0),
                       live_leases=int(leases), pending_approvals=int(pending),
                       schema=self.db.schema_version())
        except SharedStateUnavailable as e:
            out.update(health="unreachable", error=str(e))
        return out

    # --- the ledger ------------------------------------------------------------------------

    def append_records(self, records: list[dict[str, Any]], sync: bool = False) -> list[dict[str, Any]]:
        """Append *records* in order to this repository's chain (one transaction; a record
        whose id is already in the chain is skipped); return them as written."""
        from hookgate.state import ledger

        def q(c: Conn, rid: int) -> list[dict[str, Any]]:
            out: list[dict[str, Any]] = []
            # one record: one statement (its own transaction, one round trip); a batch: one
            # transaction
            with (c.transaction() if len(records) > 1 or sync else _nullcontext()):
                if sync:
                    c.execute("SET LOCAL synchronous_commit = on")
                for rec in records:
                    body = dict(rec)
                    body.pop("hash", None)
                    body.pop("prev", None)
                    while True:
                        p1, p2 = secrets.token_hex(16), secrets.token_hex(16)
                        body["prev"] = p1
                        t1 = ledger.canonical(body)
                        body["hash"] = p2
                        t2 = ledger.canonical(body)
                        if t1.count(p1) == 1 and t2.count(p2) == 1 and p2 not in t1:
                            break
                        del body["hash"]
                    rid_ = rec.get("id") if isinstance(rec.get("id"), str) else None
                    row = c.execute("SELECT * FROM hookgate_ledger_append(%s, %s, %s, %s, %s, %s)",
                                    (rid, rid_, t1, t2, p1, p2)).fetchone()
                    if row is None:
                        raise Unavailable("hookgate_ledger_append returned no row")
                    _seq, h, _dup = row
                    body["hash"] = h
                    out.append(body)
            return out

        out = self.run(q)
        _committed(self.db)
        return out

    def drain(self, state_dir: str, limit: int = 0) -> int:
        """Ship this state dir's outbox (in order, each record once); -1: another shipper is at
        it; 0 also when the database is still away (the records wait)."""
        try:
            if self.db.async_commit:
                self._reship(state_dir)  # what a crash may have lost goes before what waited
            return outbox.drain(state_dir, self.append_records, limit=limit)
        except SharedStateUnavailable:
            return 0

    def iter_lines(self, batch: int = 5000) -> Iterator[tuple[int, str]]:
        """(seq, line) of this repository's chain, in order, streamed in bounded memory."""
        last = 0
        while True:
            def q(c: Conn, rid: int, after: int = last) -> list[tuple[Any, ...]]:
                return c.execute("SELECT seq, line FROM hookgate_ledger WHERE repo = %s AND seq > %s "
                                 "ORDER BY seq LIMIT %s", (rid, after, batch)).fetchall()

            rows = self.run(q)
            if not rows:
                return
            for seq, line in rows:
                yield seq, line
            last = rows[-1][0]

    def verify(self) -> VerifyResult:
        """``ledger.VerifyResult`` of the chain in the database (``audit verify``)."""
        from hookgate.state import ledger

        res = ledger.VerifyResult()
        prev = ledger.GENESIS
        expect = 1
        for seq, line in self.iter_lines():
            rec, err = ledger._check(line.encode("utf-8"), prev)
            if not err and seq != expect:
                err = f"sequence gap: record {expect} is missing"
            if err or rec is None:
                res.ok, res.bad_line, res.reason = False, seq, err or "not a record"
                return res
            res.count += 1
            prev = rec["hash"]
            expect += 1
        return res
