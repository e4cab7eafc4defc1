"""The shared ``check`` of the read guard and the write guard (ADR 0008, ADR 0009).

Every access of the action (any tool, any shell command) goes through one classifier:
resolved paths → the policy's most specific rule; unresolved words and globs → an
*indeterminate* hit when they may name a protected path (the rule's ``ind`` outcome, never
allow). The strictest hit becomes the verdict, with a message for the agent.

Deny-workaround detection: a path blocked earlier in the session, reached now by another
route (another tool, or another shell form), puts ``workaround_of`` in the ledger record
and escalates the session (warn-tier write rules become checkpoint).
"""

from __future__ import annotations

import os

from hookgate.core import event as ev
from hookgate.validators.policy.classify import Classifier

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only
    from hookgate.validators.policy.words import SpanResolver

RANK = ev.OUTCOME_RANK
NO_RETRY = "Do not retry through another tool or a shell command: it is the same file and the same rule."
_CLASSIFIERS: dict = {}


def classifier(policy: dict, root: str, home: str) -> Classifier:
    """The classifier of *policy* for (root, home), built once per policy object: the config
    loader hands out the same object while the config's revision stands (ADR 0027). The entry
    holds the policy itself, so its ``id`` cannot be reused by another policy while cached."""
    key = (id(policy), root, home)
    got = _CLASSIFIERS.get(key)
    if got is not None and got[0] is policy:
        return got[1]
    if len(_CLASSIFIERS) >= 64:
        _CLASSIFIERS.clear()
    c = Classifier(policy, root, home)
    _CLASSIFIERS[key] = (policy, c)
    return c


def temp_vars(command: str) -> tuple:
    """Names assigned from ``mktemp`` in the command (``WORK=$(mktemp -d)``): their value is a
    fresh temp path, never a protected file (the most-hit false positive of path guards)."""
    out = []
    i = command.find("mktemp")
    while i >= 0:
        j = i - 1
        while j >= 0 and command[j] in " \t":
            j -= 1
        if j >= 1 and command[j] == "(" and command[j - 1] == "$":
            j -= 2
        elif j >= 0 and command[j] == "`":
            j -= 1
        else:
            i = command.find("mktemp", i + 6)
            continue
        if j >= 0 and command[j] == '"':
            j -= 1
        if j >= 0 and command[j] == "=":
            k = j
            while k > 0 and (command[k - 1].isalnum() or command[k - 1] == "_"):
                k -= 1
            if k < j:
                out.append(command[k:j])
        i = command.find("mktemp", i + 6)
    return tuple(out)


def _route(event, a) -> str:
    via = (a.via or "").split(" (", 1)[0]
    return f"{event.tool_name}:{via}"


_SOURCING = frozenset(("source", ".", "eval", "declare", "typeset", "local", "export", "readonly"))


def resolver_for(event, analysis, env: dict, home: str) -> SpanResolver:
    cmd = event.tool_input.get("command") if isinstance(event.tool_input, dict) else None
    cmd = cmd if isinstance(cmd, str) else ""
    sources = bool(getattr(analysis, "open_vars", False))
    for c in getattr(analysis, "commands", ()) or ():
        if (getattr(c, "name", "") or "") in _SOURCING:
            sources = True
            break
    from hookgate.validators.policy.words import SpanResolver

    return SpanResolver(cmd, env, home, temp_vars(cmd) if "mktemp" in cmd else (), sources,
                        getattr(analysis, "assigned", ()) or ())


