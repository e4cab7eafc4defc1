"""The PostgreSQL backend (ADR 0028): leases and claims, approvals and the ledger of many
repositories in one database. Runs in the decision server (and the CLI), never in the one-shot
hook.

- Leases are rows; a take is one round trip to ``hookgate_take_leases`` which decides the
  conflict in the database, on the database's clock, under the repository's coordination lock.
- Claims, their queue and pre-emption notices are the coordination document of ADR 0013 (the
  same pure functions of ``coordination.claims`` change them), held in one row per repository
  and changed in a transaction under the same lock (:meth:`Coordination.mutate`).
- Approval requests are rows; the store's functions are ``approvals.store``'s own, run over
  these rows (:func:`approvals_namespace`); every change NOTIFYs ``hookgate_approvals``.
- The ledger is one append-only hash chain per repository (``hookgate_ledger_append``: the
  chain link is made in the database under a transaction-level advisory lock). While the
  database is away records go to the local outbox and are shipped in order when it returns.
"""

from __future__ import annotations

import os
import secrets
import time
import types

from hookgate.state import jsonio as json
from hookgate.state import backend as registry
from hookgate.state import outbox
from hookgate.state.backend import SharedStateUnavailable
from hookgate.state.pg.db import Database, Unavailable

COORD_LOCK = 28002
APPROVALS_LOCK = 28003
CHANNEL = "hookgate_approvals"
COORD_CHANNEL = "hookgate_coord"
INFLIGHT = "ledger.inflight.jsonl"  # the server's journal of records committed asynchronously

_DBS: dict = {}


def _db(conf: dict) -> Database:
    key = (conf["host"], conf["port"], conf["database"], conf.get("user"), conf["statement_timeout_ms"],
           conf["connect_timeout"], conf["synchronous_commit"], conf.get("sslmode"))
    d = _DBS.get(key)
    if d is None:
        d = _DBS[key] = Database(conf, registry.SERVER_ENV, async_commit=registry.GROUP_COMMIT is not None)
    return d


def _committed(db: Database) -> None:
    """An asynchronous commit happened: the server flushes the WAL within its window."""
    if db.async_commit and registry.GROUP_COMMIT is not None:
        registry.GROUP_COMMIT(db.flush)


def backend_for(conf: dict, project_root: str) -> "PostgresBackend":
    return PostgresBackend(conf, project_root)


def _k(key: str) -> bytes:
    return key.encode("utf-8", "surrogateescape")


def _unk(b) -> str:
    return bytes(b).decode("utf-8", "surrogateescape")


def _dumps(obj) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=True, sort_keys=True)


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _where(conf: dict) -> str:
    return f"postgres://{conf['host']}:{conf['port']}/{conf['database']} (repository {conf['repository']})"


