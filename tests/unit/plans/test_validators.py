"""ADR 0024: per-type validators (table), the common checks, and the entry-point group."""

from __future__ import annotations

import os
import sys

import pytest

from hookgate.plans import validators
from hookgate.plans.graph import Graph
from tests.unit.plans.helpers import plan


@pytest.fixture
def repo(tmp_path):
    for rel in ("src/auth.py", "src/oauth/models.py", "tests/test_auth.py", "docs/auth.md",
                "migrations/0001_init.py", "README.md"):
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x\n")
    return tmp_path


def run(root, plans):
    ctx = validators.Context(str(root), plans, Graph(plans))
    return sorted((f.code, f.plans, f.severity) for f in validators.run(plans, ctx))


E, W = "error", "warning"
# (name, plans, expected findings)
CASES = [
    ("refactor ok", [plan("r", write=["src/auth.py"], tests=["tests/test_auth.py"], type_="refactor")], []),
    ("refactor without tests", [plan("r", write=["src/auth.py"], type_="refactor")], [("no-tests", ("r",), E)]),
    ("refactor without writes", [plan("r", tests=["tests/test_auth.py"], type_="refactor")],
     [("no-write-claims", ("r",), E)]),
    ("refactor writing its own tests", [plan("r", write=["src/**", "tests/**"], tests=["tests/test_auth.py"],
                                             type_="refactor")], [("refactor-writes-tests", ("r",), E)]),
    ("feature ok", [plan("f", write=["src/new.py", "tests/test_new.py"], tests=["tests/test_new.py"])], []),
    ("feature without a test claim", [plan("f", write=["src/new.py"], tests=["tests/test_auth.py"])],
     [("feature-without-test-claim", ("f",), E)]),
    ("feature without tests", [plan("f", write=["src/new.py"])], [("no-tests", ("f",), E)]),
    ("feature whose test exists nowhere", [plan("f", write=["src/new.py", "tests/t.py"], tests=["tests/nope.py"])],
     [("feature-without-test-claim", ("f",), E), ("tests-missing", ("f",), E)]),
    ("migration ok", [plan("m", write=["migrations/0002_x.py"], tests=["tests/test_auth.py"], type_="migration")],
     []),
    ("migration outside migrations", [plan("m", write=["src/db.py"], tests=["tests/test_auth.py"],
                                            type_="migration")], [("no-migration-claim", ("m",), E)]),
    ("two unordered migrations", [plan("m1", write=["migrations/0002_a.py"], tests=["tests/test_auth.py"],
                                       type_="migration"),
                                  plan("m2", write=["migrations/0003_b.py"], tests=["tests/test_auth.py"],
                                       type_="migration")], [("migrations-unordered", ("m1",), E)]),
    ("two ordered migrations", [plan("m1", write=["migrations/0002_a.py"], tests=["tests/test_auth.py"],
                                     type_="migration"),
                                plan("m2", ["m1"], write=["migrations/0003_b.py"], tests=["tests/test_auth.py"],
                                     type_="migration")], []),
    ("docs ok", [plan("d", write=["docs/**", "README.md", "CHANGELOG"], type_="docs")], []),
    ("docs writing code", [plan("d", write=["docs/auth.md", "src/auth.py"], type_="docs")],
     [("docs-writes-code", ("d",), E)]),
    ("docs glob that could be code", [plan("d", write=["README*"], type_="docs")],
     [("docs-writes-code", ("d",), E)]),
    ("unknown type", [plan("x", write=["src/a.py"], type_="rewrite")], [("unknown-type", ("x",), E)]),
    ("read glob matching nothing", [plan("d", write=["docs/x.md"], read=["nothing/**"], type_="docs")],
     [("matches-nothing", ("d",), W)]),
    ("write glob matching nothing yet", [plan("d", write=["docs/new/*.md"], type_="docs")],
     [("matches-nothing", ("d",), W)]),
    ("literal new file is fine", [plan("d", write=["docs/new.md"], type_="docs")], []),
]


