"""ADR 0000: every ADR is well-formed, indexed, and every validator's ADR exists."""

from __future__ import annotations

import os
import re

import pytest

from tests.conftest import REPO

ADR_DIR = os.path.join(REPO, "adr")
ADRS = sorted(f for f in os.listdir(ADR_DIR) if re.match(r"\d{4}-[a-z0-9-]+\.md$", f))
def _read(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


STATUSES = {"proposed", "accepted", "rejected", "deprecated"}


@pytest.mark.parametrize("name", ADRS)
def test_adr_is_well_formed_and_indexed(name):
    text = _read(os.path.join(ADR_DIR, name))
    assert text.startswith("---\n"), "front matter"
    front = text.split("---\n")[1]
    status = re.search(r"^status:\s*(.+)$", front, re.M)
    assert status and (status.group(1).strip() in STATUSES or status.group(1).startswith("superseded by"))
    assert re.search(r"^date:\s*\d{4}-\d{2}-\d{2}", front, re.M)
    assert "## Confirmation" in text
    index = _read(os.path.join(ADR_DIR, "README.md"))
    assert f"({name})" in index, f"{name} missing from adr/README.md"


def test_every_validator_and_manifest_cites_an_existing_adr():
    from hookgate.validators import VALIDATORS, load

    for hook_id in VALIDATORS:
        adr = load(hook_id).ADR
        assert os.path.exists(os.path.join(REPO, adr)), (hook_id, adr)
