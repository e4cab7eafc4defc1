"""The guard policies of the config's marshal copy, loaded key by key (``core/config.py``:
``LazyMap``/``LazySeq``, ``policy.index.layout``; ADR 0027 amended in session 8).

A decision must get exactly what the plain compiled policy gives (a differential over tables of
rule sets and paths, and hypothesis over generated ones), load only the parts its paths ask for,
and never decide with fewer rules: a part that does not check (damaged, truncated, forged) means
the whole policy from the slow path."""

from __future__ import annotations

import marshal
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hookgate.core import config
from hookgate.core import event as ev
from hookgate.validators.policy import index as ix
from hookgate.validators.policy.classify import Classifier
from hookgate.validators.policy.words import glob_pattern, unresolved_pattern
from hookgate.validators.policy.compile import compile_one

ROOT = "/r00t/proj"
HOME = "/h0me/user"
KEY = b"k" * 32
IDENT = (1, 2, 3, 4, 5)


def _policy(rules: list[dict], kind: str = "read") -> dict:
    pol = compile_one({"rules": rules}, kind, "test")
    pol["index"] = ix.build(pol["rules"])
    return pol


def _compiled(read: list[dict], write: list[dict]) -> dict:
    return {"version": 1, "hooks": {}, "policies": {"read-guard": _policy(read, "read"),
                                                    "write-guard": _policy(write, "write"),
                                                    "budget": {"max": 3}},
            "rev": "0123456789ab"}


def _lazy(compiled: dict, state: str, fallback=None) -> dict:
    os.makedirs(state, exist_ok=True)
    config._fast_write(state, KEY, "binding", IDENT, compiled)
    got = config._fast_read(state, KEY, "binding", IDENT,
                            fallback or (lambda hook_id, rev: compiled["policies"][hook_id]))
    assert got is not None
    return got


def _hit(h):
    return None if h is None else (h.rule["id"], h.outcome, h.path, h.kind)


def _decisions(policy: dict, paths: list[str], patterns: list[str]) -> list:
    c = Classifier(policy, ROOT, HOME)
    out = []
    for p in paths:
        for mode in (ev.MODE_READ, ev.MODE_WRITE, ev.MODE_DELETE):
            out.append((p, mode, _hit(c.classify_path(p, mode, ROOT))))
    for text in patterns:
        segs, kinds = glob_pattern(text) if text.startswith("/") else unresolved_pattern(text, HOME)
        out.append((text, "pattern", _hit(c.classify_pattern(segs, kinds, True, text))))
    return out


def _parts_of(policy: dict) -> config._Parts:
    return policy["rules"]._parts


SHAPES = ("secret{i}.txt", "config/prod{i}.yml", "vault{i}/", "~/.tool{i}/credentials", "*.key{i}",
          "deploy/**/token{i}.json", "keys{i}/*.pem", "**/*.p{i}", "/abs{i}/x", "[ab]{i}*", "?x{i}", "**")


def _bench_rules(n: int, tier: str, wild: bool = True) -> list[dict]:
    shapes = SHAPES if wild else SHAPES[:-1]  # ``**``: every path, a resident pattern
    rules = [{"id": f"r{i}", "tier": tier, "paths": [shapes[i % len(shapes)].format(i=i)]} for i in range(n)]
    rules.append({"id": "env", "tier": tier, "paths": [".env", ".env.*"], "except": [".env.example"]})
    rules.append({"id": "ok", "tier": "allow", "paths": ["public/**"]})
    return rules


PATHS = [f"{ROOT}/src/app.py", f"{ROOT}/README.md", f"{ROOT}/secret7.txt", f"{ROOT}/a/b/secret7.txt",
         f"{ROOT}/config/prod1.yml", f"{ROOT}/config", f"{ROOT}/vault2/x/y", f"{ROOT}/vault2",
         f"{HOME}/.tool3/credentials", f"{HOME}/.tool3", HOME, ROOT, "/", f"{ROOT}/x.key4", f"{ROOT}/x.key40",
         f"{ROOT}/deploy/a/b/token5.json", f"{ROOT}/keys6/id.pem", f"{ROOT}/z.p7", "/abs8/x", f"{ROOT}/a9q",
         f"{ROOT}/.env", f"{ROOT}/.env.example", f"{ROOT}/.env.local", f"{ROOT}/public/.env", f"{ROOT}/b10zz",
         f"{ROOT}/xx11", f"{ROOT}/" + "/".join(["d"] * 70) + "/secret7.txt", f"{ROOT}/caf\u00e9/\udcff.key4"]
