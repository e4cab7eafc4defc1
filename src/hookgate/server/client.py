"""A small client of the decision server (ADR 0025): ``serve status|stop``, tests, benchmarks.
The hook's own thin client lives in ``bin/hookgate`` (it must run before any import)."""

from __future__ import annotations

import os
import socket


class Conn:
    """One keep-alive HTTP/1.1 connection (Unix socket path or ("127.0.0.1", port))."""

    def __init__(self, where, timeout: float = 10.0):
        if isinstance(where, str):
            self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        else:
            self.s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.s.settimeout(timeout)
        try:
            self.s.connect(where)
        except OSError:
            self.s.close()
            raise
        self.buf = b""

    def request(self, method: str, path: str, body: bytes = b"", headers: dict | None = None):
        h = [f"{method} {path} HTTP/1.1", "Host: localhost", f"Content-Length: {len(body)}"]
        for k, v in (headers or {}).items():
            h.append(f"{k}: {v}")
        self.s.sendall(("\r\n".join(h) + "\r\n\r\n").encode("latin-1") + body)
        while b"\r\n\r\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection")
            self.buf += chunk
        head, _, rest = self.buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        hdrs = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            hdrs[k.strip().lower()] = v.strip()
        n = int(hdrs.get("content-length", "0"))
        while len(rest) < n:
            chunk = self.s.recv(65536)
            if not chunk:
                raise ConnectionError("server closed the connection")
            rest += chunk
        self.buf = rest[n:]
        return status, hdrs, rest[:n]

    def close(self) -> None:
        self.s.close()


def client_body(cwd: str, env: dict, data: bytes) -> bytes:
    pairs = [os.fsencode(k) + b"=" + os.fsencode(v) for k, v in env.items() if k and "=" not in k]
    return os.fsencode(cwd) + b"\0" + b"\0".join(pairs) + (b"\0" if pairs else b"") + b"\0" + data


def hook_via(conn: Conn, platform: str, data: bytes, env: dict, cwd: str) -> tuple[str, str, int]:
    """What ``hookgate hook --platform P`` would print, asked of the server."""
    status, h, body = conn.request("POST", f"/v1/client/{platform}", client_body(cwd, env, data))
    if status != 200:
        raise ConnectionError(f"server answered {status}")
    n = int(h["x-hookgate-out"])
    dec = lambda b: b.decode("utf-8", "surrogateescape")  # noqa: E731
    return dec(body[:n]), dec(body[n:]), int(h["x-hookgate-code"])
