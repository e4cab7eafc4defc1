"""``hookgate hook --platform P``: the hot path (ADR 0001). Standard library only.

stdin → adapter.parse → Event → accesses → validator chain → stages → Decision → ledger →
adapter.render → stdout + exit code. Every failure is decided explicitly: every platform
fails open when a hook crashes or times out, so this module never lets an exception escape
and never runs past its deadline (ADR 0018):

- the catch-all starts before anything else runs (even reading a clock: past 2262 every
  Python clock raises), so nothing can end in a traceback;
- a hard per-call deadline: a decision not reached within ``DECIDE_S`` is a deny (pre
  events); the ledger record is written only after the decision, within what is left of
  ``DEADLINE_S``, and a record that cannot be written in time goes to the side log.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from typing import Any, Protocol

    from hookgate.core.event import Decision, Event

    class Adapter(Protocol):  # what an adapter module provides (adapters/base.py)
        def parse(self, data: bytes, env: dict[str, Any]) -> Event: ...
        def render(self, event: Event, decision: Decision, /) -> tuple[str, str, int]: ...
        def render_failure(self, reason: str, phase: str | None) -> tuple[str, str, int]: ...

MAX_STDIN = 32 * 1024 * 1024
USAGE = "usage: hookgate hook --platform {claude-code|cursor|gemini-cli|codex|copilot-cli|qwen-code|opencode}"
# ADR 0018: below the smallest hook timeout any platform gives a guard event (hookgate's own
# wiring: 10 s for session events, 30 s for tool events; Gemini CLI default 60 s, Claude Code
# 600 s, Cursor as wired). The process has answered within DEADLINE_S, whatever the input.
DECIDE_S = 4.0
DEADLINE_S = 5.0
RENDER_MARGIN_S = 0.3
BIG_INPUT = 1 << 20  # above this, the input digest is of the raw bytes, and the process exits
# without freeing the parsed payload (tearing down millions of objects takes seconds)


class DeadlineExceeded(BaseException):
    """Raised by the deadline alarm. A BaseException, so that no validator's or helper's
    ``except Exception`` can swallow it: only :func:`handle` decides what it means."""


def _clock() -> float:
    """``time.perf_counter()``, or 0.0 when the clock cannot be read (odd clocks: ADR 0018)."""
    try:
        import time

        return time.perf_counter()
    except (OverflowError, OSError, ValueError):
        return 0.0


def _since_exec() -> float:
    """Seconds since this process started (Linux ``/proc``; 0.0 elsewhere or on any doubt), so
    the deadline counts the interpreter's own start-up too: a loaded machine can spend most of
    a second there before the first line of hookgate runs."""
    try:
        import time

        fd = os.open("/proc/self/stat", os.O_RDONLY | os.O_CLOEXEC)  # one read, no file object
        try:
            stat = os.read(fd, 4096)
        finally:
            os.close(fd)
        start_ticks = int(stat[stat.rfind(b")") + 2:].split()[19])  # in ticks since boot
        # the clock /proc/uptime reads (one open and read less)
        elapsed = time.clock_gettime(time.CLOCK_BOOTTIME) - start_ticks / os.sysconf("SC_CLK_TCK")
        return elapsed if 0.0 <= elapsed < DECIDE_S else 0.0
    except (OSError, ValueError, IndexError, AttributeError, OverflowError):
        return 0.0


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
    """Write the answer; its exit code. An answer not written whole exits 2 (a deny on every
    platform): Claude Code's JSON deny exits 0, so exit 0 with its stdout lost reads as an allow."""
    try:
        if out:
            sys.stdout.write(out)
            sys.stdout.flush()
        if err:
            sys.stderr.write(err)
            sys.stderr.flush()
    except (OSError, ValueError):
        return 2
    return code


# --- the deadline alarm (main thread of the real process only) --------------------------------


def _on_alarm(signum: int, frame: object) -> None:  # noqa: ARG001
    raise DeadlineExceeded()


