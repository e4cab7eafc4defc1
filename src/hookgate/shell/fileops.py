"""Command table, part 2: copy/move/link, archives, downloaders, find, xargs."""

from __future__ import annotations

import os

from hookgate.shell.shellstate import D, R, W_, Call, has, opts, values
from hookgate.shell.words import GLOB, LIT, UNRES

HANDLERS: dict = {}  # this module's part of the command table (``shell.table``)


def _join(dirf, name):
    text, kind = dirf
    if kind == LIT:
        return (text.rstrip("/") + "/" + name, LIT)
    return (text.rstrip("/") + "/" + name, UNRES if kind == UNRES else GLOB)


def _base(f):
    return f[0].rstrip("/").rsplit("/", 1)[-1] or f[0]


def _is_dir(c: Call, f) -> bool:
    text, kind = f
    if kind != LIT:
        return False
    if text.endswith("/"):
        return True
    cwd = c.st.cwd
    p = text if text.startswith("/") else (os.path.join(cwd, text) if isinstance(cwd, str) else None)
    try:
        return p is not None and os.path.isdir(p)
    except (OSError, ValueError):
        return False


def _remote(f) -> bool:
    t = f[0]
    colon = t.find(":")
    return colon > 0 and ("/" not in t[:colon]) and f[1] == LIT and not t.startswith("./")


def _copylike(c: Call, sv, lv, src_modes, verb) -> None:
    o, ops = opts(c.args, sv, lv)
    if ops and ops[-1] == ("", LIT) and not values(o, "-t", "--target-directory"):
        return  # an empty destination: nothing is copied
    ops = [f for f in ops if f != ("", LIT)]  # an empty source names no file (cp reports it, copies the rest)
    tdir = values(o, "-t", "--target-directory")
    if c.name == "install" and has(o, "-d", "--directory"):
        for f in ops:
            c.acc(f, W_, "install -d")
        return
    if c.name == "ln":
        src_modes = (R,)
    if tdir:
        dest, srcs, into = tdir[-1], ops, True
    elif len(ops) >= 2:
        dest, srcs = ops[-1], ops[:-1]
        into = (len(srcs) > 1 or _is_dir(c, dest)) and not has(o, "-T", "--no-target-directory")
    else:
        if c.name == "ln" and len(ops) == 1:  # ln -s TARGET → link in cwd
            c.acc(ops[0], R, "ln target")
            c.acc((_base(ops[0]), LIT), W_, "ln link name")
        return
    remote_ok = c.name in ("rsync", "scp")
    for s in srcs:
        if remote_ok and _remote(s):
            continue
        for m in src_modes:
            c.acc(s, m, f"{verb} source")
        if D in src_modes and _is_dir(c, s):
            c.w.emit((s[0].rstrip("/") + "/*", UNRES), D, f"{verb} source (everything below)", c.name, c.st)
    if remote_ok and _remote(dest):
        return
    if into:
        c.acc(dest, W_, f"{verb} destination")
        for s in srcs:
            if s[1] == LIT and not (remote_ok and _remote(s)):
                c.acc(_join(dest, _base(s)), W_, f"{verb} destination")
            elif s[1] != LIT:
                c.acc(_join(dest, "*"), W_, f"{verb} destination")
    else:
        c.acc(dest, W_, f"{verb} destination")


HANDLERS["cp"] = lambda c: _copylike(c, "St", ("target-directory", "suffix", "backup"), (R,), "cp")
HANDLERS["mv"] = lambda c: _copylike(c, "St", ("target-directory", "suffix"), (R, D), "mv")
HANDLERS["install"] = lambda c: _copylike(c, "mogSt", ("mode", "owner", "group", "suffix", "target-directory", "strip-program"), (R,), "install")
HANDLERS["ln"] = lambda c: _copylike(c, "St", ("target-directory", "suffix"), (R,), "ln")
HANDLERS["link"] = HANDLERS["ln"]
HANDLERS["rsync"] = lambda c: _rsync(c)
HANDLERS["scp"] = lambda c: _copylike(c, "cFiJlosSPD", (), (R,), "scp")

_SSH_LOCAL_COMMANDS = ("proxycommand", "localcommand", "knownhostscommand")


