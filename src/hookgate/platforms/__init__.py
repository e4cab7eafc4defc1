"""The adapter registry: platform id → module (ADR 0002). Only the adapter in use is imported."""

from __future__ import annotations

import importlib

ADAPTERS: dict[str, str] = {
    "claude-code": "hookgate.platforms.claude_code",
    "cursor": "hookgate.platforms.cursor",
    "gemini-cli": "hookgate.platforms.gemini_cli",
}

PLATFORM_IDS = ("claude-code", "cursor", "gemini-cli")


def load(platform: str):
    return importlib.import_module(ADAPTERS[platform])