PATTERNS = [f"{ROOT}/*.txt", f"{ROOT}/src/*.py", f"{ROOT}/*", f"{HOME}/.tool*/cred*", f"{ROOT}/deploy/**/*.json",
            "$X/out.log", ".env.$X", "$X", "secret$N.txt", "$DIR/keys6/$F", f"{ROOT}/x.key*"]


@pytest.mark.parametrize("n", [0, 1, 12, 300, 3000])
def test_lazy_policies_decide_exactly_as_the_plain_ones(tmp_path, n):
    compiled = _compiled(_bench_rules(n, "deny"), _bench_rules(n, "block"))
    lazy = _lazy(compiled, str(tmp_path / "state"))
    if n == 3000:  # a header past the first read (64 KiB)
        with open(os.path.join(str(tmp_path / "state"), config.FAST_NAME), "rb") as f:
            assert int(f.read(76)[65:75]) > 1 << 16
    assert lazy["policies"]["budget"] == {"max": 3} and lazy["rev"] == compiled["rev"]
    for hook in ("read-guard", "write-guard"):
        want = _decisions(compiled["policies"][hook], PATHS, PATTERNS)
        got = _decisions(lazy["policies"][hook], PATHS, PATTERNS)
        assert got == want, hook


def test_a_decision_loads_only_the_parts_its_paths_ask_for(tmp_path):
    compiled = _compiled(_bench_rules(1000, "deny", False), _bench_rules(1000, "block", False))
    lazy = _lazy(compiled, str(tmp_path / "state"))
    pol = lazy["policies"]["write-guard"]
    parts = _parts_of(pol)
    assert parts.count > 100
    c = Classifier(pol, ROOT, HOME)
    assert c.classify_path(f"{ROOT}/src/app.py", ev.MODE_WRITE, ROOT) is None
    assert len(parts.done) <= 3, parts.done  # a false positive of the filter or two, at most
    resident = len(pol["index"]["all"])  # patterns tried for every path (``[ab]9*``): loaded with the header
    assert len(pol["rules"]._got) <= resident + 40
    hit = c.classify_path(f"{ROOT}/secret11.txt", ev.MODE_WRITE, ROOT)
    assert hit is not None and hit.rule["id"] == "r11"
    assert len(parts.done) <= 5 and not parts.full


def test_a_process_that_decides_again_does_not_look_a_key_up_twice(tmp_path, monkeypatch):
    """The decision server asks the same keys on every call: an absent key is remembered (at
    most ``LazyMap.MISSES`` of them), a present one is in the loaded part."""
    compiled = _compiled(_bench_rules(300, "deny"), _bench_rules(10, "block"))
    lazy = _lazy(compiled, str(tmp_path / "state"))
    c = Classifier(lazy["policies"]["read-guard"], ROOT, HOME)
    hashed = []
    real = config._key_hash
    monkeypatch.setattr(config, "_key_hash", lambda table, key: hashed.append(key) or real(table, key))
    paths = [p for p in PATHS if p.count("/") < 60]  # (a path past the index reads everything)
    first = [_hit(c.classify_path(p, ev.MODE_READ, ROOT)) for p in paths]
    assert hashed and not _parts_of(lazy["policies"]["read-guard"]).full
    hashed.clear()
    assert [_hit(c.classify_path(p, ev.MODE_READ, ROOT)) for p in paths] == first and hashed == []
    lit = lazy["policies"]["read-guard"]["index"]["lit"]
    for i in range(3 * config.LazyMap.MISSES):
        assert lit.get(f"absent{i}") is None
    assert len(lit._miss) <= config.LazyMap.MISSES


