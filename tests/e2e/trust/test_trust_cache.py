"""ADR 0018 item 3: a compiled-config cache an agent wrote is never trusted, not even as the
"last good" config. Before: valid JSON with every stage at monitor and no policies turned the
read guard off, and stayed in force once rollout.yaml was broken."""

from __future__ import annotations

import json
import os

import pytest

from hookgate.core import config
from tests.e2e.trust.helpers import DENY, PLATFORMS, label, ledger, make_repo, platform_env, run, shell

OFF = {"version": 1, "hooks": {h: {"stage": "monitor"} for h in ("self-protection", "read-guard", "write-guard",
                                                                   "coordination", "budget")},
       "global_stage_cap": "monitor", "policies": {}, "adrs": {}, "promotion": {}, "rev": "tampered"}


def _forge(cache_path: str, how: str, root: str) -> None:
    with open(cache_path, "rb") as f:
        head, _, _body = f.read().partition(b"\n")
    real = json.loads(head)  # ADR 0027: a header line, then the compiled config's bytes
    assert real["format"] == config.FORMAT
    off = (json.dumps(OFF, sort_keys=True, separators=(",", ":")) + "\n").encode()
    if how == "keep-mac":  # the real binding and MAC, a different compiled config
        forged = head + b"\n" + off
    elif how == "keep-mac-whole":  # the real binding and MAC in the previous layout (one object)
        forged = json.dumps(dict(real, compiled=OFF, format=1)).encode()
    elif how == "recomputed-binding":  # what an agent can compute itself: no key, so no MAC
        sig = config.signature(config.project_sources(root))
        h = {"format": config.FORMAT, "sources": sig, "binding": config._binding(sig), "mac": "0" * 64}
        forged = json.dumps(h).encode() + b"\n" + off
    elif how == "old-format":
        forged = json.dumps({"sources": real["sources"], "compiled": OFF}).encode()
    else:
        raise ValueError(how)
    with open(cache_path, "wb") as f:
        f.write(forged)


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("how", ["keep-mac", "keep-mac-whole", "recomputed-binding", "old-format"])
def test_a_tampered_cache_is_not_trusted_and_never_last_good(tmp_path, home, platform, how):
    root = make_repo(tmp_path / "repo")
    rollout = os.path.join(root, ".hookgate", "rollout.yaml")
    with open(rollout, "w") as f:
        f.write('version: 1\nhooks:\n  coordination: {stage: "warn"}\n')
    env = platform_env(platform, root, str(home))
    cat_env = shell(platform, "cat .env", root, root)
    assert label(platform, run(platform, cat_env, env, cwd=root)) in DENY
    cache = os.path.join(root, ".git", "hookgate", "config.json")
    assert os.path.exists(cache)
    _forge(cache, how, root)
    p = run(platform, cat_env, env, cwd=root)
    assert label(platform, p) in DENY, (p.stdout, p.stderr)
    assert ledger(root)[-1]["rollout_rev"] != "tampered"
    # the project file breaks: the last good config is hookgate's own, never the forged one
    _forge(cache, how, root) if how not in ("keep-mac", "keep-mac-whole") else None
    with open(rollout, "w") as f:
        f.write("version: 1\nhooks: [\n")
    p = run(platform, cat_env, env, cwd=root)
    assert label(platform, p) in DENY, (p.stdout, p.stderr)
    recs = ledger(root)
    assert recs[-2]["kind"] == "config_error" and recs[-1]["rollout_rev"] != "tampered", recs[-2:]


def test_the_cache_is_bound_to_source_bytes_not_mtime(tmp_path, home):
    """A source rewritten with its old size and mtime is still recompiled."""
    root = make_repo(tmp_path / "repo")
    rollout = os.path.join(root, ".hookgate", "rollout.yaml")
    with open(rollout, "w") as f:
        f.write('version: 1\nhooks:\n  coordination: {stage: "warn"}   \n')
    env = platform_env("claude-code", root, str(home))
    run("claude-code", shell("claude-code", "ls", root, root), env, cwd=root)
    st = os.stat(rollout)
    with open(rollout, "w") as f:
        f.write('version: 1\nhooks:\n  coordination: {stage: "enforce"}\n')
    os.utime(rollout, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(rollout).st_size == st.st_size
    run("claude-code", shell("claude-code", "ls", root, root), env, cwd=root)
    stages = {v["hook"]: v["stage"] for v in ledger(root)[-1]["verdicts"]}
    assert stages["coordination"] == "enforce"