def hits_of(kind: str, event, accesses, policy, project_root: str, home: str, analysis=None, env=None) -> list:
    """[(hit, access)] for the accesses this guard looks at."""
    modes = (ev.MODE_READ, ev.MODE_EXEC) if kind == "read" else (ev.MODE_WRITE, ev.MODE_DELETE)
    cls = None
    resolver = None
    out = []
    for a in accesses:
        if a.mode not in modes:
            continue
        if cls is None:
            cls = classifier(policy, project_root or event.cwd or "/", home)
        path = a.path if isinstance(a.path, str) else ""
        if a.resolved and path:
            hit = cls.classify_path(path, a.mode, event.cwd)
        else:
            if a.mode == ev.MODE_EXEC and not path:
                continue  # code run with no file named (python -c 'print(1)')
            # the patterns of unresolved words and globs: only for them (ADR 0017)
            from hookgate.validators.policy.words import glob_pattern, unresolved_pattern

            via = a.via or ""
            if "/$(find)" in path and ("$" in path.replace("/$(find)", "") or "`" in path):
                # find's start point from a variable (`find "$DIR" -delete`): resolved like
                # any other word; an empty one is the cwd (`find $DIR` with DIR unset)
                if event.tool_kind == ev.SHELL and resolver is None:
                    resolver = resolver_for(event, analysis, env if env is not None else {}, home)
                path = _resolve_find_base(path, resolver, event.cwd)
            if path.endswith("/$(find)") and path.startswith("/"):
                # every file find prints under BASE: decided as an access to BASE itself, the
                # way `grep -r x BASE` or `rm -r BASE` is (a name filter keeps the pattern form);
                # a write to every file below (`chmod -R`, `chown -R`) covers the protected
                # scopes under BASE, as a delete of BASE does (find's own output keeps its
                # tests, `-user X`, `-perm 777`: a write to BASE, as before)
                mode = ev.MODE_DELETE if a.mode == ev.MODE_WRITE and "(everything below)" in via else a.mode
                hit = cls.classify_path(path[: -len("/$(find)")] or "/", mode, event.cwd)
            elif "/$(find)/" in path and path.startswith("/") and "$" not in path.replace("/$(find)/", "/"):
                # find -name NAME: the pattern may name a protected file (`*.pem`), and the
                # files it matches now are judged like a glob's matches (`-name '*env*'`)
                base, _, name = path.partition("/$(find)/")
                if not _names_something(name):
                    # `-name '*'`, `-name '*.*'`: every file, like a plain `find BASE`
                    hit = cls.classify_path(base or "/", a.mode, event.cwd)
                else:
                    segs, kinds = unresolved_pattern(path, home, None)
                    hit = cls.classify_pattern(segs, kinds, False, path)
                    if hit is None:
                        for found in _found_now(base or "/", name):
                            hit = cls.classify_path(found, a.mode, event.cwd)
                            if hit is not None:
                                break
            elif "glob" in via:
                segs, kinds = glob_pattern(path)
                hit = cls.classify_pattern(segs, kinds, "dotglob" not in via, path)
            else:
                if via.endswith("(unusable path)"):
                    hit = _unusable(cls, event, a, via)
                    if hit is not None:
                        out.append((hit, a))
                    continue
                if event.tool_kind == ev.SHELL and resolver is None:
                    resolver = resolver_for(event, analysis, env if env is not None else {}, home)
                segs, kinds = unresolved_pattern(path, home, resolver)
                if not kinds:
                    if event.tool_kind == ev.SHELL and path:
                        continue  # expands to nothing: bash passes no file
                    segs, kinds = [""], "F"  # a tool call that names no usable path
                hit = cls.classify_pattern(segs, kinds, False, path or "(no path)")
        if hit is not None:
            out.append((hit, a))
    return out


FIND_WALK_CAP = 20000


def _names_something(name: str) -> bool:
    """Does a find ``-name`` pattern pick names (a letter or digit outside ``[…]``, or a
    leading ``.`` — dotfiles), rather than match every file (``*``, ``*.*``)?"""
    if name.startswith("."):
        return True
    depth = 0
    for ch in name:
        if ch == "[":
            depth += 1
        elif ch == "]" and depth:
            depth -= 1
        elif not depth and ch.isalnum():
            return True
    return False


def _found_now(base: str, name: str):
    """The paths under ``base`` whose name matches find's ``-name`` pattern (dotfiles too, as
    find does), walking at most FIND_WALK_CAP entries."""
    from hookgate.state.globs import seg_match

    pat = name.lower()
    seen = 0
    for root, dirs, files in os.walk(base):
        for n in dirs + files:
            seen += 1
            if seen > FIND_WALK_CAP:
                return
            if seg_match(pat, n.lower()):
                yield os.path.join(root, n)


def _resolve_find_base(path: str, resolver, cwd) -> str:
    """``$DIR/$(find)/$NAME`` with the variables resolved: an empty start point is the cwd,
    an empty name filter is none (``find $DIR -name $N`` with both unset)."""
    from hookgate.validators.policy.words import concrete_text

    base, sep, tail = path.partition("/$(find)")
    value = concrete_text(base, resolver) if ("$" in base or "`" in base) else base
    if value is None:
        return path
    if tail and ("$" in tail or "`" in tail):
        t = concrete_text(tail, resolver)
        if t is not None:
            tail = "" if t.strip("/") == "" else t
    if value.startswith("~/") or value == "~":
        value = (resolver.home if resolver is not None else "~") + value[1:]
    if not value.startswith("/"):
        if not cwd or not cwd.startswith("/"):
            return path
        value = cwd.rstrip("/") + "/" + value if value else cwd
    return os.path.normpath(value).replace("//", "/") + sep + tail


