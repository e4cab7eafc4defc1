"""Redaction of tool inputs before they reach the ledger (ADR 0004).

Known token shapes, values of secret-looking ``NAME=value`` assignments, private-key
blocks, and file contents beyond a short prefix are replaced; a digest of the full input
is kept so a record can still be matched to an action.
"""

from __future__ import annotations

from hookgate.state import jsonio as json

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from typing import Any

try:
    from _sha256 import sha256
except ImportError:  # pragma: no cover
    from hashlib import sha256

CONTENT_PREFIX = 200
LONG_STRING = 4000
CONTENT_KEYS = frozenset(
    ("content", "new_string", "old_string", "new_source", "contents", "text", "file_text", "patch")
)

# Every pattern here sees agent input, so every one runs in time linear in its input (ADR 0018):
# the regexes below cannot backtrack more than a bounded amount per start position (fixed
# prefixes, one greedy run each), and the three shapes a regex would match in quadratic time —
# ``NAME=value`` assignments, JWTs and ``scheme://user:pass@`` — are hand-written scanners.
_TOKEN_SRC = (
    r"(?:"
    r"AKIA[0-9A-Z]{16}"  # AWS access key id
    r"|ASIA[0-9A-Z]{16}"
    r"|gh[pousr]_[A-Za-z0-9]{20,}"  # GitHub tokens
    r"|github_pat_[A-Za-z0-9_]{20,}"
    r"|glpat-[A-Za-z0-9_\-]{20,}"  # GitLab
    r"|xox[abposr]-[A-Za-z0-9\-]{10,}"  # Slack
    r"|sk-(?:ant-|proj-|live_|test_)?[A-Za-z0-9_\-]{20,}"  # OpenAI / Anthropic / Stripe
    r"|AIza[0-9A-Za-z_\-]{35}"  # Google API key
    r"|npm_[A-Za-z0-9]{36}"
    r")"
)
_PRIVATE_KEY_SRC = r"(?s)-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)"
_AUTH_HEADER_SRC = r"(?i)(authorization:\s*(?:bearer|basic|token)\s+)[^\s\"']+"

REDACTED = "«redacted»"


