"""The approval store: one JSON file per request in ``<state>/approvals/`` (ADR 0012).

Every state change happens under one short exclusive ``flock`` on ``approvals/.lock`` and
re-reads the request inside the lock, so a request ends exactly once however many agents ask
and humans answer at the same time (and while it expires). Files are rewritten whole with
``state.files.replace``; every change is also appended to the ledger as ``kind: approval``.

Statuses: ``pending`` (queued, waiting for a human) → ``approved`` | ``denied`` | ``expired``;
``approved`` → ``consumed`` (single use) or, for a window approval, stays ``approved`` (``uses``
counts) until ``expired``. A native prompt is recorded as ``unanswered`` → ``consumed`` when the
matching post-event shows the tool ran (``approved_by: human (native prompt)``).

Times in the files are epoch seconds (internal); ``approvals list --json`` is the stable view.
Standard library only: the hot path uses this module.
"""

from __future__ import annotations

from hookgate.state import jsonio as json
import os
import time

from hookgate import __version__
from hookgate.state import backend
from hookgate.state import files
from hookgate.state.locks import ensure_dir, lock_file, release
from hookgate.errors import HookgateError

DIR_NAME = "approvals"
LOCK_NAME = ".lock"
OPEN_ASKS = "open-asks"
LOCK_TIMEOUT = 5.0
ID_LEN = 8
GC_AFTER = 7 * 86400  # finished requests are deleted a week after they ended

PENDING = "pending"
APPROVED = "approved"
DENIED = "denied"
CONSUMED = "consumed"
EXPIRED = "expired"
UNANSWERED = "unanswered"
STATUSES = (PENDING, APPROVED, DENIED, CONSUMED, EXPIRED, UNANSWERED)
FINAL = frozenset((DENIED, CONSUMED, EXPIRED))

ROUTE_QUEUE = "queue"
ROUTE_NATIVE = "native"
NATIVE_APPROVER = "human (native prompt)"


class ApprovalError(HookgateError):
    """A refused state change; ``code`` is the CLI exit code (ADR 0012)."""

    def __init__(self, msg: str, code: int = 1) -> None:
        super().__init__(msg)
        self.code = code


def approvals_dir(state_dir: str) -> str:
    return os.path.join(state_dir, DIR_NAME)


def valid_id(rid: str) -> bool:
    return isinstance(rid, str) and len(rid) == ID_LEN and all(c in "0123456789abcdef" for c in rid)


def request_path(state_dir: str, rid: str) -> str:
    if not valid_id(rid):
        raise ApprovalError(f"{rid!r} is not an approval id (8 hex characters)")
    return os.path.join(approvals_dir(state_dir), rid + ".json")


class locked:
    """``with locked(state_dir):`` — the store lock (fail-fast; LockTimeout after 5 s)."""

    def __init__(self, state_dir: str, timeout: float = LOCK_TIMEOUT) -> None:
        self.path = os.path.join(approvals_dir(state_dir), LOCK_NAME)
        self.timeout = timeout
        self.fd = -1

    def __enter__(self):
        ensure_dir(os.path.dirname(self.path))
        self.fd = lock_file(self.path, self.timeout, holder=None, create=True)
        return self

    def __exit__(self, *exc) -> None:
        release(self.fd)


def load(state_dir: str, rid: str) -> dict | None:
    try:
        with open(request_path(state_dir, rid), encoding="utf-8") as f:
            req = json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        raise ApprovalError(f"approval {rid} is unreadable ({type(e).__name__})") from None
    if not isinstance(req, dict) or req.get("id") != rid or req.get("status") not in STATUSES:
        raise ApprovalError(f"approval {rid} is damaged")
    return req


