"""The byte-code bundle of the one-shot hook process (``hookgate/bundle.py``, ADR 0017/0025): used
when it matches the sources, never a second source of truth, and the decisions are the same
with it and without it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import HOOKGATE
from tests.support.payloads import claude_pre, encode

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__import__("hookgate").__file__)))


@pytest.fixture
def pkg(tmp_path):
    """A copy of the package with a bundle of its own (the checkout's is never touched here)."""
    shutil.copytree(os.path.join(SRC, "hookgate"), tmp_path / "hookgate",
                    ignore=shutil.ignore_patterns("__pycache__"))
    p = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(tmp_path)!r}); "
                        "from hookgate import bundle; print(bundle.build())"],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return tmp_path


def _probe(top, body: str, fast: bool = False) -> dict:
    code = (f"import sys, json\nsys.path.insert(0, {str(top)!r})\nfrom hookgate import bundle\n"
            f"ok = bundle.install(fast={fast!r})\n" + body)
    p = subprocess.run([sys.executable, "-ES", "-c", code], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout.strip().splitlines()[-1])


LOADERS = ("import hookgate.core.engine as e, hookgate.shell.walk as w, hookgate.validators as v\n"
           "from importlib.util import cache_from_source as c\n"
           "print(json.dumps({'ok': ok, 'loaders': [type(m.__loader__).__name__ for m in (e, w, v)],"
           " 'file': e.__file__, 'path': v.__path__, 'marker': getattr(w, 'MARKER', None),"
           " 'cached': all(m.__cached__ == c(m.__file__) for m in (e, w, v))}))\n")


def test_a_fresh_bundle_serves_the_modules(pkg):
    r = _probe(pkg, LOADERS)
    assert r["ok"] and r["loaders"] == ["_Finder"] * 3
    assert r["file"] == str(pkg / "hookgate" / "core" / "engine.py")
    assert r["path"] == [str(pkg / "hookgate" / "validators")]
    assert r["cached"]  # __cached__ as the normal import sets it


def test_a_changed_source_is_imported_from_the_source(pkg):
    with open(pkg / "hookgate" / "shell" / "walk.py", "a", encoding="utf-8") as f:
        f.write("\nMARKER = 'edited after the bundle was built'\n")
    r = _probe(pkg, LOADERS)
    assert r["loaders"] == ["_Finder", "SourceFileLoader", "_Finder"]
    assert r["marker"] == "edited after the bundle was built"


