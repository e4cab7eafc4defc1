"""The coordination store over PostgreSQL (ADR 0028): leases, claims and their queue of many
clones in one database, with the interface of ``coordination.store``. Built by the state
backend (``state.pg.backend.PostgresBackend.store``) from :func:`for_backend`, handed over by
``coordination.store.for_state``; the decision server and the CLI only.

- Leases are rows; a take is one round trip to ``hookgate_take_leases`` which decides the
  conflict in the database, on the database's clock, under the repository's coordination lock.
- Claims, their queue and pre-emption notices are the coordination document of ADR 0013 (the
  same pure functions of ``coordination.claims`` change them), held in one row per repository
  and changed in a transaction under the same lock (:meth:`Coordination.mutate`).
"""

from __future__ import annotations

import time

from hookgate.state import jsonio as json
from hookgate.state.pg.backend import PostgresBackend, _committed, _dumps, _k, _unk
from hookgate.validators.coordination import store

COORD_LOCK = 28002  # the advisory lock hookgate_take_leases takes too (migrations/0001_initial.sql)
COORD_CHANNEL = "hookgate_coord"


def for_backend(backend: PostgresBackend) -> Coordination:
    return Coordination(backend)


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
