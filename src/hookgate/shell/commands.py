"""What a simple program does with its arguments.

A handler ``handler(call)`` emits the accesses of one executed command; ``shell.table`` maps
program names to handlers; what every handler uses (``Call``, ``opts``) is ``shell/shellstate.py``.
This module holds the handlers of simple programs (``lookup(name)``, its part of the table,
built an entry at a time). Simple programs are described by a ``Spec`` (what their operands are, which options take
a value and which of those values are files); programs with real structure (cp, tar, git, find,
xargs, shells, interpreters) have their own handler in ``fileops``/``interp``. Unknown programs:
their path-looking operands are *possible reads*, never guessed as writes.
"""

from __future__ import annotations

import os

from hookgate.shell.shellstate import D, R, W_, Call, has, opts, values
from hookgate.shell.words import GLOB, LIT, UNRES


# --- simple programs -------------------------------------------------------------------
class Spec:
    """mode of operands; short/long value options; {option: mode} for file-valued options;
    skip = leading operands that are not files (a pattern, a mode); out = trailing operands
    written instead of read (uniq IN OUT)."""

    __slots__ = ("mode", "sv", "lv", "files", "skip", "via")

    def __init__(self, mode, sv="", lv=(), files=None, skip=0, via=None):
        self.mode = mode
        self.sv = sv
        self.lv = frozenset(lv)
        self.files = files or {}
        self.skip = skip
        self.via = via


def run_spec(c: Call, spec: Spec) -> None:
    o, ops = opts(c.args, spec.sv, spec.lv)
    for k, v in o:
        m = spec.files.get(k)
        if m and v is not None:
            c.acc(v, m, f"{c.name} {k}")
    if spec.mode is None:
        return
    via = spec.via or f"{c.name} operand"
    for f in ops[spec.skip :]:
        c.acc(f, spec.mode, via)


_READERS = {
    "cat": "A", "tac": "sbr", "nl": "bdfhilnpsvw", "rev": "", "less": "bhjkoOpPtTxyz#",
    "more": "nt", "most": "", "head": "nc", "tail": "ncs", "cut": "bcdfs", "paste": "d",
    "column": "csoNRlEWdH", "fold": "w", "fmt": "wpdg", "expand": "t", "unexpand": "t",
    "wc": "", "md5sum": "", "sha1sum": "", "sha256sum": "", "sha512sum": "", "sha224sum": "",
    "sha384sum": "", "b2sum": "", "cksum": "a", "sum": "", "base32": "w", "base64": "w",
    "basenc": "w", "od": "AjNtw", "hexdump": "enfs", "hd": "enfs", "strings": "ntTeo",
    "comm": "", "join": "ajotev12", "iconv": "ft", "tr": None, "zcat": "", "bzcat": "",
    "xzcat": "", "zstdcat": "", "zless": "", "zmore": "", "bat": "lmHrpL", "batcat": "lmHrpL",
    "view": "c", "look": "t", "fgrep": None, "expand_": "", "pr": "hlwnNoW", "dos2unix": "",
    "unix2dos": "", "yq": "", "xmllint": "", "csvlook": "", "shuf": "nio", "split": "abdlnt",
"md5": "", "shasum": "a", "tsort": "", "ptx": "",
}
_IN_PLACE = ("dos2unix", "unix2dos")  # (a reader's options, but the file is rewritten)

def _simple() -> dict:
    """The simple programs described by a ``Spec`` (built on first use: ``cat``, a reader, needs
    none of them; no name is both here and a ``_READERS`` entry, ``tests/unit/shell/test_table.py``)."""
    if not _SIMPLE:
        _SIMPLE.update(_simple_specs())
    return _SIMPLE


_SIMPLE: dict = {}


