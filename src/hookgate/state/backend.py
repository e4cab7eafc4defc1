"""The state backend (ADR 0028): where leases, claims, approvals and the ledger live.

A backend is a module-level Protocol (ADR 0002) with an explicit registry. Two exist:

- ``files`` — the state dir of today (``<git common dir>/hookgate/``): the coordination store
  (``validators.coordination.store``), the approval store (``approvals.store``) and the ledger
  file (``ledger``), each used exactly as before. One machine.
- ``postgres`` — one database shared by every clone on every machine (``state.pg``): only the
  decision server (and the CLI) talk to it; psycopg is never imported on the one-shot path.

Which one a repository uses is ``.hookgate/state.yaml`` (``stateconf``), committed. In a process
that is not the decision server (the one-shot hook), a repository on ``postgres`` gets the
*offline* backend: everything that needs shared state — a write that needs a lease, a
checkpoint — raises :class:`SharedStateUnavailable` (the callers deny, with this message), and
ledger records go to the local outbox (``state.outbox``), which the server ships in order.

This module sits in the bottom layer (ADR 0026) and knows no store above it: a store's owner
asks :meth:`store` for its own store, handing over its files implementation and the factory of
its shared one (``validators.coordination.store.for_state``, ``approvals.store.for_state``).
Every ledger record goes through :func:`ledger_append`, which picks the chain.

Budget state stays per machine on every backend: it is per session, read from the agent's
own transcript, and a session runs on one machine (ADR 0028).

Stdlib only, and cheap: the hot path asks :func:`for_state` on every ledger append (the
Protocol is in ``state.protocol``, which imports ``typing``: never on the hot path).
"""

from __future__ import annotations

import os

from hookgate.state import stateconf
from hookgate.errors import HookgateError

TYPE_CHECKING = False  # typing is not on the hot path's import budget
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, NoReturn

    from hookgate.state.protocol import SharedBackend, StateBackend

ADR = "adr/0028-shared-state-postgres.md"


class SharedStateUnavailable(HookgateError):
    """The shared state cannot be reached now: what needs it is denied (fail closed)."""


# name → "module:factory"; factories take (conf, project_root) and return a StateBackend
REGISTRY: dict[str, str] = {
    "files": "hookgate.state.backend:FilesBackend",
    "postgres": "hookgate.state.pg.backend:backend_for",
}

# set by the decision server at start (ADR 0025): the process that may talk to the database,
# and its own environment (libpq reads only this, never the caller's: ADR 0028)
IN_SERVER = False
SERVER_ENV: dict[str, str] | None = None
# the server's group commit (ADR 0025): called with a flush callable after an asynchronous
# commit; the server calls it when no request waits, at most its window later. None: commit
# synchronously
GROUP_COMMIT: Callable[..., None] | None = None
ALLOW_CLIENT = False  # the CLI run by a human in a terminal (`hookgate state …`, `approvals …`)

# state dir → project root, noted by paths.state_dir (the state dir alone does not say which
# checkout's .hookgate/state.yaml governs it)
ROOTS: dict[str, str] = {}


def note_root(state_dir: str, project_root: str) -> None:
    if project_root and len(ROOTS) < 4096:
        ROOTS[state_dir] = project_root


class FilesBackend:
    name = "files"
    shared = False

    def __init__(self, conf: dict[str, Any] | None = None, project_root: str = "") -> None:
        self.conf = conf or dict(stateconf.DEFAULTS)
        self.project_root = project_root

    def store(self, state_dir: str, name: str, files: Any, shared: Callable[[Any], Any]) -> Any:
        return files

    def ledger_append(self, state_dir: str, record: dict[str, Any], fsync: bool = True) -> dict[str, Any]:
        from hookgate.state import ledger

        return ledger.append_file(state_dir, record, fsync)

    def status(self, state_dir: str) -> dict[str, Any]:
        from hookgate.state import ledger

        path = ledger.ledger_path(state_dir)
        return {"backend": "files", "health": "ok", "state_dir": state_dir,
                "ledger": path, "ledger_bytes": os.path.getsize(path) if os.path.exists(path) else 0}