def _signal_module() -> Any:
    try:  # the builtin: ``signal`` itself imports enum (ADR 0017's import budget)
        import _signal as signal
    except ImportError:  # pragma: no cover - other interpreters
        import signal
    return signal


def _arm(seconds: float) -> bool:
    """Raise DeadlineExceeded in this (main) thread after *seconds*. False when no alarm is
    available (not the main thread, no SIGALRM): the time bounds of each step still hold."""
    try:
        signal = _signal_module()
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
        return True
    except (ImportError, AttributeError, ValueError, OSError):
        return False


def _disarm() -> None:
    try:
        signal = _signal_module()
        signal.setitimer(signal.ITIMER_REAL, 0)
    except (ImportError, AttributeError, ValueError, OSError):
        pass


def main(argv: list[str]) -> int:
    try:
        return _main(argv)
    except BaseException as e:  # noqa: BLE001 - the last word: never a traceback, never fail-open
        _disarm()
        if isinstance(e, SystemExit) and e.code in (0, None):
            return 0
        return _emit("", f"hookgate: denied: internal error before a decision ({type(e).__name__}); "
                         "denied to be safe (ADR 0018)\n", 2)


def _main(argv: list[str]) -> int:
    started = _since_exec()
    t0 = _clock()
    t0 = t0 - started if t0 else t0
    platform = _platform_arg(argv)
    if platform in ("-h", "--help") or "-h" in argv or "--help" in argv:
        return _emit(USAGE + "\n", "", 0)
    from hookgate.adapters import ADAPTERS

    if platform not in ADAPTERS:
        # cannot speak this platform's protocol: exit 2 + stderr denies on every platform
        return _emit("", f"hookgate: denied: unknown or missing --platform {platform!r}; {USAGE}\n", 2)
    _arm(DECIDE_S - (_clock() - t0 if t0 else started))  # start-up counts (see _since_exec)
    try:
        try:
            data = _read_stdin()
        except DeadlineExceeded:
            data, read_error = b"", f"stdin not closed within {DECIDE_S:g}s"
        except Exception as e:  # noqa: BLE001
            data, read_error = b"", f"cannot read stdin ({type(e).__name__})"
        else:
            read_error = ""
        result = decide(platform, data, dict(os.environ), t0, read_error)
    finally:
        _disarm()
    code = _emit(*result)
    if len(data) > BIG_INPUT:
        os._exit(code)  # everything is written and flushed; skip freeing a huge payload
    return code


def decide(platform: str, data: bytes, env: dict[str, Any], t0: float | None = None,
           read_error: str = "") -> tuple[str, str, int]:
    """The one decision function both doors call (ADR 0025): the one-shot process
    (:func:`main`) and the resident server (``hookgate serve``). (stdout, stderr, exit code).

    Same deadline semantics on both doors: the alarm is (re)armed for what is left of
    ``DECIDE_S`` since *t0* (stdin reading counts), then the record step gets what is left of
    ``DEADLINE_S``. Call it from the main thread; elsewhere the alarm is unavailable and only
    the per-step bounds hold (as in :func:`handle` with ``armed=False``)."""
    if t0 is None:
        t0 = _clock()
    from hookgate.adapters import ADAPTERS

    if platform not in ADAPTERS:
        return "", f"hookgate: denied: unknown or missing --platform {platform!r}; {USAGE}\n", 2
    left = DECIDE_S - (_clock() - t0) if t0 else DECIDE_S
    armed = _arm(min(max(left, 0.25), DECIDE_S))  # past it already (stdin never closed): a moment to record the deny
    try:
        return handle(platform, data, env, t0, read_error, armed=armed)
    finally:
        _disarm()


def _deadline_reason() -> str:
    return (f"could not decide within {DECIDE_S:g}s (hookgate's per-call deadline, ADR 0018); "
            "denied to be safe — split the action into smaller steps")


