"""The installer: wire hookgate into Claude Code, Cursor and Gemini CLI settings, safely (ADR 0011).

``targets`` — where each file is, the shipped templates, the marker; ``merge`` — strict load,
remove-then-append merge, one-time backup, atomic write, exact-bytes uninstall; ``checks`` —
the wiring checks ``hookgate doctor`` runs. The CLI is ``hookgate.cli.install``.
"""