def save(state_dir: str, req: dict) -> None:
    data = (json.dumps(req, sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    files.replace(request_path(state_dir, req["id"]), data)


def all_requests(state_dir: str) -> list[dict]:
    d = approvals_dir(state_dir)
    try:
        names = os.listdir(d)
    except OSError:
        return []
    out = []
    for n in names:
        if n.endswith(".json") and valid_id(n[:-5]):
            try:
                req = load(state_dir, n[:-5])
            except ApprovalError:
                continue
            if req is not None:
                out.append(req)
    out.sort(key=lambda r: (r.get("created", 0), r["id"]))
    return out


def _iso(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1000):03d}Z"


def record(state_dir: str, req: dict, change: str, **extra) -> None:
    """Append one ``kind: approval`` ledger record for a state change of *req*."""
    now = time.time()
    rec = {
        "v": 1, "id": os.urandom(6).hex(), "ts": _iso(now), "kind": "approval",
        "platform": req.get("platform", ""), "version": __version__,
        "approval_id": req["id"], "change": change, "status": req["status"],
        "session": req.get("session", ""), "tool": req.get("tool", ""), "summary": req.get("summary", ""),
        "digest": req.get("digest", ""), "route": req.get("route", ""),
    }
    for k in ("approved_by", "approved_at", "mode", "window_until", "reason", "expires"):
        if req.get(k) not in (None, ""):
            v = req[k]
            rec[k] = _iso(v) if k in ("approved_at", "window_until", "expires") and isinstance(v, (int, float)) else v
    rec.update(extra)
    backend.ledger_append(state_dir, rec)


def refresh(state_dir: str, req: dict, now: float) -> dict:
    """Expire *req* if its time is up (caller holds the lock); return it."""
    if req["status"] in (PENDING, APPROVED) and now >= float(req.get("expires", 0)):
        req["status"] = EXPIRED
        req["ended_at"] = now
        save(state_dir, req)
        record(state_dir, req, "expired")
    return req


def new_id(state_dir: str) -> str:
    for _ in range(20):
        rid = os.urandom(ID_LEN // 2).hex()
        if not os.path.exists(request_path(state_dir, rid)):
            return rid
    raise ApprovalError("cannot allocate an approval id")


def create(state_dir: str, fields: dict, now: float, ttl: float) -> dict:
    """A new request (caller holds the lock)."""
    req = dict(fields)
    req.update(v=1, id=new_id(state_dir), created=now, expires=now + ttl, approved_by="", approved_at=None,
               reason="", mode="", window_until=None, uses=0)
    save(state_dir, req)
    record(state_dir, req, "asked" if req.get("route") == ROUTE_NATIVE else "created")
    _gc(state_dir, now)
    return req


def _gc(state_dir: str, now: float) -> None:
    for req in all_requests(state_dir):
        ended = req.get("ended_at") or req.get("expires") or 0
        if req["status"] in FINAL | {UNANSWERED} and now - float(ended) > GC_AFTER:
            try:
                os.unlink(request_path(state_dir, req["id"]))
            except OSError:
                pass


def matching(state_dir: str, digest: str, now: float) -> list[dict]:
    """Requests for *digest*, expired ones marked so (caller holds the lock)."""
    return [refresh(state_dir, r, now) for r in all_requests(state_dir) if r.get("digest") == digest]


def use(state_dir: str, req: dict, now: float, session: str) -> dict:
    """Spend an approval on a retry (caller holds the lock and checked it is usable)."""
    req["uses"] = int(req.get("uses", 0)) + 1
    req["last_used_at"] = now
    req["last_used_session"] = session
    if req.get("mode") == "window":
        save(state_dir, req)
        record(state_dir, req, "used", by_session=session)
    else:
        req["status"] = CONSUMED
        req["ended_at"] = now
        save(state_dir, req)
        record(state_dir, req, "consumed", by_session=session)
    return req


def answer(state_dir: str, rid: str, *, approve: bool, by: str, now: float, digest: str,
           mode: str = "once", window: float = 0.0, approved_ttl: float = 3600.0, reason: str = "") -> dict:
    """A human's answer to a pending request; exactly one answer wins (ApprovalError for the rest).

    *digest* is the action the human was shown: if the request no longer holds it, refuse."""
    with locked(state_dir):
        req = load(state_dir, rid)
        if req is None:
            raise ApprovalError(f"no approval request {rid}")
        refresh(state_dir, req, now)
        if req["status"] == EXPIRED:
            raise ApprovalError(f"approval request {rid} has expired; the agent must ask again", 4)
        if req["status"] == UNANSWERED and now >= float(req.get("expires", 0)):
            raise ApprovalError(f"approval request {rid} has expired; the agent must ask again", 4)
        if req["status"] not in (PENDING, UNANSWERED):  # unanswered: a prompt no one saw (headless)
            raise ApprovalError(f"approval request {rid} is already {req['status']}")
        if req.get("digest") != digest:
            raise ApprovalError(f"approval request {rid} changed since it was shown (action digest differs); "
                                "nothing approved", 5)
        req["approved_by"] = by
        req["approved_at"] = now
        if approve:
            req["status"] = APPROVED
            req["mode"] = mode
            if mode == "window":
                req["window_until"] = now + window
                req["expires"] = now + window
            else:  # single use, valid for approved_ttl from now
                req["expires"] = now + approved_ttl
        else:
            req["status"] = DENIED
            req["reason"] = reason
            req["ended_at"] = now
        if reason and approve:
            req["reason"] = reason
        if req.get("route") == ROUTE_NATIVE:
            drop_open_ask(state_dir, rid)  # answered here: the retry spends it like a queued one
        save(state_dir, req)
        record(state_dir, req, "approved" if approve else "denied")
        return req


# --- native prompts: an index the post-event looks up cheaply ---------------------------------


def open_asks_dir(state_dir: str) -> str:
    return os.path.join(approvals_dir(state_dir), OPEN_ASKS)


def add_open_ask(state_dir: str, req: dict, tool_use_id: str) -> None:
    entry = {"id": req["id"], "session": req.get("session", ""), "tool_use_id": tool_use_id,
             "digest": req.get("digest", ""), "created": req["created"], "expires": req["expires"]}
    files.replace(os.path.join(open_asks_dir(state_dir), req["id"]), json.dumps(entry).encode("utf-8"), fsync=False)


def open_asks(state_dir: str) -> list[dict]:
    d = open_asks_dir(state_dir)
    try:
        names = os.listdir(d)
    except OSError:
        return []
    out = []
    for n in names:
        if not valid_id(n):
            continue
        try:
            with open(os.path.join(d, n), encoding="utf-8") as f:
                e = json.load(f)
        except (OSError, ValueError):
            continue
        if isinstance(e, dict) and e.get("id") == n:
            out.append(e)
    return out


def drop_open_ask(state_dir: str, rid: str) -> None:
    try:
        os.unlink(os.path.join(open_asks_dir(state_dir), rid))
    except OSError:
        pass
