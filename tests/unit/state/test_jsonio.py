"""ADR 0017: hookgate.state.jsonio is byte-identical to json for the options hookgate uses."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hookgate.state import jsonio

OPTIONS = [
    {},
    {"sort_keys": True, "separators": (",", ":")},
    {"sort_keys": True, "separators": (",", ":"), "ensure_ascii": False},
    {"ensure_ascii": False, "separators": (",", ":")},
    {"sort_keys": True, "indent": 1, "ensure_ascii": False},
]

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(values)
def test_dumps_and_loads_match_json(value):
    for opts in OPTIONS:
        assert jsonio.dumps(value, **opts) == json.dumps(value, **opts)
    text = json.dumps(value)
    assert jsonio.loads(text) == json.loads(text)
    assert jsonio.loads(text.encode()) == json.loads(text)


@pytest.mark.parametrize("bad", ["", "   ", "{", "[1,]", '{"a":1} x', "nul", "\x00", "{'a': 1}", b"\xff\xfe"])
def test_errors_are_value_errors(bad):
    with pytest.raises(ValueError):
        jsonio.loads(bad)
    with pytest.raises(ValueError):
        json.loads(bad)


def test_whitespace_and_constants():
    assert jsonio.loads(" \n[1, 2]\t") == [1, 2]
    assert jsonio.loads("Infinity") == float("inf")


def test_unserialisable_raises_type_error():
    with pytest.raises(TypeError):
        jsonio.dumps({"a": object()})
