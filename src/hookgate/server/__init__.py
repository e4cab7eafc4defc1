"""``hookgate serve``: the resident decision server (ADR 0025).

One decision function, two doors: the server calls :func:`hookgate.core.hook.decide`, the same
function the one-shot ``hookgate hook`` process calls, in its main thread (so the per-call
deadline alarm is the same), one request at a time (so it is the ledger's one writer here).

- :mod:`hookgate.server.runtime` — where the socket, port file and secret live.
- :mod:`hookgate.server.loop` — the server (Unix socket + loopback HTTP, keep-alive).
- :mod:`hookgate.server.client` — a small client (tests, benchmarks, ``serve status|stop``).

Standard library only, like the hot path.
"""
