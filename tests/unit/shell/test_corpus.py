"""ADR 0007: the labelled corpus (tests/unit/shell/corpus.jsonl) through ``explain --json``."""

from __future__ import annotations

import json
import os

import pytest

from hookgate.cli.explain import explain_json

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "corpus.jsonl"), encoding="utf-8") as _f:
    CORPUS = [json.loads(line) for line in _f if line.strip()]


def _fill(s: str, cwd: str, home: str) -> str:
    return s.replace("{C}", cwd).replace("{H}", home).replace("{P}", os.path.dirname(cwd))


def _spec(item: str, cwd, home):
    mode, _, path = item.partition(" ")
    unresolved = path.startswith("?")
    return mode, _fill(path.lstrip("?"), cwd, home), not unresolved


def test_corpus_is_big_enough():
    assert len(CORPUS) >= 300
    cats = {e["cat"] for e in CORPUS}
    for needed in ("redirect", "cp", "rm", "tar", "curl", "git", "find", "xargs", "nesting", "wrapper", "interp",
                   "vars", "glob", "brace", "cd", "benign", "editor", "sed", "awk", "heredoc", "procsubst"):
        assert needed in cats, needed


@pytest.mark.parametrize("entry", CORPUS, ids=[e["cmd"][:60] for e in CORPUS])
def test_labelled_command(entry, tree):
    cwd, home = tree
    doc = explain_json(entry["cmd"], cwd, home)
    assert list(doc) == ["command", "accesses", "indeterminate", "parse_error"]
    got = {(a["mode"], a["path"], a["resolved"]) for a in doc["accesses"]}
    shown = "\n".join(f"  {a['mode']} {a['path']} {'' if a['resolved'] else '(unresolved)'} via {a['via']}" for a in doc["accesses"])
    assert doc["indeterminate"] == entry.get("indeterminate", False), (doc["parse_error"], shown)
    for item in entry["has"]:
        assert _spec(item, cwd, home) in got, f"missing {item}; got:\n{shown}"
    for item in entry["not"]:
        mode, path, resolved = _spec(item, cwd, home)
        forms = [(mode, path, False)] if not resolved else [(mode, path, True), (mode, path, False)]
        assert not [f for f in forms if f in got], f"unexpected {item}; got:\n{shown}"
    if entry.get("quiet"):
        assert not [g for g in got if g[0] in ("write", "delete")], f"unexpected mutation; got:\n{shown}"
    if entry.get("reads") is False:
        assert not [g for g in got if g[0] == "read"], f"unexpected read; got:\n{shown}"
