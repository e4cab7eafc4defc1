"""Path policy shared by the read guard and the write guard (ADR 0008, ADR 0009).

- ``globs``: segment-level glob matching and glob/glob intersection, without ``re``;
- ``classify``: the one path classifier every tool and every shell access goes through;
- ``compile``: policy YAML → compiled JSON (CLI side), with the tighten-only check;
- ``guard``: the shared ``check`` of both guards (verdicts, messages, interpreter code);
- ``sessions``: per-session state for deny-workaround detection.
"""
