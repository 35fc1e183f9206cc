"""The common HTTP/1.1 request as a WSGI environ, and a WSGI answer as the bytes of one write.

gunicorn's parser costs about as much CPU per request as the whole of a small Flask route (it
checks configuration, proxy rules and forwarded addresses on every request). This module reads
only the plain request that clients send: a request line `METHOD /target HTTP/1.x`, header names
of token characters with no underscore, values with no control characters, no Transfer-Encoding
and at most one numeric Content-Length, no forwarded-scheme header. Anything else returns None and
goes to gunicorn's parser, which answers, or refuses, it as before.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote_to_bytes

from ..http.masks import RAW_HEAD

_REQUEST_LINE = re.compile(rb"([A-Z]{1,20}) (/[\x21-\x7e]*) HTTP/1\.([01])")
_HEADER = re.compile(rb"([!#$%&'*+\-.^`|~0-9A-Za-z]+):[ \t]*([^\x00-\x08\x0a-\x1f\x7f]*?)[ \t]*")
_FORWARDED_SCHEME = frozenset({"HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_PROTOCOL", "HTTP_X_FORWARDED_SSL"})
_NO_BODY_STATUS = frozenset({204, 304})


class Request:
    """One parsed request: its environ and whether the client lets the connection stay open."""

    __slots__ = ("environ", "head_only", "keep_alive", "version")

    def __init__(self, environ: dict[str, Any], keep_alive: bool, version: str, head_only: bool) -> None:
        self.environ = environ
        self.keep_alive = keep_alive
        self.version = version
        self.head_only = head_only


class _Head:
    """What a plain head puts in the environ, and what it says about the connection."""

    __slots__ = ("fields", "head_only", "keep_alive", "length", "version")

    def __init__(self, fields: dict[str, str], length: int, keep_alive: bool, version: str, head_only: bool) -> None:
        self.fields = fields
        self.length = length
        self.keep_alive = keep_alive
        self.version = version
        self.head_only = head_only


HeadMemo = dict[bytes, "_Head | None"]
"""Heads read lately (a client repeats its head: same path, token, length): a head's reading
depends on its bytes alone."""
MEMO_SIZE = 256
MEMO_HEAD_BYTES = 8192


def parse(raw: bytes, head_end: int, base: dict[str, Any], memo: HeadMemo | None = None) -> Request | None:
    """The request in `raw` (head up to `head_end`, then its whole body), or None when it is not plain."""
    head = raw[:head_end]
    if memo is None or len(head) > MEMO_HEAD_BYTES:
        found = _read_head(head)
    elif head in memo:
        found = memo[head]
    else:
        found = _read_head(head)
        if len(memo) >= MEMO_SIZE:
            memo.clear()
        memo[head] = found
    if found is None or len(raw) - head_end - 4 != found.length:
        return None
    environ = dict(base)
    environ.update(found.fields)
    environ[RAW_HEAD] = head
    environ["wsgi.input"] = io.BytesIO(raw[head_end + 4 :])
    return Request(environ, found.keep_alive, found.version, found.head_only)


def _read_head(head: bytes) -> _Head | None:
    lines = head.split(b"\r\n")
    line = _REQUEST_LINE.fullmatch(lines[0])
    if line is None:
        return None
    method_b, target, minor = line.groups()
    fields: dict[str, str] = {}
    length: str | None = None
    connection = ""
    for header in lines[1:]:
        match = _HEADER.fullmatch(header)
        if match is None:
            return None
        name_b, value_b = match.groups()
        name = name_b.decode("ascii").upper()
        value = value_b.decode("latin-1")
        if name == "CONTENT-LENGTH":
            if length is not None or not value.isdigit():
                return None
            length = value
            fields["CONTENT_LENGTH"] = value
            continue
        if name == "TRANSFER-ENCODING":
            return None
        if name == "CONTENT-TYPE":
            fields["CONTENT_TYPE"] = value
            continue
        if name == "CONNECTION":
            connection = value.lower()
        key = "HTTP_" + name.replace("-", "_")
        if key in _FORWARDED_SCHEME:
            return None
        fields[key] = f"{fields[key]},{value}" if key in fields else value
    path, _, query = target.partition(b"?")
    method = method_b.decode("ascii")
    version = "HTTP/1.1" if minor == b"1" else "HTTP/1.0"
    fields["REQUEST_METHOD"] = method
    fields["PATH_INFO"] = unquote_to_bytes(path).decode("latin-1")
    fields["QUERY_STRING"] = query.decode("latin-1")
    fields["RAW_URI"] = target.decode("latin-1")
    fields["SERVER_PROTOCOL"] = version
    keep_alive = "close" not in connection if minor == b"1" else "keep-alive" in connection
    return _Head(fields, int(length or 0), keep_alive, version, method == "HEAD")


def base_environ(server: Any, client: Any, errors: Any = None) -> dict[str, Any]:
    """What every request's environ on one connection shares."""
    environ: dict[str, Any] = {
        "SCRIPT_NAME": "",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.errors": errors or sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.input_terminated": True,
    }
    if isinstance(server, tuple):
        environ["SERVER_NAME"], environ["SERVER_PORT"] = str(server[0]), str(server[1])
    else:
        environ["SERVER_NAME"], environ["SERVER_PORT"] = str(server), ""
    if isinstance(client, tuple):
        environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = str(client[0]), str(client[1])
    else:
        environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = str(client or ""), ""
    return environ


class Answer:
    """The app's answer, collected: `start_response` for the app, then `bytes_for` the wire."""

    __slots__ = ("headers", "status")

    def __init__(self) -> None:
        self.status = ""
        self.headers: list[tuple[str, str]] = []

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        if exc_info is not None and self.status:
            raise exc_info[1].with_traceback(exc_info[2])
        self.status = status
        self.headers = headers
        return self._write_unsupported

    @staticmethod
    def _write_unsupported(_data: bytes) -> None:
        raise NotImplementedError("the keep-alive worker does not take write(); return the body instead")

    def render(self, request: Request, chunks: Iterable[bytes], date: str) -> tuple[bytes, bool]:
        """The whole answer to send (`date`: the Date header's value), and whether the connection
        stays open after it."""
        body = b"".join(chunks)
        code = int(self.status[:3])
        keep_alive = request.keep_alive
        lines = [f"{request.version} {self.status}\r\n"]
        has_length = False
        for name, value in self.headers:
            lowered = name.lower()
            if lowered == "connection":
                if "close" in value.lower():
                    keep_alive = False
                continue
            if lowered == "content-length":
                has_length = True
            elif lowered == "transfer-encoding":
                continue  # the body is sent whole, with its length
            lines.append(f"{name}: {value}\r\n")
        no_body = code in _NO_BODY_STATUS or code < 200
        if not has_length and not no_body:
            lines.append(f"Content-Length: {len(body)}\r\n")
        lines.append(f"Date: {date}\r\n")
        if keep_alive:
            if request.version == "HTTP/1.0":
                lines.append("Connection: keep-alive\r\n")
        else:
            lines.append("Connection: close\r\n")
        lines.append("\r\n")
        head = "".join(lines).encode("latin-1")
        if request.head_only or no_body:
            return head, keep_alive
        return head + body, keep_alive
