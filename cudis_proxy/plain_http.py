"""HTTP/1.1 to a plain-http upstream over kept-alive connections: one write per request, the answer
framed by its Content-Length or chunks.

urllib3 costs the proxy more CPU than the rest of a proxied request together (http.client writes
the head and the body separately, parses headers with the email package); this reads and writes the
bytes itself. An https:// upstream goes through urllib3 (upstream.py).
"""

from __future__ import annotations

import select
import socket
import threading
import zlib
from dataclasses import dataclass

_MAX_HEAD = 64 * 1024
_NO_BODY = frozenset({204, 304})


class Broke(Exception):
    """Nothing usable came back; the message says why, in an app developer's words."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    """Repeated headers joined with ", " under the first spelling seen, as urllib3's HTTPHeaderDict gives them."""
    content: bytes


class _Connection:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buf = bytearray()

    def stale(self) -> bool:
        """The upstream closed it (or sent something unasked) while it sat in the pool."""
        readable, _, _ = select.select([self.sock], [], [], 0)
        return bool(readable) or bool(self.buf)

    def fill(self) -> bool:
        """Read what comes into the buffer; False when the upstream closed the connection."""
        data = self.sock.recv(256 * 1024)
        self.buf += data
        return bool(data)


class PlainHttp:
    """Kept-alive connections to `host:port`, as many as requests under way at once (one per thread)."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        """`host` as a URL writes it (an IPv6 address in brackets)."""
        self.address = (host.strip("[]"), port)
        self.authority = host if port == 80 else f"{host}:{port}"
        self.timeout = timeout
        self._idle: list[_Connection] = []
        self._heads: HeadMemo = {}
        self._lock = threading.Lock()

    def request(self, method: str, target: str, headers: dict[str, str], body: bytes | None) -> Answer:
        """Send one request and read its answer; a connection that turns out closed before any
        byte of the answer came is replaced once (a kept-alive connection may close under us)."""
        head = [f"{method} {target} HTTP/1.1", f"Host: {self.authority}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        if body is not None or method in ("POST", "PUT", "PATCH"):
            head.append(f"Content-Length: {len(body or b'')}")
        raw = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + (body or b"")
        connection = self._reuse()
        if connection is not None:
            try:
                return self._exchange(connection, raw, method)
            except _ClosedEarly:
                pass
        try:
            return self._exchange(self._connect(), raw, method)
        except _ClosedEarly:
            raise Broke("the connection broke mid-answer: the upstream closed it without answering") from None

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.sock.close()

    def _reuse(self) -> _Connection | None:
        while True:
            with self._lock:
                if not self._idle:
                    return None
                connection = self._idle.pop()
            if not connection.stale():
                return connection
            connection.sock.close()

    def _connect(self) -> _Connection:
        try:
            sock = socket.create_connection(self.address, timeout=self.timeout)
        except TimeoutError:
            raise Broke(f"no answer within {self.timeout:g} s (--upstream-timeout)") from None
        except OSError as exc:
            raise Broke(f"cannot connect: {exc}") from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return _Connection(sock)

    def _exchange(self, connection: _Connection, raw: bytes, method: str) -> Answer:
        try:
            try:
                connection.sock.sendall(raw)
            except (BrokenPipeError, ConnectionResetError):
                raise _ClosedEarly from None
            answer, keep = _read_answer(connection, method, self._heads)
        except _ClosedEarly:
            connection.sock.close()
            raise
        except TimeoutError:
            connection.sock.close()
            raise Broke(f"no answer within {self.timeout:g} s (--upstream-timeout)") from None
        except Broke:
            connection.sock.close()
            raise
        except OSError as exc:
            connection.sock.close()
            raise Broke(f"the connection broke mid-answer: {exc}") from None
        if keep:
            with self._lock:
                self._idle.append(connection)
        else:
            connection.sock.close()
        return answer


class _ClosedEarly(Exception):
    """The connection closed (or was reset) before any byte of the answer."""


def _read_answer(connection: _Connection, method: str, heads: HeadMemo) -> tuple[Answer, bool]:
    """The answer on `connection` (1xx interim answers skipped) and whether the connection may be reused."""
    while True:
        end = connection.buf.find(b"\r\n\r\n")
        while end < 0:
            if len(connection.buf) > _MAX_HEAD:
                raise Broke(f"the upstream's answer is not HTTP: {bytes(connection.buf[:60])!r}")
            try:
                more = connection.fill()
            except ConnectionResetError:
                if not connection.buf:
                    raise _ClosedEarly from None
                raise
            if not more:
                if not connection.buf:
                    raise _ClosedEarly
                raise Broke(f"the upstream's answer is not HTTP: {bytes(connection.buf[:60])!r}")
            end = connection.buf.find(b"\r\n\r\n")
        raw_head = bytes(connection.buf[:end])
        del connection.buf[: end + 4]
        read = heads.get(raw_head)
        if read is None:
            read = _read_head(raw_head)
            if len(heads) >= _HEADS_SIZE:
                heads.clear()
            heads[raw_head] = read
        version, status, headers, lowered = read
        if 100 <= status < 200:
            continue
        headers = dict(headers)
        break
    closes = lowered.get("connection") and "close" in headers[lowered["connection"]].lower()
    keep = version == "HTTP/1.1" and not closes
    if method == "HEAD" or status in _NO_BODY:
        content = b""
    elif "transfer-encoding" in lowered and "chunked" in headers[lowered["transfer-encoding"]].lower():
        content = _chunked(connection)
    elif "content-length" in lowered:
        length = headers[lowered["content-length"]]
        if not length.isdigit():
            raise Broke(f"the upstream's answer has Content-Length {length[:20]!r}")
        content = _exactly(connection, int(length))
    else:
        while connection.fill():
            pass
        content, keep = bytes(connection.buf), False
    encoding = headers.get(lowered.get("content-encoding", ""), "").strip().lower()
    return Answer(status, headers, _decoded(content, encoding)), keep


_HeadRead = tuple[str, int, dict[str, str], dict[str, str]]
HeadMemo = dict[bytes, _HeadRead]
"""Answer heads read lately (an upstream repeats its head within a second: same Date, same length): a
head's reading depends on its bytes alone. Shared by a pool's threads: a dict's get and set are atomic."""
_HEADS_SIZE = 256