def _unusable(cls, event, a, via: str):
    """A tool path no API can open as given (a NUL byte, longer than any PATH_MAX): judged by
    what it could be taken to mean — up to the NUL (C), without the NUL (bash), and its last
    components under an unknown directory. Ambiguity in a protected scope → a hit."""
    from hookgate.validators.policy.words import unresolved_pattern

    key = via.split(" ", 1)[0].split(".", 1)[-1]
    original = event.tool_input.get(key) if isinstance(event.tool_input, dict) else None
    text = original if isinstance(original, str) else a.path
    hit = None
    for cand in {text.split("\x00", 1)[0], text.replace("\x00", "")}:
        parts = [p for p in cand.replace("\\", "/").split("/") if p]
        tail = "/".join(parts[-64:])
        segs, kinds = unresolved_pattern("$UNUSABLE/" + tail if tail else "$UNUSABLE", "/nonexistent-home")
        h = cls.classify_pattern(segs, kinds, False, cand[:200])
        if h is not None and (hit is None or RANK[h.outcome] > RANK[hit.outcome]):
            hit = h
    return hit


def _describe(kind: str, hit, a, event) -> str:
    rule, outcome, form, how = hit
    what = "read" if kind == "read" else ("delete" if a.mode == ev.MODE_DELETE else "write")
    tool = a.tool or event.tool_name or "tool"
    why = rule.get("why") or "a protected path"
    if how == "indeterminate":
        shown = form if form else "(no path given)"
        return (f"cannot tell which file this {what} touches ({shown!r} via {a.via or tool}); "
                f"it may be {why} (rule {rule['id']})")
    if how == "dir":
        return f"{what} of {a.path} ({a.via or tool}) covers {why} (rule {rule['id']})"
    target = a.path if form == a.path else f"{a.path} → {form}"
    return f"{what} of {target} ({a.via or tool}): {why} (rule {rule['id']})"


# What a path guard decides with: which guard (``kind`` "read" or "write", its hook id and
# ADR) and the context it was called with (``validators.base.CONTEXT_NAMES``).
GuardCall = ev.record("GuardCall", "kind hook_id adr event accesses policy stage state_dir project_root home "
                                   "record_id notes analysis env", (None, None))


def decide(call) -> ev.Verdict:
    """The verdict of the read or write guard for *call* (a :data:`GuardCall`)."""
    (kind, hook_id, adr, event, accesses, policy, stage, state_dir, project_root, home, record_id, notes,
     analysis, env) = call
    hits = hits_of(kind, event, accesses, policy, project_root, home, analysis, env)
    if not hits:
        return ev.allow(hook_id)
    from hookgate.validators.policy import sessions  # only once a rule is hit (ADR 0017)

    session = event.session_id or ""
    st = sessions.load(state_dir, session) if session and state_dir else None
    dirty = False
    workaround = ""
    if st is not None:
        for hit, a in hits:
            if hit.kind == "indeterminate":
                continue
            prev = st["blocked"].get(hit.path) or st["blocked"].get(a.path)
            if prev and prev.get("route") != _route(event, a) and prev.get("id") != record_id:
                workaround = prev.get("id", "")
                break
        if workaround and not st["escalated"]:
            st["escalated"] = workaround
            dirty = True
    escalated = bool(st and st["escalated"])
    # the strongest hit (the first of equals), a warning held for approval once escalated
    outcome, hit, a = max(((ev.CHECKPOINT if escalated and h.outcome == ev.WARN else h.outcome, h, x) for h, x in hits),
                          key=lambda t: RANK[t[0]])
    rule = hit.rule
    reason = _describe(kind, hit, a, event)
    if escalated and hit.outcome == ev.WARN:
        reason += "; held for approval because this session already worked around a block"
    if workaround:
        reason += f"; another route to a path blocked earlier in this session (record {workaround})"
        if notes is not None:
            notes["workaround_of"] = workaround
    if hit.kind == "indeterminate":
        alt = ("use a literal path that is not a protected file, or ask the user; "
               + (rule.get("instead") or "") + " " + NO_RETRY).strip()
    else:
        alt = ((rule.get("instead") or "ask the user to do it") + ". " + NO_RETRY)
    paths = tuple(sorted({h.path for h, _ in hits if h.path}))[:20]
    verdict = ev.Verdict(hook_id, outcome, rule["id"], reason, adr, alt, paths)
    if st is not None and outcome in ev.BLOCKING_OUTCOMES and stage == ev.ENFORCE:
        blocks = outcome == ev.BLOCK or not event.capabilities.can_ask
        if blocks:
            for h, acc in hits:
                if h.kind == "indeterminate" or h.outcome not in ev.BLOCKING_OUTCOMES:
                    continue
                for key in {h.path, acc.path}:
                    if key and key not in st["blocked"]:
                        st["blocked"][key] = {"id": record_id or "", "route": _route(event, acc), "hook": hook_id}
                        dirty = True
    if dirty and st is not None:
        sessions.save(state_dir, session, st)
    return verdict
