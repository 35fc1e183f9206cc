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
        self.heads: HeadMemo = {}
        self._lock = threading.Lock()

    def encode(self, method: str, target: str, headers: dict[str, str], body: bytes | None) -> bytes:
        """The request's bytes, head and body, as one write sends them."""
        head = [f"{method} {target} HTTP/1.1", f"Host: {self.authority}"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        if body is not None or method in ("POST", "PUT", "PATCH"):
            head.append(f"Content-Length: {len(body or b'')}")
        return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + (body or b"")

    def connect(self) -> socket.socket:
        """A new connection to the upstream (blocking, `timeout` for each wait); Broke when there is none."""
        try:
            sock = socket.create_connection(self.address, timeout=self.timeout)
        except TimeoutError:
            raise Broke(self.no_answer) from None
        except OSError as exc:
            raise Broke(f"cannot connect: {exc}") from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    @property
    def no_answer(self) -> str:
        return f"no answer within {self.timeout:g} s (--upstream-timeout)"

    def request(self, method: str, target: str, headers: dict[str, str], body: bytes | None) -> Answer:
        """Send one request and read its answer; a connection that turns out closed before any
        byte of the answer came is replaced once (a kept-alive connection may close under us)."""
        raw = self.encode(method, target, headers, body)
        connection = self._reuse()
        if connection is not None:
            try:
                return self._exchange(connection, raw, method)
            except ClosedEarly:
                pass
        try:
            return self._exchange(_Connection(self.connect()), raw, method)
        except ClosedEarly:
            raise Broke(CLOSED_UNANSWERED) from None

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

    def _exchange(self, connection: _Connection, raw: bytes, method: str) -> Answer:
        try:
            try:
                connection.sock.sendall(raw)
            except (BrokenPipeError, ConnectionResetError):
                raise ClosedEarly from None
            answer, keep = _read_answer(connection, method, self.heads)
        except ClosedEarly:
            connection.sock.close()
            raise
        except TimeoutError:
            connection.sock.close()
            raise Broke(self.no_answer) from None
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


CLOSED_UNANSWERED = "the connection broke mid-answer: the upstream closed it without answering"


class ClosedEarly(Exception):
    """The connection closed (or was reset) before any byte of the answer."""


def _read_answer(connection: _Connection, method: str, heads: HeadMemo) -> tuple[Answer, bool]:
    """The answer on `connection` and whether the connection may be reused, reading until it is whole."""
    closed = False
    while True:
        found = answer_in(connection.buf, method, heads, closed)
        if found is not None:
            answer, keep, used = found
            del connection.buf[:used]
            return answer, keep
        try:
            closed = not connection.fill()
        except ConnectionResetError:
            if not connection.buf:
                raise ClosedEarly from None
            raise


_HeadRead = tuple[str, int, dict[str, str], dict[str, str]]
HeadMemo = dict[bytes, _HeadRead]
"""Answer heads read lately (an upstream repeats its head within a second: same Date, same length): a
head's reading depends on its bytes alone. Shared by a pool's threads: a dict's get and set are atomic."""
_HEADS_SIZE = 256


def answer_in(buf: bytes | bytearray, method: str, heads: HeadMemo, closed: bool) -> tuple[Answer, bool, int] | None:
    """The first whole answer in `buf` (1xx interim answers skipped), whether the connection may be reused,
    and how many bytes of `buf` it took; None while more must come (no I/O). `closed`: nothing will follow
    what `buf` holds. Broke when the bytes cannot be an answer; ClosedEarly when closed with none begun."""
    start = 0
    while True:
        end = buf.find(b"\r\n\r\n", start)
        if end < 0:
            if closed and len(buf) == start:
                raise ClosedEarly
            if closed or len(buf) - start > _MAX_HEAD:
                raise Broke(f"the upstream's answer is not HTTP: {bytes(buf[start : start + 60])!r}")
            return None
        raw_head = bytes(buf[start:end])
        start = end + 4
        read = heads.get(raw_head)
        if read is None:
            read = _read_head(raw_head)
            if len(heads) >= _HEADS_SIZE:
                heads.clear()
            heads[raw_head] = read
        version, status, headers, lowered = read
        if not 100 <= status < 200:
            break
    headers = dict(headers)
    closes = lowered.get("connection") and "close" in headers[lowered["connection"]].lower()
    keep = version == "HTTP/1.1" and not closes
    if method == "HEAD" or status in _NO_BODY:
        content, used = b"", start
    elif "transfer-encoding" in lowered and "chunked" in headers[lowered["transfer-encoding"]].lower():
        chunked = _chunked_in(buf, start, closed)
        if chunked is None:
            return None
        content, used = chunked
    elif "content-length" in lowered:
        length = headers[lowered["content-length"]]
        if not length.isdigit():
            raise Broke(f"the upstream's answer has Content-Length {length[:20]!r}")
        used = start + int(length)
        if len(buf) < used:
            if closed:
                raise Broke(f"the connection broke mid-answer: {len(buf) - start} of {length} bytes came")
            return None
        content = bytes(buf[start:used])
    elif closed:
        content, used, keep = bytes(buf[start:]), len(buf), False
    else:
        return None  # the answer ends when the upstream closes the connection
    encoding = headers.get(lowered.get("content-encoding", ""), "").strip().lower()
    return Answer(status, headers, _decoded(content, encoding)), keep, used


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


def _chunked_in(buf: bytes | bytearray, pos: int, closed: bool) -> tuple[bytes, int] | None:
    """A chunked body from `pos` (its trailers skipped) and where it ends; None while more must come."""
    parts: list[bytes] = []
    while True:
        end = buf.find(b"\r\n", pos)
        if end < 0:
            if closed:
                raise Broke("the connection broke mid-answer: in a chunk's size")
            return None
        size_text = bytes(buf[pos:end]).split(b";")[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise Broke(f"the upstream's answer has a chunk size {size_text[:20]!r}") from None
        pos = end + 2
        if size == 0:
            while (end := buf.find(b"\r\n", pos)) != pos:  # trailers, up to the blank line
                if end < 0:
                    if closed:
                        raise Broke("the connection broke mid-answer: after the last chunk")
                    return None
                pos = end + 2
            return b"".join(parts), pos + 2
        if len(buf) < pos + size + 2:
            if closed:
                raise Broke(f"the connection broke mid-answer: {len(buf) - pos} of {size + 2} bytes came")
            return None
        parts.append(bytes(buf[pos : pos + size]))
        pos += size + 2


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
