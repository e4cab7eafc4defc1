"""Latency of the real ``hookgate hook`` as a fresh process, vs bare ``python -c pass``.

    .venv/bin/python benchmarks/hook_latency.py [--runs 40] [--json]

Runs each payload as a new process (the way agents call it) in a throw-away git project with a
throw-away HOME, interleaving the cases so machine noise hits all of them alike, and prints the
median per case and its ratio to a bare interpreter start from the same venv.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

BIN = os.path.dirname(sys.executable)
HOOKGATE = os.path.join(BIN, "hookgate")


def payload(project: str, tool: str, tool_input: dict) -> bytes:
    return json.dumps({"session_id": "bench", "transcript_path": "", "cwd": project, "permission_mode": "default",
                       "hook_event_name": "PreToolUse", "tool_name": tool, "tool_input": tool_input,
                       "tool_use_id": "toolu_bench"}).encode()


def cases(project: str) -> dict[str, tuple[list[str], bytes | None]]:
    hook = [HOOKGATE, "hook", "--platform", "claude-code"]
    return {
        "python -c pass": ([sys.executable, "-c", "pass"], None),
        "Bash git status (allow)": (hook, payload(project, "Bash", {"command": "git status"})),
        "Bash cat README.md (allow)": (hook, payload(project, "Bash", {"command": "cat README.md"})),
        "Write notes.txt (allow)": (hook, payload(project, "Write", {"file_path": f"{project}/notes.txt", "content": "x"})),
        "Write .hookgate/rollout.yaml (deny)": (hook, payload(project, "Write", {"file_path": f"{project}/.hookgate/rollout.yaml", "content": "x"})),
        "Bash echo x > .claude/settings.json (deny)": (hook, payload(project, "Bash", {"command": "echo x > .claude/settings.json"})),
    }


def measure(runs: int) -> dict[str, float]:
    src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    compileall.compile_dir(os.path.join(src, "src", "hookgate"), quiet=1)
    with tempfile.TemporaryDirectory(prefix="hookgate-bench-") as tmp:
        project = os.path.join(tmp, "proj")
        home = os.path.join(tmp, "home")
        os.makedirs(os.path.join(project, ".git"))
        os.makedirs(home)
        with open(os.path.join(project, "README.md"), "w") as f:
            f.write("# bench\n")
        env = {**os.environ, "HOME": home}
        env.pop("HOOKGATE_STATE_DIR", None)
        table = cases(project)
        times: dict[str, list[float]] = {k: [] for k in table}
        from hookgate.adapters.claude_code import classify_output

        for name, (cmd, data) in table.items():  # sanity: a broken hook looks fast
            p = subprocess.run(cmd, input=data, capture_output=True, env=env, cwd=project)
            if data is None:
                continue
            got = classify_output(p.stdout.decode(), p.stderr.decode(), p.returncode)
            want = "deny" if name.endswith("(deny)") else "allow"
            if got != want:
                raise SystemExit(f"benchmark case {name!r} decided {got}, expected {want}: {p.stderr.decode()[:300]}")
        for _ in range(3):  # warm-up
            for cmd, data in table.values():
                subprocess.run(cmd, input=data, capture_output=True, env=env, cwd=project)
        for _ in range(runs):
            for name, (cmd, data) in table.items():
                t = time.perf_counter()
                subprocess.run(cmd, input=data, capture_output=True, env=env, cwd=project)
                times[name].append((time.perf_counter() - t) * 1000)
        return {k: statistics.median(v) for k, v in times.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    med = measure(max(20, args.runs))
    base = med["python -c pass"]
    if args.json:
        print(json.dumps({k: {"median_ms": round(v, 2), "ratio": round(v / base, 2)} for k, v in med.items()}, indent=2))
        return 0
    print(f"{'case':<46} {'median ms':>10} {'× bare':>8}")
    for name, v in med.items():
        print(f"{name:<46} {v:>10.1f} {v / base:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
