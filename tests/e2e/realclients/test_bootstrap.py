"""Issue #16 item 12: the first test run on a fresh machine installs the real clients with npm
without touching the real HOME (npm's cache and config go into the client cache), once even
with several pytest workers. A stand-in `npm` records what the harness gave it."""

from __future__ import annotations

import json
import os
import stat


from tests.e2e.realclients import clients  # noqa: E402


def _fake_tools(bindir, log):
    bindir.mkdir()
    npm = bindir / "npm"
    npm.write_text(
        "#!/usr/bin/env python3\n"
        "import json, os, sys\n"
        "prefix = sys.argv[sys.argv.index('--prefix') + 1]\n"
        "spec = sys.argv[-1]; name = spec.rsplit('@', 1)[0]\n"
        "d = os.path.join(prefix, 'node_modules', *name.split('/')); os.makedirs(d, exist_ok=True)\n"
        "open(os.path.join(d, 'package.json'), 'w').write('{}')\n"
        f"open({str(log)!r}, 'a').write(json.dumps({{'HOME': os.environ['HOME'], "
        "'cache': os.environ.get('npm_config_cache', '')}) + '\\n')\n")
    (bindir / "node").write_text("#!/bin/sh\nexit 0\n")
    for f in ("npm", "node"):
        p = bindir / f
        p.chmod(p.stat().st_mode | stat.S_IEXEC)


def test_npm_install_never_uses_the_real_home(tmp_path, monkeypatch):
    cache = tmp_path / "npm-clients"
    log = tmp_path / "npm.log"
    _fake_tools(tmp_path / "bin", log)
    monkeypatch.setenv("HOOKGATE_NPM_CACHE", str(cache))
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    import pwd

    real_home = pwd.getpwuid(os.getuid()).pw_dir
    monkeypatch.setenv("HOME", real_home)  # as on the first run, before any per-test HOME
    pkg_dir = clients.ensure_client(("@example/agent", "1.0.0", "agent"))
    assert os.path.isfile(os.path.join(pkg_dir, "package.json"))
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(calls) == 1
    assert calls[0]["HOME"].startswith(str(cache)) and calls[0]["cache"].startswith(str(cache))
    assert calls[0]["HOME"] != real_home
    clients.ensure_client(("@example/agent", "1.0.0", "agent"))  # cached: npm is not run again
    assert len(log.read_text().splitlines()) == 1
