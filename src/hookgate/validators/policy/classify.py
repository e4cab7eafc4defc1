"""The one path classifier (ADR 0008/0009): every tool's accesses and every shell access.

A compiled policy (``policy.compile``) is a list of rules; each rule has patterns already
split into segments (``pats``: ``[anchor, segs, kinds, spec]``) and exceptions (``exc``).
Here the anchors become absolute (``any`` → ``**``, ``root`` → the project root, ``home`` →
``~``) and paths are matched:

- concrete paths: both forms (the name used and the symlink target, ``paths.both_forms``);
  the most specific matching rule wins, ties go to the stricter tier; a rule's exceptions
  take the path out of that rule only; across the two forms the stricter result wins;
- a directory *is* what a ``dir/**`` rule protects (``**`` matches zero segments), and
  deleting (or, for reads, copying/archiving) a directory that holds an anchored protected
  scope (``rm -rf ~/.aws``) hits that scope;
- unresolved words and globs: ``globs.intersects`` (may this pattern name a protected
  file?) — a hit is *indeterminate* and takes the rule's ``ind`` outcome (the patterns of
  unresolved words and globs are made in ``policy.words``, loaded only for them).
"""

from __future__ import annotations

from hookgate.core import event as ev
from hookgate.state.paths import both_forms
from hookgate.state.globs import MAX_SEGS, intersects, path_match, split

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only (ADR 0017)
    from typing import Any

RANK = ev.OUTCOME_RANK

# Hit: (rule dict, outcome, the path form that hit, how: "path" | "dir" | "indeterminate")


def _prefix(anchor: str, root_segs: list, home_segs: list):
    if anchor == "root":
        return root_segs, "A" * len(root_segs)
    if anchor == "home":
        return home_segs, "A" * len(home_segs)
    if anchor == "any":
        return ["**"], "D"
    return [], ""



# One rule matched: the rule (compiled dict), its outcome for this access (the rule's tier,
# or its indeterminate outcome for a pattern), the path or pattern that matched, and how:
# "path" (the file itself), "dir" (a directory holding a protected scope), "indeterminate"
# (an unresolved word or glob that may name it). A tuple, so ``hit[1]`` still reads.
Hit = ev.record("Hit", "rule outcome path kind")


