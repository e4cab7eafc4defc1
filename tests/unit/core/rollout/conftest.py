"""Fixtures for tests/unit/core/rollout (ADR 0015)."""

from __future__ import annotations

import pytest

from tests.unit.core.rollout.helpers import ROLLOUT_YAML, load_ledger_fixture


@pytest.fixture
def gov(project):
    """A project with .hookgate/rollout.yaml (comment-laden) and the recorded ledger."""
    cfg = project / ".hookgate"
    cfg.mkdir()
    (cfg / "rollout.yaml").write_text(ROLLOUT_YAML, encoding="utf-8")
    load_ledger_fixture(project)
    return project
