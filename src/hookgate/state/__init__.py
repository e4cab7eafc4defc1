"""The bottom layer: where things are (paths, shipped data, the running command), JSON, locks
and the ledger — and the state backend (ADR 0028) that says where leases, claims, approvals and
the ledger live. Standard library only; imports nothing of hookgate above it (a store's
owner hands its store to the backend at the call: ``state.backend``)."""