def _read_head(raw_head: bytes) -> _HeadRead:
    """The version, status, headers and lower-cased names of an answer's head; Broke when it is not HTTP."""
    status_line, *lines = raw_head.decode("latin-1").split("\r\n")
    version, _, rest = status_line.partition(" ")
    code = rest[:3]
    if not version.startswith("HTTP/1.") or not code.isdigit():
        raise Broke(f"the upstream's answer is not HTTP: {status_line[:60]!r}")
    headers: dict[str, str] = {}
    lowered: dict[str, str] = {}
    for line in lines:
        name, colon, value = line.partition(":")
        if not colon:
            raise Broke(f"the upstream's answer has a header that is not one: {line[:60]!r}")
        name, value = name.strip(), value.strip()
        first = lowered.setdefault(name.lower(), name)
        headers[first] = f"{headers[first]}, {value}" if first in headers else value
    return version, int(code), headers, lowered


def _exactly(connection: _Connection, length: int) -> bytes:
    while len(connection.buf) < length:
        if not connection.fill():
            raise Broke(f"the connection broke mid-answer: {len(connection.buf)} of {length} bytes came")
    content = bytes(connection.buf[:length])
    del connection.buf[:length]
    return content


def _chunked(connection: _Connection) -> bytes:
    parts: list[bytes] = []
    while True:
        end = connection.buf.find(b"\r\n")
        while end < 0:
            if not connection.fill():
                raise Broke("the connection broke mid-answer: in a chunk's size")
            end = connection.buf.find(b"\r\n")
        size_text = bytes(connection.buf[:end]).split(b";")[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise Broke(f"the upstream's answer has a chunk size {size_text[:20]!r}") from None
        del connection.buf[: end + 2]
        if size == 0:
            while (end := connection.buf.find(b"\r\n")) != 0:  # trailers, up to the blank line
                if end > 0:
                    del connection.buf[: end + 2]
                elif not connection.fill():
                    raise Broke("the connection broke mid-answer: after the last chunk")
            del connection.buf[:2]
            return b"".join(parts)
        parts.append(_exactly(connection, size + 2)[:size])


def _decoded(content: bytes, encoding: str) -> bytes:
    """The content as urllib3's decode_content gives it, for the encodings it decodes without extras."""
    try:
        if encoding in ("gzip", "x-gzip"):
            return zlib.decompress(content, 47)
        if encoding == "deflate":
            try:
                return zlib.decompress(content)
            except zlib.error:
                return zlib.decompress(content, -15)
    except zlib.error as exc:
        raise Broke(f"the upstream's {encoding} answer does not decode: {exc}") from None
    return content
