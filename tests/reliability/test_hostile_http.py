"""Hostile requests over real sockets to a real `cudis-mock serve`: each gets a clear envelope, never a 5xx.

After every test the `mock` fixture checks that the server is still up and a valid query
still succeeds.
"""

from __future__ import annotations

import socket
import time

import pytest

from .harness import RANGE, RawResponse, ServedMock, auth_headers, parse_response, read_response

HEART = "/partner/v1/query/heart_beat"
LIMIT = 64 * 1024

# (id, body, expected code, a fragment the msg must contain)
BODIES: list[tuple[str, bytes, int, str]] = [
    ("truncated-object", b'{"startTime": 1726358400, "endTime": 17263', 40000, "not valid JSON"),
    ("truncated-key", b'{"startTi', 40000, "not valid JSON"),
    ("lone-brace", b"{", 40000, "not valid JSON"),
    ("unclosed-string", b'{"startTime": "1726358400', 40000, "not valid JSON"),
    ("trailing-garbage", RANGE + b"}}", 40000, "not valid JSON"),
    ("two-documents", RANGE + RANGE, 40000, "not valid JSON"),
    ("single-quotes", b"{'startTime': 1726358400, 'endTime': 1726704000}", 40000, "not valid JSON"),
    ("trailing-comma", b'{"startTime": 1726358400, "endTime": 1726704000,}', 40000, "not valid JSON"),
    ("comment", b'{"startTime": 1726358400 /* c */, "endTime": 1726704000}', 40000, "not valid JSON"),
    ("utf8-bom", b"\xef\xbb\xbf" + RANGE, 40000, "BOM"),
    ("invalid-utf8", b'{"startTime": "\xff\xfe", "endTime": 1726704000}', 40000, "not valid UTF-8"),
    ("latin1-e-acute", '{"startTime": "café"}'.encode("latin-1"), 40000, "not valid UTF-8"),
    ("overlong-utf8-slash", b'{"startTime": "\xc0\xaf"}', 40000, "not valid UTF-8"),
    ("encoded-surrogate", b'{"startTime": "\xed\xa0\x80"}', 40000, "not valid UTF-8"),
    ("utf16-body", RANGE.decode().encode("utf-16"), 40000, "UTF-8"),
    ("nul-in-key", b'{"start\x00Time": 1}', 40000, "not valid JSON"),
    ("deep-arrays-within-limit", b"[" * 60000, 40000, "nested too deeply"),
    ("deep-objects-within-limit", b'{"a":' * 12000, 40000, "nested too deeply"),
    ("deep-value", b'{"startTime": ' + b"[" * 30000 + b"]" * 30000 + b', "endTime": 1}', 40000, "nested too deeply"),
    ("array-body", b"[1726358400, 1726704000]", 40000, "JSON object"),
    ("string-body", b'"startTime"', 40000, "JSON object"),
    ("number-body", b"1726358400", 40000, "JSON object"),
    ("null-body", b"null", 40000, "JSON object"),
    ("empty-object", b"{}", 40001, "startTime"),
    ("nan", b'{"startTime": NaN, "endTime": 1726704000}', 40001, "finite"),
    ("infinity", b'{"startTime": 1726358400, "endTime": Infinity}', 40001, "finite"),
    ("minus-infinity", b'{"startTime": -Infinity, "endTime": 1726704000}', 40001, "finite"),
    ("huge-int-10e400", b'{"startTime": 1' + b"0" * 400 + b', "endTime": 1726704000}', 40001, "milliseconds"),
    ("huge-int-5000-digits", b'{"startTime": ' + b"9" * 5000 + b', "endTime": 1726704000}', 40001, "milliseconds"),
    ("huge-negative-int", b'{"startTime": -' + b"9" * 5000 + b', "endTime": 1726704000}', 40001, "negative"),
    ("float-overflow", b'{"startTime": 1726358400, "endTime": 1e400}', 40001, "finite"),
    ("negative-float-overflow", b'{"startTime": -1e400, "endTime": 1726704000}', 40001, "finite"),
    ("float-underflow", b'{"startTime": 1726358400, "endTime": 1726704000.000000000000000000001e-0}', 200, "success"),
    ("negative", b'{"startTime": -1, "endTime": 1726704000}', 40001, "negative"),
    ("milliseconds", b'{"startTime": 1726358400000, "endTime": 1726704000000}', 40001, "milliseconds"),
    ("microseconds", b'{"startTime": 1726358400000000, "endTime": 1726704000}', 40001, "milliseconds"),
    ("string-number", b'{"startTime": "1726358400", "endTime": 1726704000}', 40001, "number"),
    ("boolean", b'{"startTime": true, "endTime": 1726704000}', 40001, "number"),
    ("null-field", b'{"startTime": null, "endTime": 1726704000}', 40001, "number"),
    ("array-field", b'{"startTime": [1726358400], "endTime": 1726704000}', 40001, "number"),
    ("nested-nan", b'{"startTime": [NaN], "endTime": 1726704000}', 40001, "(got [NaN])"),
    ("nested-huge-int", b'{"startTime": {"a": ' + b"9" * 5000 + b'}, "endTime": 1726704000}', 40001, '{"a": 999'),
    ("nan-in-unknown-field", b'{"startTime": 1726358400, "endTime": 1726704000, "x": [NaN, 1e400]}', 200, "success"),
    ("object-field", b'{"startTime": {"$gt": 0}, "endTime": 1726704000}', 40001, "number"),
    ("missing-end", b'{"startTime": 1726358400}', 40001, "endTime"),
    ("start-after-end", b'{"startTime": 1726704000, "endTime": 1726358400}', 40002, "after"),
    ("range-too-long", b'{"startTime": 0, "endTime": 99999999999}', 40002, "3660 days"),
    (
        "unknown-fields",
        b'{"startTime": 1726358400, "endTime": 1726704000, "user": "athlete", "x": [1]}',
        200,
        "success",
    ),
    ("duplicate-keys", b'{"startTime": 1, "startTime": 1726358400, "endTime": 1726704000}', 200, "success"),
    ("unicode-escape-key", b'{"\\u0073tartTime": 1726358400, "endTime": 1726704000}', 200, "success"),
    ("lone-surrogate-key", b'{"\\ud800": 1, "startTime": 1726358400, "endTime": 1726704000}', 200, "success"),
    (
        "script-in-unknown-field",
        b'{"<script>alert(1)</script>": 1, "startTime": 1726358400, "endTime": 1726704000}',
        200,
        "success",
    ),
]


