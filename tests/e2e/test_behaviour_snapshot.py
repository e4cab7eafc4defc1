"""Issue 19: behaviour preservation. What hookgate decides on every guard-suite case, every golden
payload of every adapter and the shell corpus is committed in tests/data/behaviour-snapshot.txt
(taken at 18c7dbc, before the layout move); these tests regenerate it and compare byte for byte.

A difference is either a regression or an intended change: look at the diff
(`scripts/behaviour-snapshot --check`), and if every line of it is intended, rewrite the file
(`scripts/behaviour-snapshot --update`) in the same commit as the change."""

from __future__ import annotations

import os
import re

import pytest

from tests.support import snapshot


def _committed() -> str:
    with open(snapshot.SNAPSHOT, encoding="utf-8") as f:
        return f.read()


def _blocks(lines_or_text) -> dict[str, str]:
    """{"== …" header: the lines under it} of a snapshot section."""
    text = lines_or_text if isinstance(lines_or_text, str) else "\n".join(lines_or_text) + "\n"
    out: dict[str, list[str]] = {}
    cur = None
    for line in text.splitlines():
        if line.startswith("# section "):
            cur = None
        elif line.startswith("== "):
            cur = line
            assert cur not in out, f"two blocks with one header: {cur}"
            out[cur] = []
        elif cur is not None:
            out[cur].append(line)
    return {k: "\n".join(v) for k, v in out.items()}


def _compare_subset(got_lines) -> list[str]:
    want = _blocks(_committed())
    got = _blocks(got_lines)
    assert got, "the subset produced no cases"
    bad = []
    for head, body in got.items():
        if head not in want:
            bad.append(f"{head}: not in the committed snapshot")
        elif want[head] != body:
            bad.append(f"{head}:\n{snapshot.diff(want[head], body, limit=20)}")
    return bad


def test_guard_cases_subset_identical():
    """The first cases of every guard table (the quick loop's share): identical blocks."""
    bad = _compare_subset(snapshot.guards_section(jobs=2, limit=12))
    assert not bad, "behaviour changed (scripts/behaviour-snapshot --check):\n" + "\n".join(bad[:10])


@pytest.mark.slow
@pytest.mark.parametrize("section", snapshot.SECTIONS)
def test_whole_snapshot_identical(section):
    """The whole snapshot, section by section, byte for byte (the full run)."""
    got = snapshot.split_sections(snapshot.render((section,), jobs=os.cpu_count() or 2))[section]
    want = snapshot.split_sections(_committed())[section]
    assert got == want, f"behaviour changed in section {section}:\n" + snapshot.diff(want, got)


def test_the_check_fails_when_a_decision_changes():
    """The comparison is not vacuous: the same cases with the read guard demoted to monitor (a
    project .hookgate/rollout.yaml) differ from the committed blocks, and say so."""
    with open(os.path.join(snapshot.REPO, "rollout.yaml"), encoding="utf-8") as f:
        rollout = f.read()
    demoted = re.sub(r'read-guard: \{stage: "enforce"\}', 'read-guard: {stage: "monitor"}', rollout)
    assert demoted != rollout
    got = snapshot.guards_section(jobs=2, limit=3, project_files={".hookgate/rollout.yaml": demoted})
    bad = _compare_subset(got)
    assert bad and any("adversarial 0001" in b for b in bad), bad
    assert any("-stdout: deny" in b and "+stdout: (empty)" in b for b in bad), bad[:3]


def test_volatile_bits_are_normalised(tmp_path):
    """Temp paths, the venv, wall-clock times and random ids never reach the snapshot."""
    norm = snapshot.Norm([(str(tmp_path / "p"), "${PROJECT}"), (str(tmp_path), "${TMP}")])
    text = norm(f"{tmp_path}/p/.env and {tmp_path}/x; {snapshot.hookgate_command()} locks list; lease since "
                "15:37:52 UTC; approval request 9fb501ab; (record a4eb66a0a27a) at 2026-12-07T15:35:56.206Z")
    assert text == ("${PROJECT}/.env and ${TMP}/x; ${BIN}/hookgate locks list; lease since <time> UTC; "
                    "approval request <id>; (record <id>) at <timestamp>")
    committed = _committed()
    for pat in (r"/tmp/hg-snap-", r"/work/", r"\b\d\d:\d\d:\d\d UTC", r"\"ts\":"):
        assert not re.search(pat, committed), pat
