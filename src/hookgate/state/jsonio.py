"""JSON for the hot path without importing the ``json`` package (ADR 0017).

``import json`` pulls in ``re`` and ``enum`` and compiles several regular expressions at
import: 15–20 ms per process on this class of machine, more than all of hookgate's own work
for a decision. The same C scanner and encoder that ``json`` uses live in the builtin ``_json``
module; this module drives them directly. Errors are ``ValueError`` subclasses, as with
``json``: on bad input the text is parsed again by ``json`` for its exact error, so the import
cost is paid only then. Anything unusual (``indent``, no ``_json``) falls back to ``json``.
"""

from __future__ import annotations

from hookgate.errors import HookgateError

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from typing import IO, Any

try:
    import _json
except ImportError:  # pragma: no cover - every CPython has it
    _json = None  # type: ignore[assignment]  # every use checks for None first

_WS = " \t\n\r"
_INF = float("inf")
_CONSTANTS = {"-Infinity": -_INF, "Infinity": _INF, "NaN": _INF - _INF}


class _Ctx:
    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = _CONSTANTS.__getitem__
    memo: dict[str, str] = {}


# (typeshed types make_scanner's context as make_scanner itself; it reads these attributes only)
_scan = _json.make_scanner(_Ctx()) if _json is not None else None  # type: ignore[arg-type]


class JSONError(HookgateError, ValueError):
    """Not valid JSON (message in the style of ``json.JSONDecodeError``)."""


def loads(s: str | bytes | bytearray) -> Any:
    if isinstance(s, (bytes, bytearray)):
        s = bytes(s).decode("utf-8")  # UnicodeDecodeError is a ValueError too
    if _scan is None:
        import json

        return json.loads(s)
    n = len(s)
    i = 0
    while i < n and s[i] in _WS:
        i += 1
    try:
        obj, end = _scan(s, i)
    except StopIteration as e:
        raise JSONError(f"Expecting value: char {e.value}") from None
    except SystemError:
        # The C scanner builds its error from ``json.decoder``, which it only looks up in
        # sys.modules; we never imported it. Parse again with ``json`` for the real error.
        import json

        return json.loads(s)
    while end < n and s[end] in _WS:
        end += 1
    if end != n:
        raise JSONError(f"Extra data: char {end}")
    return obj


def load(f: IO[Any]) -> Any:
    return loads(f.read())


def _default(o: object) -> Any:
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


def dumps(obj: Any, *, sort_keys: bool = False, separators: tuple[str, str] | None = None, ensure_ascii: bool = True,
          indent: int | None = None) -> str:
    if indent is not None or _json is None:
        import json

        return json.dumps(obj, sort_keys=sort_keys, separators=separators, ensure_ascii=ensure_ascii, indent=indent)
    item_sep, key_sep = separators if separators is not None else (", ", ": ")
    s_enc = _json.encode_basestring_ascii if ensure_ascii else _json.encode_basestring
    if isinstance(obj, str):
        return s_enc(obj)
    # markers=None: no circular check (hookgate never builds cycles; one would raise RecursionError)
    enc = _json.make_encoder(None, _default, s_enc, None, key_sep, item_sep, sort_keys, False, True)
    return "".join(enc(obj, 0))
