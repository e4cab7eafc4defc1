"""Coordination between concurrent agents (ADR 0013). Standard library only.

- ``store``: the coordination state (leases + claims) in ``<state>/coordination/state.json``,
  read without a lock, mutated only under a short ``flock`` with an atomic rewrite;
- ``leases``: implicit write leases taken by the first session that writes a file;
- ``claims``: explicit claims (read / intent_write / write / exclusive) with priority,
  TTL and a fair, starvation-free queue;
- ``globs``: the coordination-file patterns of the policy (``**`` aware, no regex);
- ``sessions``: which agent session a ``hookgate claim`` / ``lock append`` belongs to;
- ``lockcli``: the lean ``hookgate lock append`` command (no typer).

Importing this package imports nothing.
"""
