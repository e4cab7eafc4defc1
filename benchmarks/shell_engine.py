"""Shell engine benchmark (ADR 0007). One command:

    .venv/bin/python benchmarks/shell_engine.py [--quick]

Prints (1) commands/s of ``hookgate.shell.analyse`` in-process over the tldr corpus, with the
fast-path share, and (2) the latency of a shell decision in the real hook
(``hookgate hook --platform claude-code`` with a PreToolUse Bash payload) against bare
``python -c pass`` and a non-shell (Write) decision. Degrades gracefully: a missing corpus or
console script skips that part.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "src"))

from hookgate.shell import analyse  # noqa: E402

CORPUS = os.environ.get("HOOKGATE_CORPUS", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "corpus", "tldr-commands.txt"))
HOOKGATE = os.path.join(os.path.dirname(sys.executable), "hookgate")


def in_process(quick: bool) -> None:
    if not os.path.exists(CORPUS):
        print(f"in-process: corpus {CORPUS} not found, skipped")
        return
    with open(CORPUS, encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f if line.strip()]
    if quick:
        lines = lines[::10]
    with tempfile.TemporaryDirectory() as d:
        t = time.perf_counter()
        fast_t = slow_t = 0.0
        fast = 0
        for line in lines:
            t0 = time.perf_counter()
            r = analyse(line, d, home=d)
            dt = time.perf_counter() - t0
            if r.fast_path:
                fast += 1
                fast_t += dt
            else:
                slow_t += dt
        total = time.perf_counter() - t
    n = len(lines)
    print(f"in-process over tldr: {n} commands in {total:.2f} s = {n / total:,.0f} commands/s")
    print(f"  fast path: {fast / n:.1%} of commands, {fast / fast_t if fast_t else 0:,.0f} commands/s"
          f"  |  shfmt path: {(n - fast) / slow_t if slow_t else 0:,.0f} commands/s")


def _time(argv, stdin: bytes, env, cwd, runs: int) -> float:
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(argv, input=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd, check=False)
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def real_hook(quick: bool) -> None:
    if not os.path.exists(HOOKGATE):
        print(f"real hook: {HOOKGATE} not found, skipped")
        return
    runs = 10 if quick else 30
    with tempfile.TemporaryDirectory() as d:
        proj = os.path.join(d, "proj")
        os.makedirs(os.path.join(proj, ".git"))
        env = dict(os.environ, HOME=d, XDG_DATA_HOME=os.path.join(d, "xdg"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed hook runs from cached bytecode
        subprocess.run([sys.executable, "-c", "import hookgate.core.hook, hookgate.shell.interp, hookgate.shell.fileops, "
                        "hookgate.shell.gitcmd, hookgate.shell.wrappers"], env=env, check=False)

        def payload(tool, tool_input):
            return json.dumps({"session_id": "bench", "cwd": proj, "hook_event_name": "PreToolUse",
                               "tool_name": tool, "tool_input": tool_input, "transcript_path": ""}).encode()

        bare = _time([sys.executable, "-c", "pass"], b"", env, proj, runs)
        write = _time([HOOKGATE, "hook", "--platform", "claude-code"], payload("Write", {"file_path": f"{proj}/a.txt", "content": "x"}), env, proj, runs)
        fast = _time([HOOKGATE, "hook", "--platform", "claude-code"], payload("Bash", {"command": "git status && ls -la src"}), env, proj, runs)
        slow = _time([HOOKGATE, "hook", "--platform", "claude-code"], payload("Bash", {"command": "cd src && grep -rn 'TODO' . | head -n 5 > \"$HOME/todo.txt\""}), env, proj, runs)
    print(f"real hook (median of {runs}): bare python -c pass {bare * 1000:.1f} ms")
    print(f"  Write decision            {write * 1000:.1f} ms  ({write / bare:.2f} x bare)")
    print(f"  Bash, fast path           {fast * 1000:.1f} ms  ({fast / bare:.2f} x bare, +{(fast - write) * 1000:.1f} ms over Write)")
    print(f"  Bash, via shfmt           {slow * 1000:.1f} ms  ({slow / bare:.2f} x bare, +{(slow - write) * 1000:.1f} ms over Write)")
    print(f"  goal: shell decision <= 3 x bare -> {'met' if max(fast, slow) <= 3 * bare else 'NOT met'}")


def main() -> None:
    quick = "--quick" in sys.argv
    in_process(quick)
    real_hook(quick)


if __name__ == "__main__":
    main()
