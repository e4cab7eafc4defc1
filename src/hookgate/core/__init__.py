"""The decision, platform-neutral: the records of one hook call (``event``), the hook entry
(``hook``), the engine, the validator chain and rollout stages, and the config they read.
See ``docs/architecture.md``. Importing this package imports nothing (the hot path is lazy)."""