def handle(platform: str, data: bytes, env: dict[str, Any], t0: float | None = None, read_error: str = "",
           armed: bool = False) -> tuple[str, str, int]:
    """Decide one hook call; return (stdout, stderr, exit code). Never raises.

    *armed*: the caller set the deadline alarm to DECIDE_S (``main`` does); the record step then
    gets what is left of DEADLINE_S. Decide first, then record: the ledger never delays or
    changes a decision, it only adds a note when the record went to the side log."""
    if t0 is None:
        t0 = _clock()
    phase = None
    try:
        from hookgate.adapters import load

        adapter: Adapter = load(platform)
    except Exception as e:  # noqa: BLE001
        return "", f"hookgate: denied: adapter {platform} failed to load ({type(e).__name__})\n", 2
    event = None
    try:
        from hookgate.core import engine
        from hookgate.adapters.base import BadInput

        try:
            if read_error:
                raise BadInput(read_error)
            if len(data) > MAX_STDIN:
                raise BadInput(f"payload larger than {MAX_STDIN // (1024 * 1024)} MiB")
            event = adapter.parse(data, env)
            if len(data) > BIG_INPUT and isinstance(event.extra, dict):
                from hookgate.core.engine import _sha256_hex

                event.extra["stdin_sha256"] = _sha256_hex(data)
        except BadInput as e:
            _rearm_for_record(armed, t0)
            engine.record_bad_input(platform, str(e), data, env, t0)
            return adapter.render_failure(str(e), None)
        phase = event.phase
        decided = engine.decide_full(event, env)
    except DeadlineExceeded:
        reason = _deadline_reason()
        _rearm_for_record(armed, t0)
        _record_failure("deadline", platform, reason, env, t0, event)
        return adapter.render_failure(reason, phase)
    except Exception as e:  # noqa: BLE001 - fail closed, one line, never a traceback on stdout
        reason = f"internal error ({type(e).__name__}: {str(e)[:200]}); denied to be safe"
        _rearm_for_record(armed, t0)
        _record_failure("crash", platform, reason, env, t0, event)
        return adapter.render_failure(reason, phase)
    # decided: record within what is left of the deadline, then render
    _rearm_for_record(armed, t0)
    try:
        decision = engine.record(event, env, t0, *decided)
    except BaseException as e:  # noqa: BLE001 - a late record never changes the decision…
        try:
            decision = engine.record_elsewhere(event, env, t0, decided, e)
        except BaseException as e2:  # noqa: BLE001 - …but one recorded nowhere is not allowed
            return adapter.render_failure(
                f"cannot record this decision (ledger: {type(e).__name__}; side log: {type(e2).__name__}); "
                "denied to be safe", phase)
    try:
        after_edit = getattr(adapter, "AFTER_EDIT_EVENT", None)
        if after_edit:  # Cursor: edits reported after the fact (ADR 0010)
            from hookgate.core import cursor_violations

            pending = cursor_violations.settle(event, env, after_edit)
            return adapter.render(event, decision, pending)  # type: ignore[call-arg]  # Cursor's render takes it
        return adapter.render(event, decision)
    except BaseException as e:  # noqa: BLE001
        return adapter.render_failure(f"internal error while rendering ({type(e).__name__}); denied to be safe", phase)


def _rearm_for_record(armed: bool, t0: float) -> None:
    """Give the record step what is left of DEADLINE_S (at least a little)."""
    if not armed:
        return
    left = DEADLINE_S - RENDER_MARGIN_S - (_clock() - t0) if t0 else DEADLINE_S - DECIDE_S - RENDER_MARGIN_S
    _arm(min(max(left, 0.05), DEADLINE_S - RENDER_MARGIN_S))


def _record_failure(kind: str, platform: str, reason: str, env: dict[str, Any], t0: float,
                    event: Any) -> None:
    try:
        from hookgate.core import engine

        engine.record_failure(kind, platform, reason, env, t0, event)
    except BaseException:  # noqa: BLE001 - the deny is rendered regardless
        pass
