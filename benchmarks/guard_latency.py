"""Deny latency of the read/write guards (ADR 0008/0009) vs a bare interpreter start.

    .venv/bin/python benchmarks/guard_latency.py [--runs 30] [--json]

Each case is a fresh ``hookgate hook`` process (as agents call it) in a throw-away project
with a ``.env``, secrets and a fake HOME; cases are interleaved so machine noise hits all of
them alike. Prints the median per case and its ratio to ``python -c pass`` from the same venv.
Exit status 1 when a guard deny exceeds the spine budget (2.5x bare python).
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
BUDGET = 2.5


def payload(project: str, tool: str, tool_input: dict) -> bytes:
    return json.dumps({"session_id": "bench-guard", "transcript_path": "", "cwd": project,
                       "permission_mode": "default", "hook_event_name": "PreToolUse", "tool_name": tool,
                       "tool_input": tool_input, "tool_use_id": "toolu_bench"}).encode()


def cases(project: str) -> dict:
    hook = [HOOKGATE, "hook", "--platform", "claude-code"]
    return {
        "python -c pass": ([sys.executable, "-c", "pass"], None, None),
        "Bash cat .env (deny)": (hook, payload(project, "Bash", {"command": "cat .env"}), "deny"),
        "Bash echo x | tee -a .env.local (deny)": (hook, payload(project, "Bash", {"command": "echo K=1 | tee -a .env.local"}), "deny"),
        "Bash python3 -c open('.env') (deny)": (hook, payload(project, "Bash", {"command": "python3 -c \"print(open('.env').read())\""}), "deny"),
        "Bash cat \"$F\" from $(cat list) (deny)": (hook, payload(project, "Bash", {"command": "F=$(cat list); cat \"$F\""}), "deny"),
        "Bash cat list | xargs rm (allow, list read now)": (hook, payload(project, "Bash", {"command": "cat files | xargs rm -f"}), "allow"),
        "Bash find | sed | xargs cat (deny)": (hook, payload(project, "Bash", {"command": "find . -maxdepth 1 -name 'README*' | sed 's/README.md/.env/' | xargs cat"}), "deny"),
        "Write .env (deny)": (hook, payload(project, "Write", {"file_path": f"{project}/.env", "content": "x"}), "deny"),
        "Read ~/.ssh/id_rsa (deny)": (hook, payload(project, "Read", {"file_path": "~/.ssh/id_rsa"}), "deny"),
        "Bash cat README.md (allow)": (hook, payload(project, "Bash", {"command": "cat README.md"}), "allow"),
    }


def measure(runs: int) -> dict:
    src = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    compileall.compile_dir(os.path.join(src, "src", "hookgate"), quiet=1)
    from hookgate.adapters.claude_code import classify_output

    with tempfile.TemporaryDirectory(prefix="hookgate-guard-bench-") as tmp:
        project, home = os.path.join(tmp, "proj"), os.path.join(tmp, "home")
        os.makedirs(os.path.join(project, ".git"))
        os.makedirs(os.path.join(home, ".ssh"))
        for rel, text in (("README.md", "# x\n"), (".env", "K=1\n"), (".env.local", "K=2\n"),
                          ("list", ".env\n"), ("files", "README.md\nnotes.txt\n")):
            with open(os.path.join(project, rel), "w") as f:
                f.write(text)
        with open(os.path.join(home, ".ssh", "id_rsa"), "w") as f:
            f.write("PRIVATE\n")
        env = {**os.environ, "HOME": home}
        env.pop("HOOKGATE_STATE_DIR", None)
        table = cases(project)
        for name, (cmd, data, want) in table.items():  # sanity: a broken hook looks fast
            if want:
                r = subprocess.run(cmd, input=data, capture_output=True, env=env, cwd=project)
                got = classify_output(r.stdout.decode(), r.stderr.decode(), r.returncode)
                if got != want:
                    raise SystemExit(f"{name}: expected {want}, got {got}: {r.stdout!r} {r.stderr!r}")
        times = {k: [] for k in table}
        for _ in range(runs):
            for name, (cmd, data, _want) in table.items():
                t = time.perf_counter()
                subprocess.run(cmd, input=data, capture_output=True, env=env, cwd=project)
                times[name].append((time.perf_counter() - t) * 1000)
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    med = measure(args.runs)
    base = med["python -c pass"]
    rows = {k: {"median_ms": round(v, 2), "ratio": round(v / base, 2)} for k, v in med.items()}
    if args.json:
        print(json.dumps(rows, indent=1))
    else:
        for k, r in rows.items():
            print(f"{k:<42} {r['median_ms']:8.2f} ms  {r['ratio']:5.2f}x")
    over = [k for k, r in rows.items() if "(deny)" in k and r["ratio"] > BUDGET]
    if over:
        print(f"over the {BUDGET}x budget: {', '.join(over)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