class PostgresBackend:
    name = "postgres"
    shared = True

    def __init__(self, conf: dict, project_root: str) -> None:
        self.conf = conf
        self.project_root = project_root
        self.db = _db(conf)
        self.ident = conf["repository"]
        self._coord = Coordination(self)
        self._approvals = None
        self.state_dirs: set[str] = set()
        self.reshipped: dict[str, int] = {}  # state dir → the connection epoch its journal was re-shipped in
        self.db.sealers.append(self._seal)

    def describe(self) -> str:
        return _where(self.conf)

    def repo(self) -> int:
        return self.db.repo_id(self.ident)

    def run(self, fn):
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

    def coordination(self, state_dir: str):
        self.state_dirs.add(state_dir)
        return self._coord

    def approvals(self, state_dir: str):
        self.state_dirs.add(state_dir)
        if self._approvals is None:
            self._approvals = approvals_namespace(self)
        return self._approvals

    def ledger_append(self, state_dir: str, record: dict, fsync: bool = True) -> dict:
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
            if journal:  # kept until the WAL barrier covers it (a database crash loses nothing)
                outbox.append(state_dir, record, fsync=False, name=INFLIGHT)
            return self.append_records([record])[0]
        except SharedStateUnavailable:
            return outbox.append(state_dir, record, fsync)

    # --- the in-flight journal (asynchronous commits) ---------------------------------------

    def _seal(self) -> list[str]:
        """Close each state dir's in-flight journal for the coming WAL barrier (main thread):
        the records in it were all committed before this; once the barrier returns they are
        on the database's disk and the sealed file goes."""
        out = []
        for sd in list(self.state_dirs):
            path = os.path.join(sd, INFLIGHT)
            try:
                if os.path.getsize(path) == 0:
                    continue
            except OSError:
                continue
            sealed = os.path.join(sd, f"{INFLIGHT[:-6]}.{time.time_ns()}.jsonl")
            os.replace(path, sealed)
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

    def status(self, state_dir: str) -> dict:
        out = {"backend": "postgres", "database": _where(self.conf), "state_dir": state_dir,
               "outbox_bytes": outbox.waiting_bytes(state_dir), "outbox_records": len(outbox.pending(state_dir)),
               "lag_s": outbox.lag_seconds(state_dir)}
        try:
            t0 = time.perf_counter()

            def q(c, rid):
                now = c.execute("SELECT hookgate_now(), (SELECT max(seq) FROM hookgate_ledger WHERE repo = %s), "
                                "(SELECT count(*) FROM hookgate_leases WHERE repo = %s AND expires > hookgate_now()), "
                                "(SELECT count(*) FROM hookgate_approvals WHERE repo = %s AND status = 'pending')",
                                (rid, rid, rid)).fetchone()
                return now

            db_now, seq, leases, pending = self.run(q)
            out.update(health="ok", round_trip_ms=round((time.perf_counter() - t0) * 1000, 2),
                       clock_offset_s=round(float(db_now) - time.time(), 3), ledger_records=int(seq or 0),
                       live_leases=int(leases), pending_approvals=int(pending),
                       schema=self.db.schema_version())
        except SharedStateUnavailable as e:
            out.update(health="unreachable", error=str(e))
        return out

    # --- the ledger ------------------------------------------------------------------------

    def append_records(self, records: list[dict], sync: bool = False) -> list[dict]:
        """Append *records* in order to this repository's chain (one transaction; a record
        whose id is already in the chain is skipped); return them as written."""
        from hookgate.state import ledger

        def q(c, rid):
            out = []
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
                    seq, h, dup = c.execute("SELECT * FROM hookgate_ledger_append(%s, %s, %s, %s, %s, %s)",
                                            (rid, rid_, t1, t2, p1, p2)).fetchone()
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

    def iter_lines(self, batch: int = 5000):
        """(seq, line) of this repository's chain, in order, streamed in bounded memory."""
        last = 0
        while True:
            rows = self.run(lambda c, rid, after=last: c.execute(
                "SELECT seq, line FROM hookgate_ledger WHERE repo = %s AND seq > %s ORDER BY seq LIMIT %s",
                (rid, after, batch)).fetchall())
            if not rows:
                return
            for seq, line in rows:
                yield seq, line
            last = rows[-1][0]

    def verify(self):
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


# --- coordination ----------------------------------------------------------------------------


def _lease_of(row) -> tuple[str, dict]:
    key, session, platform, since, renewed, expires, via, ttl, wt, branch = row
    rec = {"session": session, "platform": platform, "since": since, "renewed": renewed, "expires": expires,
           "via": via, "ttl": ttl}
    if wt is not None:
        rec["wt"] = wt
    if branch is not None:
        rec["branch"] = branch
    return _unk(key), rec


_LEASE_COLS = "key, session, platform, since, renewed, expires, via, ttl, wt, branch"


