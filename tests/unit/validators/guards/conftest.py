from __future__ import annotations

import pytest

from tests.unit.validators.guards.helpers import build_project


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    """(project, home) with protected files, symlinks and a fake HOME (module-scoped)."""
    base = tmp_path_factory.mktemp("guarded")
    root = base / "proj"
    home = base / "home"
    root.mkdir()
    home.mkdir()
    build_project(root, home)
    return root, home
