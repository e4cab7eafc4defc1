"""The Python launcher's client of the user's decision server (ADR 0025), imported by
``hookgate/__main__.py`` only once a socket of this user's is there: ask the server, and believe
its answer only with the proof that it knows the per-user secret. Standard library only, and
nothing of hookgate (a call the server answers loads no more)."""

import sys


def _secret(os, path, uid):
    """The per-user secret (bytes), only from a 0600 file of ours; None otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if st.st_uid != uid or st.st_mode & 0o077:
            return None
        s = os.read(fd, 256).strip()
    finally:
        os.close(fd)
    return s if len(s) >= 32 else None


def _hmac_hex(key, msg):
    """HMAC-SHA256 (RFC 2104) with the builtin hash: the `hmac` module imports far more."""
    try:
        from _sha2 import sha256
    except ImportError:
        from _sha256 import sha256
    if len(key) > 64:
        key = sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner = sha256(bytes(b ^ 0x36 for b in key) + msg).digest()
    return sha256(bytes(b ^ 0x5C for b in key) + inner).hexdigest()


def ask(platform, sock, uid):
    """((stdout, stderr, exit code) of the server's proved answer, or None; the stdin bytes read
    for it, or None). None: no server answered (decide here, with the bytes already read)."""
    import os

    secret = _secret(os, os.path.join(os.path.dirname(sock), "secret"), uid)
    if secret is None:  # nothing to check the server's proof against: decide here
        return None, None
    import _socket  # only now: a one-shot call with no server of ours never loads it

    s = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        s.connect(sock)
    except OSError:
        s.close()
        return None, None
    data = None
    try:
        import _signal

        def _late(signum, frame):
            raise TimeoutError

        _signal.signal(_signal.SIGALRM, _late)
        _signal.setitimer(_signal.ITIMER_REAL, 4.0)  # hook.DECIDE_S: as the one-shot path reads stdin
        try:
            data = sys.stdin.buffer.read(32 * 1024 * 1024 + 1)
        except TimeoutError:
            return None, TimeoutError
        finally:
            _signal.setitimer(_signal.ITIMER_REAL, 0)
        env = b"\0".join(k + b"=" + v for k, v in os.environb.items() if k and b"=" not in k)
        try:
            cwd = os.getcwdb()
        except OSError:
            cwd = b"/"
        body = cwd + b"\0" + env + (b"\0" if env else b"") + b"\0" + data
        nonce = os.urandom(16).hex().encode()
        s.settimeout(5.5)  # the server answers within its DEADLINE_S (5 s) or we decide here
        s.sendall(b"POST /v1/client/%s HTTP/1.1\r\nHost: localhost\r\nX-Hookgate-Nonce: %s\r\n"
                  b"Content-Length: %d\r\n\r\n" % (platform.encode("utf-8", "surrogateescape"), nonce, len(body))
                  + body)
        buf = b""
        while b"\r\n\r\n" not in buf:
            c = s.recv(65536)
            if not c:
                return None, data
            buf += c
        head, _, rest = buf.partition(b"\r\n\r\n")
        h = {}
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            h[k.strip().lower()] = v.strip()
        if not head.startswith(b"HTTP/1.1 200 ") or b"x-hookgate-code" not in h:
            return None, data
        n = int(h[b"content-length"])
        while len(rest) < n:
            c = s.recv(65536)
            if not c:
                return None, data
            rest += c
        o, code = int(h[b"x-hookgate-out"]), int(h[b"x-hookgate-code"])
        want = _hmac_hex(secret, b"%s\n%d\n%d\n" % (nonce, code, o) + rest[:n])
        import _operator

        if not _operator._compare_digest(h.get(b"x-hookgate-proof", b""), want.encode()):
            return None, data  # not our server (it cannot prove it knows the secret): decide here
        out, err = rest[:o], rest[o:n]
    except Exception:  # the server failed mid-call: decide here with the bytes already read
        return None, data
    finally:
        s.close()
    return (out, err, code), data
