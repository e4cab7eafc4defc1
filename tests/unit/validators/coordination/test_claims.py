"""ADR 0013: claim modes, the compatibility matrix, the fair queue and auto-promotion."""

from __future__ import annotations

import pytest

from hookgate.validators.coordination import claims, leases, store

MODES = claims.MODES
# held (rows) × requested (columns): True = shares
MATRIX = {
    "read":         {"read": True,  "intent_write": True,  "write": False, "exclusive": False},
    "intent_write": {"read": True,  "intent_write": True,  "write": False, "exclusive": False},
    "write":        {"read": False, "intent_write": False, "write": False, "exclusive": False},
    "exclusive":    {"read": False, "intent_write": False, "write": False, "exclusive": False},
}


@pytest.mark.parametrize("held", MODES)
@pytest.mark.parametrize("wanted", MODES)
def test_compatibility_matrix(held, wanted):
    assert claims.compatible(held, wanted) is MATRIX[held][wanted]
    # …and the scheduler honours it: a second session's request is granted iff compatible
    data = store.empty()
    claims.request(data, ["/p/src/a.py"], "A", "claude-code", held, "normal", 60, now=0)
    [c] = claims.request(data, ["/p/src/a.py"], "B", "claude-code", wanted, "normal", 60, now=1)
    # ADR 0022: a hard write pre-empts a soft write (intent_write yields); nothing else is pre-empted
    preempts = held == "intent_write" and wanted == "write"
    assert claims.is_held(c) is (MATRIX[held][wanted] or preempts)
    assert claims.is_held(data["claims"][0]) is (not preempts)
    # the same session never conflicts with itself
    [own] = claims.request(data, ["/p/src/b.py"], "A", "claude-code", wanted, "normal", 60, now=2)
    assert claims.is_held(own)


@pytest.mark.parametrize(
    "a,b,overlap",
    [("/p/src", "/p/src/a.py", True), ("/p/src/a.py", "/p/src", True), ("/p/src/a.py", "/p/src/a.py", True),
     ("/p/src/a.py", "/p/src/ab.py", False), ("/p/src", "/p/srcx/a.py", False), ("/p/src/", "/p/src/a.py", True)],
)
def test_directory_claims_cover_what_is_under_them(a, b, overlap):
    assert claims.overlaps(a, b) is overlap


def test_release_grants_the_next_waiter_and_ttl_expires_holders():
    data = store.empty()
    [a] = claims.request(data, ["/p/f"], "A", "", "write", "normal", 100, now=0)
    [b] = claims.request(data, ["/p/f"], "B", "", "write", "normal", 100, now=1)
    assert claims.is_held(a) and not claims.is_held(b) and b["waiting_on"] == a["id"]
    claims.release(data, session="A")
    assert [c["id"] for c in claims.schedule(data, now=2)] == [b["id"]]
    # B's claim lives 100 s from its grant, then lapses, and a newcomer gets it
    [c] = claims.request(data, ["/p/f"], "C", "", "write", "normal", 100, now=50)
    assert not claims.is_held(c)
    assert [g["id"] for g in claims.schedule(data, now=103)] == [c["id"]]


def test_asking_again_renews_and_keeps_the_queue_place():
    data = store.empty()
    claims.request(data, ["/p/f"], "A", "", "exclusive", "normal", 100, now=0)
    [b1] = claims.request(data, ["/p/f"], "B", "", "write", "low", 100, now=10)
    [b2] = claims.request(data, ["/p/f"], "B", "", "write", "low", 100, now=90)
    assert b1 is b2 and b2["requested"] == 10 and b2["expires"] == 190
    assert len(data["claims"]) == 2


def test_priority_orders_waiters_and_equal_priority_never_preempts_a_holder():
    data = store.empty()
    [a] = claims.request(data, ["/p/f"], "A", "", "write", "critical", 1000, now=0)
    [n] = claims.request(data, ["/p/f"], "N", "", "write", "normal", 1000, now=1)
    [c] = claims.request(data, ["/p/f"], "C", "", "write", "critical", 1000, now=2)
    assert claims.is_held(a) and not claims.is_held(c)
    claims.release(data, session="A")
    claims.schedule(data, now=3, promote_after=1e9)
    assert claims.is_held(c) and not claims.is_held(n)


def test_compatible_newcomers_do_not_overtake_an_incompatible_waiter():
    """A writer waiting behind readers is not starved by a stream of new readers."""
    data = store.empty()
    claims.request(data, ["/p/f"], "R1", "", "read", "normal", 1000, now=0)
    [w] = claims.request(data, ["/p/f"], "W", "", "write", "normal", 1000, now=1)
    [r2] = claims.request(data, ["/p/f"], "R2", "", "read", "normal", 1000, now=2)
    assert not claims.is_held(w) and not claims.is_held(r2)
    claims.release(data, session="R1")
    claims.schedule(data, now=3)
    assert claims.is_held(w) and not claims.is_held(r2)


def test_a_live_lease_of_another_session_blocks_a_claim():
    data = store.empty()
    leases.take(data, "/p/src/a.py", "L", "claude-code", "Write", now=0, ttl=100)
    [c] = claims.request(data, ["/p/src"], "B", "", "read", "normal", 1000, now=1)
    assert not claims.is_held(c) and c["waiting_on"] == "lease:/p/src/a.py"
    [own] = claims.request(data, ["/p/src"], "L", "", "write", "normal", 1000, now=1)
    assert claims.is_held(own)  # the lease holder's own claim is fine


