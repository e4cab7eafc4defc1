"""One connection to the shared database (ADR 0028): bounded waits, the server's own
environment, schema migrations.

- Every wait is bounded: ``connect_timeout`` (libpq; at least 2 s) and ``statement_timeout``
  (state.yaml, default 1.5 s) — both well inside the hook's per-call deadline (ADR 0018).
  After a failure the database counts as away for ``RETRY_S`` (no decision waits on it again
  in that time); then the next use tries to connect once more.
- libpq reads ``PG*`` variables from the process environment at connect time. The decision
  server switches ``os.environ`` to each caller's for the call (ADR 0025), so the connection is
  always made with the server's own environment restored: an agent cannot point the server at
  another database, add ``PGOPTIONS``, or supply a password.
- A connection interrupted mid-call (the deadline alarm) is closed, never reused half-way.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any, NoReturn, TypeVar

import psycopg

from hookgate.errors import HookgateError

SCHEMA_VERSION = 1
RETRY_S = 1.0
MIGRATE_LOCK = (28000, 0)

T = TypeVar("T")
Conn = psycopg.Connection[Any]


class Unavailable(HookgateError):
    """The database is away, slow or not migrated."""


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every shipped migration, in order."""
    out: list[tuple[int, str, str]] = []
    for f in resources.files("hookgate.state.pg").joinpath("migrations").iterdir():
        name = f.name
        if name.endswith(".sql") and name[:4].isdigit():
            out.append((int(name[:4]), name, f.read_text(encoding="utf-8")))
    return sorted(out)


