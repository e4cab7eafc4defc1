"""Policy YAML → compiled JSON, and the tighten-only rule (CLI side; ADR 0008/0009).

Schema of ``policy:`` in ``hooks/read-guard.yaml`` / ``hooks/write-guard.yaml`` and in a
project's ``.hookgate/hooks/<id>.yaml``::

    indeterminate: deny | ask          # default for rules that do not say
    rules:
      - id: env-files                  # a project rule with a shipped id replaces it
        tier: block                    # write: block|checkpoint|warn|allow; read: deny|ask|allow
        indeterminate: deny            # unresolved word / glob / interpreter code: deny|ask
        paths: [".env", ".env.*"]      # gitignore-style: no slash → any depth; `dir/x` →
                                       # from the project root; `~/…` → home; `dir/` → dir/**
        except: [".env.example"]       # these paths are not this rule's
        why: environment files hold credentials
        instead: edit .env.example instead

A project may add rules and make rules stricter. ``compile_policy`` refuses (ValueError
naming the rule) anything that would give some path a weaker outcome than the shipped
policy gives it, unless ``allow_loosen`` (the maintainer's CLI flag).
"""

from __future__ import annotations

from hookgate.core import event as ev
from hookgate.state.globs import MAGIC, intersects, kinds_of

READ_TIERS = {"deny": ev.BLOCK, "ask": ev.CHECKPOINT, "allow": ev.ALLOW}
WRITE_TIERS = {"block": ev.BLOCK, "checkpoint": ev.CHECKPOINT, "warn": ev.WARN, "allow": ev.ALLOW}
IND_TIERS = {"deny": ev.BLOCK, "ask": ev.CHECKPOINT}
RULE_KEYS = frozenset(("id", "tier", "indeterminate", "paths", "except", "why", "instead"))
POLICY_KEYS = frozenset(("indeterminate", "rules"))
RANK = ev.OUTCOME_RANK
_ROOT = "/r00t/proj"
_HOME = "/h0me/user"