def _ssh(c: Call) -> None:
    """ssh: ``-i KEY`` is key *use* (ssh authenticates with it and never prints it: no read,
    like scp's ``-i``); ``-F FILE`` is read (a bad config line is echoed in the error);
    ``-E FILE`` is written; ``-o ProxyCommand=…``/``LocalCommand=…`` run locally through a
    shell and are analysed; the destination and remote command run on the other host."""
    o, _ = opts(c.args, "BbcDEeFIiJLlmOopQRSWw", (), posix=True)
    for k, v in o:
        if v is None:
            continue
        if k == "-F":
            c.acc(v, R, "ssh -F config")
        elif k == "-E":
            c.acc(v, W_, "ssh -E log")
        elif k == "-o":
            key, eq, val = v[0].partition("=")
            if not eq:
                key, _, val = v[0].partition(" ")
            if key.strip().lower() in _SSH_LOCAL_COMMANDS and val.strip():
                c.script((val.strip(), v[1]), f"ssh -o {key.strip()}")


HANDLERS["ssh"] = _ssh


def _rsync(c: Call) -> None:
    o, _ = opts(c.args, "eBfTM", ("rsh", "exclude", "include", "exclude-from", "include-from", "files-from",
                                "filter", "temp-dir", "partial-dir", "backup-dir", "suffix", "chmod", "chown",
                                "password-file", "log-file", "rsync-path", "compare-dest", "link-dest", "copy-dest",
                                "bwlimit", "timeout", "port", "max-size", "min-size", "out-format"))
    for k, v in o:
        if k in ("--exclude-from", "--include-from", "--files-from", "--password-file") and v:
            c.acc(v, R, f"rsync {k}")
        elif k == "--log-file" and v:
            c.acc(v, W_, "rsync --log-file")
    _copylike(c, "eBfTM", ("rsh", "exclude", "include", "exclude-from", "include-from", "files-from", "filter",
                           "temp-dir", "partial-dir", "backup-dir", "suffix", "chmod", "chown", "password-file",
                           "log-file", "rsync-path", "compare-dest", "link-dest", "copy-dest", "bwlimit", "timeout",
                           "port", "max-size", "min-size", "out-format"), (R,), "rsync")


def _dd(c: Call) -> None:
    for text, kind in c.args:
        if text.startswith("if="):
            c.acc((text[3:], kind), R, "dd if=")
        elif text.startswith("of="):
            c.acc((text[3:], kind), W_, "dd of=")


HANDLERS["dd"] = _dd


# --- archives ----------------------------------------------------------------------------
def _tar(c: Call) -> None:
    args = list(c.args)
    if args and args[0][1] == LIT and args[0][0][:1] not in ("-", "") and args[0][0].isalpha():
        # old style: tar czf ARCHIVE … ; letters needing a value take the next words in order
        letters = args[0][0]
        rest = args[1:]
        new = []
        for ch in letters:
            if ch in "fCTXbNgKLV" and rest:
                new.append(("-" + ch, LIT))
                new.append(rest.pop(0))
            else:
                new.append(("-" + ch, LIT))
        args = new + rest
    # -C applies to what follows; handle it positionally
    o, ops = opts(args, "fCTXbNgKLVIH", ("file", "directory", "files-from", "exclude-from", "exclude", "blocking-factor",
                                        "newer", "after-date", "use-compress-program", "transform", "xform", "format",
                                        "owner", "group", "mode", "mtime", "listed-incremental", "to-command",
                                        "checkpoint-action", "label", "tape-length", "volno-file", "suffix", "strip-components",
                                        "warning", "exclude-tag", "index-file", "newer-mtime", "level"))
    names = {k for k, _ in o}
    archives = values(o, "-f", "--file")
    dirs = values(o, "-C", "--directory")
    create = names & {"-c", "--create", "-r", "--append", "-u", "--update", "-A", "--catenate", "--concatenate"}
    extract = names & {"-x", "--extract", "--get"}
    delete = "--delete" in names
    base = dirs[-1] if dirs else c.cwd_field()
    for a in archives:
        if a[0] == "-":
            continue
        c.acc(a, W_ if (create or delete) else R, "tar archive")
    for v in values(o, "-T", "--files-from", "-X", "--exclude-from"):
        c.acc(v, R, "tar file list")
    for v in values(o, "--index-file"):
        c.acc(v, W_, "tar --index-file")
    if create:
        for f in ops:
            c.acc(_join(base, f[0]) if (dirs and f[1] == LIT and not f[0].startswith("/")) else f, R, "tar member (create)")
    elif extract:
        if ops:
            for f in ops:
                c.acc(_join(base, f[0].lstrip("/")) if f[1] == LIT else (f[0], UNRES), W_, "tar extract")
        else:
            c.acc(base, W_, "tar extract into")
            c.acc(_join(base, "*"), W_, "tar extract into")
        if "--to-command" in names:
            pass  # analysed as the command it is (shell/progopts.py, ADR 0021)


HANDLERS["tar"] = HANDLERS["bsdtar"] = HANDLERS["gtar"] = _tar


