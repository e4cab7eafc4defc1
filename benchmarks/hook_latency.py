"""Latency of the real one-shot ``hookgate hook`` as a fresh process, vs bare ``python -c pass``.

    .venv/bin/python benchmarks/hook_latency.py [--runs 40] [--against /path/to/other/checkout] [--json]

Runs each payload as a new process (the way agents call it) in a throw-away git project with a
throw-away HOME and no decision server (the one-shot path), interleaving the cases so machine
noise hits all of them alike, and prints per case the median wall time and the median CPU time
(user + sys of the child), each with its ratio to a bare interpreter start from the same venv.

Doors: ``hookgate-client`` (the static thin client ``hookgate install`` wires; it runs
``python -ES hookgate hook …`` when no server answers) where the venv has one, and the Python
launcher ``hookgate``; ``--no-bundle``-style rows run the client with ``HOOKGATE_BUNDLE=off``
(the normal imports instead of ``hookgate/bundle.py``, ADR 0025).

``--against DIR``: the same cases through ``DIR/.venv/bin`` too (another checkout with its own
venv, e.g. ``git worktree add /tmp/base18 18c7dbc``), interleaved in the same run, each against
its own venv's bare ``python -c pass``. Prints ``uptime`` before and after: the machine is
shared, quote the figures with it (CPU ratios move least with the load).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from _bench import uptime  # benchmarks/ is first on sys.path when run as a script

BIN = os.path.dirname(sys.executable)
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def payload(project: str, tool: str, tool_input: dict) -> bytes:
    return json.dumps({"session_id": "bench", "transcript_path": "", "cwd": project, "permission_mode": "default",
                       "hook_event_name": "PreToolUse", "tool_name": tool, "tool_input": tool_input,
                       "tool_use_id": "toolu_bench"}).encode()


def payloads(project: str) -> dict[str, tuple[bytes, str]]:
    return {
        "Bash git status": (payload(project, "Bash", {"command": "git status"}), "allow"),
        "Bash cat .env": (payload(project, "Bash", {"command": "cat .env"}), "deny"),
        "Bash cat README.md": (payload(project, "Bash", {"command": "cat README.md"}), "allow"),
        "Write notes.txt": (payload(project, "Write", {"file_path": f"{project}/notes.txt", "content": "x"}), "allow"),
        "Write .hookgate/rollout.yaml": (payload(project, "Write", {"file_path": f"{project}/.hookgate/rollout.yaml",
                                                                    "content": "x"}), "deny"),
        "Bash echo x > .claude/settings.json": (payload(project, "Bash", {"command": "echo x > .claude/settings.json"}),
                                                "deny"),
    }


def _prepare(checkout: str) -> None:
    """Byte-compile the checkout (and build its bundle where it has one), as scripts/test does."""
    src = os.path.join(checkout, "src", "hookgate")
    compileall.compile_dir(src, quiet=1)
    if os.path.exists(os.path.join(src, "bundle.py")):
        subprocess.run([os.path.join(checkout, ".venv", "bin", "python"), "-m", "hookgate.bundle"],
                       capture_output=True, check=True, cwd=checkout)


def doors(bin_dir: str, tag: str) -> dict[str, tuple[list[str], dict]]:
    out = {}
    client = os.path.join(bin_dir, "hookgate-client")
    launcher = os.path.join(bin_dir, "hookgate")
    if os.path.exists(client):
        out[f"{tag}client"] = ([client, "hook", "--platform", "claude-code"], {})
        out[f"{tag}client, no bundle"] = ([client, "hook", "--platform", "claude-code"], {"HOOKGATE_BUNDLE": "off"})
    out[f"{tag}launcher"] = ([launcher, "hook", "--platform", "claude-code"], {})
    return out


def measure(runs: int, against: str | None) -> tuple[dict, dict]:
    _prepare(HERE)
    venvs = [("", BIN)]
    if against:
        _prepare(against)
        venvs.append(("base: ", os.path.join(against, ".venv", "bin")))
    with tempfile.TemporaryDirectory(prefix="hookgate-bench-") as tmp:
        project = os.path.join(tmp, "proj")
        home = os.path.join(tmp, "home")
        os.makedirs(os.path.join(project, ".git"))
        os.makedirs(home)
        with open(os.path.join(project, "README.md"), "w") as f:
            f.write("# bench\n")
        with open(os.path.join(project, ".env"), "w") as f:
            f.write("K=1\n")
        env = {**os.environ, "HOME": home, "HOOKGATE_RUNTIME_DIR": os.path.join(tmp, "rt"), "HOOKGATE_SERVE": "off"}
        env.pop("HOOKGATE_STATE_DIR", None)
        env.pop("HOOKGATE_BUNDLE", None)
        table: dict[str, tuple[list[str], bytes | None, dict, str]] = {}
        for tag, bin_dir in venvs:
            table[f"{tag}python -c pass"] = ([os.path.join(bin_dir, "python"), "-c", "pass"], None, {}, "")
            for door, (cmd, extra) in doors(bin_dir, tag).items():
                for name, (data, want) in payloads(project).items():
                    table[f"{door}: {name} ({want})"] = (cmd, data, extra, want)
        from hookgate.adapters.claude_code import classify_output

        for name, (cmd, data, extra, want) in table.items():  # sanity: a broken hook looks fast
            p = subprocess.run(cmd, input=data, capture_output=True, env={**env, **extra}, cwd=project)
            if data is None:
                continue
            got = classify_output(p.stdout.decode(), p.stderr.decode(), p.returncode).replace("exit2-", "")
            if got != want:
                raise SystemExit(f"benchmark case {name!r} decided {got}, expected {want}: {p.stderr.decode()[:300]}")
        for _ in range(2):  # warm-up
            for cmd, data, extra, _w in table.values():
                subprocess.run(cmd, input=data, capture_output=True, env={**env, **extra}, cwd=project)
        wall: dict[str, list[float]] = {k: [] for k in table}
        cpu: dict[str, list[float]] = {k: [] for k in table}
        for _ in range(runs):
            for name, (cmd, data, extra, _w) in table.items():
                r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                t = time.perf_counter()
                subprocess.run(cmd, input=data, capture_output=True, env={**env, **extra}, cwd=project)
                wall[name].append((time.perf_counter() - t) * 1000)
                r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu[name].append((r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1000)
        return ({k: statistics.median(v) for k, v in wall.items()}, {k: statistics.median(v) for k, v in cpu.items()})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--against", help="another checkout with its own .venv, measured in the same run")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    before = uptime()
    wall, cpu = measure(max(10, args.runs), args.against)
    after = uptime()

    def bare(name: str) -> str:
        return "base: python -c pass" if name.startswith("base: ") else "python -c pass"

    rows = [(k, wall[k], wall[k] / wall[bare(k)], cpu[k], cpu[k] / cpu[bare(k)]) for k in wall]
    if args.json:
        print(json.dumps({"uptime_before": before, "uptime_after": after, "cpus": os.cpu_count(),
                          "cases": {k: {"median_ms": round(w, 3), "ratio": round(r, 3), "cpu_ms": round(c, 3),
                                        "cpu_ratio": round(cr, 3)} for k, w, r, c, cr in rows}}, indent=2))
        return 0
    print(f"uptime before: {before}\nuptime after:  {after}\n{os.cpu_count()} CPUs (shared machine: absolute "
          "figures move with the load, ratios less; CPU ratios least)")
    print(f"{'case':<78} {'wall ms':>8} {'× bare':>7} {'cpu ms':>7} {'× bare':>7}")
    for k, w, r, c, cr in rows:
        print(f"{k:<78} {w:>8.2f} {r:>7.2f} {c:>7.2f} {cr:>7.2f}")
    return 0




if __name__ == "__main__":
    sys.exit(main())
