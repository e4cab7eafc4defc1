"""ADR 0026: one error base class with exit codes, and the CLI maps it."""

from __future__ import annotations

import ast
import importlib
import os

from tests.conftest import REPO
from tests.test_architecture import modules

from hookgate.errors import EXIT_BUSY, EXIT_FAILURE, HookgateError

# internal control flow, not errors a caller reports (see hookgate/errors.py)
NOT_ERRORS = {"hookgate.shell.words.Abort", "hookgate.shell.textops.Unknown", "hookgate.shell.boundglob.GlobCap",
              "hookgate.core.hook.DeadlineExceeded"}


def _exception_classes():
    for name, path in sorted(modules(os.path.join(REPO, "src")).items()):
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read())
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.bases:
                yield name, node.name


def test_every_error_class_derives_from_the_base():
    found, stray = 0, []
    for mod, cls in _exception_classes():
        obj = getattr(importlib.import_module(mod), cls)
        if not (isinstance(obj, type) and issubclass(obj, BaseException)) or f"{mod}.{cls}" in NOT_ERRORS:
            continue
        found += 1
        if not issubclass(obj, HookgateError):
            stray.append(f"{mod}.{cls}")
    assert found >= 15
    assert not stray, f"errors outside hookgate.errors.HookgateError: {stray}"


def test_old_bases_still_hold_and_codes_are_set():
    from hookgate.state.locks import LockTimeout
    from hookgate.validators.coordination.store import CorruptState

    assert issubclass(CorruptState, ValueError)
    assert LockTimeout("/x", 1.0).exit_code == EXIT_BUSY
    assert HookgateError("x").exit_code == EXIT_FAILURE
    assert HookgateError("x", exit_code=3).exit_code == 3


def test_the_cli_maps_the_base_class_to_one_line_and_its_code(monkeypatch, capsys):
    from hookgate.cli import app

    def boom(*a, **k):
        raise HookgateError("the thing is broken", exit_code=7)

    monkeypatch.setattr(app, "_command", lambda: boom)
    assert app.run(["status"]) == 7
    err = capsys.readouterr().err
    assert err == "hookgate: the thing is broken\n"
