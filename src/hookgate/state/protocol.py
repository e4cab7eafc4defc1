"""The state backend Protocol (ADR 0028; module Protocols and registry dicts: ADR 0002).

Kept apart from ``state.backend`` because ``typing`` is not on the hot path's import budget.
Implementations: ``state.backend.FilesBackend``, ``state.backend.OfflineBackend``,
``state.pg.backend.PostgresBackend`` (a :class:`SharedBackend`); the registry is
``state.backend.REGISTRY``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from hookgate.state.ledger import VerifyResult


class StateBackend(Protocol):
    name: str
    shared: bool  # other machines see this state

    def store(self, state_dir: str, name: str, files: Any, shared: Callable[[Any], Any]) -> Any:
        """The store *name* of this repository, given by its owner above the state layer (ADR
        0026): *files* (its files implementation, e.g. the ``coordination.store`` module) on
        the files backend; ``shared(backend)``, built once per backend, on a shared one;
        ``SharedStateUnavailable`` where the shared state cannot be reached."""

    def ledger_append(self, state_dir: str, record: dict[str, Any], fsync: bool = True) -> dict[str, Any]:
        """Append one record to this repository's hash chain (or its outbox); return it."""

    def status(self, state_dir: str) -> dict[str, Any]:
        """Backend, health, lag, outbox queue (``hookgate state status``)."""


class SharedBackend(StateBackend, Protocol):
    """A backend other machines share (one the registry's factories make: PostgreSQL)."""

    state_dirs: set[str]  # the state dirs of this process that use it (their outboxes ship here)

    def describe(self) -> str:
        """Where the shared state is, for messages."""

    def drain(self, state_dir: str, limit: int = 0) -> int:
        """Ship *state_dir*'s outbox into the shared chain (``outbox.drain``)."""

    def verify(self) -> VerifyResult:
        """Verify the shared chain (``hookgate audit verify``)."""
