"""An HTTP client that sends bytes as given, and `cudis-mock serve` (tests/servers.py) seen through it.

`requests` and `http.client` normalise what they send (they refuse CR/LF in a header, fix up
Content-Length, encode the body); hostile input has to go over a raw socket.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..servers import MockProcess

CLIENT_ID = "cudis-wellness"
RANGE = b'{"startTime": 1726358400, "endTime": 1726704000}'


@dataclass
class RawResponse:
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    head: bytes
    """The status line and header block exactly as received."""
    closed: bool
    """The server closed the connection after the response."""

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def envelope(self) -> dict[str, Any]:
        """The `{code, msg, data}` envelope of the body; fails the test if it is none."""
        document = self.json()
        assert isinstance(document, dict) and set(document) == {"code", "msg", "data"}, self.body[:300]
        assert isinstance(document["code"], int) and isinstance(document["msg"], str) and document["msg"], document
        assert "object at 0x" not in document["msg"] and "mock_server." not in document["msg"], document
        return document


def _complete(data: bytes) -> bool:
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    length = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
    if length:
        return len(body) >= int(length.group(1))
    return body.endswith(b"0\r\n\r\n") if re.search(rb"(?im)^transfer-encoding:\s*chunked", head) else False


def read_response(sock: socket.socket, timeout: float) -> tuple[bytes, bool]:
    """Read one response, then behave like a polite client: stop sending and wait for the close.

    `closed` says whether the server closed the connection within `timeout` after that
    (it always should: it answers `Connection: close`).
    """
    sock.settimeout(timeout)
    chunks: list[bytes] = []
    try:
        while not _complete(b"".join(chunks)):
            chunk = sock.recv(65536)
            if not chunk:
                return b"".join(chunks), True
            chunks.append(chunk)
        sock.shutdown(socket.SHUT_WR)
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    except TimeoutError:
        return b"".join(chunks), False
    except (ConnectionResetError, BrokenPipeError):
        pass
    return b"".join(chunks), True


def parse_response(data: bytes, closed: bool) -> RawResponse:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines and lines[0].startswith(b"HTTP/1."), f"no HTTP response: {data[:200]!r}"
    _, status, *reason = lines[0].decode("latin-1").split(" ", 2)
    headers = []
    for line in lines[1:]:
        key, _, value = line.decode("latin-1").partition(":")
        headers.append((key.strip(), value.strip()))
    if re.search(rb"(?im)^transfer-encoding:\s*chunked", head):
        body = _dechunk(body)
    return RawResponse(int(status), reason[0] if reason else "", headers, body, head, closed)


def _dechunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, rest = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        data = rest[size + 2 :]
    return out


@dataclass
class RawClient:
    host: str
    port: int
    timeout: float = 10.0

    def connect(self) -> socket.socket:
        return socket.create_connection((self.host, self.port), timeout=self.timeout)

    def send(self, request: bytes) -> RawResponse:
        """Send `request` as is and read the response until the server closes or it is complete."""
        with self.connect() as sock:
            sock.sendall(request)
            data, closed = read_response(sock, self.timeout)
        return parse_response(data, closed)

    def request(
        self,
        method: str,
        target: str,
        body: bytes = b"",
        headers: Sequence[tuple[str, str]] = (),
        *,
        content_length: int | None = None,
    ) -> RawResponse:
        """A request built by hand: the header values go out byte for byte (latin-1)."""
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self.host}:{self.port}", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in headers]
        if body or content_length is not None:
            lines.append(f"Content-Length: {len(body) if content_length is None else content_length}")
        return self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)


def auth_headers(token: str, content_type: str | None = "application/json") -> list[tuple[str, str]]:
    headers = [("Authorization", f"Bearer {token}"), ("Cudis-Client-Id", CLIENT_ID)]
    if content_type is not None:
        headers.append(("Content-Type", content_type))
    return headers


class ServedMock(MockProcess):
    """`cudis-mock serve` in a child process (`ServedMock.start(...)`), spoken to byte for byte."""

    def raw(self, timeout: float = 10.0) -> RawClient:
        return RawClient(self.host, self.port, timeout)

    def query(self, token: str | None = None, metric: str = "heart_beat") -> RawResponse:
        """A valid query: what must still work after any hostile request."""
        return self.raw().request("GET", f"/partner/v1/query/{metric}", RANGE, auth_headers(token or self.token))

    def assert_serving(self) -> None:
        assert self.process.poll() is None, f"the mock exited with {self.process.returncode}: {self.log_text()[-2000:]}"
        response = self.query()
        assert response.status == 200 and response.envelope["code"] == 200, response.body[:300]