def _simple_specs() -> dict:
    return {
        "unlink": Spec(D),
        "rmdir": Spec(D),
        "srm": Spec(D),
        "trash": Spec(D),
        "trash-put": Spec(D),
        "gio": Spec(None),
        "truncate": Spec(W_, "sor", ("size", "reference"), {"-r": R, "--reference": R}, via="truncate"),
        "touch": Spec(W_, "dtr", ("date", "reference", "time"), {"-r": R, "--reference": R}, via="touch"),
        "mkdir": Spec(W_, "m", ("mode", "context"), via="mkdir"),
        "mkfifo": Spec(W_, "m"),
        "mknod": Spec(None),
        "tee": Spec(W_, "", ("output-error",), via="tee"),
        "sponge": Spec(W_, "", via="sponge"),
        "source": Spec(R, via="source"),
        ".": Spec(R, via="source"),
        "cmp": Spec(R, "inb", ("ignore-initial", "bytes")),
        "diff": Spec(R, "xXIFLCUDWS", ("exclude", "exclude-from", "ignore-matching-lines", "label", "show-function-line",
                                     "context", "unified", "ifdef", "width", "starting-file", "from-file", "to-file",
                                     "line-format", "old-line-format", "new-line-format", "unchanged-line-format",
                                     "tabsize", "color", "palette"),
                     {"-X": R, "--exclude-from": R, "--from-file": R, "--to-file": R}, via="diff"),
        "diff3": Spec(R, "L"), "sdiff": Spec(R, "owI", files={"-o": W_}), "colordiff": Spec(R, "xXIFLCU"),
        "vimdiff": Spec(R), "meld": Spec(R),
        "jq": Spec(R, "fL", ("indent", "from-file", "slurpfile", "rawfile", "arg", "argjson", "args", "jsonargs"),
                   {"-f": R, "--from-file": R}, skip=1, via="jq input"),
        "xxd": Spec(R, "cgloOsn", ("cols", "groupsize", "len", "seek", "offset", "name")),
        "uniq": Spec(R, "fswD", ("skip-fields", "skip-chars", "check-chars", "group", "all-repeated")),
        "sort": Spec(R, "ktSToy", ("key", "field-separator", "buffer-size", "temporary-directory", "output",
                                   "files0-from", "parallel", "batch-size", "random-source", "sort", "compress-program"),
                     {"-o": W_, "--output": W_, "--files0-from": R, "--random-source": R}, via="sort input"),
        "ls": Spec(None, "ITwpD", ("ignore", "hide", "width", "format", "sort", "time", "time-style", "color",
                                 "quoting-style", "indicator-style", "block-size", "tabsize")),
        "stat": Spec(None, "cf", ("format", "printf")),
        "du": Spec(None, "BdtX", ("max-depth", "threshold", "exclude-from", "exclude", "block-size", "time", "time-style")),
        "realpath": Spec(None), "readlink": Spec(None), "dirname": Spec(None), "basename": Spec(None, "s"),
        "test": Spec(None), "[": Spec(None), "[[": Spec(None), "tree": Spec(None, "LIPo", files={"-o": W_}),
        "df": Spec(None), "lsattr": Spec(None), "getfacl": Spec(None), "namei": Spec(None), "exa": Spec(None),
        "eza": Spec(None), "lsof": Spec(None), "fuser": Spec(None), "pathchk": Spec(None),
        "tr": Spec(None),  # two character sets, stdin to stdout
        "shred": None,
    }


# the programs with a handler function of their own (below)
_FUNCS: dict = {}


def _shred(c: Call) -> None:
    o, ops = opts(c.args, "ns", ("iterations", "size", "random-source", "remove"))
    mode = D if has(o, "-u", "--remove") else W_
    for f in ops:
        c.acc(f, mode, "shred")


def _chmod(c: Call) -> None:
    # a leading symbolic mode such as -x or -w is an operand, not an option
    args = list(c.args)
    mode_done = False
    rest = []
    ref = None
    for t, k in args:
        if t.startswith("--reference="):
            ref = (t[12:], LIT)
            mode_done = True
            continue
        if not mode_done and k == LIT and t[:1] in "-+=" and len(t) > 1 and all(ch in "rwxXstugoa,+-=0123456789" for ch in t[1:]) and c.name == "chmod":
            mode_done = True
            continue
        rest.append((t, k))
    o, ops = opts(rest, "", ("from", "reference"))
    if ref is None:
        refs = values(o, "--reference")
        ref = refs[0] if refs else None
    if ref is not None:
        c.acc(ref, R, f"{c.name} --reference")
    if not mode_done and ref is None and ops:
        ops = ops[1:]
    recursive = has(o, "-R", "--recursive") or (c.name in ("setfacl", "chattr") and has(o, "-R"))
    for f in ops:
        c.acc(f, W_, c.name)
        if recursive and f[1] != UNRES and f[0] != "":
            # everything below changes too (`chmod -R 777 ~` reaches ~/.ssh), as for `rm -r`
            below = (f[0].rstrip("/") + "/$(find)", UNRES)  # dotfiles too, as find would list them
            c.w.emit(below, W_, f"{c.name} -R (everything below)", c.name, c.st)


