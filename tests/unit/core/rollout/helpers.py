"""Helpers for tests/unit/core/rollout: a governed project with a comment-laden rollout.yaml and the
recorded ledger fixture (``fixtures/ledger.jsonl``, see ``make_fixture.py``)."""

from __future__ import annotations

import json
import os

from tests.conftest import run_cli

HERE = os.path.dirname(os.path.abspath(__file__))

ROLLOUT_YAML = """\
# Project rollout for the demo service.
#   owner: platform team — ask in #agents before promoting
version: 1   # schema version

hooks:
  # pinned, never below enforce
  self-protection: {stage: "enforce"}

  # credentials
  read-guard: {stage: "enforce"}   # shipped default
  write-guard:
    stage: "warn"        # held at warn while we tune the tiers
    # cursor cannot ask, keep it quiet there
    platforms:
      cursor: "monitor"

  # observing
  coordination: {stage: "monitor"}  # trailing comment stays
  budget: warn   # bare scalar form

# end of file comment
"""

ENV = {"USER": "tester", "GIT_CONFIG_NOSYSTEM": "1"}


def state_dir(project) -> str:
    return os.path.join(str(project), ".git", "hookgate")


def load_ledger_fixture(project) -> int:
    """Append the fixture's records to the project's ledger (re-chained); return the count."""
    from hookgate.state import backend

    n = 0
    with open(os.path.join(HERE, "fixtures", "ledger.jsonl"), encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line.replace("${PROJECT}", str(project)))
            backend.ledger_append(state_dir(project), rec, fsync=False)
            n += 1
    return n


def cli(project, *args):
    return run_cli(*args, cwd=str(project), env=ENV)


def records_of(project, kind: str) -> list[dict]:
    from tests.conftest import ledger_records

    return [r for r in ledger_records(project) if r.get("kind") == kind]