class OfflineBackend:
    """A repository on a shared backend, seen from a process that may not reach it (the
    one-shot hook), or whose state.yaml is refused."""

    name = "offline"
    shared = True

    def __init__(self, conf: dict[str, Any] | None, project_root: str, why: str) -> None:
        self.conf = conf or {}
        self.project_root = project_root
        self.why = why

    def _raise(self) -> NoReturn:
        raise SharedStateUnavailable(self.why)

    def store(self, state_dir: str, name: str, files: Any, shared: Callable[[Any], Any]) -> Any:
        self._raise()

    def ledger_append(self, state_dir: str, record: dict[str, Any], fsync: bool = True) -> dict[str, Any]:
        if self.conf.get("backend") != "postgres":  # a refused state.yaml: the local ledger
            from hookgate.state import ledger

            return ledger.append_file(state_dir, record, fsync)
        from hookgate.state import outbox

        return outbox.append(state_dir, record, fsync)

    def status(self, state_dir: str) -> dict[str, Any]:
        from hookgate.state import outbox

        return {"backend": self.conf.get("backend", "?"), "health": "unreachable", "error": self.why,
                "outbox_bytes": outbox.waiting_bytes(state_dir), "outbox_records": len(outbox.pending(state_dir)),
                "lag_s": outbox.lag_seconds(state_dir)}


_FILES = FilesBackend()
_CACHE: dict[tuple[str, tuple[tuple[str, Any], ...]], SharedBackend] = {}


def offline_reason(conf: dict[str, Any]) -> str:
    return (f"this repository's leases, claims and approvals are shared through PostgreSQL "
            f"({conf.get('host')}/{conf.get('database')}, .hookgate/state.yaml), which only the decision "
            "server reaches, and it is not running: start it with `hookgate serve start` "
            f"(ADR 0028)")


def load_factory(name: str) -> Callable[[dict[str, Any], str], SharedBackend]:
    import importlib

    mod, _, attr = REGISTRY[name].partition(":")
    factory: Callable[[dict[str, Any], str], SharedBackend] = getattr(importlib.import_module(mod), attr)
    return factory


def for_project(project_root: str) -> StateBackend:
    """The backend of the repository whose checkout is *project_root*."""
    if not project_root:
        return _FILES
    try:
        conf = stateconf.load(project_root)
    except stateconf.StateConfigError as e:
        return OfflineBackend(None, project_root, f"{e} — shared state is off until it is fixed (ADR 0028)")
    if conf["backend"] == "files":
        return _FILES
    if not (IN_SERVER or ALLOW_CLIENT):
        return OfflineBackend(conf, project_root, offline_reason(conf))
    key = (project_root, tuple(sorted(conf.items())))
    b = _CACHE.get(key)
    if b is None:
        try:
            b = load_factory(conf["backend"])(conf, project_root)
        except ImportError as e:
            return OfflineBackend(conf, project_root, f"the PostgreSQL client is not installed ({e}): "
                                                      "pip install 'hookgate[postgres]' (ADR 0028)")
        _CACHE[key] = b
    return b


def for_state(state_dir: str) -> StateBackend:
    """The backend governing *state_dir* (files unless its checkout says otherwise)."""
    root = ROOTS.get(state_dir)
    return for_project(root) if root else _FILES


def ledger_append(state_dir: str, record: dict[str, Any], fsync: bool = True) -> dict[str, Any]:
    """Append *record* (without prev/hash) to the repository's ledger — the ledger file, the
    shared chain of its state backend, or the outbox that waits for it — and return it as
    written. Every ledger record goes through here (``ledger.append_file`` is the file's own
    writer, for the files backend)."""
    return for_state(state_dir).ledger_append(state_dir, record, fsync)


def is_files(state_dir: str) -> bool:
    return for_state(state_dir) is _FILES


def all_shared() -> list[SharedBackend]:
    """Shared backends this process has opened (the server drains their outboxes)."""
    return list(_CACHE.values())
