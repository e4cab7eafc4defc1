"""Where the shipped data lives: ``hooks/``, ``platforms/`` and ``rollout.yaml``.

In a wheel they are package data under ``hookgate/_data/``; in a source checkout
(editable install, tests) they are read from the repository root (ADR 0005).
"""

from __future__ import annotations

import os

_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # src/hookgate (this is state/)


def data_dir() -> str:
    packaged = os.path.join(_PKG, "_data")
    if os.path.isdir(packaged):
        return packaged
    return os.path.dirname(os.path.dirname(_PKG))  # src/hookgate -> repo root


def data_path(*parts: str) -> str:
    return os.path.join(data_dir(), *parts)


def defaults_json_path() -> str:
    return os.path.join(_PKG, "_defaults.json")
