"""The package's byte code in one file, for the one-shot hook process (ADR 0017; figures in ADR 0025).

A hook call imports 50–70 hookgate modules. The normal import of each one searches its
package directory, stats the source, opens, reads and checks its ``.pyc``: about a third of
the import time on this path. :func:`install` puts a finder first on ``sys.meta_path`` that
reads each module's code object from one bundle file instead (one ``stat`` of the source, one
``pread``). It is an accelerator only, never a second source of truth:

- a module whose source changed since the bundle was built (mtime or size), that the bundle
  does not hold, or whose entry cannot be read, is imported the normal way;
- a bundle of another interpreter (magic number), of another format, unreadable or absent is
  no bundle;
- the hook path never writes it: :func:`build` does (``scripts/test``, ``install.sh``, the
  benchmarks, ``python -m hookgate.bundle``), compiling the sources as ``compileall`` would.

The bundle lives in the package's ``__pycache__`` (as the ``.pyc`` files do, with their
trust: whoever can write there can already replace any module). Standard library only;
imports nothing of hookgate.
"""

import marshal
import sys

FORMAT = b"HGB1"
SKIP = frozenset(("cli", "installer"))  # subpackages never on the hook path (typer, the installer)
# standard library modules every hook call imports the normal way otherwise (a search of
# sys.path, a .pyc read): ``__future__`` (every hookgate module's first line). Served, and
# checked against their source, as the package's own; this module does not import it itself
# (the launcher runs it before the bundle is installed).
STDLIB = ("__future__",)
# package data a hook call parses on every call, held parsed (``marshal`` of the JSON value), under
# "data:<name>", checked against its file like a module (``_Finder.data``; ``config.defaults``)
DATA = ("_defaults.json",)


def _magic() -> bytes:
    return bytes(sys.modules["_frozen_importlib_external"].MAGIC_NUMBER)


def path(pkg_dir: str | None = None) -> str:
    import os

    pkg_dir = pkg_dir or os.path.dirname(os.path.abspath(__file__))
    return os.path.join(pkg_dir, "__pycache__", f"bundle.{sys.implementation.cache_tag}.bin")


def build(pkg_dir: str | None = None) -> str:
    """Compile every module of the package (but ``SKIP``) into the bundle; return its path.
    Written whole: temp file, fsync, ``os.replace``."""
    import os

    pkg_dir = os.path.abspath(pkg_dir or os.path.dirname(os.path.abspath(__file__)))
    top = os.path.dirname(pkg_dir)
    index: dict[str, tuple[int, int, bool, str, int, int]] = {}
    blob = bytearray()
    for d, dirs, files in os.walk(pkg_dir):
        dirs[:] = sorted(x for x in dirs if x != "__pycache__")
        for f in sorted(files):
            if not f.endswith(".py"):
                continue
            src = os.path.join(d, f)
            dotted = os.path.relpath(src, top)[:-3].replace(os.sep, ".")
            is_pkg = dotted.endswith(".__init__")
            name = dotted[: -len(".__init__")] if is_pkg else dotted
            if name.split(".")[1:2] and name.split(".")[1] in SKIP:
                continue
            with open(src, "rb") as fh:
                st = os.fstat(fh.fileno())
                code = compile(fh.read(), src, "exec", dont_inherit=True)
            data = marshal.dumps(code)
            index[name] = (len(blob), len(data), is_pkg, src, st.st_mtime_ns, st.st_size)
            blob += data
    for name in STDLIB:
        std = getattr(__import__(name), "__file__", None)
        if not isinstance(std, str) or not std.endswith(".py"):
            continue  # frozen or built in here: nothing to serve
        with open(std, "rb") as fh:
            st = os.fstat(fh.fileno())
            code = compile(fh.read(), std, "exec", dont_inherit=True)
        data = marshal.dumps(code)
        index[name] = (len(blob), len(data), False, std, st.st_mtime_ns, st.st_size)
        blob += data
    for rel in DATA:
        import json

        src = os.path.join(pkg_dir, rel)
        try:
            with open(src, "rb") as fh:
                st = os.fstat(fh.fileno())
                value = json.loads(fh.read())
        except (OSError, ValueError):
            continue  # no such data here, or not JSON: read the normal way (and fail there)
        data = marshal.dumps(value)
        index["data:" + rel] = (len(blob), len(data), False, src, st.st_mtime_ns, st.st_size)
        blob += data
    idx = marshal.dumps(index)
    out = path(pkg_dir)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    tmp = f"{out}.{os.getpid()}.tmp"
    with open(tmp, "wb") as fh:
        fh.write(_magic() + FORMAT + len(idx).to_bytes(8, "little") + idx + blob)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, out)
    return out


