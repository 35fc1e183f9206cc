"""The journal's masks from memory: the same as masking afresh, and each entry its own headers."""

from __future__ import annotations

from mock_server.http.logmask import mask_secrets
from mock_server.http.masks import RAW_HEAD, MaskMemo, masked_headers
from mock_server.serving import http1

TOKEN = "PHCW3OVMXQZX5FJUR6ZK4FAA2MK2CWWA"
ENVIRON = {
    "REQUEST_METHOD": "GET",
    "CONTENT_TYPE": "application/json",
    "CONTENT_LENGTH": "48",
    "HTTP_AUTHORIZATION": f"Bearer {TOKEN}",
    "HTTP_CUDIS_CLIENT_ID": "cudis-wellness",
    "wsgi.url_scheme": "http",
}


def test_a_remembered_mask_is_the_mask() -> None:
    memo = MaskMemo(size=2)
    texts = [f"/cb?access_token={TOKEN}", '{"password": "hunter2"}', "/partner/v1/query/step", "", TOKEN]
    for _ in range(2):
        assert [memo.text(t) for t in texts] == [mask_secrets(t) for t in texts]
    long = f"{'x' * 2000} {TOKEN}"
    assert memo.text(long) == mask_secrets(long) != long


def test_remembered_headers_follow_every_header_and_each_entry_gets_its_own_dict() -> None:
    memo = MaskMemo()
    first, cut = memo.headers(ENVIRON)
    assert first == masked_headers(ENVIRON) and TOKEN not in str(first) and not cut
    first["Authorization"] = "changed by a reader"
    assert memo.headers(ENVIRON)[0] == masked_headers(ENVIRON)
    other = {**ENVIRON, "HTTP_AUTHORIZATION": "Bearer OTHER", "wsgi.url_scheme": "https"}
    assert memo.headers(other)[0] == masked_headers(other) != masked_headers(ENVIRON)
    without_length = {k: v for k, v in ENVIRON.items() if k != "CONTENT_LENGTH"}
    assert memo.headers(without_length)[0] == masked_headers(without_length)


def test_remembered_headers_are_cut_by_the_limits_asked() -> None:
    memo = MaskMemo()
    whole, _ = memo.headers(ENVIRON)
    assert memo.headers(ENVIRON, 1 << 20, 2) == (dict(list(whole.items())[:2]), True)
    short, cut = memo.headers(ENVIRON, 8, 100)
    assert cut and short["Cudis-Client-Id"].startswith("cudis-we…") and memo.headers(ENVIRON) == (whole, False)


def test_headers_remembered_by_the_raw_head_a_server_read_are_that_heads_headers() -> None:
    memo = MaskMemo(size=2)
    base = http1.base_environ(("127.0.0.1", 8000), ("127.0.0.1", 50000))
    heads: http1.HeadMemo = {}
    for round_ in range(3):
        for token in ("PHCW3OVMXQZX5FJUR6ZK4FAA2MK2CWWA", "ZZZZ3OVMXQZX5FJUR6ZK4FAA2MK2CWWA", "AAAA3OVMXQZX5FJUR6ZK"):
            raw = f"GET /x HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer {token}\r\nX-N: {round_}\r\n\r\n".encode()
            request = http1.parse(raw, raw.find(b"\r\n\r\n"), base, heads)
            assert request is not None and request.environ[RAW_HEAD] == raw[:-4]
            assert memo.headers(request.environ)[0] == masked_headers(request.environ)
            assert memo.headers(request.environ)[0]["Authorization"] == f"Bearer {token[:4]}…"
