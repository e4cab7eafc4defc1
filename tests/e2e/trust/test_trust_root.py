"""ADR 0018 item 1: the governed project comes from what the platform controls, never from the
payload's cwd / dir_path. Before: with ``cwd`` pointed elsewhere, no project config loaded, the
ledger went to ``<cwd>/.hookgate/state`` and writes to the real repository's
``.hookgate/rollout.yaml``, ``.claude/settings.json`` and ledger were allowed."""

from __future__ import annotations

import os

import pytest

from tests.e2e.trust.helpers import DENY, PLATFORMS, label, ledger, make_repo, platform_env, run, shell, write


@pytest.fixture
def world(tmp_path, home):
    repo = make_repo(tmp_path / "repo")
    with open(os.path.join(repo, ".hookgate", "rollout.yaml"), "w") as f:
        f.write('version: 1\nhooks:\n  coordination: {stage: "warn"}\n')
    elsewhere = str(tmp_path / "elsewhere")
    os.makedirs(elsewhere)
    return repo, elsewhere, str(home)


def _protected(repo: str) -> list[str]:
    return [os.path.join(repo, ".hookgate", "rollout.yaml"), os.path.join(repo, ".claude", "settings.json"),
            os.path.join(repo, ".git", "hookgate", "ledger.jsonl"), os.path.join(repo, ".git", "hookgate", "config.json")]


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("how", ["env", "process-cwd"])
def test_payload_cwd_elsewhere_does_not_move_the_project(world, platform, how):
    repo, elsewhere, home = world
    env = platform_env(platform, repo, home)
    if how == "process-cwd":  # no project env at all: the hook's own cwd, as the platform started it
        env = {k: v for k, v in env.items() if not k.endswith("_PROJECT_DIR")}
    for target in _protected(repo):
        p = run(platform, write(platform, target, elsewhere, repo), env, cwd=repo)
        assert label(platform, p) in DENY, (target, p.stdout, p.stderr)
    p = run(platform, shell(platform, f"cat {repo}/.env", elsewhere, repo, dir_path=elsewhere), env, cwd=repo)
    assert label(platform, p) in DENY, (p.stdout, p.stderr)
    # nothing was created under the directory the payload named; the records are in the repo
    assert not os.path.exists(os.path.join(elsewhere, ".hookgate")), os.listdir(elsewhere)
    recs = [r for r in ledger(repo) if r.get("kind") == "decision"]
    assert len(recs) == 5 and all(r["outcome"] == "block" for r in recs)
    # the project's own config governs (coordination at warn, from .hookgate/rollout.yaml)
    stages = {v["hook"]: v["stage"] for v in recs[-1]["verdicts"]}
    assert stages["coordination"] == "warn", stages


@pytest.mark.parametrize("platform", PLATFORMS)
def test_hookgate_places_are_protected_wherever_they_are(world, tmp_path, platform):
    """An agent that cds into another checkout still cannot rewrite that checkout's config,
    wiring or state."""
    repo, elsewhere, home = world
    other = make_repo(tmp_path / "other")
    env = platform_env(platform, repo, home)
    targets = [os.path.join(other, ".hookgate", "rollout.yaml"), os.path.join(other, ".claude", "settings.local.json"),
               os.path.join(other, ".git", "hookgate", "ledger.jsonl"), os.path.join(other, ".cursor", "hooks.json"),
               os.path.join(other, ".gemini", "settings.json"), os.path.join(other, ".hookgate", "state", "config.json")]
    for target in targets:
        p = run(platform, write(platform, target, other, repo), env, cwd=repo)
        assert label(platform, p) in DENY, (target, p.stdout, p.stderr)
        p = run(platform, shell(platform, f"echo x > {target}", other, repo, dir_path=other), env, cwd=repo)
        assert label(platform, p) in DENY, (target, p.stdout, p.stderr)
    p = run(platform, shell(platform, "rm -rf .claude", other, repo, dir_path=other), env, cwd=repo)
    assert label(platform, p) in DENY
    # control: an ordinary file there is still writable
    p = run(platform, write(platform, os.path.join(other, "notes.txt"), other, repo), env, cwd=repo)
    assert label(platform, p) == "allow", (p.stdout, p.stderr)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_bad_input_is_recorded_in_the_platform_project(world, platform):
    repo, elsewhere, home = world
    env = platform_env(platform, repo, home)
    p = run(platform, b'{"cwd": "' + elsewhere.encode() + b'", "hook_event_name": 7}', env, cwd=elsewhere)
    assert p.returncode == 2
    assert not os.path.exists(os.path.join(elsewhere, ".hookgate"))
    assert [r["kind"] for r in ledger(repo)] == ["bad_input"]


def _golden_cases():
    from hookgate.adapters import golden
    from hookgate.adapters import PLATFORM_IDS

    out = []
    for platform in PLATFORM_IDS:
        for name, want in golden.expectations(platform).items():
            if want != "deny":
                continue
            with open(golden.payload_path(platform, name), encoding="utf-8") as f:
                text = f.read()
            if '"cwd": "${PROJECT}"' in text and "${PROJECT}/" in text:
                out.append((platform, name))
    return out


@pytest.mark.parametrize("platform,name", _golden_cases())
def test_every_platform_golden_deny_holds_with_cwd_elsewhere(tmp_path, home, platform, name):
    """The same guarantee on all seven adapters: each golden deny whose target is an absolute
    path in the project, with the payload's cwd moved outside it, is still denied and creates
    nothing where the payload pointed (the project comes from the platform: ADR 0018)."""
    from hookgate.adapters import golden
    from hookgate.state.paths import PROJECT_ENV
    from hookgate.adapters import load

    root = make_repo(tmp_path / "repo")
    elsewhere = str(tmp_path / "elsewhere")
    os.makedirs(elsewhere)
    with open(golden.payload_path(platform, name), encoding="utf-8") as f:
        text = f.read().replace('"cwd": "${PROJECT}"', '"cwd": "' + elsewhere + '"')
    data = text.replace("${PROJECT}", root).replace("${HOME}", str(home)).encode()
    env = {k: v for k, v in os.environ.items() if not k.endswith("_PROJECT_DIR")}
    env["HOME"] = str(home)
    for var in PROJECT_ENV.get(platform, ()):
        env[var] = root
    p = run(platform, data, env, cwd=root)
    got = load(platform).classify_output(p.stdout.decode(), p.stderr.decode(), p.returncode)
    assert got in DENY, (got, p.stdout[:300], p.stderr[:300])
    assert not os.path.exists(os.path.join(elsewhere, ".hookgate"))