def test_upgrading_a_shared_claim_queues_when_others_share_it():
    data = store.empty()
    claims.request(data, ["/p/f"], "A", "", "read", "normal", 1000, now=0)
    claims.request(data, ["/p/f"], "B", "", "read", "normal", 1000, now=1)
    [up] = claims.request(data, ["/p/f"], "A", "", "write", "normal", 1000, now=2)
    assert not claims.is_held(up)
    claims.release(data, session="B")
    claims.schedule(data, now=3)
    assert claims.is_held(up)


@pytest.mark.parametrize("bad", [("mode", "owner"), ("priority", "urgent")])
def test_unknown_mode_or_priority_is_refused(bad):
    kw = {"mode": "write", "priority": "normal"}
    kw[bad[0]] = bad[1]
    with pytest.raises(ValueError):
        claims.request(store.empty(), ["/p/f"], "A", "", kw["mode"], kw["priority"], 10, now=0)


def test_promotion_levels():
    c = {"priority": "low", "requested": 0, "granted": None}
    assert [claims.effective_priority(c, t, 60) for t in (0, 59, 60, 120, 180, 10_000)] == [0, 0, 1, 2, 3, 3]
    assert claims.effective_priority(dict(c, granted=1), 10_000, 60) == 0


def _starvation_run(promote_after: float, ticks: int = 60):
    """A low-priority exclusive waiter under a stream of high-priority write requests: every
    tick a new high request arrives and the current holder releases. Returns the tick at
    which the low waiter got the claim, or None."""
    data = store.empty()
    claims.request(data, ["/p/f"], "H0", "", "write", "high", 10_000, now=0)
    [low] = claims.request(data, ["/p/f"], "LOW", "", "exclusive", "low", 10_000, now=0.5, promote_after=promote_after)
    for t in range(1, ticks):
        claims.request(data, ["/p/f"], f"H{t}", "", "write", "high", 10_000, now=t, promote_after=promote_after)
        holder = next(c for c in data["claims"] if claims.is_held(c))
        if holder["session"] == "LOW":
            return t
        claims.release(data, ids=[holder["id"]])
        claims.schedule(data, now=t + 0.1, promote_after=promote_after)
        if claims.is_held(low):
            return t
    return None


def test_starvation_low_priority_waiter_gets_the_lock_within_the_promotion_threshold():
    promote_after = 5.0
    got = _starvation_run(promote_after)
    # low → normal → high takes 2 thresholds; at equal priority the older request wins
    assert got is not None and got <= 2 * promote_after + 1, got


def test_starvation_check_can_fail_without_promotion():
    """Sanity: with promotion effectively off the same stream starves the low waiter."""
    assert _starvation_run(1e9) is None


def test_queue_position_reports_order():
    data = store.empty()
    claims.request(data, ["/p/f"], "A", "", "exclusive", "normal", 1000, now=0)
    [b] = claims.request(data, ["/p/f"], "B", "", "write", "low", 1000, now=1)
    [c] = claims.request(data, ["/p/f"], "C", "", "write", "high", 1000, now=2)
    assert claims.queue_position(data, c, now=3, promote_after=1e9) == 1
    assert claims.queue_position(data, b, now=3, promote_after=1e9) == 2


# --- ADR 0022: intent levels and pre-emption -------------------------------------------------

@pytest.mark.parametrize(
    "held_mode,held_pri,want_mode,want_pri,preempted",
    [
        ("intent_write", "critical", "write", "low", True),    # a soft write yields to any hard write
        ("write", "low", "write", "high", True),               # a hard write pre-empts lower priorities
        ("write", "high", "write", "high", False),             # …never an equal one
        ("read", "normal", "write", "high", True),
        ("read", "normal", "write", "normal", False),
        ("exclusive", "low", "write", "critical", False),      # exclusive is never pre-empted
        ("intent_write", "low", "exclusive", "critical", False),  # exclusive pre-empts nothing (it waits)
        ("intent_write", "low", "intent_write", "critical", False),  # soft writes share
    ],
)
def test_preemption_table(held_mode, held_pri, want_mode, want_pri, preempted):
    data = store.empty()
    [a] = claims.request(data, ["src"], "A", "claude-code", held_mode, held_pri, 600, now=0)
    [b] = claims.request(data, ["src/x.py"], "B", "cursor", want_mode, want_pri, 600, now=1)
    if preempted:
        assert claims.is_held(b) and not claims.is_held(a) and a["preempted_by"] == b["id"]
        [n] = claims.notices(data, "A")
        assert (n["by"], n["by_mode"], n["path"]) == ("B", "write", "src")
        text = claims.notice_sentence(n, lambda t: "12:00:01 UTC")
        assert text.count(". ") == 0 and text.startswith("Your ") and "cursor session B" in text and "src" in text
        # the pre-empted claim waits in the queue and is granted back when B is done
        claims.release(data, session="B")
        claims.schedule(data, now=2)
        assert claims.is_held(a)
    else:
        assert claims.is_held(a) and not claims.notices(data, "A")
        assert claims.is_held(b) is claims.compatible(held_mode, want_mode)


def test_a_lease_is_never_preempted():
    data = store.empty()
    leases.take(data, "src/x.py", "A", "claude-code", "Write", 0, 600)
    claims.request(data, ["src"], "A", "claude-code", "intent_write", "low", 600, now=0)
    [b] = claims.request(data, ["src"], "B", "", "write", "critical", 600, now=1)
    assert not claims.is_held(b) and not claims.notices(data, "A")


def test_notices_are_taken_once():
    data = store.empty()
    claims.request(data, ["f"], "A", "", "intent_write", "normal", 600, now=0)
    claims.request(data, ["f"], "B", "", "write", "normal", 600, now=1)
    assert len(claims.take_notices(data, "A")) == 1 and claims.take_notices(data, "A") == []
