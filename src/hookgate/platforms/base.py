"""The adapter interface (ADR 0002). Platforms differ only here.

An adapter is a module with:

- ``PLATFORM``: its id; ``parse(data: bytes, env: dict) -> Event`` (raises ``BadInput``);
- ``render(event, decision) -> (stdout: str, stderr: str, exit_code: int)``;
- ``render_failure(reason: str, phase: str | None) -> (stdout, stderr, exit_code)``: the
  explicit deny used for bad input and internal errors (every platform fails open on a
  crash, so hookgate never crashes).
"""

from __future__ import annotations

from hookgate import jsonio as json


class BadInput(Exception):
    """stdin that hookgate cannot decide on; str() is a one-line reason."""


def load_json_object(data: bytes) -> dict:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise BadInput("empty stdin (expected the hook's JSON payload)")
    try:
        obj = json.loads(data)
    except UnicodeDecodeError:
        raise BadInput("stdin is not UTF-8 JSON") from None
    except RecursionError:
        raise BadInput("stdin JSON is nested too deeply") from None
    except ValueError as e:
        raise BadInput(f"stdin is not valid JSON ({str(e).split(':')[0]})") from None
    if not isinstance(obj, dict):
        raise BadInput(f"stdin JSON is a {type(obj).__name__}, expected an object")
    return obj


def dumps(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
