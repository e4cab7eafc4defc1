"""The approval store over PostgreSQL (ADR 0028): approval requests of many clones in one
database, as rows. The store's functions are ``approvals.store``'s own, run over these rows
(:func:`approvals_namespace`); every change NOTIFYs ``hookgate_approvals``. Built by the state
backend (``state.pg.backend.PostgresBackend.store``) from :func:`for_backend`, handed over by
``approvals.store.for_state``; the decision server and the CLI only.
"""

from __future__ import annotations

import os
import types

from hookgate.approvals import store as files
from hookgate.state import jsonio as json
from hookgate.state.backend import SharedStateUnavailable
from hookgate.state.pg.backend import PostgresBackend, _dumps, _where
from hookgate.state.pg.db import Unavailable

APPROVALS_LOCK = 28003
CHANNEL = "hookgate_approvals"


def for_backend(backend: PostgresBackend) -> types.SimpleNamespace:
    return approvals_namespace(backend)


def approvals_namespace(b: PostgresBackend):
    """``approvals.store`` with its persistence over the database: the module's own functions
    (``answer``, ``use``, ``create``, ``refresh``…) rebound to row-level primitives, so both
    backends share one implementation of who may answer what, and when."""
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
