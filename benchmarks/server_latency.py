"""Decision latency through the resident server vs a fresh process, side by side (ADR 0025).

    .venv/bin/python benchmarks/server_latency.py [--runs 30] [--http-runs 300] [--json]

In one run, in a throw-away project/HOME/runtime dir, interleaving the cases:
- http: Claude Code's ``http`` hook door, one keep-alive loopback connection, median per decision;
- command hook with the server up: what ``hookgate install`` wires, ``hookgate-client hook``
  (the static thin client), as a new process; and the Python launcher ``hookgate hook``;
- one-shot with the server down: the same commands, no server in their runtime dir;
- one-shot through the client with ``HOOKGATE_BUNDLE=off``: the normal imports instead of the
  byte-code bundle (``hookgate/bundle.py``, built here before measuring);
- bare ``python -c pass`` from the same venv, the unit of the ratios.
Each process row gives the median wall time and the median CPU time (user + sys of the child)
with both ratios. Prints ``uptime`` before and after: the machine is shared, quote the figures
with it.
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

from _bench import uptime  # benchmarks/ is first on sys.path when run as a script

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
BIN = os.path.dirname(sys.executable)
HOOKGATE = os.path.join(BIN, "hookgate")
CLIENT = os.path.join(BIN, "hookgate-client")


def payload(project: str, tool: str, tool_input: dict) -> bytes:
    return json.dumps({"session_id": "bench", "transcript_path": "", "cwd": project, "permission_mode": "default",
                       "hook_event_name": "PreToolUse", "tool_name": tool, "tool_input": tool_input,
                       "tool_use_id": "toolu_bench"}).encode()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--http-runs", type=int, default=300)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    before = uptime()
    # the one-shot path reads the byte-code bundle as installed (scripts/test and install.sh build it)
    subprocess.run([sys.executable, "-m", "hookgate.bundle"], capture_output=True, check=True)
    from hookgate.adapters.claude_code import classify_output
    from hookgate.server.client import Conn

    from tests.unit.server import helpers as h  # noqa: E402 - the same server start as the tests

    with tempfile.TemporaryDirectory(prefix="hookgate-sbench-") as tmp:
        project, home = os.path.join(tmp, "proj"), os.path.join(tmp, "home")
        rt_up, rt_down = os.path.join(tmp, "rt"), os.path.join(tmp, "rt-down")
        os.makedirs(os.path.join(project, ".git"))
        os.makedirs(home)
        with open(os.path.join(project, ".env"), "w") as f:
            f.write("K=1\n")
        cases = {"Bash git status (allow)": ("Bash", {"command": "git status"}, "allow"),
                 "Bash cat .env (deny)": ("Bash", {"command": "cat .env"}, "deny"),
                 "Write notes.txt (allow)": ("Write", {"file_path": f"{project}/notes.txt", "content": "x"}, "allow")}
        srv = h.start(home, rt_up, idle=600)
        try:
            port = h.info(rt_up)["port"]
            conn = Conn(("127.0.0.1", port))
            hdr = {"X-Hookgate-Project-Dir": project, "Content-Type": "application/json"}
            http_t = {k: [] for k in cases}
            for name, (tool, inp, want) in cases.items():
                s, _, body = conn.request("POST", "/v1/hook/claude-code", payload(project, tool, inp), hdr)
                got = "deny" if b'"deny"' in body else "allow"
                if s != 200 or got != want:
                    raise SystemExit(f"http {name}: {s} {body[:200]!r}")
            for _ in range(args.http_runs):
                for name, (tool, inp, _) in cases.items():
                    data = payload(project, tool, inp)
                    t = time.perf_counter()
                    conn.request("POST", "/v1/hook/claude-code", data, hdr)
                    http_t[name].append((time.perf_counter() - t) * 1000)
            conn.close()
            env = {**os.environ, "HOME": home, "CLAUDE_PROJECT_DIR": project}
            env.pop("HOOKGATE_STATE_DIR", None)
            env.pop("HOOKGATE_BUNDLE", None)
            procs = {"python -c pass": ([sys.executable, "-c", "pass"], None, None, None)}
            for name, (tool, inp, want) in cases.items():
                for who, exe in (("client", CLIENT), ("launcher", HOOKGATE)):
                    procs[f"command hook, server up ({who}): {name}"] = (
                        [exe, "hook", "--platform", "claude-code"], payload(project, tool, inp), rt_up, want)
                    procs[f"one-shot, server down ({who}): {name}"] = (
                        [exe, "hook", "--platform", "claude-code"], payload(project, tool, inp), rt_down, want)
                procs[f"one-shot, server down (client, no bundle): {name}"] = (
                    [CLIENT, "hook", "--platform", "claude-code"], payload(project, tool, inp), rt_down, want)
            for name, (cmd, data, rt, want) in procs.items():
                if data is None:
                    continue
                p = subprocess.run(cmd, input=data, capture_output=True, cwd=project,
                                   env={**env, "HOOKGATE_RUNTIME_DIR": rt, **_extra(name)})
                got = classify_output(p.stdout.decode(), p.stderr.decode(), p.returncode)
                if got.replace("exit2-", "") != want:
                    raise SystemExit(f"{name}: decided {got}, expected {want}: {p.stderr.decode()[:300]}")
            import resource

            times = {k: [] for k in procs}
            cpu = {k: [] for k in procs}
            for _ in range(args.runs):
                for name, (cmd, data, rt, _) in procs.items():
                    e = env if rt is None else {**env, "HOOKGATE_RUNTIME_DIR": rt, **_extra(name)}
                    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                    t = time.perf_counter()
                    subprocess.run(cmd, input=data, capture_output=True, cwd=project, env=e)
                    times[name].append((time.perf_counter() - t) * 1000)
                    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                    cpu[name].append((r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1000)
        finally:
            h.stop(srv)
    base = statistics.median(times["python -c pass"])
    cbase = statistics.median(cpu["python -c pass"])
    rows = [(f"http keep-alive: {k}", statistics.median(v), None) for k, v in http_t.items()]
    rows += [(k, statistics.median(v), statistics.median(cpu[k])) for k, v in times.items()]
    after = uptime()
    if args.json:
        print(json.dumps({"uptime_before": before, "uptime_after": after, "cpus": os.cpu_count(),
                          "cases": {k: {"median_ms": round(v, 3), "ratio": round(v / base, 3),
                                        **({} if c is None else {"cpu_ms": round(c, 3), "cpu_ratio": round(c / cbase, 3)})}
                                    for k, v, c in rows}}, indent=2))
        return 0
    print(f"uptime before: {before}\nuptime after:  {after}\n{os.cpu_count()} CPUs (shared machine: absolute "
          "figures move with the load, ratios less; CPU ratios least)")
    print(f"{'case':<70} {'wall ms':>8} {'× bare':>7} {'cpu ms':>7} {'× bare':>7}")
    for name, v, c in rows:
        tail = "" if c is None else f" {c:>7.2f} {c / cbase:>7.2f}"
        print(f"{name:<70} {v:>8.2f} {v / base:>7.2f}{tail}")
    return 0


def _extra(name: str) -> dict:
    return {"HOOKGATE_BUNDLE": "off"} if "no bundle" in name else {}




if __name__ == "__main__":
    sys.exit(main())
