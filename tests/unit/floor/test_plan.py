"""The floor's plan (ADR 0020): the fast walk finds exactly what classifying every path finds;
symlinks, odd names, a project under a symlinked directory."""

from __future__ import annotations

import os

from hookgate.core import config
from hookgate.core import event as ev
from hookgate.floor.plan import _blocked, _whole, build
from hookgate.validators.policy.classify import Classifier

NAMES = [".env", ".ENV", ".env.local", ".env.example", "a.pem", "A.PEM", "x.key", "id_rsa", "id_rsa.pub", "notes.txt",
         "envy", "my.env", "pem", "with space.env.x", "new\nline.env", "secret"]


def _tree(root: str) -> None:
    for d in ("", "src", "src/deep", "secrets", "lib/secrets", "lib/Secrets/sub", ".github/workflows", "x y"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
        for n in NAMES:
            p = os.path.join(root, d, n)
            if not os.path.exists(p):
                with open(p, "w") as f:
                    f.write("v\n")
    os.makedirs(os.path.join(root, ".git"), exist_ok=True)
    os.symlink(os.path.join(root, ".env"), os.path.join(root, "src", "innocent"))
    os.symlink(os.path.join(root, "secrets"), os.path.join(root, "src", "linkdir"))


def _brute(root: str, home: str) -> tuple[set, set]:
    pol = config.defaults()["policies"]["read-guard"]
    cls = Classifier(pol, root, home)
    files, dirs = set(), set()
    for d, subdirs, names in os.walk(root):
        subdirs[:] = [s for s in subdirs if s != ".git"]
        for s in list(subdirs):
            p = os.path.join(d, s)
            if _whole(cls, p) or _whole(cls, os.path.realpath(p)):
                dirs.add(os.path.realpath(p))
                subdirs.remove(s)
        for n in names:
            p = os.path.join(d, n)
            if _blocked(cls, (p, os.path.realpath(p))) is not None:
                files.add(os.path.realpath(p))
    return files, dirs


def test_fast_walk_equals_brute_force(tmp_path, home):
    root = str(tmp_path / "proj")
    os.makedirs(root)
    _tree(root)
    plan = build(root, home=str(home), env={"HOME": str(home), "HOOKGATE_RUNTIME_DIR": str(home) + "/.rt"}, compiled=config.defaults())
    files, dirs = _brute(root, str(home))
    inside = lambda p: any(p == d or p.startswith(d + "/") for d in plan.mask_dirs)  # noqa: E731
    assert set(plan.mask_files) == {f for f in files if not inside(f)}
    assert set(plan.mask_dirs) == {d for d in dirs if not inside(os.path.dirname(d))}
    assert os.path.join(root, ".ENV") in plan.mask_files and os.path.join(root, "new\nline.env") not in plan.mask_files
    assert os.path.join(root, "lib", "Secrets") in plan.mask_dirs
    assert os.path.join(root, ".env.example") not in plan.mask_files
    gh = os.path.join(root, ".github", "workflows")
    assert gh not in plan.protected() and os.path.join(gh, "notes.txt") not in plan.protected()  # checkpoint tier


def test_project_under_a_symlinked_directory(tmp_path, home):
    real = tmp_path / "real"
    real.mkdir()
    (real / ".git").mkdir()
    (real / ".env").write_text("x\n")
    link = tmp_path / "link"
    os.symlink(real, link)
    plan = build(str(link), home=str(home), env={"HOME": str(home), "HOOKGATE_RUNTIME_DIR": str(home) + "/.rt"}, compiled=config.defaults())
    assert plan.mask_files == [str(real / ".env")]


def test_home_places(tmp_path):
    home = tmp_path / "Home With Caps"
    (home / ".ssh").mkdir(parents=True)
    for n in ("id_ed25519", "id_ed25519.pub", "known_hosts", "config"):
        (home / ".ssh" / n).write_text("x\n")
    (home / ".config" / "gcloud").mkdir(parents=True)
    root = tmp_path / "p"
    (root / ".git").mkdir(parents=True)
    plan = build(str(root), home=str(home), env={"HOME": str(home), "HOOKGATE_RUNTIME_DIR": str(home) + "/.rt"}, compiled=config.defaults())
    assert plan.mask_files == [str(home / ".ssh" / "id_ed25519")]
    assert str(home / ".config" / "gcloud") in plan.mask_dirs
    assert str(home / ".ssh") in plan.read_only
    assert str(home / ".netrc") in plan.absent
    assert ev.BLOCK