def _zip(c: Call) -> None:
    o, ops = opts(c.args, "bnOtZ", ("temp-path", "suffixes", "output-file", "from-date", "before-date", "password"))
    if not ops:
        return
    mode = W_
    c.acc(ops[0], mode, "zip archive")
    for v in values(o, "-O", "--output-file"):
        c.acc(v, W_, "zip --output-file")
    for f in ops[1:]:
        if f[0] in ("-x", "-i"):
            break
        c.acc(f, R if not has(o, "-d", "--delete") else R, "zip member")
    if has(o, "-m", "--move"):
        for f in ops[1:]:
            c.acc(f, D, "zip -m (moved into the archive)")


def _unzip(c: Call) -> None:
    o, ops = opts(c.args, "dxP", ("exdir",))
    if not ops:
        return
    c.acc(ops[0], R, "unzip archive")
    if has(o, "-l", "-t", "-v", "-p", "-c", "-z", "-Z"):
        return
    dest = values(o, "-d")
    base = dest[-1] if dest else c.cwd_field()
    members = [f for f in ops[1:] if f[0] not in ("-x",)]
    if members:
        for f in members:
            c.acc(_join(base, f[0].lstrip("/")) if f[1] == LIT else (f[0], UNRES), W_, "unzip extract")
    else:
        c.acc(base, W_, "unzip extract into")
        c.acc(_join(base, "*"), W_, "unzip extract into")


HANDLERS["zip"] = _zip
HANDLERS["unzip"] = _unzip

_COMP = {"gzip": ".gz", "bzip2": ".bz2", "xz": ".xz", "lzma": ".lzma", "zstd": ".zst", "lz4": ".lz4",
         "compress": ".Z", "brotli": ".br", "pigz": ".gz", "pbzip2": ".bz2", "lzip": ".lz"}
_DECOMP = {"gunzip": "gzip", "bunzip2": "bzip2", "unxz": "xz", "unlzma": "lzma", "unzstd": "zstd",
           "uncompress": "compress", "lz4cat": None}


def _gzip(c: Call) -> None:
    prog = _DECOMP.get(c.name, c.name) or c.name
    o, ops = opts(c.args, "SboTLM" if prog == "zstd" else "Sb", ("suffix", "output", "threads"))
    suf = (values(o, "-S", "--suffix") or [(_COMP.get(prog, ".gz"), LIT)])[-1][0]
    decompress = c.name in _DECOMP or has(o, "-d", "--decompress", "--uncompress")
    if has(o, "-l", "--list", "-t", "--test"):
        for f in ops:
            c.acc(f, R, f"{c.name} (list/test)")
        return
    stdout = has(o, "-c", "--stdout", "--to-stdout")
    keep = stdout or has(o, "-k", "--keep") or (prog in ("zstd", "lz4") and not has(o, "--rm"))
    outs = values(o, "-o", "--output") if prog in ("zstd", "lz4") else []
    for f in ops:
        c.acc(f, R, f"{c.name} input")
        if not keep:
            c.acc(f, D, f"{c.name} (replaces the input)")
        if stdout:
            continue
        if outs:
            continue
        text, kind = f
        if decompress:
            out = text[: -len(suf)] if text.endswith(suf) else text + ".out"
            if text.endswith(".tgz"):
                out = text[:-4] + ".tar"
            base, sep, name = out.partition("/$(find)/")
            if sep and kind == UNRES and not (set(name) - set("*?[]")):
                out = base + "/$(find)"  # `find B -name '*.gz' | xargs gunzip`: some file under B
        else:
            out = text + suf
        c.acc((out, kind), W_, f"{c.name} output")
    for v in outs:
        c.acc(v, W_, f"{c.name} -o")


for _n in list(_COMP) + list(_DECOMP):
    HANDLERS[_n] = _gzip


def _url_base(url: str) -> str:
    u = url.split("#", 1)[0].split("?", 1)[0]
    if "://" in u:
        u = u.split("://", 1)[1]
    path = u.split("/", 1)[1] if "/" in u else ""
    return path.rsplit("/", 1)[-1]


# --- downloaders -------------------------------------------------------------------------
_CURL_SV = "AbcCdDeEFHKmoPQrtTuUwxXYyz"
_CURL_LV = ("output", "data", "data-binary", "data-raw", "data-ascii", "data-urlencode", "form", "form-string",
            "upload-file", "config", "cookie", "cookie-jar", "dump-header", "header", "user-agent", "user", "request",
            "url", "referer", "proxy", "max-time", "connect-timeout", "retry", "output-dir", "trace", "trace-ascii",
            "stderr", "cert", "key", "cacert", "capath", "write-out", "range", "limit-rate", "resolve", "connect-to",
            "json", "variable", "proxy-user", "retry-delay", "retry-max-time", "max-filesize", "netrc-file",
            "hsts", "alt-svc", "etag-save", "etag-compare", "unix-socket", "interface", "local-port", "aws-sigv4",
            "oauth2-bearer", "expect100-timeout", "keepalive-time", "ciphers", "tls-max", "parallel-max")