@pytest.mark.parametrize("damage", ["truncate-index", "truncate-blob", "magic", "empty"])
def test_a_damaged_bundle_is_no_bundle(pkg, damage):
    from hookgate import bundle

    path = bundle.path(str(pkg / "hookgate"))
    with open(path, "rb") as f:
        data = f.read()
    data = {"truncate-index": data[:40], "truncate-blob": data[: len(data) // 2],
            "magic": b"\0\0\0\0" + data[4:], "empty": b""}[damage]
    with open(path, "wb") as f:
        f.write(data)
    r = _probe(pkg, LOADERS)
    if damage == "truncate-blob":  # the index reads: entries past the end fall back one by one
        assert r["ok"] and "SourceFileLoader" in r["loaders"]
    else:
        assert not r["ok"] and r["loaders"] == ["SourceFileLoader"] * 3


def _hook(top, payload, env, cwd) -> subprocess.CompletedProcess:
    code = (f"import sys\nsys.path.insert(0, {str(top)!r})\n"
            "sys.argv = ['hookgate', 'hook', '--platform', 'claude-code']\n"
            "from hookgate.__main__ import launch\nlaunch()\n")
    return subprocess.run([sys.executable, "-ES", "-c", code], input=encode(payload), capture_output=True,
                          timeout=60, cwd=cwd, env=env)


def test_a_missing_handler_module_denies_a_protected_action(pkg, project):
    """Fail closed (ADR 0018/0021): the shell engine imports a program's handler module on first
    use; when it cannot (here: deleted after the bundle was built), the command is indeterminate
    and a protected action is denied — never allowed by a missing handler."""
    (project / ".env").write_text("K=1\n")
    env = {**os.environ, "HOOKGATE_SERVE": "off"}
    cp_env = claude_pre(project, "Bash", {"command": f"cp .env {project}/copy.txt"})
    before = _hook(pkg, cp_env, env, project)
    assert b'"deny"' in before.stdout, before  # the guard's own deny, module present
    os.remove(pkg / "hookgate" / "shell" / "fileops.py")
    p = _hook(pkg, cp_env, env, project)
    assert b'"deny"' in p.stdout and b"fileops" in p.stdout, (p.stdout, p.stderr)
    plain = _hook(pkg, claude_pre(project, "Bash", {"command": "cp README.md notes.md"}), env, project)
    # even a harmless copy cannot be analysed: denied too, saying why (not allowed as "no handler")
    assert b'"deny"' in plain.stdout and b"No module named 'hookgate.shell.fileops'" in plain.stdout, plain


@pytest.mark.parametrize("tool,tool_input", [
    ("Bash", {"command": "git status"}),
    ("Bash", {"command": "cat .env"}),
    ("Bash", {"command": "echo x > .claude/settings.json"}),
    ("Write", {"file_path": "notes.txt", "content": "x"}),
    ("Write", {"file_path": ".hookgate/rollout.yaml", "content": "x"}),
])
def test_the_real_launcher_decides_the_same_with_and_without_the_bundle(project, tool, tool_input):
    from hookgate import bundle

    if not os.path.exists(bundle.path()):
        pytest.fail("no bundle in the checkout: scripts/test builds it (python -m hookgate.bundle)")
    (project / ".env").write_text("K=1\n")
    inp = dict(tool_input)
    if "file_path" in inp:
        inp["file_path"] = str(project / inp["file_path"])
    out = []
    for flag in ("off", "on"):
        env = {**os.environ, "HOOKGATE_SERVE": "off", "HOOKGATE_BUNDLE": flag}
        p = subprocess.run([HOOKGATE, "hook", "--platform", "claude-code"],
                           input=encode(claude_pre(project, tool, inp, session=f"s-{flag}")),
                           capture_output=True, timeout=60, cwd=project, env=env)
        out.append((p.returncode, p.stdout, p.stderr))
    assert out[0] == out[1]


def _status(top) -> list:
    p = subprocess.run([sys.executable, "-c", f"import sys, json; sys.path.insert(0, {str(top)!r}); "
                        "from hookgate import bundle; print(json.dumps(bundle.status()))"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def test_status_says_current_stale_or_missing(pkg):
    ok, what = _status(pkg)
    assert ok and what.startswith("byte-code bundle current (")
    with open(pkg / "hookgate" / "shell" / "walk.py", "a", encoding="utf-8") as f:
        f.write("\n# edited after the bundle was built\n")
    ok, what = _status(pkg)
    assert not ok and "stale: 1 of" in what and "hookgate.shell.walk" in what
    bundle_files = [n for n in os.listdir(pkg / "hookgate" / "__pycache__") if n.startswith("bundle.")]
    for n in bundle_files:
        os.unlink(pkg / "hookgate" / "__pycache__" / n)
    ok, what = _status(pkg)
    assert not ok and what.startswith("no byte-code bundle")


def test_install_builds_a_missing_bundle_and_doctor_reports_it(pkg, tmp_path):
    """A wheel install (no install.sh) gets its bundle from `hookgate install`; doctor says whether
    it is current. Run from the package copy, so the checkout's bundle is never touched."""
    for n in os.listdir(pkg / "hookgate" / "__pycache__"):
        if n.startswith("bundle."):
            os.unlink(pkg / "hookgate" / "__pycache__" / n)
    repo = os.path.dirname(SRC)  # the package data where a wheel has it (hookgate/_data)
    for d in ("hooks", "platforms"):
        shutil.copytree(os.path.join(repo, d), pkg / "hookgate" / "_data" / d)
    shutil.copy(os.path.join(repo, "rollout.yaml"), pkg / "hookgate" / "_data" / "rollout.yaml")
    project, home = tmp_path / "proj", tmp_path / "home"
    (project / ".git").mkdir(parents=True)
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(pkg)}
    env.pop("HOOKGATE_STATE_DIR", None)

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "hookgate", *args], cwd=project, env=env,
                              capture_output=True, text=True, timeout=300)

    d = cli("doctor")
    assert "no byte-code bundle" in d.stdout + d.stderr, d.stdout + d.stderr
    i = cli("install", "--platform", "cursor", "--no-floor", "--no-server")
    assert i.returncode == 0, i.stdout + i.stderr
    assert "built the byte-code bundle" in i.stderr
    assert _status(pkg)[0]
    d = cli("doctor")
    assert "byte-code bundle current" in d.stdout + d.stderr, d.stdout + d.stderr