_TOKEN_HINTS = ("AKIA", "ASIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "xox", "sk-", "AIza", "npm_")
_SECRET_WORDS = ("KEY", "TOKEN", "SECRET", "PASS", "PWD", "CREDENTIAL", "AUTH", "API")
_compiled: dict[str, Any] = {}

_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_ASCII_ALPHA_ = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_VALUE_STOP = frozenset(";&|\"'")
_JWT_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _rx(src: str) -> Any:
    """Compile on first use: most inputs never need a pattern (``import re`` and each regex
    compile cost milliseconds per process on the hot path — ADR 0017)."""
    rx = _compiled.get(src)
    if rx is None:
        import re

        rx = _compiled[src] = re.compile(src)
    return rx


def _is_word(ch: str) -> bool:
    return ch == "_" or ch.isalnum()  # regex ``\w`` on str


class _Finder:
    """``s.find(ch, k)`` for increasing-ish *k*, amortised linear: a search that found nothing
    (or found a position still ahead) is reused instead of rescanning the same tail."""

    __slots__ = ("s", "memo")

    def __init__(self, s: str) -> None:
        self.s = s
        self.memo: dict[str, Any] = {}

    def find(self, ch: str, k: int) -> int:
        m = self.memo.get(ch)
        if m is not None and m[0] <= k and (m[1] < 0 or m[1] >= k):
            return int(m[1])
        r = self.s.find(ch, k)
        self.memo[ch] = (k, r)
        return r


def _value_end(s: str, k: int, finder: _Finder) -> int:
    r"""End of ``"[^"]*"|'[^']*'|[^\s;&|"']+`` at *k*, or -1."""
    n = len(s)
    if k >= n:
        return -1
    c = s[k]
    if c in "\"'":
        e = finder.find(c, k + 1)
        return -1 if e < 0 else e + 1
    e = k
    while e < n and s[e] not in _VALUE_STOP and not s[e].isspace():
        e += 1
    return e if e > k else -1


def redact_assignments(s: str) -> str:
    r"""``NAME=value`` / ``NAME: value`` where NAME (a whole word starting with a letter or ``_``)
    holds a secret word: the value becomes «redacted». Linear; the same matches as
    ``(?i)\\b[A-Za-z_]\\w*(KEY|TOKEN|…)\\w*\\s*[=:]\\s*("…"|'…'|[^\\s;&|"']+)`` on ASCII names."""
    n = len(s)
    out: list[str] = []
    last = i = 0
    finder = _Finder(s)
    while i < n:
        if s[i] not in _ASCII_WORD:
            i += 1
            continue
        j = i
        while j < n and s[j] in _ASCII_WORD:
            j += 1
        if s[i] in _ASCII_ALPHA_ and (i == 0 or not _is_word(s[i - 1])):
            up = s[i + 1:j].upper()  # the regex: one [A-Za-z_], then a word holding the secret word
            if any(w in up for w in _SECRET_WORDS):
                k = j
                while k < n and s[k].isspace():
                    k += 1
                if k < n and s[k] in "=:":
                    k += 1
                    while k < n and s[k].isspace():
                        k += 1
                    e = _value_end(s, k, finder)
                    if e > 0:
                        out.append(s[last:k])
                        out.append(REDACTED)
                        last = i = e
                        continue
        i = j
    if not out:
        return s
    out.append(s[last:])
    return "".join(out)


def _run_end(s: str, k: int, chars: Any) -> int:
    n = len(s)
    while k < n and s[k] in chars:
        k += 1
    return k


def redact_jwts(s: str) -> str:
    """``eyJ…(10+).eyJ…(10+).…(10+)`` (segments of ``[A-Za-z0-9_-]``) → «redacted». Linear: in a
    run of segment characters only the first ``eyJ`` can start a match (a later start has a
    shorter first segment and the same tail)."""
    n = len(s)
    out: list[str] = []
    last = 0
    pos = s.find("eyJ")
    while pos >= 0:
        end1 = _run_end(s, pos, _JWT_CHARS)
        ok = -1
        if end1 - pos >= 13 and end1 < n and s[end1] == "." and s.startswith("eyJ", end1 + 1):
            end2 = _run_end(s, end1 + 1, _JWT_CHARS)
            if end2 - end1 - 1 >= 13 and end2 < n and s[end2] == ".":
                end3 = _run_end(s, end2 + 1, _JWT_CHARS)
                if end3 - end2 - 1 >= 10:
                    ok = end3
        if ok > 0:
            out.append(s[last:pos])
            out.append(REDACTED)
            last = ok
            pos = s.find("eyJ", ok)
        else:
            pos = s.find("eyJ", end1)  # the rest of this run cannot start a match
    if not out:
        return s
    out.append(s[last:])
    return "".join(out)


def redact_url_credentials(s: str) -> str:
    """``scheme://user:PASSWORD@`` → ``scheme://user:«redacted»@``. Linear: one look back over
    the scheme and one scan forward per ``://``, over disjoint stretches."""
    n = len(s)
    out: list[str] = []
    last = 0
    pos = s.find("://")
    while pos >= 0:
        r = pos
        while r > last and s[r - 1] in _SCHEME_CHARS:
            r -= 1
        start = -1
        for p in range(r, pos):  # leftmost ``\b[a-z]`` in the scheme run
            if s[p] in _LETTERS and (p == 0 or not _is_word(s[p - 1])):
                start = p
                break
        nxt = pos + 3
        if start >= 0:
            q = pos + 3
            while q < n and s[q] not in "/:@" and not s[q].isspace():
                q += 1
            if q > pos + 3 and q < n and s[q] == ":":
                u = q + 1
                while u < n and s[u] not in "@/" and not s[u].isspace():
                    u += 1
                if u > q + 1 and u < n and s[u] == "@":
                    out.append(s[last:q + 1])
                    out.append(REDACTED)
                    last = u
                    nxt = u + 1
        pos = s.find("://", nxt)
    if not out:
        return s
    out.append(s[last:])
    return "".join(out)


def redact_text(s: str) -> str:
    if not s:
        return s
    if "PRIVATE KEY" in s:
        s = _rx(_PRIVATE_KEY_SRC).sub("-----BEGIN PRIVATE KEY-----" + REDACTED, s)
    if any(h in s for h in _TOKEN_HINTS):
        s = _rx(_TOKEN_SRC).sub(REDACTED, s)
    if "eyJ" in s:
        s = redact_jwts(s)
    if "=" in s or ":" in s:
        up = s.upper()
        if any(w in up for w in _SECRET_WORDS):
            s = redact_assignments(s)
            if "AUTHORIZATION" in up:
                s = _rx(_AUTH_HEADER_SRC).sub(lambda m: m.group(1) + REDACTED, s)
        if "://" in s and "@" in s:
            s = redact_url_credentials(s)
    return s


def _truncate(s: str, limit: int) -> str:
    if len(s) <= limit:
        return s
    return s[:limit] + f"…[{len(s) - limit} more chars]"


MAX_ITEMS = 100  # per list or object
MAX_NODES = 2000  # per recorded value: the ledger record stays small whatever the input (ADR 0018)
MAX_DEPTH = 20
MAX_CHARS = 64 * 1024  # of string content per recorded value


def redact_value(value: Any, key: str = "", _budget: list[Any] | None = None, _depth: int = 0) -> Any:
    """A copy of *value* fit for the ledger: strings truncated and redacted, at most MAX_ITEMS
    items per list/object, MAX_NODES nodes and MAX_DEPTH levels in all (the rest is counted,
    not copied), so the work is bounded whatever the input's size."""
    if _budget is None:
        _budget = [MAX_NODES, MAX_CHARS]
    _budget[0] -= 1
    if _budget[0] < 0 or _depth > MAX_DEPTH:
        return "…[truncated]"
    if isinstance(value, str):
        limit = min(CONTENT_PREFIX if key in CONTENT_KEYS else LONG_STRING, max(_budget[1], 0))
        _budget[1] -= min(len(value), limit)
        return redact_text(_truncate(value, limit))
    if isinstance(value, dict):
        out = {}
        for i, (k, v) in enumerate(value.items()):
            if i >= MAX_ITEMS or _budget[0] <= 0:
                out["…"] = f"[{len(value) - i} more keys]"
                break
            out[_truncate(k, 200) if isinstance(k, str) else k] = redact_value(
                v, k if isinstance(k, str) else "", _budget, _depth + 1)
        return out
    if isinstance(value, list):
        items = []
        for i, v in enumerate(value):
            if i >= MAX_ITEMS or _budget[0] <= 0:
                items.append(f"…[{len(value) - i} more items]")
                break
            items.append(redact_value(v, key, _budget, _depth + 1))
        return items
    return value


def digest(value: Any) -> str:
    try:
        data = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError):
        data = repr(value)
    return str(sha256(data.encode("utf-8", "surrogatepass")).hexdigest())