class Coordination:
    """``coordination.store``'s interface over the database (see the module doc)."""

    def __init__(self, backend: PostgresBackend) -> None:
        self.b = backend
        from hookgate.validators.coordination import store

        self.files = store
        self.CorruptState = store.CorruptState
        self.UnsupportedState = store.UnsupportedState
        self.empty = store.empty
        self.shared = True

    def state_path(self, state_dir: str) -> str:
        return self.b.describe()

    def coord_dir(self, state_dir: str) -> str:
        return self.files.coord_dir(state_dir)

    def exists(self, state_dir: str) -> bool:
        return True  # other machines' leases may be there: always ask

    def _doc(self, c, rid, lock: bool = False) -> tuple[dict, int]:
        row = c.execute("SELECT doc, ver FROM hookgate_coord WHERE repo = %s" + (" FOR UPDATE" if lock else ""),
                        (rid,)).fetchone()
        if row is None:
            return {"seq": 0, "claims": [], "preempted": []}, 0
        doc = json.loads(row[0])
        return doc, int(row[1])

    def load(self, state_dir: str, keys=None, claims_only: bool = False) -> dict:
        """The coordination document: leases (only *keys* when given), claims, queue; with
        ``db_now`` (the database's clock) and ``coord_ver``. One round trip.

        *claims_only* (a decision that only reads: it meets exclusive claims, never leases): the
        server's copy of the claims document when it has one — kept current by ``NOTIFY
        hookgate_coord`` from every change, polled here without a round trip — and the
        database's clock as this machine's clock plus the offset measured at the last query."""
        if claims_only:
            hit = self.b.db.cached_coord(self.b.repo())
            if hit is not None:
                doc, ver, offset = hit
                data = json.loads(doc) if doc else {"seq": 0, "claims": [], "preempted": []}
                data.update(v=self.files.VERSION, leases={}, coord_ver=ver, db_now=time.time() + offset)
                return data
            keys = []
        cols = ", ".join(f"l.{x.strip()}" for x in _LEASE_COLS.split(","))
        args: tuple = ()
        cond = "l.expires > hookgate_now()"
        if keys is not None:
            cond, args = "l.key = ANY(%s)", ([_k(k) for k in keys],)

        def q(c, rid):  # one statement: the claims document, the clock, and the leases asked for
            return c.execute(f"SELECT c.doc, c.ver, hookgate_now(), {cols} FROM (SELECT 1) one "
                             f"LEFT JOIN hookgate_coord c ON c.repo = %s "
                             f"LEFT JOIN hookgate_leases l ON l.repo = %s AND {cond}", (rid, rid, *args)).fetchall()

        got = self.b.run(q)
        doc, ver, now = got[0][:3]
        self.b.db.remember_coord(self.b.repo(), doc, int(ver or 0), float(now) - time.time())
        rows = [r[3:] for r in got if r[3] is not None]
        data = json.loads(doc) if doc else {"seq": 0, "claims": [], "preempted": []}
        data["v"] = self.files.VERSION
        data["leases"] = dict(_lease_of(r) for r in rows)
        data["coord_ver"] = int(ver or 0)
        data["db_now"] = float(now)
        return data

    def mutate(self, state_dir: str, fn, timeout: float = 2.0):
        """``fn(data)`` in one transaction under the repository's coordination lock; leases
        and the claims document written back where they changed."""
        def q(c, rid):
            with c.transaction():
                c.execute("SELECT pg_advisory_xact_lock(%s, %s)", (COORD_LOCK, rid))
                doc, ver = self._doc(c, rid, lock=True)
                now = float(c.execute("SELECT hookgate_now()").fetchone()[0])
                rows = c.execute(f"SELECT {_LEASE_COLS} FROM hookgate_leases WHERE repo = %s", (rid,)).fetchall()
                leases = dict(_lease_of(r) for r in rows)
                data = dict(doc)
                data["v"] = self.files.VERSION
                data["leases"] = {k: dict(v) for k, v in leases.items()}
                data["db_now"] = now
                before = _dumps({k: v for k, v in doc.items()})
                result = fn(data)
                new_leases = data.pop("leases")
                data.pop("db_now", None)
                data.pop("coord_ver", None)
                data.pop("v", None)
                gone = [k for k in leases if k not in new_leases]
                if gone:
                    c.execute("DELETE FROM hookgate_leases WHERE repo = %s AND key = ANY(%s)", (rid, [_k(k) for k in gone]))
                for k, v in new_leases.items():
                    if leases.get(k) != v:
                        c.execute(
                            "INSERT INTO hookgate_leases (repo, key, session, platform, since, renewed, expires, via, ttl, wt, branch) "
                            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (repo, key) DO UPDATE SET "
                            "session = EXCLUDED.session, platform = EXCLUDED.platform, since = EXCLUDED.since, "
                            "renewed = EXCLUDED.renewed, expires = EXCLUDED.expires, via = EXCLUDED.via, ttl = EXCLUDED.ttl, "
                            "wt = EXCLUDED.wt, branch = EXCLUDED.branch",
                            (rid, _k(k), v.get("session", ""), v.get("platform", ""), float(v.get("since", 0)),
                             float(v.get("renewed", 0)), float(v.get("expires", 0)), str(v.get("via", ""))[:200],
                             float(v.get("ttl", 0)), v.get("wt"), v.get("branch")))
                after = _dumps(data)
                if after != before:
                    c.execute("INSERT INTO hookgate_coord (repo, doc, ver) VALUES (%s, %s, 1) ON CONFLICT (repo) "
                              "DO UPDATE SET doc = EXCLUDED.doc, ver = hookgate_coord.ver + 1", (rid, after))
                    c.execute("SELECT pg_notify(%s, %s)", (COORD_CHANNEL, str(rid)))  # servers drop their copy
                    self.b.db.forget_coord(rid)
                return result

        return self.b.run(q)

    def take_leases(self, keys, session: str, platform: str, via: str, ttl: float, where: dict | None,
                    coord_ver: int):
        """One round trip: ('granted', [], db_now) | ('held', [(key, lease)…], db_now) |
        ('stale', [], db_now) — see ``hookgate_take_leases``."""
        where = where or {}

        def q(c, rid):
            return c.execute("SELECT * FROM hookgate_take_leases(%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                             (rid, [_k(k) for k in keys], session, platform, str(via)[:200], float(ttl),
                              where.get("wt"), where.get("branch"), int(coord_ver))).fetchall()

        rows = self.b.run(q)
        _committed(self.b.db)
        status = rows[0][0]
        now = float(rows[0][-1])
        held = [_lease_of(r[1:11]) for r in rows if r[0] == "held"]
        return status, held, now


