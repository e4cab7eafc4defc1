"""Helpers for the plan tests (ADR 0024)."""

from __future__ import annotations

import os

from hookgate.plans.model import Plan


def plan(pid: str, deps=(), write=(), read=(), tests=(), type_: str = "feature", file: str = "") -> Plan:
    return Plan(id=pid, type=type_, file=file or f"/p/{pid}.toml", digest="0", depends_on=tuple(deps),
                write=tuple(write), read=tuple(read), tests=tuple(tests))


def toml_list(items) -> str:
    return "[" + ", ".join(f'"{x}"' for x in items) + "]"


def write_plan(root, pid: str, type_: str = "feature", deps=(), write=(), read=(), tests=(), run=None,
               extra: str = "") -> str:
    d = os.path.join(str(root), ".hookgate", "plans")
    os.makedirs(d, exist_ok=True)
    body = f'[plan]\nid = "{pid}"\ntype = "{type_}"\ndepends_on = {toml_list(deps)}\n{extra}'
    body += f"[claims]\nwrite = {toml_list(write)}\nread = {toml_list(read)}\n"
    body += f"[checks]\ntests = {toml_list(tests)}\n"
    if run is not None:
        body += f"run = {toml_list(run)}\n"
    path = os.path.join(d, f"{pid}.toml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(body)
    return path
