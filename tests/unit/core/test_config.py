"""ADR 0016: the shipped defaults are precompiled, and the compiled file is in sync."""

from __future__ import annotations

import json

from hookgate.core import config
from hookgate.state.resources import defaults_json_path


def test_defaults_json_matches_the_shipped_yaml():
    with open(defaults_json_path(), encoding="utf-8") as f:
        committed = json.load(f)
    assert committed == config.compile_shipped(), "run scripts/compile-defaults"


def test_every_known_hook_has_a_stage_and_an_adr_file():
    import os

    from hookgate.validators import KNOWN_HOOKS, VALIDATORS
    from hookgate.state.resources import data_dir

    compiled = config.compile_shipped()
    for h in KNOWN_HOOKS:
        assert compiled["hooks"][h]["stage"] in ("monitor", "warn", "enforce")
    for h in VALIDATORS:
        adr = compiled["adrs"][h]
        assert os.path.exists(os.path.join(data_dir(), adr)) or os.path.exists(adr), adr


def test_registry_validators_take_only_known_context_names():
    from hookgate.validators import VALIDATORS, base, load

    for hook_id in VALIDATORS:
        mod = load(hook_id)
        assert mod.HOOK_ID == hook_id
        assert mod.ADR.startswith("adr/")
        assert mod.PHASES
        names = set(base.argnames(mod.check))
        assert names <= base.CONTEXT_NAMES, (hook_id, names - base.CONTEXT_NAMES)


def test_registry_adapters_have_the_protocol():
    from hookgate.adapters import ADAPTERS, load

    for pid in ADAPTERS:
        mod = load(pid)
        assert mod.PLATFORM == pid
        for fn in ("parse", "render", "render_failure", "classify_output"):
            assert callable(getattr(mod, fn)), (pid, fn)
