"""ADR 0018: the property. For random payloads whose deciding field names a protected path,
with every field the agent controls fuzzed (cwd, dir_path, working_directory, workspace
hints, transcript_path, session id, the tool's own path spelling), the decision is deny or
ask — through the hot path's real code (``hook.handle``), on every platform."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hookgate.core.hook import handle
from tests.e2e.trust.helpers import DENY, PROJECT_ENV, make_repo

JUNK = st.one_of(st.text(max_size=12), st.integers(), st.none(), st.lists(st.text(max_size=4), max_size=2))


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("prop")
    repo = make_repo(base / "repo")
    os.makedirs(os.path.join(repo, "sub", "deep"))
    os.makedirs(os.path.join(repo, ".git", "hookgate"), exist_ok=True)
    other = make_repo(base / "other")
    home = str(base / "home")
    os.makedirs(os.path.join(home, ".ssh"))
    with open(os.path.join(home, ".ssh", "id_rsa"), "w") as f:
        f.write("PRIVATE\n")
    fifo = str(base / "fifo.jsonl")
    os.mkfifo(fifo)
    return {"repo": repo, "other": other, "home": home, "fifo": fifo, "base": str(base)}


def targets(w):
    r, h = w["repo"], w["home"]
    return [
        (f"{r}/.hookgate/rollout.yaml", "write"), (f"{r}/.claude/settings.json", "write"),
        (f"{r}/.claude/settings.local.json", "write"), (f"{r}/.git/hookgate/ledger.jsonl", "write"),
        (f"{r}/.git/hookgate/ledger.jsonl", "read"), (f"{r}/.git/hookgate/config.json", "read"),
        (f"{r}/.env", "read"), (f"{h}/.ssh/id_rsa", "read"), (f"{h}/.claude/settings.json", "write"),
        (f"{w['other']}/.hookgate/rollout.yaml", "write"), (f"{w['other']}/.git/hookgate/ledger.jsonl", "write"),
    ]


def spellings(path: str, cwd, home: str):
    """Ways to name *path* (absolute, dotted, doubled slashes, ~, relative to a real cwd)."""
    d, b = os.path.split(path)
    out = [path, f"{d}/./{b}", f"{d}//{b}", f"{d}/sub/../{b}" if os.path.isdir(d + "/sub") else path]
    if path.startswith(home + "/"):
        out.append("~" + path[len(home):])
    if isinstance(cwd, str) and os.path.isabs(cwd) and os.path.isdir(cwd):
        out.append(os.path.relpath(path, cwd))
    return out


@st.composite
def payloads(draw, w):
    platform = draw(st.sampled_from(("claude-code", "gemini-cli", "cursor")))
    path, mode = draw(st.sampled_from(targets(w)))
    places = [w["repo"], w["repo"] + "/sub/deep", w["other"], w["base"], "/", w["home"]]
    cwd = draw(st.one_of(st.sampled_from(places), JUNK))
    dir_path = draw(st.one_of(st.sampled_from(places + ["..", "sub", ""]), JUNK))
    spell = draw(st.sampled_from(spellings(path, cwd if platform != "gemini-cli" or not isinstance(dir_path, str) or not dir_path
                                           else os.path.normpath(os.path.join(cwd if isinstance(cwd, str) and os.path.isabs(cwd) else w["repo"], dir_path)),
                                           w["home"])))
    if not os.path.isabs(spell) and not spell.startswith("~"):
        spell = path  # a relative spelling only where the shell's cwd is certain
    transcript = draw(st.one_of(st.sampled_from([w["fifo"], "/dev/zero", w["repo"] + "/.env", "", "/nonexistent"]), JUNK))
    session = draw(st.one_of(st.text(max_size=20), st.sampled_from(["../../x", "s\n", "*"]), JUNK))
    # Cursor's workspace_roots is the platform's (ADR 0018); fuzzed among the roots it could list
    roots = draw(st.one_of(st.sampled_from([[w["repo"]], [w["repo"], w["other"]], [w["other"], w["repo"]], []]), JUNK))
    via = draw(st.sampled_from(["tool", "shell"]))
    q = json.dumps(spell)
    command = {"write": draw(st.sampled_from([f"echo x > {q}", f"cp /etc/hostname {q}", f"tee {q} < /dev/null", f"rm -f {q}"])),
               "read": draw(st.sampled_from([f"cat {q}", f"head -c 10 {q}", f"grep -r x {q}", f"exec 3< {q}"]))}[mode]
    if platform == "claude-code":
        if via == "shell":
            tool, inp = "Bash", {"command": command}
        elif mode == "write":
            tool, inp = draw(st.sampled_from([("Write", {"file_path": spell, "content": "x"}),
                                              ("Edit", {"file_path": spell, "old_string": "a", "new_string": "b"})]))
        else:
            tool, inp = "Read", {"file_path": spell}
        obj = {"session_id": session, "transcript_path": transcript, "cwd": cwd, "hook_event_name": "PreToolUse",
               "tool_name": tool, "tool_input": inp}
    elif platform == "gemini-cli":
        if via == "shell":
            inp = {"command": command}
            if dir_path is not None:
                inp["dir_path"] = dir_path
            tool = "run_shell_command"
        elif mode == "write":
            tool, inp = "write_file", {"file_path": spell, "content": "x"}
        else:
            tool, inp = draw(st.sampled_from([("read_file", {"file_path": spell}),
                                              ("read_many_files", {"include": [spell]})]))
        obj = {"session_id": session, "transcript_path": transcript, "cwd": cwd, "hook_event_name": "BeforeTool",
               "tool_name": tool, "tool_input": inp}
    else:
        common = {"conversation_id": session, "generation_id": "g", "workspace_roots": roots, "transcript_path": transcript}
        if via == "shell":
            obj = dict(common, hook_event_name="beforeShellExecution", command=command, cwd=cwd)
        elif mode == "write":
            obj = dict(common, hook_event_name="preToolUse", tool_name="Write", cwd=cwd,
                       tool_input={"file_path": spell, "content": "x"})
        else:
            obj = dict(common, hook_event_name="beforeReadFile", file_path=spell, content="")
    return platform, obj


def _env(w, platform):
    env = {"HOME": w["home"], "PATH": os.environ.get("PATH", "/usr/bin:/bin"), PROJECT_ENV[platform]: w["repo"]}
    if platform != "claude-code":
        env["CLAUDE_PROJECT_DIR"] = w["repo"]
    return env


def _label(platform, out, err, code):
    from hookgate.adapters import load

    return load(platform).classify_output(out, err, code)


@pytest.mark.parametrize("seed", [0])
def test_protected_paths_are_denied_whatever_the_agent_controls(world, seed):
    @settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), derandomize=False)
    @given(payloads(world))
    def prop(case):
        platform, obj = case
        out, err, code = handle(platform, json.dumps(obj).encode(), _env(world, platform))
        got = _label(platform, out, err, code)
        assert got in DENY, (platform, obj, got, out[:300], err[:300])

    prop()
    # nothing was ever created under a directory a payload named
    for d in (world["base"], world["home"], os.path.join(world["repo"], "sub"), os.path.join(world["repo"], "sub", "deep")):
        assert not os.path.exists(os.path.join(d, ".hookgate")), d
