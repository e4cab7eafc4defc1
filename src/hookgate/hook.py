"""``hookgate hook --platform P``: the hot path (ADR 0001). Standard library only.

stdin → adapter.parse → Event → accesses → validator chain → stages → Decision → ledger →
adapter.render → stdout + exit code. Every failure is decided explicitly: every platform
fails open when a hook crashes, so this module never lets an exception escape.
"""

from __future__ import annotations

import os
import sys
import time

MAX_STDIN = 32 * 1024 * 1024
USAGE = "usage: hookgate hook --platform {claude-code|cursor|gemini-cli|codex|copilot-cli|qwen-code|opencode}"


def _platform_arg(argv: list[str]) -> str | None:
    for i, a in enumerate(argv):
        if a == "--platform" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--platform="):
            return a.split("=", 1)[1]
    return None


def _read_stdin() -> bytes:
    buf = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else None
    if buf is None:
        return (sys.stdin.read() or "").encode("utf-8", "surrogateescape")
    data = buf.read(MAX_STDIN + 1)
    return data or b""


def _emit(out: str, err: str, code: int) -> int:
    try:
        if out:
            sys.stdout.write(out)
            sys.stdout.flush()
        if err:
            sys.stderr.write(err)
            sys.stderr.flush()
    except (OSError, ValueError):
        pass
    return code


def main(argv: list[str]) -> int:
    t0 = time.perf_counter()
    platform = _platform_arg(argv)
    if platform in ("-h", "--help") or "-h" in argv or "--help" in argv:
        return _emit(USAGE + "\n", "", 0)
    from hookgate.platforms import ADAPTERS

    if platform not in ADAPTERS:
        # cannot speak this platform's protocol: exit 2 + stderr denies on every platform
        return _emit("", f"hookgate: denied: unknown or missing --platform {platform!r}; {USAGE}\n", 2)
    try:
        data = _read_stdin()
    except Exception as e:  # noqa: BLE001
        data = b""
        read_error = f"cannot read stdin ({type(e).__name__})"
    else:
        read_error = ""
    return _emit(*handle(platform, data, dict(os.environ), t0, read_error))


def handle(platform: str, data: bytes, env: dict, t0: float | None = None, read_error: str = ""):
    """Decide one hook call; return (stdout, stderr, exit code). Never raises."""
    if t0 is None:
        t0 = time.perf_counter()
    phase = None
    try:
        from hookgate.platforms import load

        adapter = load(platform)
    except Exception as e:  # noqa: BLE001
        return "", f"hookgate: denied: adapter {platform} failed to load ({type(e).__name__})\n", 2
    try:
        from hookgate import engine
        from hookgate.platforms.base import BadInput

        try:
            if read_error:
                raise BadInput(read_error)
            if len(data) > MAX_STDIN:
                raise BadInput(f"payload larger than {MAX_STDIN // (1024 * 1024)} MiB")
            event = adapter.parse(data, env)
        except BadInput as e:
            engine.record_bad_input(platform, str(e), data, env, t0)
            return adapter.render_failure(str(e), None)
        phase = event.phase
        decision = engine.decide_and_record(event, env, t0)
        return adapter.render(event, decision)
    except Exception as e:  # noqa: BLE001 - fail closed, one line, never a traceback on stdout
        reason = f"internal error ({type(e).__name__}: {str(e)[:200]}); denied to be safe"
        try:
            from hookgate import engine

            engine.record_crash(platform, reason, env, t0)
        except Exception:  # noqa: BLE001
            pass
        return adapter.render_failure(reason, phase)
