"""coordination.presence: its CRC-32 is binascii's (the shard names every store reads), on
either side of the inline limit; the shard names are unchanged."""

from __future__ import annotations

import binascii

from hypothesis import given, settings
from hypothesis import strategies as st

from hookgate.validators.coordination import presence, store


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=presence._CRC_INLINE + 64))
def test_crc32_is_binascii_crc32(data):
    assert presence.crc32(data) == binascii.crc32(data)


@given(st.text(max_size=80))
def test_shard_names_are_crc32_of_the_utf8_key(key):
    h = binascii.crc32(key.encode("utf-8", "surrogateescape"))
    assert store.shard_of(key) == "l%03x" % (h % store.SHARDS)
    assert store.shard_of(key, "c") == "c%04x" % (h % store.CLAIM_SHARDS)


def test_long_keys_and_fixed_names():
    long = "a/" * 400 + "b.py"  # past the inline limit: binascii, same value
    assert presence.crc32(long.encode()) == binascii.crc32(long.encode())
    assert presence.crc32(b"") == 0 and presence.crc32(b"src/app.py") == binascii.crc32(b"src/app.py")
    assert store.shard_of("\udcff.py") == "l%03x" % (binascii.crc32("\udcff.py".encode("utf-8", "surrogateescape")) % 4096)
