"""ADR 0008/0009: false-positive rate of the guards on real commands (tests/data/corpus),
with a .env present in the fixture repo. Prints the rate and the worst offenders.

Counted: commands the read or write guard denies or asks about. Split into *determinate*
hits (a concrete protected path) and *indeterminate* ones (an unknown word, `$(…)`, xargs
input that may name a protected file — the issue's "never allow" rule applies to them).
"""

from __future__ import annotations

import collections
import functools
import os
import tempfile

import pytest

CORPUS = os.environ.get("HOOKGATE_CORPUS") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "data", "corpus")  # vendored: tests/data/corpus/README.md
LIMITS = {"tldr-commands.txt": 0.2, "nl2bash-commands.txt": 1.15}  # percent; NL2Bash alone: a ratchet (ADR 0008, 0021)
WHOLE_LIMIT = 0.4  # percent, both files together: the target
# determinate hits are commands that really touch the fixture's .env or ~/.ssh (`find . -name '.*'
# -delete`, `cp -r $(ls -A) …`, `find ~ -atime +100 -delete`); as more indeterminate commands are
# evaluated on the files there are now, some of them become determinate hits
# (0.5 → 0.65 with ADR 0021: recursive readers over the fixture's root — `grep -r x .`,
# `rsync -av . host:`, `tar c /var` — and git hook/config writes really read or change it)
DETERMINATE_LIMIT = 0.65


@functools.lru_cache(maxsize=None)
def _flagged(name):
    """(lines, [(cmd, verdict)]) for one corpus file, with a .env in the fixture repo."""
    path = os.path.join(CORPUS, name)
    from hookgate.core import engine
    from hookgate.core import event as ev

    # a home outside /tmp, as on a real machine: NL2Bash cleans /tmp a lot, and a fixture home
    # under /tmp would make `find /tmp -delete` cover ~/.ssh
    base = "/var/tmp" if os.access("/var/tmp", os.W_OK) else None
    home = tempfile.mkdtemp(prefix="hg-home-", dir=base)
    root = tempfile.mkdtemp(prefix="hg-corpus-", dir=base)
    os.makedirs(os.path.join(root, ".git"))
    with open(os.path.join(root, ".env"), "w") as f:
        f.write("API_KEY=sk-test\n")
    os.makedirs(os.path.join(root, "src"))
    # the state dir outside the project: ten thousand decisions leave one coordination file per
    # leased path (ADR 0027), and inside the project `find .` would list them all, so the rates
    # would measure how much state the run itself left behind, not how the commands are judged
    state = tempfile.mkdtemp(prefix="hg-corpus-state-", dir=base)
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", ""), "HOOKGATE_STATE_DIR": state}
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = [x.rstrip("\n") for x in f if x.strip()]
    flagged = []
    for i, cmd in enumerate(lines):
        e = ev.Event(platform="claude-code", phase=ev.PRE, event_name="PreToolUse", session_id=f"c{i}", cwd=root,
                     project_root=root, tool_kind=ev.SHELL, tool_name="Bash", tool_input={"command": cmd},
                     capabilities=ev.Capabilities(True, True, True))
        d, _ = engine.decide(e, env)
        mine = [v for v in d.verdicts if v["hook"] in ("read-guard", "write-guard") and v["effective"] in ("block", "checkpoint")]
        if mine:
            flagged.append((cmd, mine[0]))
    import shutil

    shutil.rmtree(root, ignore_errors=True)
    shutil.rmtree(home, ignore_errors=True)
    shutil.rmtree(state, ignore_errors=True)
    return len(lines), tuple(flagged)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(LIMITS))
def test_corpus_false_positive_rate(name):
    n, flagged = _flagged(name)
    ind = [c for c in flagged if c[1].get("reason", "").startswith("cannot tell")]
    det = [c for c in flagged if c not in ind]
    rate = 100.0 * len(flagged) / n
    det_rate = 100.0 * len(det) / n
    rules = collections.Counter(v.get("rule") for _, v in flagged)
    print(f"\n{name}: {n} commands, guards denied/asked {len(flagged)} = {rate:.3f}% "
          f"(determinate {len(det)} = {det_rate:.3f}%, indeterminate {len(ind)}); by rule {dict(rules)}")
    for cmd, v in (det[:15] + ind[:15]):
        print(f"  {cmd[:100]!r}  -> {v['hook']}/{v.get('rule')}: {v.get('reason', '')[:120]}")
    assert det_rate <= DETERMINATE_LIMIT
    if LIMITS[name] is not None:
        assert rate <= LIMITS[name]


@pytest.mark.slow
def test_whole_corpus_false_positive_rate():
    """The issue's figure: the commands in the corpus (tests/data/corpus/), all of them, ≤ 0.4 % denied or
    asked (the best peer measured 0.4 % on tldr)."""
    names = sorted(LIMITS)
    total = sum(_flagged(n)[0] for n in names)
    hits = sum(len(_flagged(n)[1]) for n in names)
    rate = 100.0 * hits / total
    print(f"\nwhole corpus: {total} commands, guards denied/asked {hits} = {rate:.3f}%")
    assert rate <= WHOLE_LIMIT