class _Finder:
    """A meta-path finder and loader over one bundle file (see the module's docstring)."""

    def __init__(self, fd: int, index: dict, base: int) -> None:
        import os

        self.fd, self.index, self.base = fd, index, base
        self._stat, self._pread = os.stat, os.pread
        self._spec = sys.modules["_frozen_importlib"].ModuleSpec
        self._tag = sys.implementation.cache_tag
        self._module_type = type(sys)
        self.done = {n for n in index if n in sys.modules}  # loaded whole (the fast import's)
        import _imp
        import builtins

        self._lock, self._unlock = _imp.acquire_lock, _imp.release_lock  # the import lock (threads)
        self._import = builtins.__import__

    def find_spec(self, name, path=None, target=None):  # noqa: ARG002 - the finder protocol
        e = self.index.get(name)
        if e is None:
            return None
        off, n, is_pkg, src, mtime_ns, size = e
        try:
            st = self._stat(src)
            if st.st_mtime_ns != mtime_ns or st.st_size != size:
                return None  # changed since the bundle was built: the normal import
            data = self._pread(self.fd, n, self.base + off)
            code = marshal.loads(data) if len(data) == n else None
        except Exception:  # noqa: BLE001 - an unreadable entry: the normal import
            return None
        if code is None:
            return None
        spec = self._spec_of(name, src, is_pkg)
        spec.loader_state = code
        return spec

    def _spec_of(self, name: str, src: str, is_pkg: bool):
        spec = self._spec(name, self, origin=src, is_package=is_pkg)
        spec.has_location = True
        d, _, f = src.rpartition("/")
        spec.cached = f"{d}/__pycache__/{f[:-3]}.{self._tag}.pyc"  # as cache_from_source, ~5 µs less a module
        if is_pkg:
            spec.submodule_search_locations = [d]
        return spec

    def _init(self, m, spec) -> None:
        """The module attributes importlib's ``_init_module_attrs`` sets."""
        d = m.__dict__
        d["__spec__"], d["__loader__"], d["__file__"], d["__cached__"] = spec, self, spec.origin, spec.cached
        if spec.submodule_search_locations is not None:
            d["__path__"], d["__package__"] = spec.submodule_search_locations, spec.name
        else:
            d["__package__"] = spec.name.rpartition(".")[0]

    def data(self, rel: str, src: str):
        """The JSON value of package data file *rel* (at *src*) as parsed when the bundle was
        built; None when the bundle does not hold it, or the file changed since (mtime or size)."""
        e = self.index.get("data:" + rel)
        if e is None or e[3] != src:
            return None
        off, n, _pkg, _src, mtime_ns, size = e
        try:
            st = self._stat(src)
            if st.st_mtime_ns != mtime_ns or st.st_size != size:
                return None
            raw = self._pread(self.fd, n, self.base + off)
            return marshal.loads(raw) if len(raw) == n else None
        except Exception:  # noqa: BLE001 - an unreadable entry: the normal read
            return None

    def create_module(self, spec):  # noqa: ARG002 - the loader protocol: the default module
        return None

    def exec_module(self, module) -> None:
        spec = module.__spec__
        code, spec.loader_state = spec.loader_state, None
        exec(code, module.__dict__)

    # --- the fast import (see install()) ------------------------------------------------------

    def load(self, name: str):
        """Import bundle module *name* (its parents first) as importlib would, without its
        machinery; the module, or None when the bundle cannot serve it (the caller then imports
        the normal way). Exceptions of the module's body propagate, as with any import."""
        modules = sys.modules
        m = modules.get(name)
        if m is not None:
            return m if name in self.done else None
        parent, _, child = name.rpartition(".")
        if parent and parent not in modules and self.load(parent) is None:
            return None
        spec = self.find_spec(name)
        if spec is None:
            return None
        m = self._module_type(name)
        self._init(m, spec)
        code, spec.loader_state = spec.loader_state, None
        modules[name] = m
        spec._initializing = True
        try:
            exec(code, m.__dict__)
        except BaseException:
            modules.pop(name, None)
            raise
        finally:
            spec._initializing = False
        m = modules[name]
        self.done.add(name)
        if parent:
            setattr(modules[parent], child, m)
        return m

    def import_(self, name, globals=None, locals=None, fromlist=(), level=0):
        """``builtins.__import__`` for the hook process: a module of the bundle in one call
        (``load``); everything else, and anything unusual, by the interpreter's own."""
        if level == 0 and name in self.index:
            lock = self._lock
            lock()
            try:
                m = self.load(name)
                if m is not None and fromlist:
                    for x in fromlist:
                        if x == "*" or (not hasattr(m, x) and self.load(f"{name}.{x}") is None):
                            m = None
                            break
            finally:
                self._unlock()
            if m is not None:
                if fromlist:
                    return m
                i = name.find(".")
                return m if i < 0 else sys.modules[name[:i]]
        return self._import(name, globals, locals, fromlist, level)


