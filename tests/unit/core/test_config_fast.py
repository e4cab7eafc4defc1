"""The compiled config's marshal copy (``core/config.py``, ``FAST_NAME``): what a one-shot process
reads instead of parsing the JSON cache. Same content, same trust (ADR 0018): derived from the
verified JSON cache, signed with the state dir's key, bound to the JSON cache's identity, the
sources and the interpreter; anything else falls back to the JSON cache."""

from __future__ import annotations

import os

import pytest

from hookgate.core import config


def _project(tmp_path, rules: int = 30) -> tuple[str, str]:
    root = tmp_path / "proj"
    hooks = root / ".hookgate" / "hooks"
    hooks.mkdir(parents=True)
    (root / ".git").mkdir()
    lines = ["policy:", "  rules:"]
    for i in range(rules):
        lines += [f"    - id: bench-{i}", "      tier: block", f"      paths: [\"secret{i}/**\", \"*.key{i}\"]"]
    (hooks / "write-guard.yaml").write_text("\n".join(lines) + "\n")
    state = root / ".git" / "hookgate"
    return str(root), str(state)


def _fresh_load(root: str, state: str):
    config._MEMO.clear()  # as a new process
    config._DIGESTS.clear()
    return config.load(root, state)


@pytest.fixture
def loaded(tmp_path):
    root, state = _project(tmp_path)
    first, refusal = _fresh_load(root, state)  # compiles, writes the JSON cache
    assert refusal is None
    second, _ = _fresh_load(root, state)  # verifies the JSON cache, writes the marshal copy
    assert os.path.exists(os.path.join(state, config.FAST_NAME))
    return root, state, first


def _no_json(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("the JSON cache was parsed")

    monkeypatch.setattr(config, "_parse_cache", boom)


def test_the_marshal_copy_is_read_instead_of_the_json_and_holds_the_same_config(loaded, monkeypatch):
    root, state, first = loaded
    _no_json(monkeypatch)
    got, refusal = _fresh_load(root, state)
    assert refusal is None and got == first
    assert type(got["policies"]["write-guard"]["rules"]) is type(first["policies"]["write-guard"]["rules"])


@pytest.mark.parametrize("damage", ["mac", "body", "truncated", "empty", "garbage"])
def test_a_damaged_or_forged_copy_is_not_used(loaded, monkeypatch, damage):
    root, state, first = loaded
    path = os.path.join(state, config.FAST_NAME)
    with open(path, "rb") as f:
        raw = f.read()
    mac, _, body = raw.partition(b"\n")
    import marshal

    forged = marshal.dumps({"hooks": {}, "policies": {}, "rev": "forged"})
    raw = {"mac": b"0" * len(mac) + b"\n" + body, "body": mac + b"\n" + forged,
           "truncated": raw[: len(raw) // 2], "empty": b"", "garbage": b"\x00\x01\x02"}[damage]
    with open(path, "wb") as f:
        f.write(raw)
    parsed = []
    real = config._parse_cache
    monkeypatch.setattr(config, "_parse_cache", lambda r: parsed.append(1) or real(r))
    got, refusal = _fresh_load(root, state)
    assert refusal is None and got == first and got.get("rev") != "forged"
    assert parsed, "the JSON cache decided"


def test_a_rewritten_json_cache_invalidates_the_copy(loaded, monkeypatch):
    """Bound to the JSON cache's identity: rewriting it (same bytes even, mtime set back) changes
    its inode/ctime, so the copy is not used and the JSON cache is verified again."""
    root, state, first = loaded
    cache = os.path.join(state, config.CACHE_NAME)
    st = os.stat(cache)
    with open(cache, "rb") as f:
        data = f.read()
    os.unlink(cache)
    with open(cache, "wb") as f:
        f.write(data)
    os.utime(cache, ns=(st.st_atime_ns, st.st_mtime_ns))
    parsed = []
    real = config._parse_cache
    monkeypatch.setattr(config, "_parse_cache", lambda r: parsed.append(1) or real(r))
    got, _ = _fresh_load(root, state)
    assert got == first and parsed


def test_changed_sources_are_not_answered_by_the_copy(loaded):
    root, state, first = loaded
    with open(os.path.join(root, ".hookgate", "hooks", "write-guard.yaml"), "a") as f:
        f.write("    - id: added-later\n      tier: block\n      paths: [\"added/**\"]\n")
    got, refusal = _fresh_load(root, state)
    assert refusal is None
    assert any(r.get("id") == "added-later" for r in got["policies"]["write-guard"]["rules"])


def test_the_copy_is_bound_to_the_key(loaded):
    root, state, first = loaded
    with open(os.path.join(state, config.KEY_NAME), "wb") as f:
        f.write(os.urandom(32))  # another key: neither cache verifies; compiled again
    got, refusal = _fresh_load(root, state)
    assert refusal is None and got["policies"] == first["policies"]


def test_the_mac_covers_binding_identity_and_body():
    key = b"k" * 32
    ident = (1, 2, 3, 4, 5)
    m = config._fast_mac(key, "b", ident, b"body")
    assert m != config._fast_mac(key, "c", ident, b"body")
    assert m != config._fast_mac(key, "b", (1, 2, 3, 4, 6), b"body")
    assert m != config._fast_mac(key, "b", ident, b"bodz")
    assert m != config._fast_mac(b"j" * 32, "b", ident, b"body")
