"""``hookgate state status|migrate|use|ship``: the state backend (ADR 0028).

``status`` is read-only (agents may run it). ``use`` and ``migrate`` are a maintainer's, from a
terminal: self-protection denies them to agents (ADR 0006), and without a terminal they need
``--yes`` (which agents may not pass).
"""

from __future__ import annotations

import json
import os
import sys
import uuid

import typer

from hookgate.cli._common import fail, project_root, state_dir

state_app = typer.Typer(help="Where leases, claims, approvals and the ledger live (files or PostgreSQL).",
                        no_args_is_help=True)


def _client():
    from hookgate.state import backend

    backend.ALLOW_CLIENT = True  # this CLI process may talk to the database itself
    backend.SERVER_ENV = dict(os.environ)
    return backend


def _require_terminal(yes: bool, what: str) -> None:
    if not yes and not sys.stdin.isatty():
        raise fail(f"`hookgate state {what}` changes where every clone keeps its shared state: run it from a "
                   "terminal (or pass --yes in a maintainer's script)", 2)


@state_app.command("status")
def status(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Backend, health, round trip and clock offset, ledger records, outbox queue."""
    backend = _client()
    from hookgate.state import stateconf

    root = project_root()
    try:
        conf = stateconf.load(root)
    except stateconf.StateConfigError as e:
        raise fail(str(e), 2) from None
    sd = state_dir(root)
    st = backend.for_project(root).status(sd)
    st.setdefault("backend", conf["backend"])
    if as_json:
        typer.echo(json.dumps(st, sort_keys=True))
    else:
        for k in ("backend", "database", "health", "error", "round_trip_ms", "clock_offset_s", "schema",
                  "ledger_records", "live_leases", "pending_approvals", "outbox_records", "outbox_bytes", "lag_s",
                  "state_dir", "ledger"):
            if k in st:
                typer.echo(f"{k.replace('_', ' ')}: {st[k]}")
    if st.get("health") not in (None, "ok"):
        raise typer.Exit(1)


def _backend_or_fail(root: str):
    backend = _client()
    from hookgate.state import stateconf

    try:
        conf = stateconf.load(root)
    except stateconf.StateConfigError as e:
        raise fail(str(e), 2) from None
    if conf["backend"] != "postgres":
        raise fail("this repository keeps its state in files (.hookgate/state.yaml says so, or is absent): "
                   "nothing to migrate or ship", 2)
    b = backend.for_project(root)
    if not getattr(b, "shared", False) or not hasattr(b, "db"):
        raise fail(getattr(b, "why", "the shared backend is not available"), 1)
    return b


@state_app.command("migrate")
def migrate(yes: bool = typer.Option(False, "--yes", help="Not from a terminal (a maintainer's script).")) -> None:
    """Apply the shipped schema migrations to the shared database (each once)."""
    _require_terminal(yes, "migrate")
    b = _backend_or_fail(project_root())
    from hookgate.state.pg.db import Unavailable

    try:
        applied = b.db.migrate()
        version = b.db.schema_version()
    except Unavailable as e:
        raise fail(f"cannot reach {b.describe()}: {e}", 1) from None
    typer.echo(f"applied: {', '.join(applied)}" if applied else "nothing to apply")
    typer.echo(f"schema version {version} ({b.describe()})")


@state_app.command("ship")
def ship() -> None:
    """Ship this clone's ledger outbox to the database now (the decision server does it too)."""
    root = project_root()
    b = _backend_or_fail(root)
    n = b.drain(state_dir(root))
    from hookgate.state import outbox

    left = outbox.waiting_bytes(state_dir(root))
    typer.echo(f"shipped {max(n, 0)} record(s); {left} byte(s) still waiting" if n >= 0 else
               "another process is shipping the outbox")
    if left:
        raise typer.Exit(1)


def _origin_identity(root: str) -> str:
    """The normalised ``origin`` URL (host/path, no scheme, user or .git), or ""."""
    import subprocess

    try:
        url = subprocess.run(["git", "-C", root, "config", "--get", "remote.origin.url"], capture_output=True,
                             text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    if not url or url.startswith(("/", ".", "file:")):
        return ""
    for pre in ("https://", "http://", "ssh://", "git://"):
        if url.startswith(pre):
            url = url[len(pre):]
    if "@" in url.split("/", 1)[0]:
        url = url.split("@", 1)[1]
    url = url.replace(":", "/", 1) if "/" not in url.split(":", 1)[0] and ":" in url else url
    return url.removesuffix(".git").rstrip("/").lower()


@state_app.command("use")
def use(
    backend_name: str = typer.Argument(..., metavar="files|postgres"),
    host: str = typer.Option("", "--host", help="Database host (or a Unix socket directory)."),
    port: int = typer.Option(5432, "--port"),
    database: str = typer.Option("", "--database", help="Database name."),
    user: str = typer.Option("", "--user", help="Database role (the password goes in ~/.config/hookgate/pgpass)."),
    repository: str = typer.Option("", "--repository", help="This repository's id in the database "
                                   "(default: the one already in state.yaml, else the origin URL, else a new id)."),
    yes: bool = typer.Option(False, "--yes", help="Not from a terminal (a maintainer's script)."),
) -> None:
    """Write .hookgate/state.yaml (commit it: every clone then uses the same backend)."""
    _require_terminal(yes, "use")
    from hookgate.state.locks import atomic_write
    from hookgate.state import stateconf

    root = project_root()
    if backend_name not in stateconf.BACKENDS:
        raise fail(f"backend must be one of {', '.join(stateconf.BACKENDS)}", 2)
    try:
        old = stateconf.load(root)
    except stateconf.StateConfigError:
        old = {}
    conf: dict = {"backend": backend_name}
    if backend_name == "postgres":
        conf.update(host=host or old.get("host", ""), port=port if port != 5432 else old.get("port", 5432),
                    database=database or old.get("database", ""), user=user or old.get("user", ""),
                    repository=repository or old.get("repository") or _origin_identity(root) or str(uuid.uuid4()))
        for k in ("connect_timeout", "statement_timeout_ms", "sslmode", "synchronous_commit"):
            if old.get(k) and k not in conf:
                conf[k] = old[k]
        if not conf["host"] or not conf["database"]:
            raise fail("postgres needs --host and --database", 2)
        conf = {k: v for k, v in conf.items() if v not in ("", None)}
        try:
            stateconf.validate(conf)
        except stateconf.StateConfigError as e:
            raise fail(str(e), 2) from None
    path = stateconf.path_of(root)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    atomic_write(path, stateconf.render(conf).encode("utf-8"), mode=0o644)
    typer.echo(f"wrote {path}: backend {backend_name}" + (f", repository {conf['repository']}" if "repository" in conf else ""))
    if backend_name == "postgres":
        b = _client().for_project(root)
        st = b.status(state_dir(root))
        if st.get("health") == "ok":
            typer.echo(f"reachable: {st.get('database')} (round trip {st.get('round_trip_ms')} ms)")
        else:
            typer.echo(f"not usable yet: {st.get('error')}; run `hookgate state migrate` once the database answers")
        typer.echo("commit .hookgate/state.yaml; the decision server (`hookgate serve`) talks to the database, "
                   "one-shot hooks deny what needs shared state while it is down (ADR 0028)")


def register(app: typer.Typer) -> None:
    app.add_typer(state_app, name="state")
