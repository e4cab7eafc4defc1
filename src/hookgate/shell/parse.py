"""Command text → mvdan/sh syntax tree (as plain dicts), with a pure-Python fast path.

The parser is mvdan/sh, run as ``shfmt --to-json -ln bash`` (the binary ships in the pinned
``shfmt-py==4.2.0`` wheel, mvdan/sh v3.14.1; ADR 0007), spawned by ``shell/shfmt.py``, which
only a command the fast path does not take loads.

Fast path: a command made only of characters for which bash word splitting is trivially
exact (``SAFE`` below, single spaces, plain single- and double-quoted strings, the list/pipe
operators ``; && || |`` and the redirections ``> >> < >& &> &>>`` after a command's first
word) is tokenised here into *the same tree shape* shfmt would produce (minus source
positions); ``tests/unit/shell/test_fastpath.py`` checks that equality on random commands and on
the corpora. Anything else goes to shfmt.
"""

from __future__ import annotations

from hookgate.errors import HookgateError

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing only: the hot path never imports ``typing`` (ADR 0017)
    from typing import Any

MAX_INPUT = 64 * 1024
TIMEOUT = 2.0
SHFMT_VERSION = "v3.14.1"

# characters that never need shell interpretation inside a word
_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./=:,@%+-")
# words that shfmt turns into something other than a plain CallExpr (keywords, decl builtins)
_SPECIAL_FIRST = frozenset(
    "if then else elif fi for while until do done case esac in function select time coproc "
    "declare local export readonly typeset nameref let [[ ]] { } !".split()
)
_OPS = ("&&", "||", ";", "|")


class ParseError(HookgateError):
    pass


# --- fast path -----------------------------------------------------------------------------


def _lit(v: str) -> dict:
    return {"Parts": [{"Type": "Lit", "Value": v}]}


def _is_assign(tok: str) -> bool:
    eq = tok.find("=")
    if eq <= 0:
        return False
    name = tok[:eq]
    if name.endswith("+"):
        name = name[:-1]
    if not name or not (name[0].isalpha() or name[0] == "_") or not name.isascii():
        return False
    return all(c.isalnum() or c == "_" for c in name)


_DQ_SPECIAL = frozenset('$`\\!\n')  # expansions, escapes, history, lines: shfmt decides those


def _tokens(command: str) -> list[list[dict[str, Any]] | str | tuple[str, str]] | None:
    """Words (as part lists), operators and redirections (``(op, fd)``), or None if the fast
    path does not apply."""
    out: list[list[dict[str, Any]] | str | tuple[str, str]] = []
    i, n = 0, len(command)
    cur: list | None = None  # parts of the current word
    lit = []
    while i < n:
        c = command[i]
        if c in _SAFE:
            lit.append(c)
            i += 1
            continue
        if c == "'":
            j = command.find("'", i + 1)
            if j < 0:
                return None
            body = command[i + 1 : j]
            if cur is None:
                cur = []
            if lit:
                cur.append({"Type": "Lit", "Value": "".join(lit)})
                lit = []
            cur.append({"Type": "SglQuoted", "Value": body} if body else {"Type": "SglQuoted"})
            i = j + 1
            continue
        if c == '"':
            # a double-quoted string with nothing bash expands or escapes in it: one Lit
            j = command.find('"', i + 1)
            if j < 0:
                return None
            body = command[i + 1 : j]
            if any(ch in body for ch in _DQ_SPECIAL):
                return None
            if cur is None:
                cur = []
            if lit:
                cur.append({"Type": "Lit", "Value": "".join(lit)})
                lit = []
            cur.append({"Type": "DblQuoted", "Parts": [{"Type": "Lit", "Value": body}]} if body else {"Type": "DblQuoted"})
            i = j + 1
            continue
        # a word boundary
        fd = ""
        if c in "<>" and cur is None and lit and "".join(lit).isdigit():
            if len(lit) > 2:
                return None  # (a long descriptor number: shfmt decides)
            fd, lit = "".join(lit), []  # `2>x`: the digits right before the operator are its descriptor
        if lit:
            if cur is None:
                cur = []
            cur.append({"Type": "Lit", "Value": "".join(lit)})
            lit = []
        if cur is not None:
            out.append(cur)
            cur = None
        if c == " ":
            i += 1
            continue
        two = command[i : i + 2]
        if c in "<>" or two == "&>":
            op = _redirect_op(command, i)
            if op is None or (fd and op[0] == "&"):
                return None
            out.append((op, fd))
            i += len(op)
            continue
        if two in ("&&", "||"):
            out.append(two)
            i += 2
            continue
        if c in ";|":
            if two in (";;", ";&", "|&"):
                return None
            out.append(c)
            i += 1
            continue
        return None
    if lit:
        if cur is None:
            cur = []
        cur.append({"Type": "Lit", "Value": "".join(lit)})
    if cur is not None:
        out.append(cur)
    return out


def _redirect_op(command: str, i: int) -> str | None:
    """The redirection operator at ``command[i]`` the fast path takes (``> >> < >& &> &>>``), or
    None: here-docs and strings, ``<>``, ``>|``, ``<&``, process substitution go to shfmt."""
    for op in ("&>>", "&>", ">>", ">&", ">", "<"):
        if command.startswith(op, i):
            if command[i + len(op) : i + len(op) + 1] in ("<", ">", "&", "|", "(", ";"):
                return None  # `<<`, `<>`, `>|`, `<&`, `>(`, `>>&`, an operator where its word goes
            return op
    return None