@pytest.mark.parametrize(("body", "code", "fragment"), [c[1:] for c in BODIES], ids=[c[0] for c in BODIES])
def test_hostile_body_gets_a_clear_envelope(mock: ServedMock, body: bytes, code: int, fragment: str) -> None:
    response = mock.raw().request("GET", HEART, body, auth_headers(mock.token))
    assert response.status == 200, response.body[:300]
    envelope = response.envelope
    assert envelope["code"] == code, envelope
    assert fragment in envelope["msg"], envelope
    assert response.header("Content-Type") == "application/json"


def test_100k_open_brackets_are_refused_by_size_before_parsing(mock: ServedMock) -> None:
    response = mock.raw().request("GET", HEART, b"[" * 100_000, auth_headers(mock.token))
    assert response.status == 413 and response.envelope["code"] == 41300


QUERY_STRINGS: list[tuple[str, str, int, str]] = [
    ("nan", "startTime=NaN&endTime=1726704000", 40001, "finite"),
    ("infinity", "startTime=1726358400&endTime=inf", 40001, "finite"),
    ("huge-int", "startTime=" + "9" * 5000 + "&endTime=1726704000", 40001, "milliseconds"),
    ("float-overflow", "startTime=1e400&endTime=1726704000", 40001, "finite"),
    ("negative", "startTime=-1&endTime=1726704000", 40001, "negative"),
    ("milliseconds", "startTime=1726358400000&endTime=1726704000000", 40001, "milliseconds"),
    ("hex", "startTime=0x66E6A200&endTime=1726704000", 40001, "Unix seconds"),
    ("percent-nul", "startTime=%00&endTime=1726704000", 40001, "Unix seconds"),
    ("invalid-percent-utf8", "startTime=%ff%fe&endTime=1726704000", 40001, "Unix seconds"),
    ("broken-percent", "startTime=%zz&endTime=%", 40001, "Unix seconds"),
    ("empty-values", "startTime=&endTime=", 40001, "Unix seconds"),
    ("script", "startTime=%3Cscript%3Ealert(1)%3C/script%3E&endTime=1", 40001, "Unix seconds"),
    ("unknown-params", "startTime=1726358400&endTime=1726704000&%00=1&x[]=y&__proto__=1", 200, "success"),
    ("empty-name", "startTime=1726358400&endTime=1726704000&=1", 40001, "empty name"),
    ("repeated", "startTime=1726358400&startTime=NaN&endTime=1726704000", 40001, "more than once"),
]


