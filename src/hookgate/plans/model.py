"""A plan and a finding, as data (ADR 0024)."""

from __future__ import annotations

from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Plan:
    id: str
    type: str
    file: str  # absolute path of the .toml file
    digest: str  # sha256 of the file's bytes (drift detection)
    agent: str = ""
    title: str = ""
    depends_on: tuple[str, ...] = ()
    write: tuple[str, ...] = ()
    read: tuple[str, ...] = ()
    tests: tuple[str, ...] = ()
    run: tuple[str, ...] = ()  # argv the test paths are appended to (empty: the default)
    lines: dict = field(default_factory=dict, compare=False, hash=False, repr=False)  # "table.key" -> line

    def line_of(self, key: str) -> int:
        """The line of ``table.key`` in the file (found on first use: most plans never need it)."""
        if "" not in self.lines:
            try:
                with open(self.file, encoding="utf-8") as f:
                    self.lines.update(key_lines(f.read()))
            except (OSError, UnicodeDecodeError):
                pass
            self.lines[""] = 0
        return int(self.lines.get(key, 0))


@dataclass(frozen=True)
class Finding:
    """One problem. ``code`` is stable (tests and --json rely on it); ``plans`` are the ids
    involved; ``file``/``line``/``key`` locate it when one place is to blame."""

    code: str
    message: str
    plans: tuple[str, ...] = ()
    file: str = ""
    line: int = 0
    key: str = ""
    severity: str = ERROR
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def where(self) -> str:
        if not self.file:
            return ""
        out = self.file
        if self.line:
            out += f":{self.line}"
        if self.key:
            out += f" [{self.key}]"
        return out

    def as_dict(self) -> dict:
        d: dict = {"code": self.code, "severity": self.severity, "message": self.message, "plans": list(self.plans)}
        if self.file:
            d.update(file=self.file, line=self.line, key=self.key)
        if self.extra:
            d.update(self.extra)
        return d


def key_lines(text: str) -> dict:
    """``{"table": line, "table.key": line}`` for every table header and key, in one pass
    (best effort: a key inside a multi-line value may be mistaken for one; first wins)."""
    out: dict = {}
    cur = ""
    for n, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if not s or s[0] == "#":
            continue
        if s[0] == "[":
            end = s.find("]")
            cur = s[1:end].strip().strip("[").strip().replace('"', "").replace("'", "").replace(" ", "") if end > 0 else ""
            out.setdefault(cur, n)
            continue
        eq = s.find("=")
        if eq > 0:
            k = s[:eq].strip().replace('"', "").replace("'", "").replace(" ", "")
            full = f"{cur}.{k}" if cur else k
            out.setdefault(full, n)
            if "." in full:  # dotted keys at the top level name their table too
                out.setdefault(full.split(".", 1)[0], n)
    return out
