"""Fault-injection campaign against the real ``hookgate hook`` (ADR 0018).

    .venv/bin/python benchmarks/fuzz_campaign.py [--per-platform 5000] [--jobs 4] [--seed 1] [--json]

For each platform, in a throw-away repository and HOME, runs N payloads as fresh processes, the
way agents call the hook, with the platform's own project env and the repository as the hook's
cwd. A third are protected actions (writes of hookgate's config/wiring/ledger, reads of the
state dir, of ``.env`` and ``~/.ssh``) with every agent-controllable field fuzzed (cwd, dir_path,
working_directory, transcript_path — including a FIFO and /dev/zero —, session id, path
spelling); a third are malformed payloads (truncated, mutated bytes, wrong types, huge or deep
values); a third are ordinary actions. Prints, per platform: allows of protected actions (must
be 0), tracebacks / outputs the platform would not understand (must be 0), and latency
(median, p99, max; the deadline is ``hook.DEADLINE_S``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

BIN = os.path.dirname(sys.executable)
HOOKGATE = os.path.join(BIN, "hookgate")
PLATFORMS = ("claude-code", "gemini-cli", "cursor")
PROJECT_ENV = {"claude-code": "CLAUDE_PROJECT_DIR", "gemini-cli": "GEMINI_PROJECT_DIR", "cursor": "CURSOR_PROJECT_DIR"}
DENY = ("deny", "exit2-deny", "ask")


def setup(base: str) -> dict:
    repo, other, home = (os.path.join(base, n) for n in ("repo", "other", "home"))
    for r in (repo, other):
        for d in (".git/hookgate", ".hookgate", ".claude", "src/deep"):
            os.makedirs(os.path.join(r, d), exist_ok=True)
        with open(os.path.join(r, ".env"), "w") as f:
            f.write("API_KEY=sk-live-0123456789abcdef0123\n")
    os.makedirs(os.path.join(home, ".ssh"))
    with open(os.path.join(home, ".ssh", "id_rsa"), "w") as f:
        f.write("PRIVATE\n")
    fifo = os.path.join(base, "fifo.jsonl")
    os.mkfifo(fifo)
    return {"repo": repo, "other": other, "home": home, "fifo": fifo, "base": base}


def junk(rnd: random.Random):
    return rnd.choice([None, 0, -1, 2**70, True, [], {}, "", "\x00", "../" * 50, "é" * 10, ["a"], {"a": 1}, 1.5e308])


def protected(w: dict) -> list[tuple[str, str]]:
    r, o, h = w["repo"], w["other"], w["home"]
    return [(f"{r}/.hookgate/rollout.yaml", "write"), (f"{r}/.claude/settings.json", "write"),
            (f"{r}/.claude/settings.local.json", "write"), (f"{r}/.git/hookgate/ledger.jsonl", "write"),
            (f"{r}/.git/hookgate/ledger.jsonl", "read"), (f"{r}/.git/hookgate/config.json", "read"),
            (f"{r}/.env", "read"), (f"{h}/.ssh/id_rsa", "read"), (f"{h}/.claude/settings.json", "write"),
            (f"{h}/.gemini/settings.json", "write"), (f"{r}/.cursor/hooks.json", "write"),
            (f"{o}/.hookgate/rollout.yaml", "write"), (f"{o}/.git/hookgate/ledger.jsonl", "write")]


def spell(rnd: random.Random, path: str, home: str) -> str:
    d, b = os.path.split(path)
    forms = [path, f"{d}/./{b}", f"{d}//{b}", f"{d}/src/../{b}"]
    if path.startswith(home + "/"):
        forms.append("~" + path[len(home):])
    return rnd.choice(forms)


def place(rnd: random.Random, w: dict):
    return rnd.choice([w["repo"], w["repo"] + "/src/deep", w["other"], w["base"], "/", w["home"], "/tmp", junk(rnd)])


def action(rnd: random.Random, w: dict, platform: str, path: str, mode: str) -> dict:
    cwd, dir_path = place(rnd, w), place(rnd, w)
    transcript = rnd.choice([w["fifo"], "/dev/zero", w["repo"] + "/.env", "", "/nonexistent", junk(rnd)])
    session = rnd.choice(["s1", "../../x", "s\n", "*", "é" * 30, junk(rnd)])
    p = spell(rnd, path, w["home"])
    q = json.dumps(p)
    cmd = rnd.choice([f"echo x > {q}", f"cp /etc/hostname {q}", f"tee -a {q} </dev/null", f"rm -f {q}", f"sed -i s/a/b/ {q}"]) \
        if mode == "write" else rnd.choice([f"cat {q}", f"head -c 10 {q}", f"grep -r x {q}", f"exec 3< {q}", f"flock {q} true",
                                            f"python3 -c 'print(open({q}).read())'", f"less {q}"])
    shell = rnd.random() < 0.5
    if platform == "claude-code":
        if shell:
            tool, inp = "Bash", {"command": cmd}
        elif mode == "write":
            tool, inp = rnd.choice([("Write", {"file_path": p, "content": "x"}),
                                    ("Edit", {"file_path": p, "old_string": "a", "new_string": "b"}),
                                    ("MultiEdit", {"file_path": p, "edits": [{"old_string": "a", "new_string": "b"}]})])
        else:
            tool, inp = rnd.choice([("Read", {"file_path": p}), ("Grep", {"pattern": "x", "path": p})])
        return {"session_id": session, "transcript_path": transcript, "cwd": cwd, "hook_event_name": "PreToolUse",
                "tool_name": tool, "tool_input": inp}
    if platform == "gemini-cli":
        if shell:
            tool, inp = "run_shell_command", {"command": cmd, "dir_path": dir_path}
        elif mode == "write":
            tool, inp = rnd.choice([("write_file", {"file_path": p, "content": "x"}),
                                    ("replace", {"file_path": p, "old_string": "a", "new_string": "b"})])
        else:
            tool, inp = rnd.choice([("read_file", {"file_path": p}), ("read_many_files", {"include": [p]})])
        return {"session_id": session, "transcript_path": transcript, "cwd": cwd, "hook_event_name": "BeforeTool",
                "tool_name": tool, "tool_input": inp}
    roots = rnd.choice([[w["repo"]], [w["repo"], w["other"]], [], junk(rnd)])
    common = {"conversation_id": session, "generation_id": "g", "workspace_roots": roots, "transcript_path": transcript}
    if shell:
        return dict(common, hook_event_name="beforeShellExecution", command=cmd, cwd=cwd)
    if mode == "write":
        return dict(common, hook_event_name="preToolUse", tool_name=rnd.choice(["Write", "StrReplace", "Delete"]), cwd=cwd,
                    tool_input={"file_path": p, "contents": "x", "old_string": "a", "new_string": "b"})
    return dict(common, hook_event_name="beforeReadFile", file_path=p, content="")


def benign(rnd: random.Random, w: dict, platform: str) -> dict:
    r = w["repo"]
    p = f"{r}/src/notes{rnd.randrange(100)}.txt"
    mode = rnd.choice(["write", "read"])
    d = action(rnd, w, platform, p, mode)
    return d


def malformed(rnd: random.Random, good: dict) -> bytes:
    data = json.dumps(good).encode()
    kind = rnd.randrange(8)
    if kind == 0:
        return data[: rnd.randrange(len(data))]
    if kind == 1:
        b = bytearray(data)
        for _ in range(rnd.randrange(1, 8)):
            b[rnd.randrange(len(b))] = rnd.randrange(256)
        return bytes(b)
    if kind == 2:
        obj = dict(good)
        k = rnd.choice(list(obj))
        obj[k] = junk(rnd)
        return json.dumps(obj).encode()
    if kind == 3:
        return b"[" * rnd.choice([10, 1000, 100000]) + b"]" * 3
    if kind == 4:
        obj = dict(good)
        obj[rnd.choice(["tool_input", "command", "cwd", "transcript_path"])] = "KEY" * rnd.choice([100, 40000]) + ":"
        return json.dumps(obj).encode()
    if kind == 5:
        return rnd.choice([b"", b"null", b"\xef\xbb\xbf{}", b"{}", b'"x"', os.urandom(64)])
    if kind == 6:
        obj = dict(good)
        obj["tool_input"] = {"command": "echo " + "$(" * 2000 + ")" * 2000, "file_path": "\x00" * 10}
        return json.dumps(obj).encode()
    obj = dict(good)
    obj.pop(rnd.choice(list(obj)), None)
    return json.dumps(obj).encode()


def classify(platform: str, p) -> str:
    from hookgate.adapters import load

    return load(platform).classify_output(p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"), p.returncode)


def one(platform: str, data: bytes, env: dict, cwd: str):
    t = time.perf_counter()
    try:
        p = subprocess.run([HOOKGATE, "hook", "--platform", platform], input=data, capture_output=True, env=env, cwd=cwd,
                           timeout=60)
    except subprocess.TimeoutExpired:
        return "timeout", 60.0, b""
    return classify(platform, p), time.perf_counter() - t, p.stderr


def campaign(per_platform: int, jobs: int, seed: int) -> dict:
    from hookgate.core.hook import DEADLINE_S

    out = {"deadline_s": DEADLINE_S, "platforms": {}}
    with tempfile.TemporaryDirectory(prefix="hookgate-fuzz-") as base:
        w = setup(base)
        for platform in PLATFORMS:
            rnd = random.Random(f"{seed}-{platform}")
            env = {k: v for k, v in os.environ.items() if not k.endswith("_PROJECT_DIR")}
            env.update(HOME=w["home"], XDG_DATA_HOME=os.path.join(w["home"], ".local", "share"))
            env[PROJECT_ENV[platform]] = w["repo"]
            work = []
            for i in range(per_platform):
                kind = ("protected", "malformed", "benign")[i % 3]
                if kind == "protected":
                    path, mode = rnd.choice(protected(w))
                    work.append((kind, json.dumps(action(rnd, w, platform, path, mode)).encode()))
                elif kind == "malformed":
                    path, mode = rnd.choice(protected(w))
                    work.append((kind, malformed(rnd, action(rnd, w, platform, path, mode))))
                else:
                    work.append((kind, json.dumps(benign(rnd, w, platform)).encode()))
            with ThreadPoolExecutor(jobs) as pool:
                results = list(pool.map(lambda kd: (kd[0],) + one(platform, kd[1], env, w["repo"]), work))
            lat = sorted(r[2] for r in results)
            leaks = [work[i][1][:300].decode("utf-8", "replace") for i, r in enumerate(results)
                     if r[0] == "protected" and r[1] not in DENY]
            out["platforms"][platform] = {
                "payloads": len(results),
                "protected": sum(r[0] == "protected" for r in results),
                "protected_allowed": len(leaks),
                "leak_examples": leaks[:3],
                "tracebacks": sum(b"Traceback" in r[3] for r in results),
                "invalid_or_timeout": sum(r[1] in ("invalid", "timeout") for r in results),
                "malformed_denied": sum(r[0] == "malformed" and r[1] in DENY for r in results),
                "latency_ms": {"median": round(statistics.median(lat) * 1000, 1),
                               "p99": round(lat[int(len(lat) * 0.99) - 1] * 1000, 1), "max": round(lat[-1] * 1000, 1)},
                "over_deadline": sum(x > DEADLINE_S for x in lat),
            }
            assert not os.path.exists(os.path.join(base, ".hookgate")), "state created under a payload-named dir"
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-platform", type=int, default=5000)
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    t = time.time()
    res = campaign(a.per_platform, a.jobs, a.seed)
    res["wall_s"] = round(time.time() - t, 1)
    try:
        res["loadavg"] = os.getloadavg()
    except OSError:
        pass
    if a.json:
        print(json.dumps(res, indent=1))
    else:
        print(f"deadline {res['deadline_s']} s; wall {res['wall_s']} s; load {res.get('loadavg')}")
        for p, r in res["platforms"].items():
            print(f"{p:12} payloads {r['payloads']}  protected {r['protected']}  protected allowed {r['protected_allowed']}  "
                  f"tracebacks {r['tracebacks']}  invalid/timeout {r['invalid_or_timeout']}  latency ms {r['latency_ms']}  "
                  f"over deadline {r['over_deadline']}")
            for ex in r["leak_examples"]:
                print("   leak:", ex)
    bad = any(r["protected_allowed"] or r["tracebacks"] or r["invalid_or_timeout"] or r["over_deadline"]
              for r in res["platforms"].values())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