@pytest.mark.parametrize("name,plans,expected", CASES, ids=[c[0] for c in CASES])
def test_validators(repo, name, plans, expected):
    assert run(repo, plans) == sorted(expected)


def test_unknown_agent_is_a_warning(repo):
    p = plan("d", write=["docs/x.md"], type_="docs")
    object.__setattr__(p, "agent", "vim")
    assert run(repo, [p]) == [("unknown-agent", ("d",), W)]


def test_finding_points_at_the_key_line(repo):
    f = repo / "d.toml"
    f.write_text('[plan]\nid = "d"\ntype = "docs"\n[claims]\nwrite = ["src/auth.py"]\n')
    from hookgate.plans import load

    p, _ = load.load_file(str(f))
    ctx = validators.Context(str(repo), [p], Graph([p]))
    (finding,) = validators.run([p], ctx)
    assert (finding.file, finding.line, finding.key) == (str(f), 5, "claims.write")


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    """A real installed distribution with a `hookgate.plan_validators` entry point (found by
    importlib.metadata on sys.path, as pip would install it)."""
    site = tmp_path / "site"
    (site / "acme_plans").mkdir(parents=True)
    (site / "acme_plans" / "__init__.py").write_text("")
    dist = site / "acme_plans-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-plans\nVersion: 1.0\n")
    monkeypatch.syspath_prepend(str(site))

    def install(entry_points: str, modules: dict):
        (dist / "entry_points.txt").write_text("[hookgate.plan_validators]\n" + entry_points)
        for name, text in modules.items():
            (site / "acme_plans" / f"{name}.py").write_text(text)
        for m in [m for m in sys.modules if m.startswith("acme_plans")]:
            del sys.modules[m]
        import importlib

        importlib.invalidate_caches()

    return install


SECURITY = '''
from hookgate.plans.model import Finding
TYPE = "security"
DESCRIPTION = "security fixes name a CVE in their title"
def check(plan, ctx):
    if "CVE-" not in plan.title:
        return [ctx.finding(plan, "no-cve", "a security plan names its CVE in plan.title", "plan.title")]
    return []
'''


def test_a_project_adds_a_type_through_the_entry_point(repo, plugin):
    plugin("security = acme_plans.security\n", {"security": SECURITY})
    p = plan("s", write=["src/auth.py"], type_="security")
    assert run(repo, [p]) == [("no-cve", ("s",), E)]
    object.__setattr__(p, "title", "fix CVE-2026-1")
    assert run(repo, [p]) == []


def test_a_plugin_cannot_replace_a_builtin_and_a_broken_one_is_a_finding(repo, plugin):
    plugin("docs = acme_plans.security\nbroken = acme_plans.nope\nthin = acme_plans.thin\n",
           {"security": SECURITY, "thin": "TYPE = 'thin'\n"})
    mods, problems = validators.registry()
    assert mods["docs"].__name__ == "hookgate.plans.validators.docs"
    text = " | ".join(f.message for f in problems)
    assert "would replace the built-in 'docs'" in text
    assert "broken" in text and "failed to load" in text
    assert "thin" in text and "lacks DESCRIPTION, check" in text
    assert "broken" not in mods and "thin" not in mods


def test_a_crashing_validator_is_a_finding_not_a_crash(repo, plugin):
    plugin("boom = acme_plans.boom\n", {"boom": "TYPE = 'boom'\nDESCRIPTION = ''\ndef check(p, c):\n    1/0\n"})
    assert run(repo, [plan("b", type_="boom")]) == [("validator-error", ("b",), E)]


def test_every_builtin_validator_module_has_the_interface():
    for t, modname in validators.VALIDATORS.items():
        import importlib

        mod = importlib.import_module(modname)
        assert mod.TYPE == t and mod.DESCRIPTION and callable(mod.check)
        assert os.path.basename(mod.__file__) == f"{t}.py"
