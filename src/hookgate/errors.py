"""The one base class of the errors hookgate raises on purpose, and its exit codes (ADR 0026).

Every error a caller may want to catch or report derives from :class:`HookgateError` and
carries ``exit_code``; the CLI (``cli/app.py``) catches the base class once and prints one
line. Errors keep their older bases too (``CorruptState`` is still a ``ValueError``), so
callers that catch those keep working. Not here on purpose: the shell engine's internal
control flow (``words.Abort``, ``textops.Unknown``) and the hook's ``DeadlineExceeded`` (a
``BaseException`` so that no validator can swallow it). Standard library only, hot path.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILURE = 1  # a check failed, a refusal, a bad file
EXIT_USAGE = 2  # a bad command line (and, for `hookgate hook`, the platforms' "deny")
EXIT_BUSY = 75  # EX_TEMPFAIL: a lock held by someone else; retry later
EXIT_INTERRUPTED = 130


class HookgateError(Exception):
    """An error hookgate raises on purpose; ``str()`` is the one line a human reads."""

    exit_code: int = EXIT_FAILURE

    def __init__(self, *args: object, exit_code: int | None = None) -> None:
        super().__init__(*args)
        if exit_code is not None:
            self.exit_code = exit_code
