"""A real PostgreSQL for the tests (ADR 0028): the Debian package's server, a data dir under a
temp folder, a free loopback port, password (scram) authentication — nothing mocked.

``scripts/test`` installs the ``postgresql`` package when it is missing. ``initdb``/``pg_ctl``
refuse to run as root, so as root the cluster belongs to the ``postgres`` system user (the
package creates it). A cluster is started only by the tests that ask for one (the ``pg``
fixture in ``tests/conftest.py``): one per test worker, one database per test.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time

SUPERUSER = "hookgate_test"
PASSWORD = "s3cret-for-tests-only"


def pg_bin(name: str) -> str:
    cands = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if cands:
        return cands[-1]
    found = shutil.which(name)
    if found:
        return found
    raise RuntimeError(f"PostgreSQL's {name} is not installed (scripts/test installs the Debian "
                       "package `postgresql`: apt-get install postgresql)")


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _as_owner() -> dict:
    if os.geteuid() != 0:
        return {}
    pw = pwd.getpwnam("postgres")
    return {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}


class Cluster:
    """One PostgreSQL server: ``start()``, ``stop()``, ``create_db()``; stop() + rmtree at close."""

    def __init__(self) -> None:
        self.base = tempfile.mkdtemp(prefix="hookgate-pg-")
        os.chmod(self.base, 0o755)
        self.data = os.path.join(self.base, "data")
        self.sockdir = os.path.join(self.base, "sock")
        self.log = os.path.join(self.base, "server.log")
        self.port = free_port()
        self.host = "127.0.0.1"
        self.user = SUPERUSER
        self.password = PASSWORD
        owner = _as_owner()
        os.mkdir(self.sockdir, 0o755)
        pwfile = os.path.join(self.base, "pw")
        with open(pwfile, "w") as f:
            f.write(PASSWORD + "\n")
        if owner:
            for p in (self.base, self.sockdir, pwfile):
                os.chown(p, owner["user"], owner["group"])
        subprocess.run([pg_bin("initdb"), "-D", self.data, "-U", SUPERUSER, f"--pwfile={pwfile}",
                        "-A", "scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
                       check=True, capture_output=True, cwd=self.base, **owner)
        os.unlink(pwfile)
        with open(os.path.join(self.data, "postgresql.auto.conf"), "a") as f:
            f.write(f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                    f"unix_socket_directories = '{self.sockdir}'\nmax_connections = 200\n"
                    "shared_buffers = 32MB\nfsync = on\nsynchronous_commit = on\n")
        self.start()

    def _pg_ctl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([pg_bin("pg_ctl"), "-D", self.data, "-l", self.log, *args],
                              check=check, capture_output=True, cwd=self.base, timeout=120, **_as_owner())

    def start(self) -> None:
        self._pg_ctl("start", "-w", "-t", "60")
        self.wait_ready()

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("stop", "-w", "-m", mode, "-t", "60", check=False)

    def running(self) -> bool:
        return self._pg_ctl("status", check=False).returncode == 0

    def wait_ready(self, timeout: float = 30.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                socket.create_connection((self.host, self.port), 0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"PostgreSQL did not start on port {self.port}: see {self.log}")

    def psql(self, sql: str, db: str = "postgres") -> str:
        env = dict(os.environ, PGPASSWORD=PASSWORD)
        r = subprocess.run([pg_bin("psql"), "-X", "-q", "-t", "-A", "-h", self.host, "-p", str(self.port),
                            "-U", SUPERUSER, "-d", db, "-v", "ON_ERROR_STOP=1", "-c", sql],
                           capture_output=True, text=True, env=env, timeout=60)
        if r.returncode != 0:
            raise RuntimeError(f"psql failed: {r.stderr}")
        return r.stdout.strip()

    def create_db(self, name: str) -> str:
        self.psql(f'CREATE DATABASE "{name}"')
        return name

    def close(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)


def write_pgpass(home: str, cluster: Cluster, db: str = "*") -> str:
    """The per-user secret (ADR 0028): ``~/.config/hookgate/pgpass`` (libpq's format, 0600)."""
    d = os.path.join(home, ".config", "hookgate")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "pgpass")
    with open(path, "w") as f:
        f.write(f"{cluster.host}:{cluster.port}:{db}:{cluster.user}:{cluster.password}\n")
    os.chmod(path, 0o600)
    return path