class Classifier:
    """Materialised patterns of one compiled policy for one (project root, home).

    The policy's index (``policy.index``, compiled with the config; built here for a policy
    compiled without one) names the few patterns that can concern a path; only those are
    materialised (anchored, on first use) and matched, in the rules' order (ADR 0027)."""

    __slots__ = ("rules", "pats", "excs", "root_segs", "home_segs", "home", "has_allow", "index", "_mat")

    def __init__(self, policy: dict, root: str, home: str):
        from hookgate.validators.policy import index as ix

        self.rules = policy.get("rules") or []
        self.home = home
        rs = split((root or "/").lower())
        hs = split((home or "/").lower())
        self.root_segs, self.home_segs = rs, hs
        idx = policy.get("index")
        self.index: dict = idx if isinstance(idx, dict) and ix.usable(idx) else ix.build(self.rules)
        self._mat: dict = {}  # pattern number -> (rule index, segs, kinds, spec key, anchor, lead)
        self.excs: dict = {}

    def _pat(self, g: int):
        m = self._mat.get(g)
        if m is None:
            i, j = self.index["refs"][g]
            r = self.rules[i]
            anchor, segs, kinds, spec = r["pats"][j]
            ps, pk = _prefix(anchor, self.root_segs, self.home_segs)
            lead = None
            if anchor in ("root", "home"):
                lead = list(ps)
                for s, k in zip(segs, kinds):
                    if k != "L":
                        break
                    lead.append(s)
            m = self._mat[g] = (i, ps + segs, pk + kinds, (tuple(spec), RANK.get(r.get("tier"), 3)), anchor, lead)
            if i not in self.excs:
                self.excs[i] = [_prefix_join(e, self.root_segs, self.home_segs) for e in r.get("exc") or ()]
        return m

    @property
    def prefixes(self) -> list:
        """(rule index, literal absolute prefix, in project?) of every anchored pattern (the
        floor's plan reads them all; decisions use :meth:`_dir_candidates`)."""
        out = []
        for g in self._all():
            i, _ps, _pk, _key, anchor, lead = self._pat(g)
            if lead is not None:
                out.append((i, lead, anchor == "root"))
        return out

    def _all(self) -> range:
        return range(len(self.index["refs"]))

    # --- concrete paths -----------------------------------------------------------------
    def best(self, segs: list):
        """Index of the winning rule for a concrete (lower-cased) path, or None."""
        from hookgate.validators.policy.index import for_path

        win = None
        wkey = None
        cands = for_path(self.index, segs) if len(segs) <= MAX_SEGS else self._all()
        for g in sorted(cands):
            i, ps, pk, key, _a, _l = self._pat(g)
            if wkey is not None and key <= wkey:
                continue
            if not path_match(ps, pk, segs):
                continue
            exc = self.excs.get(i)
            if exc and any(path_match(es, ek, segs) for es, ek in exc):
                continue
            win, wkey = i, key
        return win

    def _dir_candidates(self, segs: list):
        """Anchored patterns whose literal lead may lie strictly below the directory *segs*."""
        from hookgate.validators.policy.index import for_dir

        out = set()
        n = len(segs)
        for anchor, a in (("root", self.root_segs), ("home", self.home_segs)):
            if n <= len(a):
                if a[:n] == segs:
                    out.update(for_dir(self.index, anchor, None))
            elif segs[: len(a)] == a:
                out.update(for_dir(self.index, anchor, segs[len(a):]))
        return sorted(out)

    def _hit_for(self, form: str, mode: str):
        segs = split(form.lower())
        i = self.best(segs)
        hit = None
        if i is not None:
            r = self.rules[i]
            if r.get("tier") != ev.ALLOW:
                hit = Hit(r, r["tier"], form, "path")
        if mode in (ev.MODE_DELETE, ev.MODE_READ, ev.MODE_EXEC):
            n = len(segs)
            for g in self._dir_candidates(segs):
                j, _ps, _pk, _key, anchor, lit = self._pat(g)
                in_project = anchor == "root"
                if len(lit) <= n or lit[:n] != segs:
                    continue
                if in_project and self.root_segs[:n] == segs:
                    continue  # the whole project (`git clean`, `rm -rf .`): not about one scope
                if mode != ev.MODE_DELETE and (
                    self.root_segs[:n] == segs or self.home_segs[:n] == segs
                ):
                    continue  # `grep -r x .` / `tar c ~`: too broad to mean the scope
                r = self.rules[j]
                if r.get("tier") == ev.ALLOW:
                    continue
                if hit is None or RANK[r["tier"]] > RANK[hit.outcome]:
                    hit = Hit(r, r["tier"], form, "dir")
        return hit

    def classify_path(self, path: str, mode: str, cwd: str):
        """The strictest hit over the name used and the symlink target, or None."""
        if "\x00" in path:
            # C APIs stop at the NUL, bash drops it ($'\x00'): both readings count
            forms = tuple({path.split("\x00", 1)[0] or "/", path.replace("\x00", "")})
        else:
            try:
                forms = both_forms(path, cwd, self.home)
            except (OSError, ValueError):
                forms = (path,)
        if "\\" in path:  # a Windows separator, or part of a name: both readings count
            forms = forms + tuple(f.replace("\\", "/") for f in forms)
        hit = None
        for f in forms:
            h = self._hit_for(f, mode)
            if h is not None and (hit is None or RANK[h.outcome] > RANK[hit.outcome]):
                hit = h
        return hit

    # --- patterns -------------------------------------------------------------------------
    def classify_pattern(self, segs: list, kinds: str, shell_glob: bool, text: str):
        """Indeterminate hit when the pattern may name a protected path, or None."""
        from hookgate.validators.policy.index import for_pattern

        hit = None
        cands = for_pattern(self.index, segs, kinds)
        for g in sorted(cands) if cands is not None else self._all():
            i, ps, pk, _key, _a, _l = self._pat(g)
            r = self.rules[i]
            if r.get("tier") == ev.ALLOW:
                continue
            if hit is not None and RANK[r["ind"]] <= RANK[hit.outcome]:
                continue
            if intersects(segs, kinds, ps, pk, shell_glob):
                hit = Hit(r, r["ind"], text, "indeterminate")
        return hit


def _prefix_join(exc, root_segs, home_segs):
    anchor, segs, kinds = exc[0], exc[1], exc[2]
    ps, pk = _prefix(anchor, root_segs, home_segs)
    return ps + segs, pk + kinds


# The patterns of unresolved words and globs live in ``policy.words`` (loaded only for such an
# access, ADR 0017); their old names here still work, loading it on first use.
_MOVED = frozenset(("SpanResolver", "concrete_text", "unresolved_pattern", "glob_pattern", "SENT", "TAME",
                    "TEMP_VARS", "NUMERIC_PARAMS", "TAME_COMMANDS", "NEVER_FREE"))


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        from hookgate.validators.policy import words

        return getattr(words, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
