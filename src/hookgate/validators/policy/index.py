"""Which policy patterns can concern a path: an index compiled once per config revision (ADR 0027).

A compiled policy (``policy.compile``) carries ``index``, built here from its rules when the
config is compiled (off the hot path) and stored in the signed config cache. The classifier
(``policy.classify``) asks it for the few patterns that *can* match a path or intersect a
pattern, then decides with exactly the matcher it always used, in the rules' order — so the
decision is the same, and its cost no longer grows with the number of rules.

Each pattern (numbered in rule order, then pattern order: ``refs[g] = [rule, pattern]``) is
filed under one necessary condition:

- ``lit``: one of its literal segments (the last): a path it matches has that segment, and a
  pattern that intersects it (``globs.intersects``, restricted) has a segment that is that
  literal (a literal segment, or a glob whose wildcards match nothing — the agent's wildcards
  never stand for the literal characters of a protected name, ADR 0008);
- ``suf`` / ``pre``: no literal segment, but a glob segment with literal characters after its
  last wildcard (``*.pem``) / before its first: the last (first) three of them;
- ``all``: anything else (``**``-only, wildcard-only segments, very long segments).

``anch`` files the anchored patterns (``root``, ``home``) under each proper prefix of their
literal leading segments, and all of them under ``""``: a directory that holds a protected
scope (deleting ``~/.aws`` hits ``~/.aws/**``; ``rm -rf ~`` every scope in the home).
"""

from __future__ import annotations

from hookgate.state.globs import MAX_SEGS

VERSION = 1
LONG = 200  # a segment longer than this is filed under ``all`` (intersects' size guards)
_MAGIC = "*?[]"


def _suffix(seg: str) -> str:
    cut = max(seg.rfind(c) for c in _MAGIC)
    return seg[cut + 1:]


def _prefix(seg: str) -> str:
    cuts = [i for i in (seg.find(c) for c in _MAGIC) if i >= 0]
    return seg[: min(cuts)] if cuts else seg


def build(rules) -> dict:
    """The index of compiled *rules* (a list of rule dicts with ``pats``)."""
    refs: list = []
    lit: dict = {}
    suf: dict = {}
    pre: dict = {}
    every: list = []
    anch: dict = {"root": {}, "home": {}}
    maxsegs = 0
    for i, r in enumerate(rules):
        for j, pat in enumerate(r.get("pats") or ()):
            anchor, segs, kinds = pat[0], pat[1], pat[2]
            g = len(refs)
            refs.append([i, j])
            maxsegs = max(maxsegs, len(segs))
            if anchor in anch:
                lead = []
                for s, k in zip(segs, kinds):
                    if k != "L":
                        break
                    lead.append(s)
                table = anch[anchor]
                table.setdefault("", []).append(g)  # every anchored pattern: a directory above the anchor
                for n in range(1, len(lead)):
                    table.setdefault("/".join(lead[:n]), []).append(g)
            if len(segs) > MAX_SEGS // 2 or any(len(s) > LONG for s in segs):
                every.append(g)
                continue
            lits = [s for s, k in zip(segs, kinds) if k == "L"]
            if lits:
                lit.setdefault(lits[-1], []).append(g)
                continue
            globs = [s for s, k in zip(segs, kinds) if k == "G"]
            sx = [_suffix(s) for s in globs]
            px = [_prefix(s) for s in globs]
            if any(sx):
                s = max(sx, key=len)
                suf.setdefault(s[-3:], []).append(g)
            elif any(px):
                p = max(px, key=len)
                pre.setdefault(p[:3], []).append(g)
            else:
                every.append(g)
    return {"v": VERSION, "refs": refs, "lit": lit, "suf": suf, "pre": pre, "all": every, "anch": anch,
            "maxsegs": maxsegs}


def usable(index) -> bool:
    if not isinstance(index, dict) or index.get("v") != VERSION:
        return False
    refs = index.get("refs")
    return isinstance(refs, list) or getattr(refs, "lazy", False) is True  # (config.LazySeq)


def _ends(name: str, table: dict, out: set) -> None:
    for k in (name[-1:], name[-2:], name[-3:]):
        got = table.get(k)
        if got:
            out.update(got)


def _starts(name: str, table: dict, out: set) -> None:
    for k in (name[:1], name[:2], name[:3]):
        got = table.get(k)
        if got:
            out.update(got)


def for_path(index: dict, segs: list) -> set:
    """Numbers of the patterns that may match the concrete path *segs* (lower-cased)."""
    out = set(index["all"])
    lit, suf, pre = index["lit"], index["suf"], index["pre"]
    for s in segs:
        got = lit.get(s)
        if got:
            out.update(got)
        if suf:
            _ends(s, suf, out)
        if pre:
            _starts(s, pre, out)
    return out


