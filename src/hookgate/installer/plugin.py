"""Install/uninstall for platforms wired by a whole file hookgate writes: OpenCode's JS plugin
(ADR 0023). The file is hookgate's when its first line is the marker
(``platforms.opencode.PLUGIN_MARKER``); a file of that name without it is the user's and is
never overwritten or removed. Install twice → the same bytes, not rewritten; uninstall deletes
only hookgate's file; other plugins in the directory are never touched."""

from __future__ import annotations

import json
import os
import re

from hookgate.installer import targets
from hookgate.state.resources import data_path

PLACEHOLDER = '"__HOOKGATE_COMMAND__"'
_COMMAND_RX = re.compile(r'^const HOOKGATE = (".*");$', re.M)


def marker() -> str:
    from hookgate.adapters.opencode import PLUGIN_MARKER

    return PLUGIN_MARKER


def render(platform: str, command: str) -> bytes:
    if not os.path.isabs(command):
        raise ValueError(f"the hook command must be an absolute path, got {command!r}")
    with open(data_path(*targets.SPEC[platform][2]), encoding="utf-8") as f:
        text = f.read()
    if PLACEHOLDER not in text or not text.startswith(marker()):
        raise ValueError(f"plugin template for {platform} is damaged (no placeholder or marker)")
    lit = json.dumps(command).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return text.replace(PLACEHOLDER, lit, 1).encode("utf-8")


def is_ours(data: bytes | None) -> bool:
    return data is not None and data.startswith(marker().encode("utf-8"))


def registered_path(data: bytes) -> str:
    m = _COMMAND_RX.search(data.decode("utf-8", "replace"))
    if not m:
        return ""
    try:
        v = json.loads(m.group(1))
    except ValueError:
        return ""
    return v if isinstance(v, str) else ""


def plan_install(t: targets.Target, command: str) -> targets.Plan:
    before = targets.read_bytes(t.path)
    if before is not None and not is_ours(before):
        raise targets.Refusal(f"{t.path}: exists and is not hookgate's plugin (no {marker()!r} first line); "
                            "nothing was written")
    after = render(t.platform, command)
    return targets.Plan(t, before, after, False, False, 1 if before is not None else 0, 1)


def plan_uninstall(t: targets.Target) -> targets.Plan:
    before = targets.read_bytes(t.path)
    if before is None or not is_ours(before):
        return targets.Plan(t, before, before, False, False, 0, 0)
    return targets.Plan(t, before, None, False, False, 1, 0)
