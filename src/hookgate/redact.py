"""Redaction of tool inputs before they reach the ledger (ADR 0004).

Known token shapes, values of secret-looking ``NAME=value`` assignments, private-key
blocks, and file contents beyond a short prefix are replaced; a digest of the full input
is kept so a record can still be matched to an action.
"""

from __future__ import annotations

from hookgate import jsonio as json

try:
    from _sha256 import sha256
except ImportError:  # pragma: no cover
    from hashlib import sha256

CONTENT_PREFIX = 200
LONG_STRING = 4000
CONTENT_KEYS = frozenset(
    ("content", "new_string", "old_string", "new_source", "contents", "text", "file_text", "patch")
)

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
    r"|eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}"  # JWT
    r"|npm_[A-Za-z0-9]{36}"
    r")"
)
_PRIVATE_KEY_SRC = r"(?s)-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)"
_SECRET_NAME = r"[A-Za-z_][A-Za-z0-9_]*(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASS|PWD|CREDENTIALS?|AUTH|API)[A-Za-z0-9_]*"
_ASSIGN_SRC = (
    r"(?i)(?P<name>\b" + _SECRET_NAME + r")(?P<sep>\s*[=:]\s*)"
    r"(?P<val>\"[^\"]*\"|'[^']*'|[^\s;&|\"']+)"
)
_AUTH_HEADER_SRC = r"(?i)(authorization:\s*(?:bearer|basic|token)\s+)[^\s\"']+"
_URL_CRED_SRC = r"(?i)(\b[a-z][a-z0-9+.\-]*://[^/\s:@]+:)[^@\s/]+(@)"

REDACTED = "«redacted»"


_TOKEN_HINTS = ("AKIA", "ASIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "xox", "sk-", "AIza", "eyJ", "npm_")
_SECRET_WORDS = ("KEY", "TOKEN", "SECRET", "PASS", "PWD", "CREDENTIAL", "AUTH", "API")
_compiled: dict = {}


def _rx(src: str):
    """Compile on first use: most inputs never need a pattern (``import re`` and each regex
    compile cost milliseconds per process on the hot path — ADR 0017)."""
    rx = _compiled.get(src)
    if rx is None:
        import re

        rx = _compiled[src] = re.compile(src)
    return rx


def redact_text(s: str) -> str:
    if not s:
        return s
    if "PRIVATE KEY" in s:
        s = _rx(_PRIVATE_KEY_SRC).sub("-----BEGIN PRIVATE KEY-----" + REDACTED, s)
    if any(h in s for h in _TOKEN_HINTS):
        s = _rx(_TOKEN_SRC).sub(REDACTED, s)
    if "=" in s or ":" in s:
        up = s.upper()
        if any(w in up for w in _SECRET_WORDS):
            s = _rx(_ASSIGN_SRC).sub(lambda m: m.group("name") + m.group("sep") + REDACTED, s)
            if "AUTHORIZATION" in up:
                s = _rx(_AUTH_HEADER_SRC).sub(lambda m: m.group(1) + REDACTED, s)
        if "://" in s and "@" in s:
            s = _rx(_URL_CRED_SRC).sub(lambda m: m.group(1) + REDACTED + m.group(2), s)
    return s


def _truncate(s: str, limit: int) -> str:
    if len(s) <= limit:
        return s
    return s[:limit] + f"…[{len(s) - limit} more chars]"


def redact_value(value, key: str = ""):
    if isinstance(value, str):
        limit = CONTENT_PREFIX if key in CONTENT_KEYS else LONG_STRING
        return redact_text(_truncate(value, limit))
    if isinstance(value, dict):
        return {k: redact_value(v, k if isinstance(k, str) else "") for k, v in value.items()}
    if isinstance(value, list):
        items = [redact_value(v, key) for v in value[:100]]
        if len(value) > 100:
            items.append(f"…[{len(value) - 100} more items]")
        return items
    return value


def digest(value) -> str:
    try:
        data = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError):
        data = repr(value)
    return sha256(data.encode("utf-8", "surrogatepass")).hexdigest()
