"""Merge hookgate's wiring into an agent's settings file, and take it out again (ADR 0011).

The algorithm (ADR 0011): load strictly (missing → ``{}``; unparseable, duplicate
keys, comments or an unexpected shape → :class:`Refusal`, nothing written); remove every
marker-identified entry (current and stale); append the current ones after the foreign
entries of each event; serialise with ``indent=2`` + newline. Install twice → the same bytes.
Uninstall works on the file as it is now: it restores the one-time backup's exact bytes only when
that backup holds no hookgate entry and equals the file minus hookgate, deletes a file hookgate
created, and otherwise writes the file minus hookgate's entries (so no entry ever survives).
"""

from __future__ import annotations

import copy
import json
import os
from hookgate.installer import targets
from hookgate.installer.targets import Plan, Refusal, read_bytes  # noqa: F401 (re-exported: merge.Plan …)

BACKUP_SUFFIX = ".hookgate.bak"

def _no_dupes(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError(f"duplicate key {k!r}")
        d[k] = v
    return d


def load(path: str, data: bytes | None) -> dict:
    if data is None:
        return {}
    try:
        text = data.decode("utf-8")
        if text.startswith("\ufeff"):
            text = text[1:]
        doc = json.loads(text, object_pairs_hook=_no_dupes) if text.strip() else {}
    except (UnicodeDecodeError, ValueError) as e:
        hint = ""
        if b"//" in data or b"/*" in data:
            hint = " (it looks like it has comments: the agent may accept them, but hookgate will not rewrite such a file; remove the comments or add the entries by hand)"
        raise Refusal(f"{path}: not strict JSON: {str(e).splitlines()[0]}{hint}; nothing was written") from None
    if not isinstance(doc, dict):
        raise Refusal(f"{path}: top level is a {type(doc).__name__}, expected an object; nothing was written")
    hooks = doc.get("hooks")
    if hooks is not None and not isinstance(hooks, dict):
        raise Refusal(f"{path}: \"hooks\" is not an object; nothing was written")
    for ev_name, entries in (hooks or {}).items():
        if not isinstance(entries, list):
            raise Refusal(f"{path}: hooks.{ev_name} is not a list; nothing was written")
    return doc


def dump(doc: dict) -> bytes:
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def remove_ours(doc: dict, platform: str) -> tuple[dict, int]:
    """*doc* without hookgate's entries (containers they emptied are pruned); (doc, count)."""
    doc = copy.deepcopy(doc)
    hooks = doc.get("hooks")
    if not isinstance(hooks, dict):
        return doc, 0
    removed = 0
    nested = targets.layout(platform) == "nested"
    for ev_name in list(hooks):
        entries = hooks[ev_name]
        kept = []
        for entry in entries:
            if nested and isinstance(entry, dict) and isinstance(entry.get("hooks"), list):
                inner = [h for h in entry["hooks"] if not targets.is_ours(h, platform)]
                n = len(entry["hooks"]) - len(inner)
                removed += n
                if n and not inner:
                    continue
                if n:
                    entry = dict(entry, hooks=inner)
                kept.append(entry)
            elif not nested and targets.is_ours(entry, platform):
                removed += 1
            else:
                kept.append(entry)
        if kept or not entries:
            hooks[ev_name] = kept
        else:
            del hooks[ev_name]
    if removed and not hooks:
        del doc["hooks"]
    return doc, removed


def add_ours(doc: dict, platform: str, command: str) -> tuple[dict, int]:
    tpl = targets.template(platform, command)
    doc = copy.deepcopy(doc)
    if platform in targets.VERSIONED and "version" not in doc:
        doc = {"version": tpl.get("version", 1), **doc}
    hooks = doc.setdefault("hooks", {})
    added = 0
    for ev_name, entries in tpl["hooks"].items():
        hooks.setdefault(ev_name, []).extend(copy.deepcopy(entries))
        added += len(entries)
    return doc, added


def _norm(doc: dict) -> dict:
    """For comparing: empty event lists and an empty ``hooks`` object count as absent."""
    hooks = doc.get("hooks")
    if not isinstance(hooks, dict):
        return doc
    hooks = {k: v for k, v in hooks.items() if v != []}
    return {**{k: v for k, v in doc.items() if k != "hooks"}, **({"hooks": hooks} if hooks else {})}


def _empty(doc: dict, platform: str) -> bool:
    rest = {k: v for k, v in doc.items() if not (platform in targets.VERSIONED and k == "version")}
    return not rest or rest == {"hooks": {}}


def wants_backup(path: str, before: bytes | None, after: bytes, removed: int, touched: bool = False) -> bool:
    """The one-time backup is of the file as it was before hookgate ever touched it: a file that
    already holds hookgate's entries (*removed*) or settings (*touched*) is not an original —
    restoring it would re-wire hookgate (issue #16 item 5)."""
    return (before is not None and not removed and not touched and after != before
            and not os.path.exists(path + BACKUP_SUFFIX))


def restorable(path: str, platform: str, backup: bytes, stripped: dict) -> bool:
    """Uninstall puts the backup's exact bytes back only when it holds nothing of hookgate's and
    equals the file as it is now minus hookgate; otherwise it writes the file minus hookgate."""
    try:
        original = load(path + BACKUP_SUFFIX, backup)
    except Refusal:
        return False
    return remove_ours(original, platform)[1] == 0 and _norm(original) == _norm(stripped)


def plan_install(t: targets.Target, command: str, transform=None) -> Plan:
    """*transform*: doc → doc applied right after loading (the floor's settings, ADR 0020)."""
    if targets.layout(t.platform) == "plugin":
        from hookgate.installer import plugin

        return plugin.plan_install(t, command)
    before = read_bytes(t.path)
    doc = loaded = load(t.path, before)
    if transform is not None:
        doc = transform(doc)
    stripped, removed = remove_ours(doc, t.platform)
    merged, added = add_ours(stripped, t.platform, command)
    after = dump(_keep_order(loaded, merged))
    return Plan(t, before, after, wants_backup(t.path, before, after, removed), False, removed, added)


def _keep_order(doc: dict, merged: dict) -> dict:
    """*merged* with the top-level keys in the order the file had them (new keys last): a
    ``hooks`` object that held only hookgate's entries is pruned and re-added last, and the
    floor's keys are taken out and put back, which would otherwise reorder the file on a
    second install (install twice must give the same bytes)."""
    out = {k: merged[k] for k in doc if k in merged}
    out.update((k, v) for k, v in merged.items() if k not in out)
    return out


def plan_uninstall(t: targets.Target, transform=None) -> Plan:
    """*transform*: doc → doc without hookgate's non-hook entries (the floor, ADR 0020)."""
    if targets.layout(t.platform) == "plugin":
        from hookgate.installer import plugin

        return plugin.plan_uninstall(t)
    before = read_bytes(t.path)
    if before is None:
        return Plan(t, None, None, False, False, 0, 0)
    doc = load(t.path, before)
    transformed = transform(doc) if transform is not None else doc
    changed = transformed != doc
    doc = transformed
    stripped, removed = remove_ours(doc, t.platform)
    if not removed and changed:
        return Plan(t, before, dump(stripped), False, False, 0, 0)
    if not removed:
        return Plan(t, before, before, False, False, 0, 0)
    backup = read_bytes(t.path + BACKUP_SUFFIX)
    if backup is not None:
        if restorable(t.path, t.platform, backup, stripped):
            return Plan(t, before, backup, False, True, removed, 0)
    elif _empty(stripped, t.platform):
        return Plan(t, before, None, False, False, removed, 0)  # hookgate created this file
    return Plan(t, before, dump(stripped), False, False, removed, 0)


def apply(plan: Plan) -> str:
    """Write *plan*; return what happened (unchanged | created | updated | restored | removed)."""
    from hookgate.state import files

    path = plan.target.path
    if plan.after == plan.before:
        return "unchanged"
    if plan.after is None:
        os.unlink(path)
        return "removed"
    mode = 0o644
    if plan.before is not None:
        mode = os.stat(path).st_mode & 0o7777
    if plan.backup_new:
        files.replace(path + BACKUP_SUFFIX, plan.before, mode=mode)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    files.replace(path, plan.after, mode=mode)
    if plan.restore:
        try:
            os.unlink(path + BACKUP_SUFFIX)
        except OSError:
            pass
        return "restored"
    return "created" if plan.before is None else "updated"