class Database:
    def __init__(self, conf: dict[str, Any], env: Mapping[str, str] | None = None,
                 async_commit: bool = False) -> None:
        self.conf = conf
        # the decision server's group commit (ADR 0025/0028): commits return before the WAL
        # is flushed; :meth:`flush` is the barrier the server runs within its window
        self.async_commit = async_commit
        self.env = dict(env if env is not None else os.environ)
        self.conn: psycopg.Connection | None = None  # the main connection
        self.down_until = 0.0
        self.last_error = ""
        self.last_ok = 0.0
        self.repo_ids: dict[str, int] = {}
        self.tx_depth = 0  # inside a caller's open transaction (the approvals store lock)

        self._flock = threading.Lock()
        self._fwant = threading.Event()
        self._fconn: psycopg.Connection | None = None
        self._fthread: threading.Thread | None = None
        self.flushes = 0
        self.epoch = 0  # counts main connections made: a new one may follow a database crash
        self.sealers: list[Callable[[], list[str]]] = []  # callables sealing in-flight journals; see flush()
        self._fsealed: list[str] = []
        self._fkept: list[str] = []  # sealed while an append was still uncommitted: a later barrier deletes them
        # journaled appends begun / ended (the answering thread's: a record is written to the
        # journal, then committed): a seal in another thread waits until every append begun
        # before it has committed, so the barrier that follows covers everything it sealed
        self.journal_begun = 0
        self.journal_ended = 0
        # the claims documents this process holds a copy of: repo → (doc, ver, clock offset);
        # valid only while this connection LISTENs (every change NOTIFYs hookgate_coord)
        self.coord: dict[int, tuple[str | None, int, float]] = {}
        self.listening: psycopg.Connection | None = None  # the connection that LISTENs

    # --- connecting ------------------------------------------------------------------------

    def params(self) -> dict[str, Any]:
        from hookgate.state import stateconf

        c = self.conf
        sync = "off" if self.async_commit else c["synchronous_commit"]
        opts = f"-c statement_timeout={int(c['statement_timeout_ms'])} -c synchronous_commit={sync}"
        p: dict[str, Any] = {"host": c["host"], "port": int(c["port"]), "dbname": c["database"],
             "connect_timeout": max(2, int(c["connect_timeout"])), "application_name": "hookgate",
             "options": opts, "autocommit": True}
        if c.get("user"):
            p["user"] = c["user"]
        if c.get("sslmode"):
            p["sslmode"] = c["sslmode"]
        pf = stateconf.passfile(self.env)
        if pf:
            p["passfile"] = pf
        return p

    def _connect(self) -> psycopg.Connection:
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(self.env)
        try:
            return psycopg.connect(**self.params())
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def connection(self, check_schema: bool = True) -> psycopg.Connection:
        c = self.conn
        if c is not None and not c.closed and (self.tx_depth or c.info.transaction_status == psycopg.pq.TransactionStatus.IDLE):
            return c
        if c is not None:
            self._drop()
        if time.monotonic() < self.down_until:
            raise Unavailable(self.last_error or "the database is away")
        try:
            c = self._connect()
            if check_schema:
                v = self._schema_version(c)
                if v < SCHEMA_VERSION:
                    c.close()
                    raise Unavailable(f"the database's hookgate schema is version {v}, this hookgate needs "
                                      f"{SCHEMA_VERSION}: a maintainer runs `hookgate state migrate`")
        except psycopg.Error as e:
            self._failed(e)
        self.conn = c
        self.epoch += 1
        return c

    def _schema_version(self, c: Conn) -> int:
        if not one(c.execute("SELECT to_regclass('hookgate_schema') IS NOT NULL")):
            return 0
        return int(one(c.execute("SELECT coalesce(max(version), 0) FROM hookgate_schema")))

    def _failed(self, e: BaseException) -> NoReturn:
        self.last_error = _one_line(e)
        self.down_until = time.monotonic() + RETRY_S
        self._drop()
        raise Unavailable(self.last_error) from None

    def _drop(self) -> None:
        self.coord.clear()
        self._drop_listener()
        c, self.conn = self.conn, None
        if c is not None:
            try:
                c.close()
            except Exception:  # noqa: BLE001
                pass

    def run(self, fn: Callable[[Conn], T], check_schema: bool = True) -> T:
        """``fn(conn)`` with bounded waits; Unavailable when the database cannot answer. A
        deadline (or any other interruption) mid-call closes the connection."""
        conn = self.connection(check_schema)
        try:
            out = fn(conn)
        except (psycopg.OperationalError, psycopg.InterfaceError) as e:
            self._failed(e)
        except psycopg.errors.QueryCanceled as e:  # statement_timeout: slow
            self._failed(e)
        except BaseException:
            if self.tx_depth:
                raise
            if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE or conn.closed:
                self._drop()
            raise
        self.last_ok = time.monotonic()
        return out

    def flush(self, wait: bool = False) -> None:
        """The WAL flush barrier: a writing transaction committed synchronously returns only once
        the WAL up to it — every earlier asynchronous commit included — is on disk.

        The decision server calls it from its group-commit thread at the window's end (ADR
        0025/0028): sealing the in-flight journals and the barrier itself then run in the
        database's flush thread, on a connection of their own, never in the thread that
        answers decisions. That connection is made by :meth:`ready_flush` in the answering
        thread (libpq reads the process environment, which that thread switches per call); if
        it is missing here, nothing is lost: the records stay journaled and the next commit
        asks again. *wait*: seal and flush here and now, on the main connection (the server's
        last flush, once no request is answered any more)."""
        if wait or not self.async_commit:
            sealed: list[str] = self._seal()[0] if self.async_commit else []
            self.run(_barrier, check_schema=False)
            for path in sealed:
                try:
                    os.unlink(path)
                except OSError:
                    pass
            return
        with self._flock:
            if self._fconn is None or self._fconn.closed:
                return  # away: the records wait in the journal; ready_flush reconnects on the next commit
        self._fwant.set()
        if self._fthread is None:
            self._fthread = threading.Thread(target=self._flusher, name="hookgate-wal-flush", daemon=True)
            self._fthread.start()

    def ready_flush(self) -> None:
        """The flush connection, made in the calling (answering) thread when there is none and
        the database is not known to be away: a connection is made with the server's own
        environment (see :meth:`_connect`), which only that thread may switch."""
        fc = self._fconn
        if fc is not None and not fc.closed:
            return
        if time.monotonic() < self.down_until:
            return
        try:
            fc = self._connect()
        except psycopg.Error as e:
            self.last_error = _one_line(e)
            return
        with self._flock:
            self._fconn = fc

    def _seal(self, bound_s: float = 5.0) -> tuple[list[str], bool]:
        """Seal the in-flight journals (rename each; see PostgresBackend._seal), then wait until
        every journaled append begun before the seal has committed — a record the answering
        thread wrote to a journal just before it was renamed — so that the barrier that follows
        covers every record sealed. (sealed files, whether that wait ended within *bound_s*:
        if not, a later barrier whose wait does end covers them.)"""
        sealed: list[str] = []
        for seal in self.sealers:
            try:
                sealed += seal()
            except OSError:
                pass
        begun = self.journal_begun
        end = time.monotonic() + bound_s
        while self.journal_ended < begun:
            if time.monotonic() > end:
                return sealed, False
            time.sleep(0.0002)
        return sealed, True

    def _flusher(self) -> None:
        while True:
            self._fwant.wait()
            self._fwant.clear()
            sealed, complete = self._seal()
            with self._flock:
                fc = self._fconn
                if not complete:  # not covered by this barrier: kept for one whose seal completes
                    self._fkept += sealed
                    sealed = []
                todo, self._fsealed = self._fsealed + sealed, []
                if complete:
                    todo, self._fkept = todo + self._fkept, []
            if fc is None:
                with self._flock:
                    self._fsealed = todo + self._fsealed
                continue
            try:
                _barrier(fc)
                self.flushes += 1
                for path in todo:  # on disk in the database now: the journal is not needed
                    try:
                        os.unlink(path)
                    except OSError:
                        pass
            except Exception as e:  # noqa: BLE001 - the next commit's ready_flush reconnects
                self.last_error = _one_line(e)
                with self._flock:
                    self._fsealed = todo + self._fsealed
                    self._fconn = None
                try:
                    fc.close()
                except Exception:  # noqa: BLE001
                    pass

    # --- the claims copy (ADR 0028: reads meet only claims) ---------------------------------

    def cached_coord(self, rid: int) -> tuple[str | None, int, float] | None:
        """(doc, ver, clock offset) of the repository's claims document, or None. A connection of
        its own LISTENs (nothing else runs on it, so no notification is consumed elsewhere);
        every copy a NOTIFY names is dropped (polled without a round trip), and all of them
        when that connection is gone (a notification may have been missed)."""
        lc = self.listening
        if lc is None or lc.closed or not self.coord or time.monotonic() < self.down_until:
            self.coord.clear()
            return None
        try:
            for n in lc.notifies(timeout=0):
                self._on_notify(n)
        except Exception:  # noqa: BLE001 - unsure: ask the database
            self.coord.clear()
            self._drop_listener()
            return None
        return self.coord.get(rid)

    def remember_coord(self, rid: int, doc: str | None, ver: int, offset: float) -> None:
        lc = self.listening
        if lc is None or lc.closed:
            self.coord.clear()
            try:
                lc = self._connect()
                lc.execute("LISTEN hookgate_coord")
            except Exception:  # noqa: BLE001 - no copy then: every read asks the database
                self.listening = None
                return
            self.listening = lc
            return  # the copy starts with the next read: this one may predate the LISTEN
        self.coord[rid] = (doc, ver, offset)

    def _drop_listener(self) -> None:
        lc, self.listening = self.listening, None
        if lc is not None:
            try:
                lc.close()
            except Exception:  # noqa: BLE001
                pass

    def forget_coord(self, rid: int) -> None:
        self.coord.pop(rid, None)

    def _on_notify(self, n: psycopg.Notify) -> None:
        try:
            self.coord.pop(int(n.payload), None)
        except (TypeError, ValueError):
            self.coord.clear()

    def repo_id(self, ident: str) -> int:
        rid = self.repo_ids.get(ident)
        if rid is None:
            def q(c: Conn) -> int:
                c.execute("INSERT INTO hookgate_repositories (ident) VALUES (%s) ON CONFLICT (ident) DO NOTHING", (ident,))
                return int(one(c.execute("SELECT id FROM hookgate_repositories WHERE ident = %s", (ident,))))

            rid = self.repo_ids[ident] = self.run(q)
        return rid

    def close(self) -> None:
        self._drop()

    # --- schema ------------------------------------------------------------------------------

    def migrate(self) -> list[str]:
        """Apply every shipped migration not yet applied (under an advisory lock: two
        maintainers migrating at once apply each once). Returns the names applied."""
        def q(c: Conn) -> list[str]:
            applied: list[str] = []
            with c.transaction():
                c.execute("SELECT pg_advisory_xact_lock(%s, %s)", MIGRATE_LOCK)
                c.execute("CREATE TABLE IF NOT EXISTS hookgate_schema (version int PRIMARY KEY, name text NOT NULL, "
                          "applied timestamptz NOT NULL DEFAULT now())")
                have = {r[0] for r in c.execute("SELECT version FROM hookgate_schema")}
                for v, name, sql in migrations():
                    if v in have:
                        continue
                    c.execute(sql)
                    c.execute("INSERT INTO hookgate_schema (version, name) VALUES (%s, %s)", (v, name))
                    applied.append(name)
            return applied

        return self.run(q, check_schema=False)

    def schema_version(self) -> int:
        return self.run(self._schema_version, check_schema=False)


def one(cur: psycopg.Cursor[Any]) -> Any:
    """The first column of the one row a query returns (Unavailable if it returned none)."""
    row = cur.fetchone()
    if row is None:
        raise Unavailable("the database answered a query with no row")
    return row[0]


def _barrier(c: Conn) -> None:
    """A transaction that writes (a commit flushes the WAL only when its transaction wrote some:
    an id alone is not enough — the crash test caught it), committed synchronously."""
    with c.transaction():
        c.execute("SET LOCAL synchronous_commit = on")
        c.execute("INSERT INTO hookgate_flush (pid, n) VALUES (pg_backend_pid(), 1) "
                  "ON CONFLICT (pid) DO UPDATE SET n = hookgate_flush.n + 1")


def _one_line(e: BaseException) -> str:
    s = " ".join(str(e).split())
    return f"{type(e).__name__}: {s[:300]}" if s else type(e).__name__
