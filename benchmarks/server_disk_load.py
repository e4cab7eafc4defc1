"""The http door under disk load (ADR 0025): decision latency while other processes fsync.

    .venv/bin/python benchmarks/server_disk_load.py [--http-runs 300] [--loaders 4] [--json]

In one run, in a throw-away project/HOME/runtime dir: a decision server per group-commit
window (10 ms: the fsync in the server's helper thread; 0: fsync before answering), and Claude
Code's ``http`` door through one keep-alive loopback connection, for ``git status``,
``cat .env`` (deny) and a Write of an ordinary file — first with the disk idle, then while
*loaders* processes write to the same file system and fsync after every write (half of them
1 MiB writes, half 4 KiB: data flushes and journal commits). Printed per phase: the median and
90th percentile per case, and what one fsync of a small append costs meanwhile (the wait the
answer no longer has). ``uptime`` before and after: quote the figures with it.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

from _bench import uptime  # benchmarks/ is first on sys.path when run as a script

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

LOADER = r"""
import os, sys
d, size = sys.argv[1], int(sys.argv[2])
fd = os.open(os.path.join(d, "load-%d-%d" % (size, os.getpid())), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
buf, n = os.urandom(size), 0
while True:
    os.write(fd, buf)
    os.fsync(fd)
    n += size
    if n >= 64 << 20:
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, 0)
        n = 0
"""


def payload(project: str, tool: str, tool_input: dict) -> bytes:
    return json.dumps({"session_id": "bench", "transcript_path": "", "cwd": project, "permission_mode": "default",
                       "hook_event_name": "PreToolUse", "tool_name": tool, "tool_input": tool_input,
                       "tool_use_id": "toolu_bench"}).encode()


def fsync_cost(path: str, n: int = 30) -> list[float]:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    out = []
    try:
        for _ in range(n):
            os.write(fd, b"x" * 1000 + b"\n")
            t = time.perf_counter()
            os.fsync(fd)
            out.append((time.perf_counter() - t) * 1000)
            time.sleep(0.005)
    finally:
        os.close(fd)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--http-runs", type=int, default=300)
    ap.add_argument("--loaders", type=int, default=4)
    ap.add_argument("--windows", default="10,0", help="group-commit windows (ms) to compare")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    from hookgate.server.client import Conn
    from tests.unit.server import helpers as h  # noqa: E402 - the same server start as the tests

    before = uptime()
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="hookgate-dbench-") as tmp:
        project, home = os.path.join(tmp, "proj"), os.path.join(tmp, "home")
        os.makedirs(os.path.join(project, ".git"))
        os.makedirs(home)
        loaddir = os.path.join(tmp, "load")
        os.makedirs(loaddir)
        with open(os.path.join(project, ".env"), "w") as f:
            f.write("K=1\n")
        cases = {"Bash git status (allow)": ("Bash", {"command": "git status"}, "allow"),
                 "Bash cat .env (deny)": ("Bash", {"command": "cat .env"}, "deny"),
                 "Write notes.txt (allow)": ("Write", {"file_path": f"{project}/notes.txt", "content": "x"}, "allow")}
        hdr = {"X-Hookgate-Project-Dir": project, "Content-Type": "application/json"}
        for phase in ("idle disk", f"{args.loaders} fsync loaders"):
            loaders = []
            if phase != "idle disk":
                for i in range(args.loaders):
                    size = (1 << 20) if i % 2 == 0 else 4096
                    loaders.append(subprocess.Popen([sys.executable, "-c", LOADER, loaddir, str(size)],
                                                    start_new_session=True))
                time.sleep(1.0)
            try:
                fs = fsync_cost(os.path.join(tmp, "probe"))
                row: dict = {"fsync_ms": {"median": statistics.median(fs), "p90": _p90(fs)}, "windows": {}}
                for w in [float(x) for x in args.windows.split(",")]:
                    rt = os.path.join(tmp, f"rt-{phase[:4]}-{w:g}")
                    srv = h.start(home, rt, idle=600, group_commit_ms=w)
                    try:
                        conn = Conn(("127.0.0.1", h.info(rt)["port"]))
                        for name, (tool, inp, want) in cases.items():
                            s, _, body = conn.request("POST", "/v1/hook/claude-code", payload(project, tool, inp), hdr)
                            got = "deny" if b'"deny"' in body else "allow"
                            if s != 200 or got != want:
                                raise SystemExit(f"http {name}: {s} {body[:200]!r}")
                        t_ = {k: [] for k in cases}
                        for _ in range(args.http_runs):
                            for name, (tool, inp, _w) in cases.items():
                                data = payload(project, tool, inp)
                                t = time.perf_counter()
                                conn.request("POST", "/v1/hook/claude-code", data, hdr)
                                t_[name].append((time.perf_counter() - t) * 1000)
                        conn.close()
                    finally:
                        h.stop(srv)
                    row["windows"][f"{w:g} ms"] = {k: {"median": statistics.median(v), "p90": _p90(v)}
                                                  for k, v in t_.items()}
                results[phase] = row
            finally:
                for p in loaders:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
    after = uptime()
    if args.json:
        print(json.dumps({"uptime_before": before, "uptime_after": after, "results": results}, indent=2))
        return 0
    print(f"uptime before: {before}\nuptime after:  {after}")
    for phase, row in results.items():
        f = row["fsync_ms"]
        print(f"\n{phase}: one fsync of a small append {f['median']:.2f} ms median, {f['p90']:.2f} ms p90")
        print(f"  {'http keep-alive decision':<34} {'window':>8} {'median ms':>10} {'p90 ms':>8}")
        for w, cs in row["windows"].items():
            for name, v in cs.items():
                print(f"  {name:<34} {w:>8} {v['median']:>10.2f} {v['p90']:>8.2f}")
    return 0


def _p90(v: list[float]) -> float:
    return sorted(v)[int(len(v) * 0.9)]




if __name__ == "__main__":
    sys.exit(main())