@pytest.mark.parametrize(
    ("query", "code", "fragment"), [c[1:] for c in QUERY_STRINGS], ids=[c[0] for c in QUERY_STRINGS]
)
def test_hostile_query_string_gets_a_clear_envelope(mock: ServedMock, query: str, code: int, fragment: str) -> None:
    response = mock.raw().request("GET", f"{HEART}?{query}", b"", auth_headers(mock.token, None))
    envelope = response.envelope
    assert response.status == 200 and envelope["code"] == code, envelope
    assert fragment in envelope["msg"], envelope


CONTENT_TYPES: list[tuple[str, int]] = [
    ("text/plain", 41500),
    ("application/x-www-form-urlencoded", 41500),
    ("multipart/form-data; boundary=xyz", 41500),
    ("application/xml", 41500),
    ("text/html; charset=utf-8", 41500),
    ("application/octet-stream", 41500),
    ("\x01\x02", 41500),
    ("application/json; charset=utf-8", 200),
    ("APPLICATION/JSON", 200),
    ("application/problem+json", 200),
]


@pytest.mark.parametrize(("content_type", "code"), CONTENT_TYPES)
def test_wrong_content_type_is_named_in_the_envelope(mock: ServedMock, content_type: str, code: int) -> None:
    response = mock.raw().request("GET", HEART, RANGE, auth_headers(mock.token, content_type))
    envelope = response.envelope
    assert envelope["code"] == code, envelope
    if code == 41500:
        assert "Content-Type: application/json" in envelope["msg"]


HEADERS: list[tuple[str, list[tuple[str, str]]]] = [
    ("no-credentials", [("Content-Type", "application/json")]),
    ("empty-bearer", [("Authorization", "Bearer "), ("Cudis-Client-Id", "cudis-wellness")]),
    ("basic-scheme", [("Authorization", "Basic dXNlcjpwYXNz"), ("Cudis-Client-Id", "cudis-wellness")]),
    ("huge-token", [("Authorization", "Bearer " + "A" * 8000), ("Cudis-Client-Id", "cudis-wellness")]),
    ("latin1-token", [("Authorization", "Bearer \xff\xfe\xe9"), ("Cudis-Client-Id", "cudis-wellness")]),
    ("control-chars-token", [("Authorization", "Bearer \x01\x7f"), ("Cudis-Client-Id", "\x00")]),
    ("script-client-id", [("Authorization", "Bearer X"), ("Cudis-Client-Id", "<script>alert(1)</script>")]),
]


@pytest.mark.parametrize("headers", [h[1] for h in HEADERS], ids=[h[0] for h in HEADERS])
def test_hostile_credentials_get_20007(mock: ServedMock, headers: list[tuple[str, str]]) -> None:
    response = mock.raw().request("GET", HEART, RANGE, headers)
    assert response.status == 200
    assert response.envelope == {"code": 20007, "msg": "Session expired. Please sign in again", "data": None}


