"""Strict YAML loading (CLI side: imports PyYAML).

Duplicate keys are refused (PyYAML keeps the last one silently), and every error carries
the path and line of the offending node. Booleans are never accepted where a string
belongs: the schema checks in ``config.py`` see the loaded types as they are.
"""

from __future__ import annotations

import os

import yaml

from hookgate.errors import HookgateError

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from typing import Any

if TYPE_CHECKING:
    _Base = yaml.SafeLoader  # the same interface; libyaml's is faster where it is built
else:
    _Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ConfigError(HookgateError):
    """A config file that hookgate refuses; str() is a one-line reason with the path."""


# ADR 0018 item 6: a config is small. Aliases may not make a document expand to more nodes than
# this (a "billion laughs" took 36 s and several GB before a bare MemoryError), nest deeper,
# or refer to themselves.
EXPANSION_BUDGET = 20_000
MAX_DEPTH = 64


def _children(node: Any) -> list[Any]:
    v = node.value
    if isinstance(v, list):
        out: list[Any] = []
        for item in v:
            if isinstance(item, tuple):
                out.extend(item)
            else:
                out.append(item)
        return out
    return []


def check_expansion(root: Any) -> None:
    """Refuse a composed document whose aliases expand past EXPANSION_BUDGET nodes, nest past
    MAX_DEPTH, or form a cycle — in time linear in the nodes as written (each shared node is
    sized once), before anything is constructed."""
    memo: dict[int, int] = {}
    onpath: set[int] = set()
    stack = [(root, False, 0)]
    while stack:
        node, done, depth = stack.pop()
        nid = id(node)
        line = node.start_mark.line + 1 if getattr(node, "start_mark", None) is not None else 0
        if done:
            onpath.discard(nid)
            total = 1 + sum(memo[id(c)] for c in _children(node))
            if total > EXPANSION_BUDGET:
                raise ConfigError(f"line {line}: aliases expand this node to more than {EXPANSION_BUDGET} "
                                  "nodes (an alias bomb?); refused")
            memo[nid] = total
            continue
        if nid in memo:
            continue
        if nid in onpath:
            raise ConfigError(f"line {line}: an alias refers to a node that contains it (recursive); refused")
        if depth > MAX_DEPTH:
            raise ConfigError(f"line {line}: nested deeper than {MAX_DEPTH} levels; refused")
        onpath.add(nid)
        stack.append((node, True, depth))
        for c in _children(node):
            if id(c) not in memo:
                stack.append((c, False, depth + 1))


class StrictLoader(_Base):
    construct_mapping_orig = _Base.construct_mapping  # the base's, under the duplicate-key check below

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        check_expansion(node)
        return self.construct_document(node)


def _construct_mapping(loader: Any, node: Any, deep: bool = False) -> Any:
    seen: dict[str, Any] = {}
    for key_node, _value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise ConfigError(
                f"duplicate key {key!r} at line {key_node.start_mark.line + 1} "
                f"(first at line {seen[key] + 1})"
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping_orig(node, deep=deep)


StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    lambda loader, node: _construct_mapping(loader, node, deep=True),
)


def load_text(text: str, source: str = "<string>") -> Any:
    try:
        return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - StrictLoader is a SafeLoader
    except ConfigError as e:
        raise ConfigError(f"{source}: {e}") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise ConfigError(f"{source}: invalid YAML{where}: {problem}") from None


MAX_FILE = 1 << 20


def load_file(path: str) -> Any:
    from hookgate.state.paths import read_regular

    data = read_regular(path, MAX_FILE)  # a regular file of at most 1 MiB (ADR 0018)
    if data is None:
        if os.path.exists(path):
            raise ConfigError(f"{path}: not a regular file of at most {MAX_FILE // 1024} KiB")
        raise ConfigError(f"{path}: cannot read: No such file or directory")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8") from None
    return load_text(text, path)