# --- approvals -------------------------------------------------------------------------------


def approvals_namespace(b: PostgresBackend):
    """``approvals.store`` with its persistence over the database: the module's own functions
    (``answer``, ``use``, ``create``, ``refresh``…) rebound to row-level primitives, so both
    backends share one implementation of who may answer what, and when."""
    from hookgate.approvals import store as files

    ns = types.SimpleNamespace()
    g = dict(files.__dict__)
    cur: dict = {}  # the open transaction's connection (single-threaded)

    def conn():
        c = cur.get("c")
        if c is None:
            raise RuntimeError("approval store used outside `with locked(state_dir)`")
        return c

    def _row(doc: str) -> dict:
        return json.loads(doc)

    def load(state_dir, rid):
        if not files.valid_id(rid):
            raise files.ApprovalError(f"{rid!r} is not an approval id (8 hex characters)")
        if "c" in cur:
            row = conn().execute("SELECT doc FROM hookgate_approvals WHERE repo = %s AND id = %s",
                                 (cur["rid"], rid)).fetchone()
        else:
            row = b.run(lambda c, r: c.execute("SELECT doc FROM hookgate_approvals WHERE repo = %s AND id = %s",
                                                (r, rid)).fetchone())
        return _row(row[0]) if row else None

    def save(state_dir, req):
        conn().execute(
            "INSERT INTO hookgate_approvals (repo, id, digest, status, created, doc) VALUES (%s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (repo, id) DO UPDATE SET digest = EXCLUDED.digest, status = EXCLUDED.status, doc = EXCLUDED.doc",
            (cur["rid"], req["id"], req.get("digest", ""), req["status"], float(req.get("created", 0)), _dumps(req)))
        conn().execute("SELECT pg_notify(%s, %s)", (CHANNEL, f"{b.ident} {req['id']} {req['status']}"))

    def all_requests(state_dir):
        q = "SELECT doc FROM hookgate_approvals WHERE repo = %s ORDER BY created, id"
        if "c" in cur:
            rows = conn().execute(q, (cur["rid"],)).fetchall()
        else:
            rows = b.run(lambda c, r: c.execute(q, (r,)).fetchall())
        return [_row(r[0]) for r in rows]

    def matching(state_dir, digest, now):
        rows = conn().execute("SELECT doc FROM hookgate_approvals WHERE repo = %s AND digest = %s ORDER BY created, id",
                              (cur["rid"], digest)).fetchall()
        return [g["refresh"](state_dir, _row(r[0]), now) for r in rows]

    def new_id(state_dir):
        for _ in range(20):
            rid = os.urandom(files.ID_LEN // 2).hex()
            if conn().execute("SELECT 1 FROM hookgate_approvals WHERE repo = %s AND id = %s",
                              (cur["rid"], rid)).fetchone() is None:
                return rid
        raise files.ApprovalError("cannot allocate an approval id")

    def _gc(state_dir, now):
        conn().execute("DELETE FROM hookgate_approvals WHERE repo = %s AND status IN ('denied', 'consumed', 'expired', "
                       "'unanswered') AND created < %s", (cur["rid"], now - files.GC_AFTER - 86400 * 30))

    class locked:
        """The store lock: a transaction under the repository's approvals lock."""

        def __init__(self, state_dir, timeout=files.LOCK_TIMEOUT):
            self.state_dir = state_dir

        def __enter__(self):
            try:
                rid = b.repo()
                c = b.db.connection()
            except Unavailable as e:
                raise SharedStateUnavailable(f"the shared approvals in {_where(b.conf)} cannot be reached ({e}); "
                                             "a checkpoint is denied until they can (ADR 0028)") from None
            self.tx = c.transaction()
            self.tx.__enter__()
            b.db.tx_depth += 1
            c.execute("SET LOCAL synchronous_commit = on")  # an answer is durable when it is said
            c.execute("SELECT pg_advisory_xact_lock(%s, %s)", (APPROVALS_LOCK, rid))
            cur.update(c=c, rid=rid)
            return self

        def __exit__(self, *exc):
            cur.pop("c", None)
            b.db.tx_depth -= 1
            try:
                return self.tx.__exit__(*exc)
            except Exception as e:  # noqa: BLE001 - the commit failed: nothing was decided
                b.db._drop()
                raise SharedStateUnavailable(f"the shared approvals could not be saved ({type(e).__name__}); "
                                             "denied to be safe (ADR 0028)") from None

    overrides = dict(load=load, save=save, all_requests=all_requests, matching=matching, new_id=new_id,
                     _gc=_gc, locked=locked)
    g.update(overrides)
    for name, val in files.__dict__.items():
        if name not in overrides and isinstance(val, types.FunctionType) and val.__module__ == files.__name__:
            f = types.FunctionType(val.__code__, g, name, val.__defaults__, val.__closure__)
            f.__kwdefaults__ = val.__kwdefaults__
            g[name] = f
    for name, val in g.items():
        if not name.startswith("__"):
            setattr(ns, name, val)
    ns.shared = True
    ns.backend = b
    return ns