def _redirects(words: list) -> tuple[list, list] | None:
    """(the words, the redirections ``Redirs`` as shfmt gives them) of one simple command; a
    redirection takes the word after it. None when one has no word or comes before the
    command's first word (shfmt decides those)."""
    plain: list = []
    redirs: list[dict[str, Any]] = []
    k = 0
    while k < len(words):
        w = words[k]
        if isinstance(w, tuple):
            if not plain or k + 1 >= len(words) or isinstance(words[k + 1], tuple):
                return None
            op, fd = w
            r: dict[str, Any] = {"Op": op}
            if fd:
                r["N"] = {"Value": fd}
            r["Word"] = {"Parts": words[k + 1]}
            redirs.append(r)
            k += 2
            continue
        plain.append(w)
        k += 1
    return plain, redirs


def _call(words: list) -> dict | None:
    split = _redirects(words)
    if split is None:
        return None
    words, redirs = split
    if not words:
        return None
    assigns: list[dict[str, Any]] = []
    k = 0
    while k < len(words):
        w = words[k]
        if w[0]["Type"] == "Lit" and _is_assign(w[0]["Value"]):
            v = w[0]["Value"]
            eq = v.index("=")
            name = v[:eq]
            a: dict[str, Any] = {}
            if name.endswith("+"):
                a["Append"] = True
                name = name[:-1]
            a["Name"] = {"Value": name}
            rest = ([{"Type": "Lit", "Value": v[eq + 1 :]}] if v[eq + 1 :] else []) + w[1:]
            if rest:
                a["Value"] = {"Parts": rest}
            assigns.append(a)
            k += 1
            continue
        break
    args = words[k:]
    if args:
        first = args[0]
        if len(first) == 1 and first[0]["Type"] == "Lit" and first[0]["Value"] in _SPECIAL_FIRST:
            return None
    cmd: dict = {"Type": "CallExpr"}
    if assigns:
        cmd["Assigns"] = assigns
    if args:
        cmd["Args"] = [{"Parts": w} for w in args]
    if redirs:
        return {"Cmd": cmd, "Redirs": redirs}
    return {"Cmd": cmd}


def fast_parse(command: str) -> dict | None:
    """The shfmt tree of a trivially tokenisable command, or None when shfmt is needed."""
    if not command or command[0] == " " or command[-1] == " " or "  " in command:
        return None
    toks = _tokens(command)
    if not toks:
        return None
    # statements separated by ';' ; within, && / || left-assoc over pipelines (| left-assoc)
    stmts = []
    seg: list = []
    for t in toks + [";"]:
        if t == ";":
            if not seg:
                return None
            node = _andor(seg)
            if node is None:
                return None
            stmts.append(node)
            seg = []
        else:
            seg.append(t)
    return {"Type": "File", "Stmts": stmts}


def _pipeline(items: list) -> dict | None:
    groups: list = [[]]
    for t in items:
        if t == "|":
            groups.append([])
        elif isinstance(t, str):
            return None
        else:
            groups[-1].append(t)
    nodes = []
    for g in groups:
        c = _call(g)
        if c is None:
            return None
        nodes.append(c)
    node = nodes[0]
    for nxt in nodes[1:]:
        node = {"Cmd": {"Type": "BinaryCmd", "Op": "|", "X": node, "Y": nxt}}
    return node


def _andor(items: list) -> dict | None:
    parts: list = [[]]
    ops = []
    for t in items:
        if t in ("&&", "||"):
            ops.append(t)
            parts.append([])
        else:
            parts[-1].append(t)
    node = _pipeline(parts[0])
    if node is None:
        return None
    for op, p in zip(ops, parts[1:]):
        y = _pipeline(p)
        if y is None:
            return None
        node = {"Cmd": {"Type": "BinaryCmd", "Op": op, "X": node, "Y": y}}
    return node


def parse(command: str, timeout: float = TIMEOUT) -> tuple[dict, bool]:
    """(tree, used_fast_path). Raises ParseError (message suitable for ``parse_error``)."""
    if len(command) > MAX_INPUT or len(command.encode("utf-8", "surrogateescape")) > MAX_INPUT:
        raise ParseError(f"command longer than {MAX_INPUT} bytes")
    if "\x00" in command:
        raise ParseError("command contains a NUL byte")
    if command.count("$(") + command.count("`") + command.count("<(") + command.count(">(") > 400:
        raise ParseError("too many command substitutions")
    tree = fast_parse(command)
    if tree is not None:
        return tree, True
    return parse_shfmt(command, timeout), False


def parse_shfmt(command: str, timeout: float = TIMEOUT) -> dict:
    """The tree shfmt builds (the runner, ``shell/shfmt.py``, loads here: the fast path needs
    neither it nor ``select``). Raises ParseError."""
    from hookgate.shell import shfmt
    from hookgate.state import jsonio as json

    binary = shfmt.shfmt_path()
    if binary is None:
        raise ParseError("shell parser (shfmt) not found")
    data = command.encode("utf-8", "surrogateescape")
    try:
        rc, out = shfmt.run(binary, data, timeout)
    except TimeoutError:
        raise ParseError(f"shell parser timed out after {timeout:g} s") from None
    except OSError as e:
        raise ParseError(f"shell parser could not run: {e}") from None
    if rc != 0:
        lines = out.decode("utf-8", "replace").strip().splitlines()
        msg = lines[0] if lines else f"exit status {rc}"
        if msg.startswith("<standard input>:"):
            msg = msg[len("<standard input>:"):]
        raise ParseError(f"parse error: {msg[:300]}")
    try:
        return json.loads(out)
    except RecursionError:
        raise ParseError("syntax tree too deeply nested") from None
    except ValueError as e:
        raise ParseError(f"parser output unreadable: {e}") from None
