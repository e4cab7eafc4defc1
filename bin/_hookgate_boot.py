"""``hookgate``'s start (bin/hookgate imports it from its own directory, the venv's bin/): a
module, so its byte code is cached (``__pycache__`` beside it) where a script is compiled on
every run (ADR 0017; figures in ADR 0025). It sets up the interpreter's paths for a hook call
started with ``-ES`` (hookgate-client does), then hands over to ``hookgate.__main__.launch()``.
A hook call never ends in a traceback: failing to start is a deny (ADR 0018)."""

import sys


def _venv_paths():
    """What site.py would add for this venv, without importing it (hook calls only). False when
    this is not a venv: the caller runs site.main()."""
    import os

    exe_dir = os.path.dirname(os.path.abspath(sys.executable))
    venv = os.path.dirname(exe_dir)
    if not os.path.isfile(os.path.join(venv, "pyvenv.cfg")):
        return False
    sys.prefix = sys.exec_prefix = venv  # as site.venv() does (runtime.key() reads it)
    sp = os.path.join(venv, "lib", "python%d.%d" % sys.version_info[:2], "site-packages")
    sys.path.append(sp)
    try:
        names = sorted(n for n in os.listdir(sp) if n.endswith(".pth"))
    except OSError:
        return False
    for n in names:  # path lines only (an editable install's source dir); import lines are skipped
        try:
            with open(os.path.join(sp, n), encoding="utf-8") as f:
                lines = f.read().splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for line in lines:
            line = line.rstrip()
            if line and not line.startswith(("#", "import ", "import\t")):
                d = os.path.join(sp, line)
                if d not in sys.path and os.path.isdir(d):
                    sys.path.append(d)
    return True


def _paths():
    if sys.argv[1:2] == ["hook"]:  # a short, bounded process: no cyclic GC passes over the imports
        import gc

        gc.disable()
    if sys.flags.no_site:
        try:
            site_ = not (sys.argv[1:2] == ["hook"] and _venv_paths())
        except Exception:
            site_ = True
        if site_:
            import site

            site.main()
    if sys.argv[1:2] == ["hook"]:
        try:
            _bundle_first()
        except Exception:
            pass


def _bundle_first():
    """Hook calls: start the package's byte-code bundle (hookgate/bundle.py) before anything of
    hookgate is imported, so that ``hookgate`` and ``hookgate.__main__`` come from it too: the
    normal search of sys.path for the package (listing site-packages and the source dir) and
    three .pyc reads cost more than the rest of the bundle's start. Reads the bundle's header
    and index, runs bundle.py's code from it, and hands over to its ``adopt()``. An accelerator:
    on anything unexpected nothing is installed (the normal imports; launch() tries again)."""
    import os

    if os.environ.get("HOOKGATE_BUNDLE") == "off":
        return
    for d in sys.path:  # where the normal import would find the package
        pkg = os.path.join(d, "hookgate")
        if os.path.isfile(os.path.join(pkg, "__init__.py")):
            break
        if os.path.exists(pkg + ".py"):
            return
    else:
        return
    try:
        fd = os.open(os.path.join(pkg, "__pycache__", "bundle.%s.bin" % sys.implementation.cache_tag),
                     os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        import marshal

        head = os.pread(fd, 16, 0)
        if head[:4] != bytes(sys.modules["_frozen_importlib_external"].MAGIC_NUMBER) or head[4:8] != b"HGB1":
            raise ValueError  # another interpreter's or format (bundle.FORMAT)
        n = int.from_bytes(head[8:16], "little")
        index = marshal.loads(os.pread(fd, n, 16))
        off, size, _pkg, src, mtime_ns, src_size = index["hookgate.bundle"]
        st = os.stat(src)
        if st.st_mtime_ns != mtime_ns or st.st_size != src_size or src != os.path.join(pkg, "bundle.py"):
            raise ValueError  # stale: the normal imports
        me = type(sys)("hookgate.bundle")  # becomes sys.modules["hookgate.bundle"] (adopt)
        me.__file__ = src
        exec(marshal.loads(os.pread(fd, size, 16 + n + off)), me.__dict__)
        if me.adopt(fd, index, 16 + n, me):
            return
    except Exception:
        pass
    os.close(fd)


def _import_launch():
    try:
        from hookgate.__main__ import launch
    except ImportError:
        if not sys.flags.no_site or "site" in sys.modules:
            raise
        import site  # not found where a venv keeps it: the normal search, then

        site.main()
        from hookgate.__main__ import launch
    return launch


def run():
    """Start ``hookgate`` as bin/hookgate was called. Never returns."""
    try:
        _paths()
        launch = _import_launch()
    except BaseException as e:  # the catch-all starts here: a hook call never ends in a traceback (ADR 0018)
        if sys.argv[1:2] == ["hook"]:
            sys.stderr.write(f"hookgate: denied: hookgate failed to start ({type(e).__name__}); denied to be safe\n")
            sys.exit(2)
        raise
    launch()  # hookgate/__main__.py: the server first for a hook call, then the decision here