_FUNCS["shred"] = _shred


def _rm(c: Call) -> None:
    o, ops = opts(c.args, "", ("interactive",))
    recursive = has(o, "-r", "-R", "--recursive")
    for f in ops:
        c.acc(f, D, "rm operand")
        if recursive and f[1] != UNRES and f[0] not in ("/", ""):
            # everything below goes too: a pattern the guards can match protected files against
            below = (f[0].rstrip("/") + "/*", GLOB if f[1] == GLOB else UNRES)
            c.w.emit(below, D, "rm -r (everything below)", c.name, c.st)


_FUNCS["rm"] = _rm
for _n in ("chmod", "chown", "chgrp", "chattr", "setfacl", "chcon"):
    _FUNCS[_n] = _chmod

# no file accesses at all (metadata, builtins, printing): when no entry above has the name
_NO_ACCESS = frozenset((
    "file echo true false : sleep date whoami id uname hostname printenv export unset alias "
    "unalias wait kill killall pkill jobs fg bg disown exit return break continue umask ulimit "
    "hash history seq yes clear tput reset pwd which type whereis hostnamectl uptime free ps top htop pgrep "
    "nproc getconf locale tty stty logname groups users w who last env-print sync getent arch lscpu lsblk "
    "lsusb lspci mktemp let local declare typeset readonly wall notify-send say cal ncal bc dc expr factor "
    "numfmt tabs column-print sleep usleep vmstat iostat dmesg journalctl systemctl-status basename-print "
    "complete compgen bind help times caller popd-print dirs enable logout").split())


def _no_access(c: Call) -> None:
    return None


def _cd(c: Call) -> None:
    o, ops = opts(c.args, "", posix=True)
    st = c.st
    if c.name == "popd":
        if st.dirstack:
            st.cwd, st.dirstack = st.dirstack[-1], st.dirstack[:-1]
        else:
            from hookgate.shell.words import UNKNOWN

            st.cwd = UNKNOWN
        return
    from hookgate.shell.shellstate import norm
    from hookgate.shell.words import UNKNOWN, Opaque

    if not ops:
        target = (c.w.home, LIT) if c.name == "cd" else None
        if target is None:
            return
    else:
        target = ops[0]
    text, kind = target
    if c.name == "pushd":
        st.dirstack = st.dirstack + (st.cwd,)
    old = st.cwd
    if kind == LIT and text == "-" and c.name in ("cd", "chdir"):
        # `cd -`: $OLDPWD, the directory before the last cd (ADR 0021); unset → cd fails
        prev = st.vars["OLDPWD"] if "OLDPWD" in st.vars else c.w.env.get("OLDPWD", "")
        if isinstance(prev, str) and not prev:
            return
        p = norm(prev, st.cwd) if isinstance(prev, str) and not isinstance(prev, Opaque) else None
        st.cwd = p if p is not None else UNKNOWN
        st.vars["OLDPWD"] = old
        return
    st.vars["OLDPWD"] = old
    if kind != LIT or text == "-" or (text.startswith("+") or text.startswith("-")) and c.name == "pushd":
        st.cwd = UNKNOWN
        return
    if text and not text.startswith(("/", "./", "../")) and text not in (".", ".."):
        cdpath = st.vars[("CDPATH")] if "CDPATH" in st.vars else c.w.env.get("CDPATH", "")
        if cdpath is UNKNOWN or not isinstance(cdpath, str) or cdpath.strip(":"):
            st.cwd = UNKNOWN  # bash looks in $CDPATH's directories first
            return
    p = norm(text, st.cwd)
    st.cwd = p if p is not None else UNKNOWN


