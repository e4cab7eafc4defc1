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
