"""Free loopback ports for servers that cannot pick their own (Redis and haproxy take a number)."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nothing listens on now; a server started on it may still lose it to another (callers retry)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
