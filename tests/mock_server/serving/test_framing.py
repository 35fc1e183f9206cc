"""Where a request ends in the bytes received so far: the keep-alive worker calls the app only then."""

from __future__ import annotations

from mock_server.serving.framing import Extent, Incomplete, request_extent

HEAD = b"GET /partner/v1/query/step HTTP/1.1\r\nHost: mock\r\n"
BODY = b'{"startTime": 1726358400, "endTime": 1726704000}'
QUERY = HEAD + b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY


def extent(buf: bytes, max_body: int = 65536) -> Extent | Incomplete:
    return request_extent(buf, 8192, max_body)


def test_a_request_is_whole_only_once_its_head_and_declared_body_are_all_there() -> None:
    for cut in range(len(QUERY)):
        found = extent(QUERY[:cut])
        assert isinstance(found, Incomplete), cut
        assert found.head_done == (cut >= QUERY.index(b"\r\n\r\n") + 4)
    assert extent(QUERY) == Extent(len(QUERY))


def test_pipelined_requests_are_taken_one_at_a_time() -> None:
    second = b"GET /__mock__/clock HTTP/1.1\r\nHost: mock\r\n\r\n"
    assert extent(QUERY + second + QUERY[:10]) == Extent(len(QUERY))
    assert extent(second + QUERY) == Extent(len(second))


def test_a_chunked_body_ends_at_its_last_chunk_and_trailers() -> None:
    chunked = HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n"
    assert extent(chunked + b"GET") == Extent(len(chunked))
    assert isinstance(extent(chunked[:-2]), Incomplete)
    with_trailer = chunked[:-2] + b"X-Sum: 1\r\n\r\n"
    assert extent(with_trailer) == Extent(len(with_trailer))


def test_a_body_larger_than_the_app_reads_is_handed_over_at_once_and_the_connection_closed_after() -> None:
    head = HEAD + b"Content-Length: 100000\r\n\r\n"
    assert extent(head, max_body=1000) == Extent(len(head), close_after=True)
    chunked = HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + b"800\r\n" + b"x" * 1500
    assert extent(chunked, max_body=1000) == Extent(len(chunked), close_after=True)


def test_framing_it_cannot_trust_goes_to_the_parser_and_closes_the_connection() -> None:
    for head in (
        HEAD + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        HEAD + b"Content-Length: -1\r\n\r\n",
        HEAD + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
        HEAD + b"Transfer-Encoding: gzip\r\n\r\n",
        HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n",
    ):
        found = extent(head)
        assert isinstance(found, Extent) and found.close_after, head
    endless = HEAD + b"X-Long: " + b"a" * 9000
    assert extent(endless) == Extent(len(endless), close_after=True)


def test_a_head_asking_for_100_continue_says_so() -> None:
    head = HEAD + b"Expect: 100-continue\r\nContent-Length: 10\r\n\r\n"
    assert extent(head) == Incomplete(head_done=True, expects_continue=True)
