"""`hookgate plan check` over 2,000 plans (ADR 0024). Run: .venv/bin/python benchmarks/plan_check.py

Builds a project with N (default 2,000) plans in 200 areas of 10: each area is a dependency
chain (plan j depends on plan j-1; every 10th area also waits for the previous area's last
plan), each plan writes its own module, its own test and a shared per-area directory (ordered
by the chain, so no overlap), types mixed refactor/feature/docs/migration, every test file
exists. Then times, best of 3:

- in-process ``verify`` (load + graph + validators; no state writes);
- the real command ``hookgate plan check`` end to end (interpreter and CLI start-up included).

Budget: the real command under 1 s of CPU time (user + sys: what it takes on an idle core;
wall time on a shared, loaded machine is printed beside it with the load average).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "src"))

N = int(os.environ.get("N", "2000"))
BUDGET_S = 1.0
TYPES = ("refactor", "feature", "docs")


def build(root: str, n: int = N) -> None:
    pdir = os.path.join(root, ".hookgate", "plans")
    os.makedirs(pdir)
    os.makedirs(os.path.join(root, ".git"))
    os.makedirs(os.path.join(root, "migrations"))
    for i in range(n):
        area, j = divmod(i, 10)
        pid = f"a{area:03d}-p{j}"
        deps = [f"a{area:03d}-p{j - 1}"] if j else ([f"a{area - 1:03d}-p9"] if area and area % 10 == 0 else [])
        kind = "migration" if area == 0 else TYPES[i % 3]
        test = f"tests/a{area:03d}/test_p{j}.py"
        os.makedirs(os.path.join(root, os.path.dirname(test)), exist_ok=True)
        with open(os.path.join(root, test), "w") as f:
            f.write("def test_ok():\n    pass\n")
        if kind == "docs":
            write = [f"docs/a{area:03d}/p{j}.md", f"docs/a{area:03d}/shared/**"]
        elif kind == "migration":
            write = [f"migrations/{i:04d}_m.py", f"src/a{area:03d}/shared/**"]
        else:
            write = [f"src/a{area:03d}/p{j}.py", f"src/a{area:03d}/shared/**"]
        if kind == "feature":
            write.append(test)
        body = (f'[plan]\nid = "{pid}"\ntype = "{kind}"\ndepends_on = {deps!r}\n'.replace("'", '"')
                + f"[claims]\nwrite = {write!r}\nread = [\"tests/a{area:03d}\"]\n".replace("'", '"')
                + f'[checks]\ntests = ["{test}"]\n')
        with open(os.path.join(pdir, f"{pid}.toml"), "w") as f:
            f.write(body)


def main() -> int:
    tmp = tempfile.mkdtemp(prefix="hookgate-plans-")
    root = os.path.join(tmp, "proj")
    os.makedirs(root)
    build(root)
    env = dict(os.environ, HOME=tmp, HOOKGATE_STATE_DIR=os.path.join(tmp, "state"))
    os.environ["HOOKGATE_STATE_DIR"] = env["HOOKGATE_STATE_DIR"]
    from hookgate.plans.verify import verify

    import resource

    inproc = []
    for _ in range(3):
        t0 = time.process_time()
        rep = verify(root, env["HOOKGATE_STATE_DIR"], record=False)
        inproc.append(time.process_time() - t0)
    assert len(rep.plans) == N and not rep.errors(), [f.message for f in rep.errors()][:5]
    exe = os.path.join(os.path.dirname(sys.executable), "hookgate")
    cli, wall = [], []
    for _ in range(3):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        p = subprocess.run([exe, "plan", "check"], cwd=root, env=env, capture_output=True, text=True)
        wall.append(time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cli.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
        assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    load = os.getloadavg()
    print(f"plans: {N}; in-process verify best {min(inproc):.3f}s CPU; `hookgate plan check` best "
          f"{min(cli):.3f}s CPU (runs: {', '.join(f'{x:.3f}' for x in cli)}), wall best {min(wall):.3f}s; "
          f"load average {load[0]:.2f} {load[1]:.2f} on {os.cpu_count()} cores; budget {BUDGET_S}s CPU")
    return 0 if min(cli) < BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
