"""The floor's plan: which existing paths are masked or made read-only (ADR 0020).

One policy, enforced twice. From the project's compiled config:

- **mask** — every existing file the read guard's *deny* tier names (``.env``, ``*.pem``,
  ``~/.ssh/id_*`` …): reads fail (EACCES), writes fail;
- **empty** — every existing directory a deny-tier rule names whole, with no exception
  inside it (``secrets/``, ``~/.config/gcloud/``): it appears empty and read-only;
- **read-only** — every existing path the write guard's *block* tier names (``~/.ssh`` whole),
  and hookgate's own config, state dir, installation and every agent's hook wiring
  (self-protection's places).

Checkpoint- and warn-tier paths are never touched (a human may approve them). Only what
exists when the floor starts can be masked: path masking is a mount on an existing inode.
A literal protected path that does not exist yet is listed in ``Plan.absent`` (the hook
still denies creating it). The walk is bounded; past the bound the plan is refused, never
silently partial.
"""

from __future__ import annotations

import glob
import os
import stat
from dataclasses import dataclass, field

from hookgate.core import config
from hookgate.state import paths
from hookgate.core import event as ev
from hookgate.validators.policy.classify import Classifier
from hookgate.state.globs import seg_match, split
from hookgate.errors import HookgateError

MAX_ENTRIES = 400_000  # directory entries walked (project + protected home prefixes)
MAX_MOUNTS = 3000  # bubblewrap refuses past ~9000 arguments
SKIP_DIRS = frozenset((".git",))  # the repository's object store: see ADR 0020 residual risks


class FloorError(HookgateError):
    """No floor can be built for this project (one line, said to the user)."""


@dataclass
class Plan:
    project_root: str
    home: str
    state_dir: str
    mask_files: list[str] = field(default_factory=list)
    mask_dirs: list[str] = field(default_factory=list)
    read_only: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    walked: int = 0
    notes: list[str] = field(default_factory=list)
    # files hookgate itself is about to write in the same run (``hookgate install``): protected
    # as soon as they exist, and listed from the first run so that a second run is byte-equal
    own_extra: list[str] = field(default_factory=list)

    def protected(self) -> list[str]:
        return self.mask_files + self.mask_dirs + self.read_only


def _rule_of(cls: Classifier, path: str):
    i = cls.best(split(path.lower()))
    return None if i is None else cls.rules[i]


def _blocked(cls: Classifier, forms) -> dict | None:
    """The deny/block rule that names one of *forms* (the name used, the real path)."""
    for f in forms:
        r = _rule_of(cls, f)
        if r is not None and r.get("tier") == ev.BLOCK:
            return r
    return None


def _whole(cls: Classifier, path: str) -> bool:
    """A directory a blocking rule names whole: every path beneath it is that rule's, with no
    exception (``secrets/`` yes; ``~/.ssh/**`` with ``*.pub`` excepted, no)."""
    r = _rule_of(cls, path)
    if r is None or r.get("tier") != ev.BLOCK or r.get("exc"):
        return False
    return _rule_of(cls, path + "/x/y") is r


