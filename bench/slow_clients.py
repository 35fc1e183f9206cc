"""Slow and idle clients held against a server while `make bench` loads it with ordinary queries.

- slow-loris: each sends the start of a query's head, then one more byte of it every
  `interval` seconds, and never finishes; when the server closes one, it connects again and starts
  over (as the attack does).
- idle keep-alive: each sends one whole query, reads its answer, then keeps the connection open
  and silent.

Everything is driven by one thread with non-blocking sockets, so 200 clients cost the load
generator's cores almost nothing.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass
class Tally:
    slow: int
    idle: int
    slow_closed_by_server: int = 0
    """Slow-loris connections the server closed (each then connected again)."""
    idle_open_at_end: int = 0
    """Idle connections still open when the load ended."""


def _connect(address: tuple[str, int]) -> socket.socket:
    sock = socket.create_connection(address, timeout=5)
    sock.setblocking(False)
    return sock


def _query(path: str, host: str, token: str, client: str, body: bytes) -> bytes:
    head = (
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
        f"Cudis-Client-Id: {client}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def _read_answer(sock: socket.socket, within: float = 10.0) -> bytes:
    sock.setblocking(True)
    sock.settimeout(within)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before answering")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(65536)
    sock.setblocking(False)
    return head


@contextlib.contextmanager
def held(
    address: tuple[str, int],
    *,
    path: str,
    token: str,
    client: str,
    body: bytes,
    slow: int = 100,
    idle: int = 100,
    interval: float = 1.0,
) -> Iterator[Tally]:
    """`slow` slow-loris and `idle` idle keep-alive connections held open while the block runs."""
    host = f"{address[0]}:{address[1]}"
    request = _query(path, host, token, client, body)
    tally = Tally(slow=slow, idle=idle)
    idle_socks = []
    for _ in range(idle):
        sock = _connect(address)
        _send_all(sock, request)
        if not _read_answer(sock).startswith(b"HTTP/1.1 200"):
            raise RuntimeError("an idle client's first query was not answered 200")
        idle_socks.append(sock)
    stop = threading.Event()
    trickling: dict[socket.socket, int] = {}  # socket -> bytes of `request` sent so far
    for _ in range(slow):
        trickling[_connect(address)] = 0

    def trickle() -> None:
        while not stop.wait(interval / max(1, slow)):
            # One byte to one slow client per step: `slow` clients, one byte each per `interval`.
            sock = next(iter(trickling))
            sent = trickling.pop(sock)
            try:
                sock.send(request[sent : sent + 1])
                sent += 1
            except OSError:
                sent = -1
            if sent < 0 or sent >= len(request) - len(body) - 4:  # never finish the head
                with contextlib.suppress(OSError):
                    sock.close()
                if sent < 0:
                    tally.slow_closed_by_server += 1
                sock, sent = _connect(address), 0
            trickling[sock] = sent  # to the back of the line

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        time.sleep(interval * 2)  # every slow client has begun its head
        yield tally
    finally:
        stop.set()
        thread.join()
        tally.idle_open_at_end = sum(1 for sock in idle_socks if _open(sock))
        for sock in [*idle_socks, *trickling]:
            with contextlib.suppress(OSError):
                sock.close()


def _send_all(sock: socket.socket, data: bytes) -> None:
    sock.setblocking(True)
    sock.sendall(data)
    sock.setblocking(False)


def _open(sock: socket.socket) -> bool:
    """Whether the server still holds `sock` open (nothing to read and no end of stream)."""
    try:
        return sock.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False
