"""The keep-alive worker's own reading of plain requests: the same environ gunicorn would build,
and anything unusual left to gunicorn's parser."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from gunicorn import http
from gunicorn.config import Config
from gunicorn.http import wsgi

from mock_server.serving import http1

SERVER = ("127.0.0.1", 8080)
CLIENT = ("127.0.0.1", 50123)
BODY = b'{"startTime": 1726358400, "endTime": 1726704000}'
PLAIN = [
    b"GET /partner/v1/query/step HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: Bearer ABC\r\n"
    b"Cudis-Client-Id: cudis-wellness\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
    % (len(BODY), BODY),
    b"GET /partner/v1/query/sleep?startTime=1&endTime=2&x=%C3%A9 HTTP/1.1\r\nHost: mock\r\n"
    b"Accept: a\r\nAccept: b\r\nX-Empty:\r\nX-Spaced:   padded value  \r\n\r\n",
    b"POST /__mock__/tokens HTTP/1.0\r\nHost: mock\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n{}",
    b"DELETE /a%20b/%2Fc HTTP/1.1\r\nHost: mock\r\nConnection: close\r\n\r\n",
    b"HEAD / HTTP/1.1\r\nHost: mock\r\nUser-Agent: curl/8.5.0 (x86_64) \xe9\r\n\r\n",
]
COMPARED = ("REQUEST_METHOD", "PATH_INFO", "QUERY_STRING", "RAW_URI", "SERVER_PROTOCOL", "SCRIPT_NAME")
COMPARED += ("CONTENT_TYPE", "CONTENT_LENGTH", "REMOTE_ADDR", "REMOTE_PORT", "wsgi.url_scheme")


def ours(raw: bytes) -> http1.Request | None:
    return http1.parse(raw, raw.find(b"\r\n\r\n"), http1.base_environ(SERVER, CLIENT))


def gunicorns(raw: bytes) -> dict[str, Any]:
    cfg = Config()
    left, right = socket.socketpair()
    with left, right:
        req = next(http.get_parser(cfg, [raw], CLIENT))
        _, environ = wsgi.create(req, left, CLIENT, SERVER, cfg)
        environ["body"] = environ["wsgi.input"].read()
        return dict(environ)


@pytest.mark.parametrize("raw", PLAIN, ids=lambda raw: raw.split(b"\r\n")[0].decode("latin-1"))
def test_a_plain_request_gives_the_environ_gunicorn_gives(raw: bytes) -> None:
    request = ours(raw)
    assert request is not None
    theirs = gunicorns(raw)
    mine = request.environ
    for key in COMPARED:
        assert mine.get(key) == theirs.get(key), key
    assert {k: v for k, v in mine.items() if k.startswith("HTTP_")} == {
        k: v for k, v in theirs.items() if k.startswith("HTTP_")
    }
    assert mine["wsgi.input"].read() == theirs["body"]


def test_http_1_1_keeps_the_connection_unless_told_and_1_0_only_when_asked() -> None:
    keeps = [request.keep_alive for raw in PLAIN if (request := ours(raw)) is not None]
    assert keeps == [True, True, True, False, True]
    assert ours(b"GET / HTTP/1.0\r\nHost: mock\r\n\r\n").keep_alive is False  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "raw",
    [
        b"GET / HTTP/1.1\r\nHost: mock\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: mock\r\nX_Underscore: 1\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: mock\r\nX-Forwarded-Proto: https\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: mock\r\n folded: value\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: mock\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
        b"GET / HTTP/1.1\r\nHost: mock\r\nContent-Length: 10\r\n\r\nshort",
        b"GET http://mock/ HTTP/1.1\r\nHost: mock\r\n\r\n",
        b"GET / HTTP/2.0\r\nHost: mock\r\n\r\n",
        b"get / HTTP/1.1\r\nHost: mock\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: mock\r\nBad\x01: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: mock\r\nX-Ctl: a\x00b\r\n\r\n",
    ],
)
def test_anything_unusual_is_left_to_gunicorns_parser(raw: bytes) -> None:
    assert ours(raw) is None


def render(status: str, headers: list[tuple[str, str]], body: bytes, raw: bytes = PLAIN[0]) -> tuple[bytes, bool]:
    request = ours(raw)
    assert request is not None
    answer = http1.Answer()
    answer.start_response(status, headers)
    return answer.render(request, [body[:3], body[3:]], "Tue, 01 Dec 2026 00:00:00 GMT")


def test_an_answer_is_one_write_with_its_length_and_date() -> None:
    data, keep = render("200 OK", [("Content-Type", "application/json")], b'{"code":200}')
    assert keep is True
    assert data == (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n"
        b'Date: Tue, 01 Dec 2026 00:00:00 GMT\r\n\r\n{"code":200}'
    )


def test_an_answer_closes_when_the_app_or_the_client_says_so() -> None:
    data, keep = render("400 BAD REQUEST", [("Connection", "close"), ("Content-Length", "2")], b"{}")
    assert keep is False and b"Connection: close\r\n" in data and data.endswith(b"\r\n\r\n{}")
    data, keep = render("200 OK", [("Content-Length", "2")], b"{}", raw=PLAIN[3])
    assert keep is False and b"Connection: close\r\n" in data
    data, keep = render("200 OK", [("Content-Length", "2")], b"{}", raw=PLAIN[2])
    assert keep is True and data.startswith(b"HTTP/1.0 200 OK\r\n") and b"Connection: keep-alive\r\n" in data


def test_head_and_bodiless_statuses_send_no_body() -> None:
    data, _ = render("200 OK", [("Content-Length", "12")], b'{"code":200}', raw=PLAIN[4])
    assert data.endswith(b"Content-Length: 12\r\nDate: Tue, 01 Dec 2026 00:00:00 GMT\r\n\r\n")
    data, _ = render("204 NO CONTENT", [], b"")
    assert b"Content-Length" not in data and data.endswith(b"\r\n\r\n")


def test_a_remembered_head_reads_as_a_fresh_one_and_each_request_gets_its_own_environ() -> None:
    memo: http1.HeadMemo = {}
    base = http1.base_environ(SERVER, CLIENT)
    for _ in range(2):
        for raw in PLAIN:
            head_end = raw.find(b"\r\n\r\n")
            remembered, fresh = http1.parse(raw, head_end, base, memo), http1.parse(raw, head_end, base)
            assert remembered is not None and fresh is not None
            body = remembered.environ.pop("wsgi.input").read()
            assert body == fresh.environ.pop("wsgi.input").read()
            assert remembered.environ == fresh.environ
            assert (remembered.keep_alive, remembered.version) == (fresh.keep_alive, fresh.version)
            remembered.environ["HTTP_HOST"] = "changed by the app"
    assert len(memo) == len(PLAIN)
    # The same head with a body of another length is not a plain request.
    assert http1.parse(PLAIN[0][:-1], PLAIN[0].find(b"\r\n\r\n"), base, memo) is None