class _Walk:
    """Bounded walk. Most entries are ordinary sources: a file is classified in full only when
    its name could be the last component of some blocking pattern (literal, or a glob whose
    literal head/tail match), or when it lies in a directory a blocking ``dir/**`` rule covers.
    Sound: a path matches a pattern only if its name matches the pattern's last component, or
    (``…/X/**``) an ancestor directory matches ``…/X`` — and every directory is classified."""

    def __init__(self, read_cls: Classifier, write_cls: Classifier):
        self.classes = (read_cls, write_cls)
        self.read_cls = read_cls
        self.write_cls = write_cls
        self.mask_files: set[str] = set()
        self.mask_dirs: set[str] = set()
        self.read_only: set[str] = set()
        self.seen_dirs: set[str] = set()
        self.entries = 0
        self.lit: set[str] = set()
        self.globs: list[tuple[str, str, str]] = []
        self.every = False
        for cls in self.classes:
            for r in cls.rules:
                if r.get("tier") != ev.BLOCK:
                    continue
                for _anchor, segs, kinds, _spec in r.get("pats") or ():
                    i = len(segs) - 1
                    while i >= 0 and kinds[i] == "D":
                        i -= 1
                    if i < 0:
                        self.every = True
                        continue
                    seg = segs[i]
                    if kinds[i] == "L":
                        self.lit.add(seg)
                        continue
                    cut = min((seg.index(c) for c in "*?[" if c in seg), default=len(seg))
                    tail = "" if "[" in seg else seg[max(seg.rfind("*"), seg.rfind("?")) + 1 :]
                    self.globs.append((seg[:cut], tail, seg))

    def _count(self) -> None:
        self.entries += 1
        if self.entries > MAX_ENTRIES:
            raise FloorError(
                f"more than {MAX_ENTRIES} entries to scan under the protected places; "
                "the floor cannot promise to cover them all"
            )

    def may(self, name: str) -> bool:
        n = name.lower()
        if self.every or n in self.lit:
            return True
        for head, tail, g in self.globs:
            if n.startswith(head) and n.endswith(tail) and seg_match(g, n):
                return True
        return False

    def covers_contents(self, forms) -> bool:
        return any(_blocked(cls, [f + "/x"]) is not None for cls in self.classes for f in forms)

    def consider(self, path: str, is_dir: bool, real: str | None = None) -> bool:
        """Classify one path; True when a directory should be descended into."""
        real = os.path.realpath(path) if real is None else real
        forms = (path,) if real == path else (path, real)
        if is_dir:
            if any(_whole(self.read_cls, f) for f in forms):
                self.mask_dirs.add(real)
                return False
            if any(_whole(self.write_cls, f) for f in forms):
                self.read_only.add(real)
            return True
        if _blocked(self.read_cls, forms) is not None:
            self.mask_files.add(real)
        elif _blocked(self.write_cls, forms) is not None:
            self.read_only.add(real)
        return False

    def walk(self, top: str, is_root: bool = False) -> None:
        """Walk *top*; unless it is the project root itself, *top* is classified too (a
        protected home prefix such as ``~/.ssh`` is itself the protected directory)."""
        try:
            st = os.stat(top)
        except OSError:
            return
        real_top = os.path.realpath(top)
        if not stat.S_ISDIR(st.st_mode):
            self._count()
            self.consider(top, False, real_top)
            return
        if not is_root and not self.consider(top, True, real_top):
            return
        forms = (top,) if real_top == top else (top, real_top)
        stack = [(top, real_top, self.covers_contents(forms))]
        while stack:
            d, real, scoped = stack.pop()
            if real in self.seen_dirs:
                continue
            self.seen_dirs.add(real)
            try:
                it = os.scandir(d)
            except OSError:
                continue
            with it:
                for e in it:
                    self._count()
                    p = os.path.join(d, e.name)
                    link = e.is_symlink()
                    try:
                        is_dir = e.is_dir()  # follows symlinks: a link to a directory is walked
                    except OSError:
                        is_dir = False
                    if link:
                        if not os.path.exists(p):
                            continue  # dangling: nothing to mask
                        r = os.path.realpath(p)
                    else:
                        r = os.path.join(real, e.name)
                    if is_dir:
                        if e.name in SKIP_DIRS and not link:
                            continue
                        if self.consider(p, True, r):
                            f2 = (p,) if p == r else (p, r)
                            stack.append((p, r, scoped or self.covers_contents(f2)))
                    elif scoped or self.may(e.name) or (link and self.may(os.path.basename(r))):
                        self.consider(p, False, r)


def _home_prefixes(cls: Classifier, home: str) -> list[str]:
    """The literal directory or file each home-anchored blocking rule starts from
    (``~/.ssh``, ``~/.aws/credentials``), spelled with the real home's case."""
    out = []
    n = len(cls.home_segs)
    for i, lit, in_project in cls.prefixes:
        if in_project or cls.rules[i].get("tier") != ev.BLOCK:
            continue
        out.append(_case_fix(os.path.join(home, *lit[n:])))
    return out