def install(pkg_dir: str | None = None, fast: bool = False) -> bool:
    """Put the bundle's finder first on ``sys.meta_path``; False when there is no usable bundle
    (the normal imports then, as without it).

    *fast* (the one-shot hook process): ``import`` statements of the bundle's modules go
    straight to it (``_Finder.import_``, put in ``builtins.__import__``) instead of through
    importlib's per-module machinery (locks, the meta-path walk, spec handling: ~15 µs a module,
    60-70 modules a call). The module objects are the same (``__spec__``, ``__loader__``,
    ``__file__``, ``__cached__``, ``__path__``, ``__package__``, the parent's attribute); a
    module the bundle cannot serve (changed, absent, unreadable) and every other import go to
    the interpreter's own ``__import__``."""
    global _FINDER
    import os

    if _FINDER is not None:  # the launcher installed it already (adopt)
        return True
    try:
        fd = os.open(path(pkg_dir), os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        head = os.pread(fd, 16, 0)
        magic = _magic()
        if len(head) != 16 or head[:4] != magic or head[4:8] != FORMAT:
            raise ValueError("not a bundle of this interpreter")
        n = int.from_bytes(head[8:16], "little")
        raw = os.pread(fd, n, 16)
        index = marshal.loads(raw) if len(raw) == n else None
        if not isinstance(index, dict):
            raise ValueError("truncated bundle")
    except Exception:  # noqa: BLE001 - no usable bundle: the normal imports
        os.close(fd)
        return False
    _FINDER = finder = _Finder(fd, index, 16 + n)
    sys.meta_path.insert(0, finder)
    if fast:
        import builtins

        builtins.__import__ = finder.import_
    return True


_FINDER: _Finder | None = None  # the installed finder (one a process)


def adopt(fd: int, index: dict, base: int, me=None) -> bool:
    """The hook process's start (``bin/_hookgate_boot.py``), before anything of hookgate is
    imported: the launcher read the bundle's index and ran this module's code from it (*me*:
    that module object, then registered as ``hookgate.bundle``); install the fast finder over
    it and import ``hookgate`` through it (the normal search of ``sys.path`` for the package,
    three ``.pyc`` reads, cost more than the rest of the bundle's start). False: nothing
    installed (the launcher closes *fd*; the normal imports then)."""
    import builtins

    finder = _Finder(fd, index, base)
    sys.meta_path.insert(0, finder)
    builtins.__import__ = finder.import_
    name = "hookgate.bundle"
    try:
        pkg = finder.load("hookgate")
        if pkg is not None:
            if me is None:
                me = finder.load(name)
            elif name not in sys.modules:
                finder._init(me, finder._spec_of(name, index[name][3], False))
                sys.modules[name] = me
                finder.done.add(name)
                pkg.bundle = me
            if me is not None and sys.modules.get(name) is me:
                vars(me)["_FINDER"] = finder  # its install() is then a no-op
                return True
    except Exception:  # noqa: BLE001 - below: as if never installed
        pass
    builtins.__import__ = finder._import
    sys.meta_path.remove(finder)
    for n in (name, "hookgate"):
        if n in finder.done:
            del sys.modules[n]
    return False


def status(pkg_dir: str | None = None) -> tuple[bool, str]:
    """(current, what): whether the bundle serves every module it holds as built, for ``hookgate
    doctor`` and ``hookgate install`` (which builds it when it is not)."""
    import os

    p = path(pkg_dir)
    try:
        with open(p, "rb") as fh:
            head = fh.read(16)
            if len(head) != 16 or head[:4] != _magic() or head[4:8] != FORMAT:
                return False, f"the byte-code bundle {p} is of another interpreter or format"
            n = int.from_bytes(head[8:16], "little")
            index = marshal.loads(fh.read(n))
    except FileNotFoundError:
        return False, f"no byte-code bundle ({p})"
    except (OSError, ValueError, EOFError, TypeError) as e:
        return False, f"the byte-code bundle {p} cannot be read ({e})"
    stale = []
    for name, (_off, _n, _pkg, src, mtime_ns, size) in sorted(index.items()):
        try:
            st = os.stat(src)
        except OSError:
            stale.append(name)
            continue
        if st.st_mtime_ns != mtime_ns or st.st_size != size:
            stale.append(name)
    if stale:
        return False, (f"the byte-code bundle is stale: {len(stale)} of {len(index)} modules changed since it was "
                       f"built (e.g. {stale[0]}); they import the normal way")
    return True, f"byte-code bundle current ({len(index)} modules)"


if __name__ == "__main__":
    print(build(sys.argv[1] if len(sys.argv) > 1 else None))
