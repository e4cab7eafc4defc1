"""Strict YAML loading (CLI side: imports PyYAML).

Duplicate keys are refused (PyYAML keeps the last one silently), and every error carries
the path and line of the offending node. Booleans are never accepted where a string
belongs: the schema checks in ``config.py`` see the loaded types as they are.
"""

from __future__ import annotations

import yaml

try:
    _Base = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - no libyaml
    _Base = yaml.SafeLoader


class ConfigError(Exception):
    """A config file that hookgate refuses; str() is a one-line reason with the path."""


class StrictLoader(_Base):  # type: ignore[misc, valid-type]
    pass


def _construct_mapping(loader, node, deep=False):
    seen: dict = {}
    for key_node, _value_node in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise ConfigError(
                f"duplicate key {key!r} at line {key_node.start_mark.line + 1} "
                f"(first at line {seen[key] + 1})"
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping_orig(node, deep=deep)


StrictLoader.construct_mapping_orig = _Base.construct_mapping  # type: ignore[attr-defined]
StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    lambda loader, node: _construct_mapping(loader, node, deep=True),
)


def load_text(text: str, source: str = "<string>"):
    try:
        return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - StrictLoader is a SafeLoader
    except ConfigError as e:
        raise ConfigError(f"{source}: {e}") from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise ConfigError(f"{source}: invalid YAML{where}: {problem}") from None


def load_file(path: str):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8") from None
    return load_text(text, path)
