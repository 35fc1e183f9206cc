"""The journal's masks from memory: the same as masking afresh, and each entry its own headers."""

from __future__ import annotations

from mock_server.http.logmask import mask_secrets
from mock_server.http.masks import MaskMemo, masked_headers

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