def _literal_paths(cls: Classifier, home: str) -> list[str]:
    """Protected home paths named exactly (``~/.netrc``): candidates for :attr:`Plan.absent`."""
    out = []
    for r in cls.rules:
        if r.get("tier") != ev.BLOCK:
            continue
        for anchor, segs, kinds, _spec in r.get("pats") or ():
            if anchor == "home" and set(kinds) == {"L"}:
                out.append(os.path.join(home, *segs))
    return out


def _case_fix(path: str) -> str:
    """Patterns are lower-cased: the on-disk spelling of each component, when it exists."""
    if os.path.lexists(path):
        return path
    d, name = os.path.split(path)
    if not d or d == path:
        return path
    d = _case_fix(d)
    try:
        for n in os.listdir(d):
            if n.lower() == name.lower():
                return os.path.join(d, n)
    except OSError:
        pass
    return os.path.join(d, name)


def self_protected(project_root: str, state_dir: str, home: str) -> list[str]:
    """Existing files and directories self-protection guards (ADR 0006), absolute and real."""
    from hookgate.validators.self_protection import protected_places

    dirs, files = protected_places(project_root, state_dir, home, os.environ)
    out = []
    for d in dirs:
        if os.path.isdir(d):
            out.append(os.path.realpath(d))
    for pat in files:
        for p in sorted(glob.glob(glob.escape(os.path.dirname(pat)) + "/" + os.path.basename(pat))) if "*" in pat else [pat]:
            if os.path.lexists(p) and not os.path.isdir(p):
                out.append(os.path.realpath(p))
    return out


def _server_runtime(env) -> list[str]:
    """The decision server's runtime dir (socket, secret; ADR 0025), masked whole: inside the
    floor hooks reach hookgate through the broker, and Claude's http hook over loopback TCP."""
    from hookgate.server.runtime import runtime_dir

    d = runtime_dir(env)
    return [os.path.realpath(d)] if os.path.isdir(d) else []


def build(project_root: str, home: str | None = None, env: dict | None = None, compiled: dict | None = None) -> Plan:
    """The plan for *project_root*: walk the project and the protected home places."""
    env = dict(os.environ) if env is None else env
    home = paths.home_dir(env) if home is None else home
    project_root = os.path.realpath(project_root)
    home_real = os.path.realpath(home)
    state = paths.state_dir(project_root, env)
    notes: list[str] = []
    if compiled is None:
        compiled, refusal = config.load(project_root, state)
        if refusal:
            notes.append(f"project config refused ({refusal.get('error', '')}); the last good config applies")
    policies = compiled.get("policies") or {}
    read_pol = policies.get("read-guard") or {"rules": []}
    write_pol = policies.get("write-guard") or {"rules": []}
    # rules match both the spelling used and the real path: classify against the real home
    # and root, and the spelled ones (a project under a symlinked directory)
    read_cls = Classifier(read_pol, project_root, home_real)
    write_cls = Classifier(write_pol, project_root, home_real)
    sp = self_protected(project_root, state, home)
    w = _Walk(read_cls, write_cls)
    w.walk(project_root, is_root=True)
    for cls in (read_cls, write_cls):
        for p in _home_prefixes(cls, home_real):
            if os.path.lexists(p):
                w.walk(p)
    absent = sorted({p for cls in (read_cls, write_cls) for p in _literal_paths(cls, home_real) if not os.path.lexists(_case_fix(p))})
    mask_dirs = _outermost(set(w.mask_dirs) | set(_server_runtime(env)))
    inside_masked = lambda p: any(paths.is_under(p, d) for d in mask_dirs)  # noqa: E731
    mask_files = sorted(p for p in w.mask_files if not inside_masked(p))
    read_only = _outermost(p for p in set(w.read_only) | set(sp) if not inside_masked(p) and p not in w.mask_files)
    plan = Plan(project_root, home, state, mask_files, mask_dirs, read_only, absent, w.entries, notes)
    if len(plan.protected()) > MAX_MOUNTS:
        raise FloorError(f"{len(plan.protected())} protected paths to mount (limit {MAX_MOUNTS})")
    return plan


def _outermost(dirs) -> list[str]:
    out: list[str] = []
    for d in sorted(dirs, key=lambda p: (p.count("/"), p)):
        if not any(paths.is_under(d, o) for o in out):
            out.append(d)
    return out
