"""What one decision knows: the typed record the engine builds and validators read (ADR 0026).

Before, this was a 14-key dict mutated as the chain ran. It is a class with ``__slots__``
(not a dataclass: ``dataclasses`` imports ``inspect``, which the hot path does not pay for,
ADR 0017), so a misspelt field is an error, not a silent new key.

- set once by the engine: ``event``, ``home``, ``state_dir``, ``project_root``,
  ``record_id`` (the id the ledger record will carry), ``env`` (the call's environment —
  validators use it, never ``os.environ``), ``config`` and ``refusal`` (the compiled config,
  and why a newer one was refused), ``accesses`` and ``analysis``;
- set by the chain for each validator: ``stage`` and ``policy`` (that hook's), and ``denied``
  (an earlier validator's effective verdict already blocks the call: a validator with side
  effects, coordination's lease take, skips them);
- written by validators and approvals: ``notes`` (extra ledger fields, ``engine.NOTE_FIELDS``)
  and ``approval``; by the engine when recording: ``pending_record``.

Validators never receive the record itself: the chain passes each ``check`` the fields it
names (``validators.base.CONTEXT_NAMES``). The mapping methods (``ctx["state_dir"]``,
``ctx.get``) remain for callers written against the dict.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from typing import Any

    from hookgate.core.event import Event

_FIELDS = ("event", "home", "state_dir", "project_root", "record_id", "env", "config", "refusal",
           "accesses", "analysis", "stage", "policy", "denied", "notes", "approval", "pending_record")


class Context:
    __slots__ = _FIELDS

    def __init__(self, event: Event, home: str, state_dir: str, project_root: str, record_id: str, env: dict[str, Any]) -> None:
        self.event = event
        self.home = home
        self.state_dir = state_dir
        self.project_root = project_root
        self.record_id = record_id
        self.env = env
        self.config: dict[str, Any] = {}
        self.refusal: dict[str, Any] | None = None
        self.accesses: list[Any] = []
        self.analysis: Any = None
        self.stage = ""
        self.policy: dict[str, Any] = {}
        self.denied = False
        self.notes: dict[str, Any] = {}
        self.approval: dict[str, Any] | None = None
        self.pending_record: dict[str, Any] | None = None

    # --- the mapping view (callers written against the dict) -------------------------------
    def __getitem__(self, name: str) -> Any:
        if name not in _FIELDS:
            raise KeyError(name)
        return getattr(self, name)

    def __setitem__(self, name: str, value: Any) -> None:
        if name not in _FIELDS:
            raise KeyError(f"Context has no field {name!r}")
        setattr(self, name, value)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in _FIELDS and getattr(self, name) is not None

    def get(self, name: str, default: Any = None) -> Any:
        value = getattr(self, name, None) if name in _FIELDS else None
        return default if value is None else value

    def setdefault(self, name: str, default: Any = None) -> Any:
        value = self.get(name)
        if value is None:
            self[name] = value = default
        return value