def _probe_literals(seg: str) -> tuple[str | None, str, str]:
    """(the literal a glob segment can equal, its literal characters at the end, at the start)
    with its ``*`` matching nothing (restricted intersection); None for the first when the
    segment has a ``?`` or a class (it can equal no literal)."""
    from hookgate.state.globs import _tokens

    toks = _tokens(seg)
    whole = []
    exact = True
    for t in toks:
        if isinstance(t, str):
            whole.append(t)
        elif t != ("*",):
            exact = False
    end = []
    for t in reversed(toks):
        if isinstance(t, str):
            end.append(t)
        elif t != ("*",):
            break
    start = []
    for t in toks:
        if isinstance(t, str):
            start.append(t)
        elif t != ("*",):
            break
    return ("".join(whole) if exact else None), "".join(reversed(end)), "".join(start)


def for_pattern(index: dict, segs: list, kinds: str) -> set | None:
    """Numbers of the patterns that may intersect the probe (*segs*, *kinds*: a shell glob or an
    unresolved word, ``words.glob_pattern``/``unresolved_pattern``); None: all of them (an
    unknown final name, or a probe past the size guards)."""
    if "F" in kinds or len(segs) > MAX_SEGS // 2:
        return None
    out = set(index["all"])
    lit, suf, pre = index["lit"], index["suf"], index["pre"]
    for s, k in zip(segs, kinds):
        if len(s) > LONG:
            return None
        if k == "L":
            got = lit.get(s)
            if got:
                out.update(got)
            if suf:
                _ends(s, suf, out)
            if pre:
                _starts(s, pre, out)
        elif k == "G":
            whole, end, start = _probe_literals(s)
            if whole is not None:
                got = lit.get(whole)
                if got:
                    out.update(got)
            if suf and end:
                _ends(end, suf, out)
            if pre and start:
                _starts(start, pre, out)
    return out


def for_dir(index: dict, anchor: str, rel: list | None) -> list:
    """Numbers of the *anchor*ed patterns whose literal leading segments lie strictly below the
    directory ``anchor/rel`` (``rel`` empty or None: every anchored pattern)."""
    table = index["anch"].get(anchor) or {}
    return table.get("/".join(rel) if rel else "", [])


# --- the lazy layout (ADR 0027, amended in session 8) ------------------------------------------
# A one-shot process must not pay for the 1,000 rules a decision never looks at: the config's
# marshal copy (``core.config``) stores a policy's rules and its index key by key, and a decision
# loads only the keys its paths ask for. Here: which entries go together. Each key of a table
# (``lit``/``suf``/``pre``/``anch.root``/``anch.home``) is one group, holding its entry and the
# ``refs`` and ``rules`` of every pattern the entry names, so a decision that finds a key needs
# nothing else; the patterns filed under ``all`` (tried for every path) and their rules are
# resident (loaded with the config). Any other access (every pattern: a probe past the size
# guards, the floor's plan) loads every group.

LAZY_MAPS = ("lit", "suf", "pre", "anch.root", "anch.home")  # (core.config reads them)
LAZY_SEQS = ("rules", "refs")


def _table(index: dict, name: str) -> dict:
    if name.startswith("anch."):
        return (index.get("anch") or {}).get(name[5:]) or {}
    got = index.get(name)
    return got if isinstance(got, dict) else {}


def layout(policy) -> tuple[dict, dict, dict, list] | None:
    """(stub, sizes, resident, groups) of a compiled *policy*, or None when it has no usable
    index. *stub*: the policy without its rules and index, plus ``index`` holding only the
    index's small scalars and ``all``; *sizes*: the length of each lazy table and list;
    *resident*: ``{"refs": {g: ref}, "rules": {i: rule}}`` of the ``all`` patterns; *groups*:
    ``[(table, key, payload)]``, payload ``{table: {key: entry}, "refs": {…}, "rules": {…}}``."""
    if not isinstance(policy, dict):
        return None
    index, rules = policy.get("index"), policy.get("rules")
    if not (isinstance(index, dict) and usable(index) and isinstance(rules, list)):
        return None
    anch = index.get("anch")
    if not isinstance(anch, dict) or set(anch) - {"root", "home"}:
        return None
    refs = index["refs"]

    def named(gs) -> tuple[dict, dict]:
        r, ru = {}, {}
        for g in gs:
            r[g] = refs[g]
            i = refs[g][0]
            ru[i] = rules[i]
        return r, ru

    stub = {k: v for k, v in policy.items() if k not in ("rules", "index")}
    stub["index"] = {k: v for k, v in index.items() if k not in ("refs", "lit", "suf", "pre", "anch")}
    sizes = {"rules": len(rules), "refs": len(refs)}
    groups = []
    for name in LAZY_MAPS:
        table = _table(index, name)
        sizes[name] = len(table)
        for key, gs in table.items():
            r, ru = named(gs)
            groups.append((name, key, {name: {key: gs}, "refs": r, "rules": ru}))
    r, ru = named(index.get("all") or ())
    return stub, sizes, {"refs": r, "rules": ru}, groups