# --- the fast import of the hook process (bundle.install(fast=True), bundle.adopt()) ---------------

ATTRS = ("import hookgate.core.engine as e, hookgate.shell.walk as w, hookgate.validators as v\n"
         "from hookgate.validators.policy import guard as g\n"
         "import hookgate.core\n"
         "ms = (e, w, v, g)\n"
         "print(json.dumps({'ok': ok, 'attrs': [[m.__name__, m.__file__, m.__cached__, m.__package__, getattr(m, '__path__', None),"
         " m.__spec__.name, m.__spec__.origin, m.__spec__.parent, m.__spec__.cached,"
         " m.__spec__.submodule_search_locations, sys.modules[m.__name__] is m] for m in ms],"
         " 'bound': [hookgate.core.engine is e, sys.modules['hookgate.validators.policy'].guard is g],"
         " 'loaders': [type(m.__loader__).__name__ for m in ms],"
         " 'marker': getattr(w, 'MARKER', None)}))\n")


def test_the_fast_import_makes_the_same_modules_as_the_normal_import(pkg):
    slow, fast = _probe(pkg, ATTRS), _probe(pkg, ATTRS, fast=True)
    assert slow["ok"] and fast["ok"]
    assert fast["attrs"] == slow["attrs"] and fast["bound"] == slow["bound"] == [True, True]
    assert fast["loaders"] == slow["loaders"] == ["_Finder"] * 4


def test_the_fast_import_takes_a_changed_source_from_the_source(pkg):
    with open(pkg / "hookgate" / "shell" / "walk.py", "a", encoding="utf-8") as f:
        f.write("\nMARKER = 'edited after the bundle was built'\n")
    r = _probe(pkg, ATTRS, fast=True)
    assert r["loaders"] == ["_Finder", "SourceFileLoader", "_Finder", "_Finder"]
    assert r["marker"] == "edited after the bundle was built"


def test_the_fast_import_of_a_failing_module_raises_and_leaves_no_module(pkg):
    (pkg / "hookgate" / "boom.py").write_text("import hookgate.errors\nraise ValueError('boom at import')\n")
    p = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(pkg)!r}); "
                        "from hookgate import bundle; bundle.build()"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    body = ("try:\n    import hookgate.boom\nexcept ValueError as e:\n    err = str(e)\n"
            "print(json.dumps({'ok': ok, 'err': err, 'left': 'hookgate.boom' in sys.modules,"
            " 'attr': hasattr(sys.modules['hookgate'], 'boom'), 'errors': 'hookgate.errors' in sys.modules}))\n")
    assert _probe(pkg, body, fast=True) == _probe(pkg, body) == {
        "ok": True, "err": "boom at import", "left": False, "attr": False, "errors": True}


BOOT = os.path.join(os.path.dirname(sys.executable), "_hookgate_boot.py")


