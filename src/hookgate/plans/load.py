"""Strict loading of plan files (ADR 0024): ``.hookgate/plans/<id>.toml``, stdlib ``tomllib``.

The ``rollout.yaml`` rules (ADR 0016): an unknown table or key, a duplicate key, a value of
the wrong type, a bad id or claim pattern is refused — with the file, the line and the key.
tomllib reports duplicate keys and syntax errors with a line; for schema errors the key's
line is found by scanning the file (best effort: 0 when it cannot be placed). Two files with
one plan id are refused too (the later file's plan is dropped from the graph).
"""

from __future__ import annotations

import hashlib
import os
import re

from hookgate.plans import globs
from hookgate.plans.model import ERROR, WARNING, Finding, Plan, key_lines

PLANS_DIR = "plans"  # under .hookgate/
SCHEMA = {
    "plan": {"id": "str", "type": "str", "agent": "str", "title": "str", "description": "str",
             "depends_on": "ids"},
    "claims": {"write": "patterns", "read": "patterns"},
    "checks": {"tests": "patterns", "run": "argv"},
}
REQUIRED = (("plan", "id"), ("plan", "type"))
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}\Z")
MAX_FILE_BYTES = 1 << 20
_AT_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


def plans_dir(project_root: str) -> str:
    return os.path.join(project_root, ".hookgate", PLANS_DIR)


def plan_files(project_root: str) -> list[str]:
    d = plans_dir(project_root)
    try:
        names = sorted(os.listdir(d))
    except FileNotFoundError:
        return []
    return [os.path.join(d, n) for n in names if n.endswith(".toml") and not n.startswith(".")]


def locate(text: str, table: str, key: str = "") -> int:
    """The line of ``[table]`` (or of ``key`` in it); 0 when it cannot be placed."""
    return key_lines(text).get(f"{table}.{key}" if key else table, 0)


def _type_error(kind: str, value) -> str | None:
    if kind == "str":
        return None if isinstance(value, str) else f"must be a string, got {_tname(value)}"
    if not isinstance(value, list):
        return f"must be a list of strings, got {_tname(value)}"
    bad = next((v for v in value if not isinstance(v, str)), None)
    if bad is not None:
        return f"must be a list of strings, got an item of type {_tname(bad)}"
    if kind == "argv" and value and not value[0].strip():
        return "must start with a program name"
    return None


def _tname(v) -> str:
    return {str: "string", bool: "boolean", int: "integer", float: "float", list: "array",
            dict: "table"}.get(type(v), type(v).__name__)


