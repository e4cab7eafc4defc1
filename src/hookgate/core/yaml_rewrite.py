"""In-place edits of ``rollout.yaml`` that keep every comment, blank line and key order (ADR 0015).

pre-commit's ``yaml_rewrite`` technique: ``yaml.compose`` the text into nodes, which carry
``start_mark``/``end_mark`` character offsets into the original string; find the node to change
and splice new text at those offsets. Nothing else is re-emitted, so the rest of the file stays
byte-identical. Every edit re-composes the text it produced, so offsets are never stale.
Callers validate the result (``config.validate_rollout``) before writing it atomically.
"""

from __future__ import annotations

import json

import yaml

from hookgate.core.event import STAGES
from hookgate.errors import HookgateError

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only (ADR 0017)
    from typing import Any, Iterable


class RewriteError(HookgateError):
    """The file has a shape this editor does not splice safely; edit it by hand."""


def _compose(text: str) -> Any:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        raise RewriteError(f"not valid YAML: {str(e).splitlines()[0]}") from None


def quote(value: str) -> str:
    """A double-quoted YAML scalar (JSON string syntax is valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def flow_mapping(pairs: Iterable[tuple[str, str]]) -> str:
    return "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"


def _get(mapping: Any, key: str) -> tuple[Any, Any]:
    for k, v in mapping.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return k, v
    return None, None


def _is_null(node: Any) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")


def _render_like(node: Any, value: str) -> str:
    """*value* in the style of the scalar it replaces (plain stays plain for a stage word)."""
    if node.style is None and value in STAGES:
        return value
    if node.style == "'" and "'" not in value and "\n" not in value:
        return f"'{value}'"
    return quote(value)


def _last_end(node: Any) -> int:
    """Offset just past the last character that belongs to *node* (block collections end
    where their last descendant ends, not at the next token)."""
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        return _last_end(last[1] if isinstance(node, yaml.MappingNode) else last)
    return int(node.end_mark.index)


def _insert_key(text: str, mapping: Any, key: str, value_text: str) -> str:
    """Add ``key: value_text`` as the last entry of *mapping*."""
    if mapping.flow_style:
        if mapping.value:
            pos = mapping.value[-1][1].end_mark.index
            return text[:pos] + f", {key}: {value_text}" + text[pos:]
        pos = mapping.end_mark.index - 1
        if text[pos] != "}":
            raise RewriteError(f"cannot find the end of the flow mapping at line {mapping.start_mark.line + 1}")
        return text[:pos] + f"{key}: {value_text}" + text[pos:]
    if not mapping.value:
        raise RewriteError("empty block mapping")
    indent: int = mapping.value[0][0].start_mark.column
    line = " " * indent + f"{key}: {value_text}"
    end = _last_end(mapping)
    if end > 0 and text[end - 1] == "\n":  # a block scalar ends after its line break
        return text[:end] + line + "\n" + text[end:]
    eol = text.find("\n", end)
    if eol < 0:
        return text + "\n" + line + "\n"
    return text[:eol] + "\n" + line + text[eol:]


def _nested(keys: list[str], value_text: str) -> str:
    for k in reversed(keys):
        value_text = flow_mapping([(k, value_text)])
    return value_text


def set_path(text: str, keys: list[str], value: str, scalar_means: str = "") -> str:
    """Set the scalar at *keys* (e.g. ``["hooks", "budget", "stage"]``) to *value*, creating the
    missing mappings as flow mappings. A scalar met where a mapping is needed at depth 2 (a
    bare ``hook: monitor`` entry, at depth 1) becomes ``{<scalar_means>: monitor}`` first."""
    root = _compose(text)
    if root is None or _is_null(root):
        body = text if text.endswith("\n") or not text else text + "\n"
        return body + f"{keys[0]}: {_nested(keys[1:], quote(value))}\n"
    if not isinstance(root, yaml.MappingNode):
        raise RewriteError("the top level is not a mapping")
    node = root
    for i, key in enumerate(keys):
        k, v = _get(node, key)
        last = i == len(keys) - 1
        if v is None:
            return _insert_key(text, node, key, quote(value) if last else _nested(keys[i + 1:], quote(value)))
        if last:
            if not isinstance(v, yaml.ScalarNode):
                raise RewriteError(f"{'.'.join(keys)} at line {v.start_mark.line + 1} is not a scalar")
            if _is_null(v) and v.start_mark.index == v.end_mark.index:
                return text[: v.start_mark.index] + " " + quote(value) + text[v.end_mark.index:]
            return text[: v.start_mark.index] + _render_like(v, value) + text[v.end_mark.index:]
        if isinstance(v, yaml.MappingNode):
            node = v
            continue
        if isinstance(v, yaml.ScalarNode) and _is_null(v):
            new = _nested(keys[i + 1:], quote(value))
            pad = " " if v.start_mark.index == v.end_mark.index else ""
            return text[: v.start_mark.index] + pad + new + text[v.end_mark.index:]
        if isinstance(v, yaml.ScalarNode) and scalar_means and i == 1:
            wrapped = flow_mapping([(scalar_means, _render_like(v, v.value))])
            text = text[: v.start_mark.index] + wrapped + text[v.end_mark.index:]
            return set_path(text, keys, value)
        raise RewriteError(f"{'.'.join(keys[: i + 1])} at line {v.start_mark.line + 1} is not a mapping")
    raise RewriteError("empty key path")  # pragma: no cover


def remove_top_key(text: str, key: str) -> str:
    """Delete a top-level ``key: scalar`` line (comments around it stay)."""
    root = _compose(text)
    if not isinstance(root, yaml.MappingNode):
        return text
    k, v = _get(root, key)
    if k is None:
        return text
    if root.flow_style or not isinstance(v, yaml.ScalarNode):
        raise RewriteError(f"{key} is not a plain top-level line; edit it by hand")
    start = text.rfind("\n", 0, k.start_mark.index) + 1
    if text[start : k.start_mark.index].strip():
        raise RewriteError(f"{key} does not start its line; edit it by hand")
    eol = text.find("\n", v.end_mark.index)
    end = len(text) if eol < 0 else eol + 1
    return text[:start] + text[end:]
