"""The floor's cost (ADR 0020): `hookgate run` start cost and per-command cost.

    .venv/bin/python benchmarks/floor_bench.py [--files N ...]

Builds a throw-away project (N source files + the usual secrets) and HOME, then prints:
- start: median wall time of `hookgate run -- true` vs `true` (and of `--plan` alone);
- per command: a loop of K `cat README.md` inside one floor vs outside, per iteration.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HOOKGATE = os.path.join(os.path.dirname(sys.executable), "hookgate")


def project(base: str, files: int) -> tuple[str, dict]:
    root = os.path.join(base, "proj")
    home = os.path.join(base, "home")
    for d in (root, home, os.path.join(root, ".git"), os.path.join(home, ".ssh"), os.path.join(root, "secrets")):
        os.makedirs(d, exist_ok=True)
    for rel in (".env", "server.pem", "secrets/t", "README.md"):
        with open(os.path.join(root, rel), "w") as f:
            f.write("x\n")
    with open(os.path.join(home, ".ssh", "id_ed25519"), "w") as f:
        f.write("k\n")
    for i in range(files):
        d = os.path.join(root, "src", f"pkg{i // 100}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"m{i}.py"), "w") as f:
            f.write("x = 1\n")
    env = dict(os.environ, HOME=home)
    env.pop("HOOKGATE_STATE_DIR", None)
    return root, env


def timed(argv, root, env, n: int) -> float:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(argv, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, nargs="*", default=[100, 10000])
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--loop", type=int, default=500)
    a = ap.parse_args()
    print(f"load average: {os.getloadavg()[0]:.2f} (cpus {os.cpu_count()})")
    for n in a.files:
        with tempfile.TemporaryDirectory() as base:
            root, env = project(base, n)
            bare = timed(["true"], root, env, a.runs)
            plan = timed([HOOKGATE, "run", "--plan"], root, env, a.runs)
            start = timed([HOOKGATE, "run", "--", "true"], root, env, a.runs)
            loop = f"for i in $(seq {a.loop}); do cat README.md >/dev/null; done"
            plain = timed(["bash", "-c", loop], root, env, 3)
            floor = timed([HOOKGATE, "run", "--", "bash", "-c", loop], root, env, 3)
            per_plain = plain / a.loop * 1e3
            per_floor = (floor - start) / a.loop * 1e3
            print(f"{n:>6} files: start {start * 1e3:7.1f} ms (bare exec {bare * 1e3:.1f} ms; plan alone {plan * 1e3:.1f} ms) | "
                  f"per command {per_floor:.3f} ms under the floor vs {per_plain:.3f} ms plain "
                  f"({(per_floor / per_plain - 1) * 100:+.0f}%)")


if __name__ == "__main__":
    main()
