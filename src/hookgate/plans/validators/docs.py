"""``type = "docs"``: documentation only (ADR 0024).

- it claims something to write, and every write claim is documentation: under a ``docs/``
  or ``doc/`` directory, or a file named ``*.md``, ``*.rst``, ``*.txt``, ``*.adoc``,
  ``*.markdown``, or ``README*``/``CHANGELOG*``/``CONTRIBUTING*``/``LICENSE*``/``NOTICE*``.
  A docs plan that claims code would slip behaviour changes past review as "just docs".
"""

from __future__ import annotations

from hookgate.plans import globs

TYPE = "docs"
DESCRIPTION = "writes documentation only"
DOC_DIRS = ("docs", "doc", "documentation")
DOC_SUFFIXES = (".md", ".rst", ".txt", ".adoc", ".markdown")
DOC_NAMES = ("readme", "changelog", "contributing", "license", "notice", "authors")


def is_doc(pattern: str) -> bool:
    """Whether every path *pattern* can cover is documentation (a glob must end in a doc
    suffix: ``README*`` could be ``README.sh``)."""
    segs = globs.segments(pattern)
    if globs.is_literal(segs[0]) and segs[0].lower() in DOC_DIRS:
        return True
    last = segs[-1].lower()
    if last.endswith(DOC_SUFFIXES):
        return True
    return globs.is_literal(last) and last.split(".", 1)[0] in DOC_NAMES and "." not in last


def check(plan, ctx):
    out = []
    if not plan.write:
        out.append(ctx.finding(plan, "no-write-claims", "a docs plan claims nothing to write (claims.write)",
                               "claims.write"))
    for w in plan.write:
        if not is_doc(w):
            out.append(ctx.finding(plan, "docs-writes-code", f"claims.write {w!r} is not documentation (a docs plan "
                                   f"writes under {'/, '.join(DOC_DIRS)}/ or *.md, *.rst, *.txt, README…)",
                                   "claims.write"))
    return out
