"""Editing the project's rollout.yaml for ``hookgate rollout promote|demote|cap`` (ADR 0015).

Under ``<state>/rollout.lock``: create the file from the shipped one when missing (like
``hookgate init``), splice the change in place (``hookgate.core.yaml_rewrite``), validate strictly,
check the parsed result differs by exactly the intended change, write atomically (mode kept),
compile the config cache; then the caller appends a ``rollout_change`` ledger record.
"""

from __future__ import annotations

import copy
import os
import shutil
import subprocess

import typer

from hookgate.core import config
from hookgate.state import backend, paths
from hookgate.cli._common import fail
from hookgate.state import files
from hookgate.state.resources import data_path

LOCK_NAME = "rollout.lock"


def who() -> str:
    user = os.environ.get("USER") or os.environ.get("LOGNAME") or _account()
    git = {}
    for key in ("user.name", "user.email"):
        try:
            out = subprocess.run(["git", "config", "--get", key], capture_output=True, text=True, timeout=3)
            if out.returncode == 0 and out.stdout.strip():
                git[key] = out.stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass
    ident = git.get("user.name", "")
    if git.get("user.email"):
        ident = f"{ident} <{git['user.email']}>".strip()
    if user and ident:
        return f"{user} ({ident})"
    return user or ident or "unknown"


def _account() -> str:
    """The login name of this uid when USER/LOGNAME are unset (cron, containers, env -i)."""
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError, OSError):
        return f"uid {os.getuid()}"


def rollout_file(root: str) -> str:
    return os.path.join(paths.config_dir(root), "rollout.yaml")


def apply_edit(root: str, state: str, edits: list, expect) -> tuple[dict, str]:
    """Apply yaml_rewrite *edits* (callables text → text) to the project's rollout.yaml under
    the rollout lock; check the result with *expect(before_doc, after_doc)*; write atomically;
    compile. Returns (compiled config, path)."""
    from hookgate.core import yamlio

    path = rollout_file(root)
    os.makedirs(state, exist_ok=True)
    with files.locked(os.path.join(state, LOCK_NAME), 10.0, label=LOCK_NAME):
        if not os.path.exists(path):  # like `hookgate init`
            os.makedirs(os.path.join(paths.config_dir(root), "hooks"), exist_ok=True)
            shutil.copyfile(data_path("rollout.yaml"), path)
            typer.echo(f"created {path} from the shipped default")
        with open(path, encoding="utf-8") as f:
            before_text = f.read()
        mode = os.stat(path).st_mode & 0o777
        try:
            before = config.validate_rollout(yamlio.load_text(before_text, path), path)
        except yamlio.ConfigError as e:
            raise fail(f"{e}; fix the file by hand first (nothing changed)") from None
        text = before_text
        for edit in edits:
            text = edit(text)
        try:
            after = config.validate_rollout(yamlio.load_text(text, path), path)
        except yamlio.ConfigError as e:
            raise fail(f"the edit would make rollout.yaml invalid ({e}); nothing written") from None
        problem = expect(copy.deepcopy(before), after)
        if problem:
            raise fail(f"the in-place edit did not produce the intended change ({problem}); nothing written")
        files.replace(path, text.encode("utf-8"), mode=mode)
        try:
            compiled = config.compile_config(root)
        except Exception as e:  # noqa: BLE001 - restore, then refuse
            files.replace(path, before_text.encode("utf-8"), mode=mode)
            raise fail(f"config does not compile after the edit ({e}); restored") from None
        config.write_cache(state, compiled, config.signature(config.project_sources(root)))
        return compiled, path


def hook_edits(hook: str, stage: str, platform: str, ts: str, by: str) -> list:
    from hookgate.core import yaml_rewrite as yr

    if platform:
        return [lambda t: yr.set_path(t, ["hooks", hook, "platforms", platform], stage, scalar_means="stage")]
    return [
        lambda t: yr.set_path(t, ["hooks", hook, "stage"], stage, scalar_means="stage"),
        lambda t: yr.set_path(t, ["hooks", hook, "since"], ts),
        lambda t: yr.set_path(t, ["hooks", hook, "promoted_by"], by),
    ]


def expect_hook(hook: str, stage: str, platform: str, ts: str, by: str):
    def check(before: dict, after: dict) -> str:
        entry = before["hooks"].setdefault(hook, {})
        if platform:
            entry.setdefault("platforms", {})[platform] = stage
        else:
            entry.update(stage=stage, since=ts, promoted_by=by)
        return "" if before == after else f"expected {before}, got {after}"

    return check


def record(state: str, fields: dict) -> dict:
    from hookgate.core.engine import _base_record

    rec = _base_record("rollout_change", "")
    rec.update(fields)
    return backend.ledger_append(state, rec)


def now() -> str:
    from hookgate.core.engine import _now as now

    return now()