def load_text(text: str, path: str, raw: bytes | None = None) -> tuple[Plan | None, list[Finding]]:
    import tomllib

    findings: list[Finding] = []
    where_is = None

    def line_of(table: str, key: str = "") -> int:
        nonlocal where_is
        if where_is is None:
            where_is = key_lines(text)
        return where_is.get(f"{table}.{key}" if key else table, 0)

    def err(code, msg, line=0, key=""):
        findings.append(Finding(code, msg, (), path, line, key, ERROR))

    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = _AT_LINE.search(str(e))
        line = int(m.group(1)) if m else 0
        msg = _AT_LINE.sub("", str(e)).strip()
        if "Cannot overwrite a value" in msg or "Cannot declare" in msg:
            msg += " (a duplicate key or table)"
        err("not-toml", f"not valid TOML: {msg}", line)
        return None, findings
    for table, value in doc.items():
        if table not in SCHEMA:
            err("unknown-key", f"unknown table [{table}] (allowed: {', '.join('[' + t + ']' for t in SCHEMA)})",
                line_of(table), table)
            continue
        if not isinstance(value, dict):
            err("wrong-type", f"{table} must be a table ([{table}]), got {_tname(value)}", line_of(table), table)
            continue
        for key, v in value.items():
            kind = SCHEMA[table].get(key)
            if kind is None:
                err("unknown-key", f"unknown key {table}.{key} (allowed in [{table}]: {', '.join(SCHEMA[table])})",
                    line_of(table, key), f"{table}.{key}")
                continue
            why = _type_error(kind, v)
            if why:
                err("wrong-type", f"{table}.{key} {why}", line_of(table, key), f"{table}.{key}")
    for table, key in REQUIRED:
        if not isinstance(doc.get(table), dict) or key not in doc[table]:
            err("missing-key", f"{table}.{key} is required", line_of(table), f"{table}.{key}")
    if findings:
        return None, findings
    p, k = doc["plan"], doc.get("checks", {})
    lines = dict(where_is, **{"": 0}) if where_is is not None else {}  # else found on first use
    pid = p["id"].strip()
    if not ID_RE.match(pid):
        err("bad-id", f"plan.id {p['id']!r} must be letters, digits, '.', '_' or '-' (at most 100, not starting "
            "with a symbol)", line_of("plan", "id"), "plan.id")
    deps = []
    for d in p.get("depends_on", []):
        if not ID_RE.match(d.strip()):
            err("bad-id", f"plan.depends_on: {d!r} is not a plan id", line_of("plan", "depends_on"), "plan.depends_on")
        elif d.strip() not in deps:
            deps.append(d.strip())
    pats: dict[str, list[str]] = {}
    for table, key in (("claims", "write"), ("claims", "read"), ("checks", "tests")):
        out = []
        for raw_pat in doc.get(table, {}).get(key, []):
            try:
                norm = globs.normalize(raw_pat)
            except globs.BadPattern as e:
                err("bad-pattern", f"{table}.{key}: {e}", line_of(table, key), f"{table}.{key}")
                continue
            if norm not in out:
                out.append(norm)
        pats[key] = out
    if findings:
        return None, findings
    digest = hashlib.sha256(raw if raw is not None else text.encode("utf-8")).hexdigest()
    plan = Plan(id=pid, type=p["type"].strip(), file=path, digest=digest, agent=p.get("agent", "").strip(),
                title=p.get("title", "").strip(), depends_on=tuple(deps), write=tuple(pats["write"]),
                read=tuple(pats["read"]), tests=tuple(pats["tests"]), run=tuple(k.get("run", [])), lines=lines)
    return plan, findings


def load_file(path: str) -> tuple[Plan | None, list[Finding]]:
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        return None, [Finding("unreadable", f"cannot read: {e.strerror or e}", (), path)]
    if len(raw) > MAX_FILE_BYTES:
        return None, [Finding("too-large", f"larger than {MAX_FILE_BYTES} bytes; a plan is a short file", (), path)]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        return None, [Finding("not-toml", "not UTF-8 (TOML files are UTF-8)", (), path, line)]
    return load_text(text, path, raw)


def load_all(project_root: str, extra_files=()) -> tuple[list[Plan], list[Finding]]:
    """Every plan of the project plus *extra_files* (a file given twice counts once); two
    plans with one id are refused (the first by path order stays)."""
    files = []
    seen = set()
    listed = plan_files(project_root)
    for f in listed + [os.path.abspath(x) for x in extra_files]:
        real = os.path.realpath(f) if extra_files else f
        if real not in seen:
            seen.add(real)
            files.append(f)
    plans: list[Plan] = []
    findings: list[Finding] = []
    by_id: dict[str, Plan] = {}
    for f in files:
        plan, found = load_file(f)
        findings.extend(found)
        if plan is None:
            continue
        first = by_id.get(plan.id)
        if first is not None:
            findings.append(Finding(
                "duplicate-id",
                f"plan id {plan.id!r} is already used by {first.file}:{first.line_of('plan.id')}; "
                "every plan needs its own id", (plan.id,), f, plan.line_of("plan.id"), "plan.id"))
            continue
        by_id[plan.id] = plan
        plans.append(plan)
        if f in listed and os.path.basename(f) != f"{plan.id}.toml":
            findings.append(Finding("id-not-filename", f"plan {plan.id!r} lives in {os.path.basename(f)}; name it "
                                    f"{plan.id}.toml so `plan start {plan.id}` and reviewers find it", (plan.id,),
                                    f, plan.line_of("plan.id"), "plan.id", WARNING))
    return plans, findings
