"""The bottom layer: where things are (paths, shipped data, the running command), JSON, locks
and the ledger. Standard library only; imports nothing of hookgate above it."""
