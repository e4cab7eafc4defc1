"""The adapter registry: platform id → module (ADR 0002). Only the adapter in use is imported."""

from __future__ import annotations

import sys

ADAPTERS: dict[str, str] = {
    "claude-code": "hookgate.adapters.claude_code",
    "cursor": "hookgate.adapters.cursor",
    "gemini-cli": "hookgate.adapters.gemini_cli",
    "codex": "hookgate.adapters.codex",
    "copilot-cli": "hookgate.adapters.copilot_cli",
    "qwen-code": "hookgate.adapters.qwen_code",
    "opencode": "hookgate.adapters.opencode",
}

PLATFORM_IDS = ("claude-code", "cursor", "gemini-cli", "codex", "copilot-cli", "qwen-code", "opencode")


def load(platform: str):
    return _module(ADAPTERS[platform])


def _module(name: str):
    """``importlib.import_module`` without importing ``importlib`` (and ``warnings``) on every
    hook call (ADR 0017): the names here are absolute and fixed."""
    __import__(name)
    return sys.modules[name]