def _boot_probe(top) -> dict:
    """The launcher's start (bin/_hookgate_boot.py) for a hook call, with the package copy first
    on sys.path: which finder served ``hookgate`` and ``hookgate.__main__``."""
    code = (f"import sys, json\nsys.argv = ['hookgate', 'hook', '--platform', 'claude-code']\n"
            f"sys.path[:0] = [{os.path.dirname(BOOT)!r}, {str(top)!r}]\n"
            "import _hookgate_boot\n_hookgate_boot._bundle_first()\n"
            "import hookgate, hookgate.__main__, hookgate.bundle, __future__\n"
            "print(json.dumps({'loaders': [type(m.__loader__).__name__ for m in (hookgate, hookgate.__main__)],"
            " 'future': [type(__future__.__loader__).__name__, __future__.__cached__, __future__.annotations.optional],"
            " 'file': hookgate.__main__.__file__, 'finder': hookgate.bundle._FINDER is not None,"
            " 'installed_again': hookgate.bundle.install(), 'finders': sum(type(f).__name__ == '_Finder'"
            " for f in sys.meta_path)}))\n")
    p = subprocess.run([sys.executable, "-ES", "-c", code], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout.strip().splitlines()[-1])


def test_the_launcher_starts_the_bundle_before_the_package(pkg):
    r = _boot_probe(pkg)
    future = r.pop("future")
    assert r == {"loaders": ["_Finder", "_Finder"], "file": str(pkg / "hookgate" / "__main__.py"), "finder": True,
                 "installed_again": True, "finders": 1}
    import __future__
    from importlib.util import cache_from_source

    # the standard library's __future__ from the bundle too (bundle.STDLIB), the same module
    assert future == ["_Finder", cache_from_source(__future__.__file__), list(__future__.annotations.optional)]


@pytest.mark.parametrize("damage", ["bundle.py changed", "no bundle", "magic"])
def test_the_launcher_without_a_usable_bundle_imports_the_normal_way(pkg, damage):
    path = pkg / "hookgate" / "__pycache__" / f"bundle.{sys.implementation.cache_tag}.bin"
    if damage == "bundle.py changed":
        with open(pkg / "hookgate" / "bundle.py", "a", encoding="utf-8") as f:
            f.write("\n# edited after the bundle was built\n")
    elif damage == "no bundle":
        path.unlink()
    else:
        data = path.read_bytes()
        path.write_bytes(b"\0\0\0\0" + data[4:])
    r = _boot_probe(pkg)
    assert r["loaders"] == ["SourceFileLoader", "SourceFileLoader"] and not r["finder"]
    assert r["future"][0] == "SourceFileLoader"
    assert r["file"] == str(pkg / "hookgate" / "__main__.py")


def test_the_bundle_holds_the_defaults_parsed_and_drops_them_when_the_file_changes(pkg):
    """``bundle.DATA``: ``_defaults.json`` as parsed at build time (``config.defaults`` takes it in
    the hook process), the same value as the file's JSON; a changed file is read again."""
    body = ("import hookgate.core.config as cfg\n"
            "p = cfg.defaults_json_path()\n"
            "got = cfg._bundled_json('_defaults.json', p)\n"
            "print(json.dumps({'ok': ok, 'same': got == json.load(open(p)), 'held': got is not None,"
            " 'defaults_same': cfg.defaults() == json.load(open(p))}))\n")
    assert _probe(pkg, body, fast=True) == {"ok": True, "same": True, "held": True, "defaults_same": True}
    with open(pkg / "hookgate" / "_defaults.json", "rb") as f:
        raw = f.read()
    edited = json.loads(raw)
    edited["edited_after_the_bundle"] = True
    with open(pkg / "hookgate" / "_defaults.json", "w") as f:
        json.dump(edited, f)
    r = _probe(pkg, body.replace("'same': got == json.load(open(p)), ", ""), fast=True)
    assert r == {"ok": True, "held": False, "defaults_same": True}  # read from the file, edited value