def test_the_right_token_with_a_hostile_client_id_is_refused(mock: ServedMock) -> None:
    headers = [("Authorization", f"Bearer {mock.token}"), ("Cudis-Client-Id", "cudis-wellness\xff")]
    response = mock.raw().request("GET", HEART, RANGE, headers)
    assert response.envelope["code"] == 20007
    assert "<script>" not in (response.header("X-Cudis-Mock-Reason") or "")


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE", "PATCH", "TRACE", "OPTIONS", "PROPFIND"])
def test_other_methods_get_405_with_allow(mock: ServedMock, method: str) -> None:
    response = mock.raw().request(method, HEART, RANGE, auth_headers(mock.token))
    assert response.status == 405
    assert response.envelope["code"] == 40500
    assert response.header("Allow") == "GET"


TRAVERSALS = [
    "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/partner/v1/query/../../../../etc/passwd",
    "/partner/v1/query/%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/static/../../pyproject.toml",
    "/static/..%2f..%2fpyproject.toml",
    "//etc/passwd",
    "/..%5c..%5cpyproject.toml",
    "/partner/v1/query/heart_beat%00.json",
    "/partner/v1/query/heart_beat/..;/sleep",
    "/__mock__/../fixtures/users.yaml",
    "/__mock__/%2e%2e/openapi/cudis-v1.yaml",
    "/fixtures/clients.yaml",
    "/openapi/cudis-v1.yaml/..%2f..%2f..%2fetc%2fpasswd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_paths_that_try_to_leave_get_404_and_no_file(mock: ServedMock, path: str) -> None:
    response = mock.raw().request("GET", path, b"", auth_headers(mock.token, None))
    assert response.status in {404, 405}, (response.status, response.body[:200])
    envelope = response.envelope
    assert envelope["code"] in {40400, 40500}
    for secret in (b"root:", b"[project]", b"redirect_uris", b"openapi:"):
        assert secret not in response.body


def test_absolute_form_request_target_does_not_reach_another_host(mock: ServedMock) -> None:
    response = mock.raw().send(
        b"GET http://evil.test/partner/v1/query/heart_beat HTTP/1.1\r\nHost: evil.test\r\nConnection: close\r\n\r\n"
    )
    # Refused for its Host before anything else, as a DNS-rebinding page would be.
    assert response.status == 421
    assert response.envelope["code"] == 42100


MALFORMED_REQUESTS = [
    ("garbage", b"GARBAGE\r\n\r\n"),
    ("no-version", b"GET /\r\n\r\n"),
    ("binary", bytes(range(256)) + b"\r\n\r\n"),
    ("http2-preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
    ("huge-request-line", b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n"),
    ("huge-header", b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n"),
    ("header-without-colon", b"GET " + HEART.encode() + b" HTTP/1.1\r\nHost x\r\n\r\n"),
    ("bad-content-length", b"GET " + HEART.encode() + b" HTTP/1.1\r\nContent-Length: abc\r\n\r\n"),
    ("negative-content-length", b"GET " + HEART.encode() + b" HTTP/1.1\r\nContent-Length: -5\r\n\r\n"),
]


@pytest.mark.parametrize("raw", [m[1] for m in MALFORMED_REQUESTS], ids=[m[0] for m in MALFORMED_REQUESTS])
def test_malformed_http_is_refused_without_a_5xx(mock: ServedMock, raw: bytes) -> None:
    with mock.raw().connect() as sock:
        sock.sendall(raw)
        sock.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    # The server may just close a connection it cannot parse, or answer HTTP/0.9-style (no status
    # line) to a request line without a version; what it must never do is answer 5xx.
    if data.startswith(b"HTTP/"):
        response = parse_response(data, closed=True)
        assert response.status < 500, data[:300]
        if response.status == 200:
            assert response.envelope["code"] != 200
    elif raw.startswith(b"PRI * HTTP/2.0"):
        # 505 HTTP Version Not Supported is the one right answer to an HTTP/2 preface.
        assert b"Error code: 505" in data, data[:300]
    else:
        assert b"Error code: 5" not in data, data[:300]


def test_a_truncated_body_is_answered_once_the_client_gives_up(mock: ServedMock) -> None:
    """Content-Length promises more than is sent, then the client half-closes: an envelope, not a hang."""
    head = f"GET {HEART} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in auth_headers(mock.token, None)) + "\r\n"
    with mock.raw(timeout=10).connect() as sock:
        sock.sendall(head.encode() + b'{"startTime": 17')
        sock.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    # The body ended early: the mock either says so with an envelope or closes; never a 5xx.
    if data:
        status = int(data.split(b" ", 2)[1])
        assert status < 500, data[:300]


# ---- oversized bodies ------------------------------------------------------------------------


def _oversized(mock: ServedMock, path: str, method: str = "GET") -> tuple[RawResponse, float, bool]:
    """Declare 10 MB, send only the headers: the 413 must come without the body being read."""
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    head += f"Content-Length: {10 * 2**20}\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in auth_headers(mock.token, None)) + "\r\n"
    with mock.raw(timeout=10).connect() as sock:
        started = time.monotonic()
        sock.sendall(head.encode())
        # Reads the response, then stops sending (half-close) and waits for the server to close.
        data, closed = read_response(sock, timeout=5)
        elapsed = time.monotonic() - started
    return parse_response(data, closed), elapsed, closed


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", HEART),
        ("POST", "/__mock__/tokens"),
        ("POST", "/oauth/authorize"),
        ("GET", "/oauth/authorize"),
        ("GET", "/nowhere"),
    ],
)
def test_a_declared_10mb_body_is_refused_from_the_header_alone(mock: ServedMock, method: str, path: str) -> None:
    response, elapsed, closed = _oversized(mock, path, method)
    assert response.status == 413, response.body[:300]
    envelope = response.envelope
    assert envelope["code"] == 41300 and str(LIMIT) in envelope["msg"], envelope
    assert response.header("Connection") == "close"
    assert closed, "the server kept the connection open after refusing the body"
    assert elapsed < 2.0, f"the 413 took {elapsed:.2f} s: the mock waited for the body"


def test_a_10mb_body_sent_in_full_gets_the_413_not_a_reset(mock: ServedMock) -> None:
    body = b'{"startTime": 1726358400, "pad": "' + b"x" * (10 * 2**20) + b'"}'
    response = mock.raw(timeout=30).request("GET", HEART, body, auth_headers(mock.token))
    assert response.status == 413
    assert response.envelope["code"] == 41300
    assert response.closed


def test_a_chunked_body_over_the_limit_is_refused_not_truncated(mock: ServedMock) -> None:
    """Werkzeug stops a chunked stream quietly at the limit; the mock must not parse the first 64 KiB."""
    piece = b" " * 8192
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for _ in range(LIMIT // len(piece) + 1))
    body = b'4\r\n{"st\r\n' + chunks + b"0\r\n\r\n"
    head = f"GET {HEART} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in auth_headers(mock.token)) + "\r\n"
    response = mock.raw(timeout=30).send(head.encode() + body)
    assert response.status == 413, response.body[:300]
    assert "chunked" in response.envelope["msg"]


def test_a_chunked_body_under_the_limit_is_read_whole(mock: ServedMock) -> None:
    body = b"".join(b"%x\r\n%s\r\n" % (1, RANGE[i : i + 1]) for i in range(len(RANGE))) + b"0\r\n\r\n"
    head = f"GET {HEART} HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in auth_headers(mock.token)) + "\r\n"
    response = mock.raw().send(head.encode() + body)
    assert response.envelope["code"] == 200


def test_a_body_of_exactly_the_limit_is_read(mock: ServedMock) -> None:
    body = RANGE[:-1] + b" " * (LIMIT - len(RANGE)) + b"}"
    assert len(body) == LIMIT
    response = mock.raw().request("GET", HEART, body, auth_headers(mock.token))
    assert response.envelope["code"] == 200


def test_one_byte_over_the_limit_is_refused(mock: ServedMock) -> None:
    body = RANGE[:-1] + b" " * (LIMIT + 1 - len(RANGE)) + b"}"
    response = mock.raw().request("GET", HEART, body, auth_headers(mock.token))
    assert response.status == 413 and response.envelope["code"] == 41300
