"""Where one HTTP/1.1 request ends in the bytes a connection has sent so far (pure, no I/O).

The keep-alive worker reads a request whole before it parses it, so that a slow client costs it
nothing but a buffer. This module only finds the request's extent: the request line, headers and
body are parsed by gunicorn's parser, which rejects whatever is malformed. When the extent cannot be
known (a head that is too long, a length that is not a number, a body too large to buffer), the
request is handed over as it is and the connection is closed after the answer.
"""

from __future__ import annotations

from dataclasses import dataclass

HEAD_END = b"\r\n\r\n"


@dataclass(frozen=True)
class Extent:
    """A request found at the start of a buffer."""

    length: int
    """How many bytes of the buffer to hand to the parser."""
    close_after: bool = False
    """The request's true end is unknown or not all of it was buffered: close after answering."""


@dataclass(frozen=True)
class Incomplete:
    """More bytes are needed."""

    head_done: bool
    expects_continue: bool = False
    """The head is complete and asks for `100 Continue` before the body."""


def request_extent(buf: bytes | bytearray, max_head: int, max_body: int) -> Extent | Incomplete:
    """The first request in `buf`, or what is still missing."""
    head_end = buf.find(HEAD_END, 0, max_head + len(HEAD_END))
    if head_end < 0:
        if len(buf) > max_head:
            return Extent(len(buf), close_after=True)  # the parser answers 431 or 400
        return Incomplete(head_done=False)
    body_start = head_end + len(HEAD_END)
    lengths: list[bytes] = []
    codings: list[bytes] = []
    expects_continue = False
    for line in bytes(buf[:head_end]).split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            lengths.append(value.strip())
        elif name == b"transfer-encoding":
            codings.append(value.strip().lower())
        elif name == b"expect":
            expects_continue = value.strip().lower() == b"100-continue"
    if codings:
        if lengths or codings[-1].split(b",")[-1].strip() != b"chunked":
            return Extent(body_start, close_after=True)  # the parser refuses it
        end = _chunked_end(buf, body_start, max_body)
    elif lengths:
        if len(lengths) > 1 or not lengths[0].isdigit():
            return Extent(body_start, close_after=True)
        length = int(lengths[0])
        if length > max_body:
            return Extent(min(len(buf), body_start + length), close_after=True)
        end = body_start + length if len(buf) >= body_start + length else None
    else:
        return Extent(body_start)
    if end is None:
        return Incomplete(head_done=True, expects_continue=expects_continue)
    if isinstance(end, Extent):
        return end
    return Extent(end)


def _chunked_end(buf: bytes | bytearray, pos: int, max_body: int) -> int | Extent | None:
    """The end of a chunked body starting at `pos` (after its trailers), None if not all here."""
    decoded = 0
    while True:
        eol = buf.find(b"\r\n", pos)
        if eol < 0:
            return Extent(len(buf), close_after=True) if len(buf) - pos > 1024 else None
        try:
            size = int(bytes(buf[pos:eol]).split(b";", 1)[0].strip(), 16)
        except ValueError:
            return Extent(len(buf), close_after=True)  # the parser says what is wrong
        if size == 0:
            if buf[eol + 2 : eol + 4] == b"\r\n":
                return eol + 4
            trailers_end = buf.find(HEAD_END, eol)
            return None if trailers_end < 0 else trailers_end + len(HEAD_END)
        # Past the largest body, hand over what is here once it holds more than that: the app
        # refuses the body from the bytes it reads.
        if decoded + min(size, len(buf) - eol - 2) > max_body:
            return Extent(len(buf), close_after=True)
        decoded += size
        pos = eol + 2 + size + 2
        if len(buf) < pos:
            return None
