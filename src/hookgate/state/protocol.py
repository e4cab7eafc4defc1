"""The state backend Protocol (ADR 0028; module Protocols and registry dicts: ADR 0002).

Kept apart from ``state.backend`` because ``typing`` is not on the hot path's import budget.
Implementations: ``state.backend.FilesBackend``, ``state.backend.OfflineBackend``,
``state.pg.backend.PostgresBackend``; the registry is ``state.backend.REGISTRY``.
"""

from __future__ import annotations

from typing import Any, Protocol


class StateBackend(Protocol):
    name: str
    shared: bool  # other machines see this state

    def coordination(self, state_dir: str) -> Any:
        """The coordination store: ``load``, ``mutate``, ``exists``, ``empty`` and the error
        classes of ``coordination.store`` (a shared one adds ``take_leases``)."""

    def approvals(self, state_dir: str) -> Any:
        """The approval store: the functions and constants of ``approvals.store``."""

    def ledger_append(self, state_dir: str, record: dict, fsync: bool = True) -> dict:
        """Append one record to this repository's hash chain (or its outbox); return it."""

    def status(self, state_dir: str) -> dict:
        """Backend, health, lag, outbox queue (``hookgate state status``)."""