for _n in ("cd", "pushd", "popd", "chdir"):
    _FUNCS[_n] = _cd


# --- this module's part of the command table ------------------------------------------
# Built an entry at a time, on first use: a one-shot call needs one or two of its ~300 entries
# (ADR 0017's import budget). The order of precedence: a handler function, a ``_SIMPLE`` spec,
# the in-place converters, a ``_READERS`` spec, then ``_NO_ACCESS`` (a reader is looked up before
# ``_SIMPLE`` is built: no name is in both).
_made: dict = {}


def lookup(name: str):
    """This module's handler of ``name``, or None when it has none (``shell.table``)."""
    h = _made.get(name)
    if h is None:
        h = _make(name)
        if h is not None:
            _made[name] = h
    return h


def _make(name: str):
    h = _FUNCS.get(name)
    if h is not None:
        return h
    spec: Spec | None
    if _READERS.get(name) is not None and name not in _IN_PLACE:
        spec = Spec(R, _READERS[name])  # (never also a ``_SIMPLE`` name)
    else:
        spec = _simple().get(name)
        if spec is None and name in _IN_PLACE:
            spec = Spec(W_, "", via="in-place conversion")
    if spec is not None:
        return lambda c: run_spec(c, spec)
    if name in _NO_ACCESS:
        return _no_access
    return None


def all_handlers() -> dict:
    """Every entry of this module's part of the table (tools and tests that list it; never the
    hot path)."""
    names = set(_FUNCS) | {n for n, s in _simple().items() if s is not None} | set(_IN_PLACE) \
        | {n for n, sv in _READERS.items() if sv is not None} | _NO_ACCESS
    return {n: lookup(n) for n in sorted(names)}


# Options that hand a program a key or certificate to *use* (TLS client auth, signing,
# decrypting): the program never prints it, so its value is key use, not a read — like
# ``ssh -i`` (ADR 0008 "Key use"). Only the option's value; a bare operand is still a read.
_KEY_USE = frozenset((
    "cert", "certificate", "key", "private-key", "privatekey", "key-file", "keyfile", "cert-file", "certfile",
    "ssl-cert", "ssl-key", "ssl-certificate", "ssl-certificate-key", "tls-cert", "tls-key", "tlscert", "tlskey",
    "client-cert", "client-key", "cacert", "ca-cert", "cafile", "ca-file", "ca-certificate", "capath",
    "inkey", "signkey", "signer", "load-privkey", "load-certificate", "load-ca-certificate", "load-ca-privkey",
    "secureboot-private-key", "secureboot-certificate", "zfs-key", "identity", "identity-file", "sslcert", "sslkey",
))


def key_use_option(text: str) -> bool:
    """``--cert``, ``-key``, ``--ssl-key`` … (the option word itself, without a value)."""
    return text[:1] == "-" and text.lstrip("-").lower() in _KEY_USE


def unknown_program(c: Call) -> None:
    """Path-looking operands of a program we do not know: possible reads, never writes.
    The value of a key-use option (``--cert F``, ``-key F``, ``--ssl-key=F``) is not a read."""
    via = f"possible read (unknown program {c.name})"
    c.w.changed_unknown = True  # it may have created files: listings are no longer "now"
    cwd = c.st.cwd
    skip = False
    for text, kind in c.args:
        if skip:
            skip = False
            continue
        if kind == LIT and key_use_option(text):
            skip = True
            continue
        if kind == GLOB:
            c.acc((text, kind), R, via)
            continue
        if kind != LIT or not text or text[0] == "-" and "=" not in text:
            continue
        if "=" in text and text.startswith("-"):
            opt, text = text.split("=", 1)
            if not text or key_use_option(opt):
                continue
        if "://" in text or len(text) > 4096:
            continue
        if "/" in text:
            c.acc((text, LIT), R, via)
            continue
        if not isinstance(cwd, str):
            continue
        try:
            if os.path.lexists(os.path.join(cwd, text)):
                c.acc((text, LIT), R, via)
        except (OSError, ValueError):
            pass
