"""Added latency per decision of the PostgreSQL state backend (ADR 0028), side by side.

    .venv/bin/python benchmarks/state_latency.py [--runs 400] [--json]

In one run, in throw-away dirs: a real PostgreSQL on this machine (tests/support/pgserver.py: the Debian
server, a temp data dir, a free loopback port, synchronous_commit on), one decision server, and
two identical git projects — one on the files backend, one on postgres. Each case is decided in
alternating blocks of 25 in both projects through the server's socket (one keep-alive
connection, the thin client's door), so both see the same load; the figures are the median wall
time of each and the difference of the medians, and the CPU time per decision of the server
(plus, for postgres, of the database's processes) measured over the blocks from /proc — the
figure a loaded, shared machine does not distort. Prints the load average: quote it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
HOOKGATE = os.path.join(os.path.dirname(sys.executable), "hookgate")


def _cpu(pids) -> float:
    """user + system CPU seconds of *pids* so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                parts = f.read().rsplit(b")", 1)[1].split()
            total += (int(parts[11]) + int(parts[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return total


def _pg_pids(cluster) -> list[int]:
    """The database server's processes (postmaster and its children)."""
    with open(os.path.join(cluster.data, "postmaster.pid")) as f:
        main = int(f.readline())
    out = [main]
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat", "rb") as f:
                    if int(f.read().rsplit(b")", 1)[1].split()[1]) == main:
                        out.append(int(d))
            except (OSError, IndexError, ValueError):
                pass
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=400)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    from hookgate.adapters.claude_code import classify_output
    from hookgate.server.client import Conn, hook_via
    from tests.support import pgserver
    from tests.unit.server import helpers as h
    from tests.e2e.state.conftest import make_repo

    import pathlib

    cluster = pgserver.Cluster()
    try:
        with tempfile.TemporaryDirectory(prefix="hookgate-pgbench-") as tmp:
            tmp = pathlib.Path(tmp)
            home = tmp / "home"
            home.mkdir()
            db = cluster.create_db("bench")
            pgserver.write_pgpass(str(home), cluster)
            conf = {"host": cluster.host, "port": cluster.port, "database": db, "user": cluster.user}
            pgp, files = tmp / "pg", tmp / "files"
            make_repo(pgp, conf)
            make_repo(files, conf)
            (files / ".hookgate" / "state.yaml").write_text("backend: files\n")
            env = dict(os.environ, HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
            subprocess.run([HOOKGATE, "state", "migrate", "--yes"], cwd=pgp, env=env, check=True, capture_output=True)
            rt = tmp / "rt"
            srv = h.start(home, rt, idle=600)
            conn = Conn(h.sock_path(rt), 30)
            cases = {
                "Write, own lease renewed": lambda root, i: ("Write", {"file_path": f"{root}/src/app.py", "content": f"{i}"}),
                "Write, new lease taken": lambda root, i: ("Write", {"file_path": f"{root}/src/n{i}.py", "content": "x"}),
                "Read (no coordination)": lambda root, i: ("Read", {"file_path": f"{root}/src/app.py"}),
                "Bash git status": lambda root, i: ("Bash", {"command": "git status"}),
            }
            res: dict = {name: {"files": [], "postgres": []} for name in cases}
            cpu: dict = {name: {"files": [0.0, 0], "postgres": [0.0, 0]} for name in cases}
            load_before = os.getloadavg()
            block = 25
            try:
                for i0 in range(0, args.runs + block, block):
                    for name, make in cases.items():
                        for label, root in (("files", files), ("postgres", pgp)):
                            c0 = _cpu([srv.pid]) + (_cpu(_pg_pids(cluster)) if label == "postgres" else 0.0)
                            for i in range(i0, i0 + block):
                                tool, inp = make(root, i)
                                data = json.dumps({"session_id": "bench", "transcript_path": "", "cwd": str(root),
                                                   "permission_mode": "default", "hook_event_name": "PreToolUse",
                                                   "tool_name": tool, "tool_input": inp, "tool_use_id": "t"}).encode()
                                e = {"HOME": str(home), "PATH": os.environ.get("PATH", ""), "CLAUDE_PROJECT_DIR": str(root)}
                                t0 = time.perf_counter()
                                out = hook_via(conn, "claude-code", data, e, str(root))
                                dt = (time.perf_counter() - t0) * 1000
                                if classify_output(*out) != "allow":
                                    raise SystemExit(f"{name} ({label}) was not allowed: {out}")
                                if i0 >= block:  # the first block warms up
                                    res[name][label].append(dt)
                            c1 = _cpu([srv.pid]) + (_cpu(_pg_pids(cluster)) if label == "postgres" else 0.0)
                            if i0 >= block:
                                cpu[name][label][0] += c1 - c0
                                cpu[name][label][1] += block
            finally:
                conn.close()
                h.stop(srv)
            load_after = os.getloadavg()
    finally:
        cluster.close()
    rows = []
    for name, r in res.items():
        f, p = statistics.median(r["files"]), statistics.median(r["postgres"])
        cf = cpu[name]["files"][0] / cpu[name]["files"][1] * 1000
        cp = cpu[name]["postgres"][0] / cpu[name]["postgres"][1] * 1000
        rows.append({"case": name, "files_ms": round(f, 3), "postgres_ms": round(p, 3), "added_ms": round(p - f, 3),
                     "files_cpu_ms": round(cf, 3), "postgres_cpu_ms": round(cp, 3), "added_cpu_ms": round(cp - cf, 3)})
    out = {"runs": args.runs, "load_before": [round(x, 2) for x in load_before],
           "load_after": [round(x, 2) for x in load_after], "cases": rows}
    if args.json:
        print(json.dumps(out))
    else:
        print(f"median per decision through the server, {args.runs} runs each, load {out['load_before']} → {out['load_after']}")
        for r in rows:
            print(f"  {r['case']:<28} files {r['files_ms']:7.3f} ms   postgres {r['postgres_ms']:7.3f} ms   "
                  f"added {r['added_ms']:+.3f} ms   | CPU (server + database) files {r['files_cpu_ms']:.3f} "
                  f"postgres {r['postgres_cpu_ms']:.3f} added {r['added_cpu_ms']:+.3f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
