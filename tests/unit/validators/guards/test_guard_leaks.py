"""Every adversarial case of issue 18's classes really leaks or modifies (ADR 0021).

Each command of ``cases_classes.ADVERSARIAL_CLASSES`` runs under real bash in a fresh fixture
(``leak.effects``: a git repository with marked secrets, an isolated ``HOME`` and ``TMPDIR``);
it must print a secret, copy it into a file, or change a protected file's content, metadata
or existence. A case that does nothing is a broken test, not evidence: it fails here.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.unit.validators.guards.cases_classes import ADVERSARIAL_CLASSES, CLASS_OF
from tests.unit.validators.guards.leak import effects

CLASSES = sorted({CLASS_OF[c] for c, _ in ADVERSARIAL_CLASSES})
NEEDS = ("bash", "git", "python3", "node", "perl", "jq", "sqlite3", "vim", "ed", "make", "cmake", "gdb", "gcc",
         "cpp", "curl", "zip", "tar", "less", "script", "sed")


def test_class_suite_sizes():
    from tests.unit.validators.guards.cases_classes import BENIGN_CLASSES

    assert len(ADVERSARIAL_CLASSES) >= 250
    assert len(BENIGN_CLASSES) >= 100


@pytest.mark.slow  # every adversarial case under real programs: proves the test data, in the full run
@pytest.mark.parametrize("klass", CLASSES)
def test_every_adversarial_case_leaks_or_modifies(tmp_path, klass):
    missing = [p for p in NEEDS if shutil.which(p) is None]
    assert not missing, f"programs the leak check needs are missing: {missing} (scripts/test installs them)"
    cmds = [c for c, _ in ADVERSARIAL_CLASSES if CLASS_OF[c] == klass]

    def run(item):
        i, cmd = item
        base = tmp_path / f"c{i}"
        base.mkdir()
        return cmd, effects(base, cmd)

    with ThreadPoolExecutor(4) as ex:
        results = list(ex.map(run, enumerate(cmds)))
    idle = [cmd for cmd, got in results if not got]
    assert not idle, f"{len(idle)} {klass} case(s) neither leak nor modify under bash: {idle[:5]}"
