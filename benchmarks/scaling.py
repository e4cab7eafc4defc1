"""Flat scaling (ADR 0027): what a decision costs as the state around it grows.

Run: .venv/bin/python benchmarks/scaling.py [leases] [rules] [glob] [ledger]

Every figure is a ratio measured side by side in one run (interleaved, medians), with the load
(``uptime``) printed beside it:

- leases: a Write decision (``engine.decide``: config, analysis, the validator chain) with
  10,000 live leases + claims of other sessions vs with 10 (the owner's rewrite of its leased
  file, and a write of a new file, which takes a lease: flock + shard rewrite);
- rules: a Write and a ``cat`` decision with 1,000 project policy rules vs 10;
- glob: ``cat d/*.txt`` over a directory of 200,000 files (must decide in ≤ 50 ms or be
  indeterminate);
- ledger: ``hookgate rollout status`` and ``hookgate audit verify`` on a ledger of
  ``LEDGER_N`` records (default 1,000,000; written directly with the real chain function):
  wall time and peak RSS of the real command.

Budgets (the issue's): ratios ≤ 1.2; glob ≤ 50 ms or indeterminate; ledger ≤ 10 s, ≤ 300 MB.
Exit status 1 when a budget is missed.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "src"))

N = int(os.environ.get("N", "400"))
RATIO = 1.2
FAILS: list[str] = []


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, timeout=5).stdout.strip()
    except OSError:
        return "uptime unavailable"


def verdict(name: str, ratio: float, budget: float = RATIO) -> str:
    ok = ratio <= budget
    if not ok:
        FAILS.append(f"{name}: {ratio:.2f} > {budget}")
    return "OK" if ok else "OVER"


def interleaved(cases: dict, n: int) -> dict:
    """{name: median ms} of each callable, run in turn n times (alternating order)."""
    times: dict = {k: [] for k in cases}
    names = list(cases)
    for k in names:  # warm up (caches, imports) outside the measurement
        cases[k]()
    for i in range(n):
        for k in (names if i % 2 else names[::-1]):
            t0 = time.perf_counter()
            cases[k]()
            times[k].append((time.perf_counter() - t0) * 1000)
    return {k: statistics.median(v) for k, v in times.items()}


def _project(tmp: str, name: str) -> str:
    root = os.path.join(tmp, name)
    os.makedirs(os.path.join(root, ".git"))
    os.makedirs(os.path.join(root, "src"))
    with open(os.path.join(root, ".git", "HEAD"), "w") as f:
        f.write("ref: refs/heads/main\n")
    return root


def _env(tmp: str) -> dict:
    return {"HOME": tmp, "PATH": os.environ.get("PATH", "")}


def _event(root: str, env: dict, session: str, tool: str, inp: dict):
    from hookgate import jsonio as json
    from hookgate.platforms import claude_code

    env = dict(env, CLAUDE_PROJECT_DIR=root)  # the platform names the project (ADR 0018)
    data = json.dumps({"session_id": session, "cwd": root, "hook_event_name": "PreToolUse", "tool_name": tool,
                       "tool_input": inp}).encode()
    return claude_code.parse(data, env)


# --- leases and claims ------------------------------------------------------------------


def populate(state: str, n: int) -> None:
    """*n* live leases and claims of other sessions (9 leases : 1 claim), written through the
    store (so in its current format)."""
    from hookgate.coordination import store

    now = time.time()

    def fn(d):
        for i in range(n):
            path = f"pkg{i % 97}/mod{i // 97}/file{i}.py"
            if i % 10 == 9:
                d["claims"].append({"id": f"c{i}", "path": path, "session": f"other{i % 7}", "platform": "cursor",
                                    "mode": "write", "priority": "normal", "ttl": 3600.0, "requested": now,
                                    "refreshed": now, "granted": now, "expires": now + 3600})
            else:
                d["leases"][path] = {"session": f"other{i % 7}", "platform": "cursor", "since": now,
                                     "renewed": now, "expires": now + 3600, "via": "Write", "ttl": 3600.0}
        d["seq"] = n

    store.mutate(state, fn)


def bench_leases() -> None:
    from hookgate import engine
    from hookgate.coordination import store

    tmp = tempfile.mkdtemp(prefix="hookgate-scale-")
    env = _env(tmp)
    os.environ["HOME"] = tmp
    cases = {}
    for n in (10, 10_000):
        root = _project(tmp, f"p{n}")
        state = os.path.join(root, ".git", "hookgate")
        populate(state, n)
        mine = _event(root, env, "me", "Write", {"file_path": f"{root}/src/mine.py", "content": "x"})
        engine.decide(mine, env)  # the lease on mine.py: later rewrites are the read-only path
        counter = [0]

        def new_file(root=root):
            counter[0] += 1
            ev = _event(root, env, "me", "Write", {"file_path": f"{root}/src/new{counter[0]}.py", "content": "x"})
            return engine.decide(ev, env)

        cases[f"rewrite/{n}"] = lambda mine=mine: engine.decide(mine, env)
        cases[f"new-lease/{n}"] = new_file
        held = store.load(state)
        print(f"  state with n={n}: {len(held['leases'])} leases, {len(held['claims'])} claims")
    med = interleaved(cases, N)
    print(f"leases+claims ({uptime()})")
    for kind in ("rewrite", "new-lease"):
        a, b = med[f"{kind}/10"], med[f"{kind}/10000"]
        print(f"  {kind:<10} 10: {a:.3f} ms   10,000: {b:.3f} ms   ratio {b / a:.2f}  {verdict('leases ' + kind, b / a)}")


def main(argv: list[str]) -> int:
    parts = argv or ["leases", "rules", "glob", "ledger"]
    print(f"hookgate scaling benchmark, N={N} ({uptime()})")
    for p in parts:
        globals()[f"bench_{p}"]()
    if FAILS:
        print("OVER BUDGET: " + "; ".join(FAILS))
        return 1
    print("all within budget")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
