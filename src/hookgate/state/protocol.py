"""The state backend Protocol (ADR 0028; module Protocols and registry dicts: ADR 0002).

Kept apart from ``state.backend`` because ``typing`` is not on the hot path's import budget.
Implementations: ``state.backend.FilesBackend``, ``state.backend.OfflineBackend``,
``state.pg.backend.PostgresBackend``; the registry is ``state.backend.REGISTRY``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class StateBackend(Protocol):
    name: str
    shared: bool  # other machines see this state

    def store(self, state_dir: str, name: str, files: Any, shared: Callable[[Any], Any]) -> Any:
        """The store *name* of this repository, given by its owner above the state layer (ADR
        0026): *files* (its files implementation, e.g. the ``coordination.store`` module) on
        the files backend; ``shared(backend)``, built once per backend, on a shared one;
        ``SharedStateUnavailable`` where the shared state cannot be reached."""

    def ledger_append(self, state_dir: str, record: dict, fsync: bool = True) -> dict:
        """Append one record to this repository's hash chain (or its outbox); return it."""

    def status(self, state_dir: str) -> dict:
        """Backend, health, lag, outbox queue (``hookgate state status``)."""