def test_every_item_of_a_lazy_policy_equals_the_plain_one(tmp_path):
    compiled = _compiled(_bench_rules(200, "deny"), _bench_rules(50, "block"))
    lazy = _lazy(compiled, str(tmp_path / "state"))
    for hook in ("read-guard", "write-guard"):
        pol, plain = lazy["policies"][hook], compiled["policies"][hook]
        assert len(pol["rules"]) == len(plain["rules"]) and bool(pol["rules"])
        assert pol["rules"][len(plain["rules"]) - 1] == plain["rules"][-1]
        assert list(pol["rules"]) == plain["rules"] and pol["rules"] == plain["rules"]
        assert pol["index"]["lit"] == plain["index"]["lit"] and dict(pol["index"]["suf"].items()) == plain["index"]["suf"]
        assert config._plain(lazy)["policies"][hook] == plain


def _damage(state: str, how: str, which: int = -1) -> None:
    path = os.path.join(state, config.FAST_NAME)
    with open(path, "rb") as f:
        raw = f.read()
    mac, _, rest = raw.partition(b"\n")
    end = len(mac) + 1 + 11 + int(rest[:10])
    head = marshal.loads(raw[len(mac) + 1 + 11:end])
    table = head["parts"]
    parts = [(int.from_bytes(table[i:i + 4], "little"), int.from_bytes(table[i + 4:i + 8], "little"))
             for i in range(0, len(table), config._PART)]
    off, size = parts[which]
    at = end + off
    if how == "flip":
        raw = raw[:at + size // 2] + bytes([raw[at + size // 2] ^ 1]) + raw[at + size // 2 + 1:]
    elif how == "forged":  # another part's payload of the same size would still not check: an empty one
        forged = marshal.dumps({})
        raw = raw[:at] + forged + b"\0" * (size - len(forged)) + raw[at + size:]
    elif how == "truncated":
        raw = raw[:at + size // 2]
    with open(path, "wb") as f:
        f.write(raw)


@pytest.mark.parametrize("how", ["flip", "forged", "truncated"])
def test_a_part_that_does_not_check_means_the_whole_policy_from_the_slow_path(tmp_path, how):
    compiled = _compiled(_bench_rules(300, "deny"), _bench_rules(300, "block"))
    state = str(tmp_path / "state")
    os.makedirs(state)
    config._fast_write(state, KEY, "binding", IDENT, compiled)
    probe = config._fast_read(state, KEY, "binding", IDENT)
    wholes = [_parts_of(probe["policies"][h]).whole for h in ("read-guard", "write-guard")]
    assert wholes[1] > 60
    for which in sorted({*range(0, wholes[1] + 1, 5), wholes[0] - 1, *wholes}):  # parts, the whole copies
        config._fast_write(state, KEY, "binding", IDENT, compiled)
        _damage(state, how, which)
        asked: list[str] = []

        def slow(hook_id, rev, asked=asked):
            asked.append(hook_id)
            return compiled["policies"][hook_id]

        lazy = config._fast_read(state, KEY, "binding", IDENT, slow)
        assert lazy is not None  # the header checks: the damage is found when the part is needed
        owner = [h for h in ("read-guard", "write-guard")
                 if _parts_of(lazy["policies"][h]).first <= which <= _parts_of(lazy["policies"][h]).whole]
        parts = _parts_of(lazy["policies"][owner[0]])
        if which == parts.whole:
            parts.load_all()  # the whole copy: what a probe past the index reads
        else:
            parts.load(which)
        assert asked == owner and parts.full, f"part {which}: the damage was not noticed"
        for hook in ("read-guard", "write-guard"):
            assert _decisions(lazy["policies"][hook], PATHS, PATTERNS) == \
                _decisions(compiled["policies"][hook], PATHS, PATTERNS)
            assert lazy["policies"][hook]["rules"] == compiled["policies"][hook]["rules"]


def test_a_forged_part_that_drops_a_rule_is_not_believed(tmp_path, monkeypatch):
    """The part that holds ``secret12.txt`` replaced by a well-formed one without it: believed, the
    read of the file would be allowed (shown with the digest check taken out); checked, the slow
    path decides and the rule holds."""
    compiled = _compiled(_bench_rules(300, "deny"), _bench_rules(10, "block"))
    state = str(tmp_path / "state")
    lazy = _lazy(compiled, state)
    which = _parts_of(lazy["policies"]["read-guard"]).part_of("lit", "secret12.txt")
    assert which is not None
    _damage(state, "forged", which)
    for check in (True, False):
        lazy = config._fast_read(state, KEY, "binding", IDENT, lambda hook_id, rev: compiled["policies"][hook_id])
        assert lazy is not None
        if not check:  # what the digest check prevents: the forged part loaded as it is
            def unchecked(self, part):
                at = part * config._PART
                return marshal.loads(os.pread(self.src.fileno(), 1 << 20,
                                              self.base + int.from_bytes(self.table[at:at + 4], "little")))

            monkeypatch.setattr(config._Parts, "_read", unchecked)
        c = Classifier(lazy["policies"]["read-guard"], ROOT, HOME)
        hit = c.classify_path(f"{ROOT}/secret12.txt", ev.MODE_READ, ROOT)
        assert (hit is not None and hit.rule["id"] == "r12") is check


def test_no_slow_path_means_an_error_not_fewer_rules(tmp_path):
    compiled = _compiled(_bench_rules(300, "deny"), _bench_rules(10, "block"))
    state = str(tmp_path / "state")
    lazy = _lazy(compiled, state, fallback=lambda hook_id, rev: None)
    for which in range(0, 1000):  # every part
        try:
            _damage(state, "flip", which)
        except IndexError:
            break
    c = Classifier(lazy["policies"]["read-guard"], ROOT, HOME)
    with pytest.raises(RuntimeError):  # the guard's error verdict denies (core/chain.py)
        for p in PATHS:
            c.classify_path(p, ev.MODE_READ, ROOT)


# --- through the real loader, the project's YAML and the engine ------------------------------


def _yaml(n: int, kind: str) -> str:
    tier = "deny" if kind == "read" else "block"
    out = ["policy:", "  rules:"]
    for i in range(n):
        out += [f"    - id: bench-{kind}-{i}", f"      tier: {tier}",
                f"      paths: [\"{SHAPES[i % (len(SHAPES) - 1)].format(i=i)}\"]"]
    return "\n".join(out) + "\n"


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "proj"
    hooks = root / ".hookgate" / "hooks"
    hooks.mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "src").mkdir()
    (root / "README.md").write_text("hi\n")
    for kind in ("read", "write"):
        (hooks / f"{kind}-guard.yaml").write_text(_yaml(400, kind))
    state = root / ".git" / "hookgate"
    config._MEMO.clear()
    assert config.load(str(root), str(state))[1] is None  # compiles
    config._MEMO.clear()
    plain, _ = config.load(str(root), str(state))  # verifies the JSON cache, writes the copy
    assert os.path.exists(state / config.FAST_NAME)
    config._MEMO.clear()
    return str(root), str(state), plain


COMMANDS = ["cat README.md src/app.py | grep -c x", "cat secret7.txt", "rm -rf ~/.tool3", "cat config/prod1.yml",
            "cp x.key4 /tmp/", "ls src/*.py; cat ./*.md", "cat $X", "find . -name '*.pem'", "tar cf - deploy",
            "echo hi > vault2/a", "cat keys6/id.pem", "rm -rf config"]


def test_engine_decisions_with_the_lazy_config_equal_those_with_the_plain_one(project, monkeypatch):
    from hookgate.adapters import claude_code
    from hookgate.core import engine
    from hookgate.state import jsonio as json

    root, state, plain = project
    monkeypatch.setenv("HOME", os.path.dirname(root))
    env = {"HOME": os.path.dirname(root), "PATH": os.environ.get("PATH", ""), "CLAUDE_PROJECT_DIR": root}
    events = [("Write", {"file_path": f"{root}/src/app.py", "content": "x"}),
              ("Write", {"file_path": f"{root}/secret7.txt", "content": "x"}),
              ("Read", {"file_path": f"{root}/README.md"}),
              ("Read", {"file_path": f"{root}/vault2/x"}),
              ("Edit", {"file_path": f"{root}/x.key4", "old_string": "a", "new_string": "b"})]
    events += [("Bash", {"command": c}) for c in COMMANDS]
    for tool, inp in events:
        data = json.dumps({"session_id": "s", "cwd": root, "hook_event_name": "PreToolUse", "tool_name": tool,
                           "tool_input": inp}).encode()
        config._MEMO.clear()
        lazy_dec, ctx = engine.decide(claude_code.parse(data, env), env)
        assert isinstance(ctx.config["policies"]["read-guard"]["rules"], config.LazySeq)  # the fast path decided
        plain_dec, _ = engine.decide(claude_code.parse(data, env), env, compiled=plain)
        assert (lazy_dec.outcome, lazy_dec.verdicts) == (plain_dec.outcome, plain_dec.verdicts), (tool, inp)


def test_a_damaged_part_through_the_loader_recompiles_and_repairs(project):
    root, state, plain = project
    _damage(state, "flip", 3)
    lazy, refusal = config.load(root, state, lazy=True)
    assert refusal is None
    assert lazy["policies"]["read-guard"]["rules"] == plain["policies"]["read-guard"]["rules"]
    assert lazy["policies"]["write-guard"]["rules"] == plain["policies"]["write-guard"]["rules"]
    config._MEMO.clear()
    again, _ = config.load(root, state, lazy=True)  # the slow path wrote a good copy again
    assert isinstance(again["policies"]["read-guard"]["rules"], config.LazySeq)
    assert config._plain(again) == plain


def test_a_process_that_decides_again_reuses_the_loaded_copy(project, monkeypatch):
    """The decision server: the copy read once while the files stay the same (was read again
    on every decision when the process started with a marshal copy on disk)."""
    root, state, plain = project
    monkeypatch.setattr(config, "_settled", lambda key: key is not None)
    reads = []
    real = config._fast_read
    monkeypatch.setattr(config, "_fast_read", lambda *a, **k: reads.append(1) or real(*a, **k))
    first, _ = config.load(root, state, lazy=True)
    second, _ = config.load(root, state, lazy=True)
    assert first is second and reads == [1]


def test_callers_that_walk_the_config_get_plain_lists(project):
    root, state, plain = project
    got, _ = config.load(root, state)
    assert type(got["policies"]["read-guard"]["rules"]) is list and got == plain


# --- hypothesis over rule sets and paths ------------------------------------------------------

SEG = st.sampled_from(["a", "b", ".env", "secret.txt", "x.pem", "id_rsa", "config", "deep", "k1", "caf\u00e9"])
GSEG = st.sampled_from(["*.pem", "*.p?m", "sec*", "[ab]*", "*", "**", "*rsa*", "?", "x.*", ".env.*"])
PAT = st.builds(lambda anchor, segs: anchor + "/".join(segs),
                st.sampled_from(["", "/", "~/", "**/"]), st.lists(st.one_of(SEG, GSEG), min_size=1, max_size=4))
RULE = st.builds(lambda tier, pats, exc: {"tier": tier, "paths": pats, "except": exc},
                 st.sampled_from(["deny", "ask", "allow"]), st.lists(PAT, min_size=1, max_size=3),
                 st.lists(PAT, max_size=1))
PATH = st.builds(lambda base, segs: base + "/" + "/".join(segs), st.sampled_from([ROOT, HOME, "/etc", ROOT + "/x"]),
                 st.lists(SEG, min_size=0, max_size=4))
PROBE = st.builds(lambda base, segs: base + "/" + "/".join(segs), st.sampled_from([ROOT, HOME]),
                  st.lists(st.one_of(SEG, GSEG), min_size=1, max_size=3))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rules=st.lists(RULE, min_size=1, max_size=25), paths=st.lists(PATH, min_size=1, max_size=6),
       probes=st.lists(PROBE, max_size=3))
def test_hypothesis_lazy_equals_plain(tmp_path_factory, rules, paths, probes):
    rules = [dict(r, id=f"h{i}") for i, r in enumerate(rules)]
    compiled = _compiled(rules, [dict(r, tier={"deny": "block", "ask": "checkpoint"}.get(r["tier"], "allow"))
                                 for r in rules])
    keys = config.PART_KEYS
    config.PART_KEYS = 1  # a part per key: a key looked up in the wrong part shows
    try:
        lazy = _lazy(compiled, str(tmp_path_factory.mktemp("state")))
    finally:
        config.PART_KEYS = keys
    for hook in ("read-guard", "write-guard"):
        assert _decisions(lazy["policies"][hook], paths, probes) == \
            _decisions(compiled["policies"][hook], paths, probes)