def parse_pattern(raw, where: str) -> list:
    """A gitignore-style pattern → [anchor, segs, kinds, spec]."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError(f"{where}: a path pattern must be a non-empty string")
    p = raw.strip().lower()
    if "\x00" in p or "\\" in p:
        raise ValueError(f"{where}: {raw!r}: NUL bytes and backslashes are not allowed in patterns")
    if p.startswith("~/"):
        anchor, body = "home", p[2:]
    elif p.startswith("/"):
        anchor, body = "root", p[1:]
    elif p.startswith("**/"):
        anchor, body = "any", p[3:]
    elif "/" in p.rstrip("/"):
        anchor, body = "root", p
    else:
        anchor, body = "any", p
    if body.endswith("/"):
        body += "**"
    segs = [s for s in body.split("/") if s and s != "."]
    if not segs or ".." in segs:
        raise ValueError(f"{where}: {raw!r}: not a usable path pattern")
    kinds = kinds_of(segs)
    lit_segs = sum(1 for k in kinds if k == "L") + (1 if anchor in ("root", "home") else 0)
    lit_chars = sum(len(s) - sum(1 for c in s if c in MAGIC) for s, k in zip(segs, kinds) if k != "D")
    exact = 1 if all(k == "L" for k in kinds) else 0
    base = segs[-1]
    base_chars = 0 if kinds[-1] == "D" else len(base) - sum(1 for c in base if c in MAGIC)
    # most specific: an exact path; then the rule that names the file (literal characters of
    # its last component) over the rule that names a directory; then literal components;
    # then literal characters overall
    return [anchor, segs, kinds, [exact, base_chars, lit_segs, lit_chars]]


def _rule(doc, kind: str, default_ind: str, where: str) -> dict:
    tiers = READ_TIERS if kind == "read" else WRITE_TIERS
    if not isinstance(doc, dict):
        raise ValueError(f"{where}: a rule must be a mapping")
    bad = set(doc) - RULE_KEYS
    if bad:
        raise ValueError(f"{where}.{sorted(bad)[0]}: unknown key (allowed: {', '.join(sorted(RULE_KEYS))})")
    rid = doc.get("id")
    if not isinstance(rid, str) or not rid:
        raise ValueError(f"{where}: a rule needs an id")
    where = f"rule {rid}"
    tier = doc.get("tier")
    if tier not in tiers:
        raise ValueError(f"{where}: tier must be one of {', '.join(tiers)} (got {tier!r})")
    ind = doc.get("indeterminate", default_ind)
    if ind not in IND_TIERS:
        raise ValueError(f"{where}: indeterminate must be deny or ask (got {ind!r})")
    outcome = tiers[tier]
    ind_outcome = IND_TIERS[ind]
    if RANK[ind_outcome] > RANK[outcome]:
        ind_outcome = outcome  # never stricter when unsure than when sure
    paths = doc.get("paths")
    if isinstance(paths, str):
        paths = [paths]
    if not isinstance(paths, list) or not paths:
        raise ValueError(f"{where}: paths must be a non-empty list")
    exc = doc.get("except") or []
    if isinstance(exc, str):
        exc = [exc]
    if not isinstance(exc, list):
        raise ValueError(f"{where}: except must be a list")
    return {
        "id": rid,
        "tier": outcome,
        "tier_name": tier,
        "ind": ind_outcome,
        "why": str(doc.get("why") or ""),
        "instead": str(doc.get("instead") or ""),
        "src": [str(p) for p in paths],
        "src_exc": [str(p) for p in exc],
        "pats": [parse_pattern(p, where) for p in paths],
        "exc": [parse_pattern(p, where + " except")[:3] for p in exc],
    }


def compile_one(policy, kind: str, where: str) -> dict:
    if policy is None:
        policy = {}
    if not isinstance(policy, dict):
        raise ValueError(f"{where}: policy must be a mapping")
    bad = set(policy) - POLICY_KEYS
    if bad:
        raise ValueError(f"{where}: {sorted(bad)[0]}: unknown key (allowed: {', '.join(sorted(POLICY_KEYS))})")
    ind = policy.get("indeterminate", "ask")
    if ind not in IND_TIERS:
        raise ValueError(f"{where}: indeterminate must be deny or ask (got {ind!r})")
    rules = policy.get("rules") or []
    if not isinstance(rules, list):
        raise ValueError(f"{where}: rules must be a list")
    out = []
    seen = set()
    for n, r in enumerate(rules):
        cr = _rule(r, kind, ind, f"{where}: rules[{n}]")
        if cr["id"] in seen:
            raise ValueError(f"rule {cr['id']}: duplicate rule id")
        seen.add(cr["id"])
        out.append(cr)
    return {"kind": kind, "indeterminate": ind, "rules": out}


def _abs(pat: list):
    anchor, segs, kinds = pat[0], pat[1], pat[2]
    if anchor == "root":
        pre = [s for s in _ROOT.split("/") if s]
    elif anchor == "home":
        pre = [s for s in _HOME.split("/") if s]
    elif anchor == "any":
        return ["**"] + segs, "D" + kinds
    else:
        pre = []
    return pre + segs, "L" * len(pre) + kinds


def _as_probe(segs: list, kinds: str):
    """A policy pattern as the probing side of ``intersects`` (``**`` → any path)."""
    return segs, kinds.replace("D", "F")


def loosenings(shipped: dict, merged: dict, project_ids: set) -> list[str]:
    """Why *merged* gives some path a weaker outcome than *shipped* (empty: tighten-only)."""
    out = []
    if RANK[IND_TIERS[merged["indeterminate"]]] < RANK[IND_TIERS[shipped["indeterminate"]]]:
        out.append(f"indeterminate: {shipped['indeterminate']} → {merged['indeterminate']} is weaker")
    s_by_id = {r["id"]: r for r in shipped["rules"]}
    for r in merged["rules"]:
        if r["id"] not in project_ids:
            continue
        s = s_by_id.get(r["id"])
        if s is not None:
            if RANK[r["tier"]] < RANK[s["tier"]]:
                out.append(f"rule {r['id']}: tier {s['tier_name']} → {r['tier_name']} is weaker")
            if RANK[r["ind"]] < RANK[s["ind"]]:
                out.append(f"rule {r['id']}: indeterminate becomes weaker")
            missing = [p for p in s["src"] if p not in r["src"]]
            if missing:
                out.append(f"rule {r['id']}: drops shipped path {missing[0]!r}")
            added = [p for p in r["src_exc"] if p not in s["src_exc"]]
            if added:
                out.append(f"rule {r['id']}: adds exception {added[0]!r}")
        for s2 in shipped["rules"]:
            if s2["id"] == r["id"] or RANK[r["tier"]] >= RANK[s2["tier"]]:
                continue
            for qp in r["pats"]:
                for sp in s2["pats"]:
                    if tuple(qp[3]) <= tuple(sp[3]):
                        continue  # the shipped rule is at least as specific: it still wins
                    a, ak = _abs(qp)
                    b, bk = _abs(sp)
                    pa, pk = _as_probe(a, ak)
                    if intersects(pa, pk, b, bk, restricted=False):
                        out.append(
                            f"rule {r['id']}: {qp_src(r, qp)!r} ({r['tier_name']}) is more specific than "
                            f"shipped rule {s2['id']} ({s2['tier_name']}) on paths they share"
                        )
                        break
                else:
                    continue
                break
    return out


def qp_src(rule: dict, pat: list) -> str:
    try:
        return rule["src"][rule["pats"].index(pat)]
    except (ValueError, IndexError):
        return "/".join(pat[1])


def compile_policy(shipped, project, allow_loosen, kind: str) -> dict:
    """Shipped policy (+ project override) → compiled dict for the hot path, with the index of
    its patterns (``policy.index``, ADR 0027): compiled once per config revision."""
    from hookgate.validators.policy.index import build

    out = _compile_policy(shipped, project, allow_loosen, kind)
    out["index"] = build(out["rules"])
    return out


def _compile_policy(shipped, project, allow_loosen, kind: str) -> dict:
    base = compile_one(shipped, kind, "shipped policy")
    if not project:
        return base
    proj = compile_one(
        {"indeterminate": project.get("indeterminate", base["indeterminate"]), "rules": project.get("rules") or []}
        if isinstance(project, dict) else project,
        kind,
        "project policy",
    )
    if isinstance(project, dict):
        bad = set(project) - POLICY_KEYS
        if bad:
            raise ValueError(f"project policy: {sorted(bad)[0]}: unknown key")
    by_id = {r["id"]: r for r in proj["rules"]}
    rules = [by_id.pop(r["id"], r) for r in base["rules"]]
    rules.extend(r for r in proj["rules"] if r["id"] in by_id)
    merged = {"kind": kind, "indeterminate": proj["indeterminate"], "rules": rules}
    if not allow_loosen:
        why = loosenings(base, merged, {r["id"] for r in proj["rules"]})
        if why:
            raise ValueError(
                f"{why[0]} — a project policy may only tighten the shipped one; a maintainer "
                "can accept this with `hookgate config compile --allow-loosen`"
            )
    return merged