def _curl(c: Call) -> None:
    o, ops = opts(c.args, _CURL_SV, _CURL_LV)
    outdir = (values(o, "--output-dir") or [None])[-1]
    urls = [f for f in ops] + values(o, "--url")
    outs = values(o, "-o", "--output")
    for v in outs:
        if v[0] != "-":
            c.acc(_join(outdir, v[0]) if outdir and v[1] == LIT and not v[0].startswith("/") else v, W_, "curl -o")
    n_remote = sum(1 for k, _ in o if k in ("-O", "--remote-name")) + (len(urls) if has(o, "--remote-name-all") else 0)
    for u in urls[len(outs):len(outs) + n_remote] if n_remote else []:
        name = _url_base(u[0]) if u[1] == LIT else ""
        target = (name, LIT) if name and u[1] == LIT else ("$(basename " + u[0] + ")", UNRES)
        c.acc(_join(outdir, target[0]) if outdir else target, W_, "curl -O")
    for k, v in o:
        if v is None:
            continue
        text, kind = v
        if k in ("-d", "--data", "--data-binary", "--data-ascii", "--data-urlencode", "--json") and "@" in text:
            at = text.split("@", 1)[1] if k == "--data-urlencode" else (text[1:] if text.startswith("@") else "")
            if at and at != "-":
                c.acc((at, kind), R, f"curl {k} @file")
        elif k in ("-F", "--form") and ("=@" in text or "=<" in text):
            f = text.split("=", 1)[1][1:].split(";", 1)[0]
            if f and f != "-":
                c.acc((f, kind), R, f"curl {k} @file")
        elif k in ("-T", "--upload-file", "-K", "--config", "--netrc-file") and text != "-":
            c.acc(v, R, f"curl {k}")  # (--cert/-E/--key/--cacert: key use, not a read — ADR 0008)
        elif k in ("-c", "--cookie-jar", "-D", "--dump-header", "--trace", "--trace-ascii", "--stderr",
                   "--etag-save", "--hsts", "--alt-svc") and text != "-":
            c.acc(v, W_, f"curl {k}")
        elif k in ("-b", "--cookie") and "=" not in text:
            c.acc(v, R, "curl --cookie file")
        elif k in ("-w", "--write-out") and text.startswith("@") and text != "@-":
            c.acc((text[1:], kind), R, "curl --write-out @file")


def _wget(c: Call) -> None:
    o, ops = opts(c.args, "OoaiPeDlAIRXtTUwQBFY", ("output-document", "output-file", "append-output", "input-file",
                                                 "directory-prefix", "execute", "post-file", "body-file", "load-cookies",
                                                 "save-cookies", "user", "password", "header", "user-agent", "tries",
                                                 "timeout", "level", "accept", "reject", "domains", "post-data", "method",
                                                 "limit-rate", "wait", "quota", "certificate", "private-key",
                                                 "ca-certificate", "referer", "base", "config", "include-directories",
                                                 "exclude-directories"))
    for k, v in o:
        if v is None:
            continue
        if k in ("-O", "--output-document") and v[0] != "-":
            c.acc(v, W_, "wget -O")
        elif k in ("-o", "--output-file", "-a", "--append-output", "--save-cookies"):
            c.acc(v, W_, f"wget {k}")
        elif k in ("-i", "--input-file", "--post-file", "--body-file", "--load-cookies", "--config") and v[0] != "-":
            c.acc(v, R, f"wget {k}")  # (--certificate/--private-key/--ca-certificate: key use — ADR 0008)
    if values(o, "-O", "--output-document"):
        return
    prefix = (values(o, "-P", "--directory-prefix") or [c.cwd_field()])[-1]
    recursive = has(o, "-r", "--recursive", "-m", "--mirror", "-p", "--page-requisites")
    for u in ops:
        name = _url_base(u[0]) if u[1] == LIT else ""
        if recursive or u[1] != LIT:
            c.acc(_join(prefix, "*"), W_, "wget download")
        else:
            c.acc(_join(prefix, name or "index.html"), W_, "wget download")


HANDLERS["curl"] = _curl
HANDLERS["wget"] = _wget
HANDLERS["wget2"] = _wget
