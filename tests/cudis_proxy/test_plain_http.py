"""The proxy's own HTTP/1.1 client to a plain-http upstream: answers framed every way HTTP frames them,
connections kept alive, and a connection the upstream closed replaced without the app noticing."""

from __future__ import annotations

import gzip
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from cudis_proxy.plain_http import Broke, PlainHttp

BODY = b'{"code":200,"msg":"success","data":{}}'


@contextmanager
def scripted(answers: list[bytes], close_after_each: bool = False) -> Iterator[tuple[PlainHttp, list[int]]]:
    """A loopback server answering the n-th request with answers[n]; a client for it; the connections accepted."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted: list[int] = []
    served = iter(answers)

    def handle(conn: socket.socket) -> None:
        with conn:
            buf = b""
            while True:
                while b"\r\n\r\n" not in buf:
                    data = conn.recv(65536)
                    if not data:
                        return
                    buf += data
                head, _, buf = buf.partition(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")
                    ),
                    0,
                )
                while len(buf) < length:
                    buf += conn.recv(65536)
                buf = buf[length:]
                answer = next(served, None)
                if answer is None:  # nothing scripted: close without answering
                    return
                conn.sendall(answer)
                if close_after_each:
                    return

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            accepted.append(1)
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    client = PlainHttp("127.0.0.1", server.getsockname()[1], timeout=2.0)
    try:
        yield client, accepted
    finally:
        client.close()
        server.close()


def _answer(extra: bytes = b"", body: bytes = BODY) -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s\r\n%s" % (
        len(body),
        extra,
        body,
    )


def test_answers_on_one_kept_alive_connection() -> None:
    with scripted([_answer(b"X-N: 1\r\n"), _answer(b"X-N: 2\r\n"), _answer(b"X-N: 3\r\n")]) as (client, accepted):
        got = [client.request("GET", "/q", {"A": "b"}, b"{}") for _ in range(3)]
    assert [a.headers["X-N"] for a in got] == ["1", "2", "3"]
    assert all(a.status == 200 and a.content == BODY for a in got)
    assert len(accepted) == 1


def test_a_repeated_head_is_read_once_and_each_answer_gets_headers_of_its_own() -> None:
    with scripted([_answer(b"X-N: 1\r\n")] * 3) as (client, _accepted):
        first = client.request("GET", "/q", {}, None)
        first.headers["X-N"] = "changed by the caller"
        again = [client.request("GET", "/q", {}, None) for _ in range(2)]
    assert [a.headers["X-N"] for a in again] == ["1", "1"] and all(a.content == BODY for a in again)
    assert len(client.heads) == 1


def test_a_chunked_answer_a_gzipped_one_and_repeated_headers() -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nVary: A\r\nvary: B\r\n\r\n"
        b"5;ext=1\r\n" + BODY[:5] + b"\r\n" + b"%x\r\n" % (len(BODY) - 5) + BODY[5:] + b"\r\n0\r\nX-Trailer: t\r\n\r\n"
    )
    zipped = _answer(b"Content-Encoding: gzip\r\n", gzip.compress(BODY))
    with scripted([chunked, zipped, _answer()]) as (client, accepted):
        first = client.request("GET", "/q", {}, None)
        second = client.request("GET", "/q", {}, None)
        third = client.request("GET", "/q", {}, None)
    assert first.content == BODY and first.headers["Vary"] == "A, B"
    assert second.content == BODY and third.content == BODY
    assert len(accepted) == 1  # the chunked answer ended where its last chunk said


def test_connection_close_and_a_connection_the_upstream_closed_are_replaced() -> None:
    with scripted([_answer(b"Connection: close\r\n"), _answer(), _answer()], close_after_each=True) as (
        client,
        accepted,
    ):
        answers = [client.request("GET", "/q", {}, None) for _ in range(3)]
    assert [a.status for a in answers] == [200, 200, 200]
    assert len(accepted) == 3


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"code"', "the connection broke mid-answer: 7 of 100 bytes"),
        (b"SSH-2.0-OpenSSH\r\n\r\n", "is not HTTP"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n", "Content-Length 'ten'"),
    ],
)
def test_an_answer_that_breaks_off_or_is_not_http_says_so(answer: bytes, says: str) -> None:
    with scripted([answer], close_after_each=True) as (client, _), pytest.raises(Broke, match=says):
        client.request("GET", "/q", {}, None)


def test_an_upstream_that_accepts_and_closes_without_answering() -> None:
    with scripted([], close_after_each=True) as (client, _), pytest.raises(Broke, match="closed it without answering"):
        client.request("GET", "/q", {}, None)


def test_an_ipv6_upstream() -> None:
    server = socket.socket(socket.AF_INET6)
    try:
        server.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    server.listen()
    port = server.getsockname()[1]
    client = PlainHttp("[::1]", port, timeout=2.0)

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            request = conn.recv(65536)
            conn.sendall(_answer(b"X-Host: " + request.split(b"Host: ")[1].split(b"\r\n")[0] + b"\r\n"))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        answer = client.request("GET", "/q", {}, None)
    finally:
        client.close()
        server.close()
    assert answer.content == BODY and answer.headers["X-Host"] == f"[::1]:{port}"
