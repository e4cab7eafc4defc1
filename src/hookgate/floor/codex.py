"""Codex's own sandbox as the floor (ADR 0020): a permission profile in ``config.toml``.

Codex 0.171 closes a path to every command it runs only through a *permission profile*
(``default_permissions = "<name>"``, ``[permissions.<name>.filesystem]`` entries
``"<path>" = "none" | "read" | "write"``); ``"none"`` is its only read-deny. On Linux it is
enforced by bubblewrap: a ``"none"`` file reads as EACCES, a ``"none"`` directory cannot be
listed, a ``"read"`` path is read-only (measured with ``codex sandbox``; ADR 0020).

What ``hookgate install --platform codex`` writes, next to the hook wiring
(``<dir>/hooks.json`` → ``<dir>/config.toml``, project or user scope):

- at the top (a top-level TOML key must precede every table), between marker comments::

      default_permissions = "hookgate"

- at the end, between marker comments: the profile ``hookgate``, extending ``:workspace``
  (what Codex runs a trusted project with), with every masked path as ``"none"`` and every
  block-tier path and hookgate's own places as ``"read"`` — literal absolute paths that exist
  (Codex plants a mode-000 placeholder over an absent one while a command runs, which
  ``git status`` would show).

Codex ignores a profile when any loaded config sets ``sandbox_mode`` (or ``--sandbox`` is
passed), and a project's ``.codex/config.toml`` only when the project is trusted: the floor is
refused (with why) for the first, and ``doctor``'s live probe (``codex sandbox``) catches both.
A foreign ``default_permissions`` or profile named ``hookgate`` is never replaced: refused.

Byte-idempotent (the blocks are rewritten from the plan); uninstall removes both blocks and
gives back the original bytes (a file hookgate created is removed).
"""

from __future__ import annotations

import os

from hookgate.floor.native import BEGIN, BEGIN_CREATED, BEGIN_JOINED, END, block_text
from hookgate.installer import merge
from hookgate.errors import HookgateError

PROFILE = "hookgate"
CONFIG = "config.toml"
TOP_BEGIN = "# >>> hookgate floor: selects the permission profile at the end of this file (adr/0020-the-floor.md)"
TOP = f'{TOP_BEGIN}\ndefault_permissions = "{PROFILE}"\n{END}\n'


class NotExpressible(HookgateError):
    """The floor cannot be written into this config without clobbering the user's choice."""


def config_path(hooks_path: str) -> str:
    return os.path.join(os.path.dirname(hooks_path), CONFIG)


def _q(path: str) -> str:
    """*path* as a TOML basic string: quote and backslash escaped, control characters as
    ``\\uXXXX``; a name that is not Unicode (undecodable bytes) cannot be written."""
    out = ['"']
    for ch in path:
        o = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\u{o:04x}")
        elif 0xD800 <= o <= 0xDFFF:
            raise merge.Refusal(f"{path!r}: a protected path whose name is not valid Unicode cannot be written to "
                                "Codex's config.toml; rename it, or use `hookgate run -- codex`")
        else:
            out.append(ch)
    return "".join(out) + '"'


def profile_lines(none: list[str], read: list[str]) -> list[str]:
    lines = [f"[permissions.{PROFILE}]", 'extends = ":workspace"', "", f"[permissions.{PROFILE}.filesystem]"]
    lines += [f'{_q(p)} = "none"' for p in none]
    lines += [f'{_q(p)} = "read"' for p in read if p not in none]
    return lines


def _strip_top(text: str) -> str:
    return text[len(TOP):] if text.startswith(TOP) else text


def without(text: str | None) -> str | None:
    """*text* without hookgate's two blocks (None: the file should not exist)."""
    if text is None:
        return None
    return block_text(_strip_top(text), None)


def _parse(path: str, text: str) -> dict:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise merge.Refusal(f"{path}: not valid TOML ({e}); nothing was written") from None


def conflicts(doc: dict) -> str | None:
    """Why a profile written into *doc*'s file would not take effect or would clobber."""
    if "sandbox_mode" in doc:
        return (f"it sets sandbox_mode = {doc['sandbox_mode']!r}, which makes Codex ignore permission profiles "
                "(the only way Codex denies a read); remove sandbox_mode and run `hookgate install` again")
    if "default_permissions" in doc:
        return (f"it already selects the permission profile {doc['default_permissions']!r}; hookgate does not replace "
                "it: add the protected paths to that profile as \"none\" entries (`hookgate run --plan` lists them)")
    perms = doc.get("permissions")
    if isinstance(perms, dict) and PROFILE in perms:
        return f"it already defines a permission profile named {PROFILE!r} that hookgate did not write"
    return None


def plan(path: str, none: list[str] | None, read: list[str] | None) -> tuple[bytes | None, bytes | None]:
    """(before, after) of Codex's ``config.toml``: hookgate's blocks for *none*/*read*, or
    taken out when *none* is None. Raises :class:`NotExpressible` (the user's choice stands)
    or ``merge.Refusal`` (unparseable: nothing is written)."""
    before = merge.read_bytes(path)
    try:
        text = before.decode("utf-8") if before is not None else None
    except UnicodeDecodeError:
        raise merge.Refusal(f"{path}: not UTF-8; nothing was written") from None
    rest = without(text)
    if none is None:
        return before, (rest.encode() if rest is not None else None)
    base = _strip_top(text) if text is not None else None
    doc = _parse(path, block_text(base, None) or "")
    why = conflicts(doc)
    if why:
        raise NotExpressible(f"{path}: {why}")
    after = TOP + (block_text(base, profile_lines(none, read or [])) or "")
    got = _parse(path, after)
    fs = ((got.get("permissions") or {}).get(PROFILE) or {}).get("filesystem") or {}
    want = {p: "none" for p in none} | {p: "read" for p in (read or []) if p not in none}
    if got.get("default_permissions") != PROFILE or fs != want:
        raise merge.Refusal(f"{path}: hookgate's profile would not read back as written; nothing was written")
    return before, after.encode()


def has_floor(text: str) -> bool:
    lines = text.split("\n")
    return text.startswith(TOP) and any(m in lines for m in (BEGIN, BEGIN_CREATED, BEGIN_JOINED))
