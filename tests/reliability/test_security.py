"""Security properties as tests: strong tokens, constant-time checks, secrets kept out of logs and the
journal, the control API closed to other hosts, CSRF on consent."""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import secrets
import string
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import hypothesis
import pytest
from flask import Flask
from hypothesis import strategies as st

from mock_server import MockConfig, create_app
from mock_server.context import mock_context
from mock_server.http.logmask import mask_secrets
from mock_server.oauth import tokens as tokens_module
from mock_server.oauth.tokens import new_token

from .harness import RANGE, ServedMock, auth_headers
from .test_hostile_oauth import consent_form, cookies_of, post_decision

TOKEN = re.compile(r"^[A-Z0-9]{32}$")
ALPHABET = string.ascii_uppercase + string.digits
"""What a token is made of, as the vendor's tokens are (the README's examples)."""


# ---- tokens ---------------------------------------------------------------------------------------


def _minted(count: int = 3000) -> list[str]:
    return [new_token() for _ in range(count)]


def _bits(symbols: Counter[str]) -> float:
    """The Shannon entropy, in bits, of the distribution these counts were drawn from (plug-in estimate)."""
    total = sum(symbols.values())
    return -sum(n / total * math.log2(n / total) for n in symbols.values())


def test_tokens_carry_at_least_128_bits() -> None:
    # Measured on minted tokens rather than read off the module's constants: 32 positions, each
    # drawn evenly from the 36 symbols A-Z0-9 (log2 36 = 5.17 bits), so about 165 bits in all.
    minted = _minted()
    assert {len(t) for t in minted} == {32}
    columns = [Counter(t[i] for t in minted) for i in range(32)]
    assert all(set(column) == set(ALPHABET) for column in columns), "a position never takes some symbol"
    assert sum(_bits(column) for column in columns) >= 128
    assert all(_bits(column) > 5.1 for column in columns), [round(_bits(c), 2) for c in columns]


def test_tokens_do_not_come_from_the_random_module(monkeypatch: pytest.MonkeyPatch) -> None:
    # Seeding the random module (as tests and the data engine do) must not make tokens repeat...
    random.seed(7)
    first = new_token()
    random.seed(7)
    assert new_token() != first

    # ...and tokens do not draw from its shared generator at all.
    def predictable(*_args: object, **_kwargs: object) -> object:
        raise AssertionError("a token drew from the random module's shared, seedable generator")

    for name in ("random", "choice", "choices", "sample", "randrange", "randint", "getrandbits", "shuffle"):
        monkeypatch.setattr(random, name, predictable)
    assert TOKEN.match(new_token())


def test_tokens_are_unique_and_evenly_spread() -> None:
    minted = _minted()
    assert len(set(minted)) == len(minted)
    counts = Counter("".join(minted))
    expected = len(minted) * 32 / len(ALPHABET)
    assert set(counts) == set(ALPHABET)
    assert all(abs(n - expected) < 0.15 * expected for n in counts.values()), counts


def test_tokens_minted_over_http_are_well_formed_and_distinct(mock: ServedMock) -> None:
    minted = {mock.mint() for _ in range(50)}
    assert len(minted) == 50 and all(TOKEN.match(t) for t in minted)


# ---- constant-time comparison -------------------------------------------------------------------


@pytest.fixture
def app() -> Flask:
    return create_app(MockConfig(validate_responses=True))


def test_tokens_are_looked_up_by_digest_and_client_ids_compared_in_constant_time(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = app.test_client()
    token = client.post("/__mock__/tokens", json={}).json["access_token"]  # type: ignore[index]
    store = mock_context(app).store
    seen: list[Any] = []
    real_get = store.get_token

    def get_token(digest: str) -> Any:
        seen.append(digest)
        return real_get(digest)

    compared: list[tuple[bytes, bytes]] = []
    real_compare = secrets.compare_digest

    def compare(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real_compare(a, b)

    monkeypatch.setattr(store, "get_token", get_token)
    monkeypatch.setattr(tokens_module.secrets, "compare_digest", compare)
    for client_id in ("cudis-wellness", "cudis-wellnesX"):
        client.get(
            "/partner/v1/query/step",
            data=RANGE,
            headers={
                "Authorization": f"Bearer {token}",
                "Cudis-Client-Id": client_id,
                "Content-Type": "application/json",
            },
        )
    assert seen and all(d == hashlib.sha256(token.encode()).hexdigest() for d in seen)
    assert (b"cudis-wellness", b"cudis-wellnesX") in compared and (b"cudis-wellness", b"cudis-wellness") in compared
    # The store keeps digests only: the token itself is nowhere in it.
    assert token not in repr(store.get_token(hashlib.sha256(token.encode()).hexdigest()))


# ---- logs and journal ---------------------------------------------------------------------------------


def test_mask_secrets_keeps_only_a_hint() -> None:
    token = "PHCW3OVMXQZX5FJUR6ZK4FAA2MK2CWWA"
    for text in (
        f'"GET /callback?access_token={token}&scope=daily HTTP/1.1" 404 -',
        f'"DELETE /__mock__/tokens/{token} HTTP/1.1" 204 -',
        f"Authorization: Bearer {token}",
        f'{{"access_token": "{token}"}}',
        f"#access_token={token}&token_type=bearer",
    ):
        masked = mask_secrets(text)
        assert token not in masked and "PHCW…" in masked, masked
    assert mask_secrets("username=alex&password=hunter2") == "username=alex&password=…"
    assert mask_secrets("GET /partner/v1/query/step HTTP/1.1") == "GET /partner/v1/query/step HTTP/1.1"


_FRAGMENTS = st.sampled_from(
    ["access_token=", "TOKEN=", '"password": "', "Bearer ", "bearer\t", "&", "=", '"', " ", "/", "x", "é", "\n"]
)


@hypothesis.given(st.lists(st.one_of(_FRAGMENTS, st.text(ALPHABET, min_size=30, max_size=34), st.text()), max_size=12))
def test_the_quick_check_before_masking_never_skips_a_secret(parts: list[str]) -> None:
    from mock_server.http.logmask import _mask_all

    text = "".join(parts)
    assert mask_secrets(text) == _mask_all(text)


def _leak_tokens(mock: ServedMock) -> list[str]:
    """Put tokens where a server would log them: URLs (query, fragment-less redirect target, path)."""
    leaked = [mock.mint(), mock.mint(), mock.mint()]
    raw = mock.raw()
    # A client that sends its token in the query string (the mock reads only the header).
    raw.request("GET", f"/partner/v1/query/step?access_token={leaked[0]}", RANGE, auth_headers(leaked[0]))
    # A token in a path: revoking it through the control API.
    raw.request("DELETE", f"/__mock__/tokens/{leaked[1]}", b"")
    # A browser following the authorize redirect back to a page on the mock's own port
    # (a registered loopback URI matches on any port).
    back = f"http://127.0.0.1:{mock.port}/callback"
    page = raw.request(
        "GET",
        "/oauth/authorize?"
        + urlencode({"response_type": "token", "client_id": "cudis-wellness", "redirect_uri": back}, quote_via=quote),
        b"",
    )
    fields = consent_form(page.body.decode())
    approved = post_decision(
        mock,
        {**fields, "decision": "approve", "user": "typical", "grant": "daily", "username": "alex", "password": "cudis"},
        cookies_of(page),
    )
    location = approved.header("Location") or ""
    granted = re.search(r"access_token=([A-Z0-9]{32})", location)
    assert granted, location
    leaked.append(granted.group(1))
    parts = urlsplit(location)
    raw.request("GET", f"{parts.path}?{parts.query}", b"")
    raw.request("GET", "/partner/v1/query/heart_beat", RANGE, auth_headers(leaked[2]))
    return leaked


@pytest.fixture(params=["threaded", "two-workers"])
def logging_mock(request: pytest.FixtureRequest, mock: ServedMock) -> Iterator[ServedMock]:
    """The session's threaded mock (its access log has every request line), or two gunicorn workers."""
    if request.param == "threaded":
        yield mock
    else:
        with ServedMock.start("--workers", "2") as workers:
            yield workers


def test_tokens_and_passwords_never_reach_the_log_or_the_journal(logging_mock: ServedMock) -> None:
    mock = logging_mock
    leaked = _leak_tokens(mock)
    journal = mock.raw().request("GET", "/__mock__/requests", b"")
    assert journal.status == 200
    entries = json.dumps(journal.json(), ensure_ascii=False)
    log = mock.log_text()
    for token in leaked:
        assert token not in log, f"token {token[:4]}… in clear in the log"
        assert token not in entries, f"token {token[:4]}… in clear in the journal"
    assert "password=cudis" not in entries and "password=cudis" not in log
    if " workers, " not in mock.banner:  # the threaded server logs every request line: each one is there, masked
        assert f"access_token={leaked[0][:4]}…" in log
        assert f"/__mock__/tokens/{leaked[1][:4]}…" in log
    assert f"access_token={leaked[0][:4]}…" in entries


# ---- the control API --------------------------------------------------------------------------------


@pytest.fixture
def remote_app() -> Iterator[Flask]:
    yield create_app(MockConfig(validate_responses=True))


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Forwarded-For": "127.0.0.1"},
        {"Host": "localhost"},
        {"X-Real-IP": "127.0.0.1"},
        {"Forwarded": "for=127.0.0.1"},
    ],
    ids=["plain", "x-forwarded-for", "host-localhost", "x-real-ip", "forwarded"],
)
@pytest.mark.parametrize("remote", ["192.0.2.7", "10.0.0.1", "::ffff:192.0.2.7", "fe80::1%eth0", "not-an-address"])
def test_the_control_api_refuses_other_hosts_without_an_admin_token(
    remote_app: Flask, remote: str, headers: dict[str, str]
) -> None:
    client = remote_app.test_client()
    response = client.post("/__mock__/tokens", json={}, headers=headers, environ_base={"REMOTE_ADDR": remote})
    assert response.status_code == 403, response.data
    assert response.json["code"] == 40300 and "loopback" in response.json["msg"]  # type: ignore[index]
    for method, path in [("GET", "/__mock__/requests"), ("POST", "/__mock__/reset"), ("DELETE", "/__mock__/faults")]:
        assert client.open(path, method=method, environ_base={"REMOTE_ADDR": remote}).status_code == 403


def test_the_control_api_answers_loopback_without_a_token(remote_app: Flask) -> None:
    for remote in ("127.0.0.1", "::1", "127.8.9.10"):
        response = remote_app.test_client().post("/__mock__/tokens", json={}, environ_base={"REMOTE_ADDR": remote})
        assert response.status_code == 201


@pytest.mark.parametrize("remote", ["192.0.2.7", "127.0.0.1"])
def test_with_an_admin_token_only_its_bearer_gets_in(remote: str) -> None:
    admin = "s3cret-admin-token-" + secrets.token_hex(8)
    client = create_app(MockConfig(admin_token=admin, validate_responses=True)).test_client()
    env = {"REMOTE_ADDR": remote}
    for given in (
        {},
        {"X-Cudis-Mock-Admin": "wrong"},
        {"X-Cudis-Mock-Admin": admin[:-1]},
        {"Authorization": "Bearer wrong"},
        {"X-Cudis-Mock-Admin": admin + "x"},
    ):
        refused = client.post("/__mock__/tokens", json={}, headers=given, environ_base=env)
        assert refused.status_code == 403, (given, refused.data)
        assert admin not in refused.get_data(as_text=True)
    for given in ({"X-Cudis-Mock-Admin": admin}, {"Authorization": f"Bearer {admin}"}):
        assert client.post("/__mock__/tokens", json={}, headers=given, environ_base=env).status_code == 201


def test_the_admin_token_never_reaches_the_journal() -> None:
    admin = "ADMIN" + secrets.token_hex(8)
    client = create_app(MockConfig(admin_token=admin)).test_client()
    client.get("/partner/v1/query/step", headers={"X-Cudis-Mock-Admin": admin, "Authorization": f"Bearer {admin}"})
    journal = client.get("/__mock__/requests", headers={"X-Cudis-Mock-Admin": admin})
    assert journal.status_code == 200 and admin not in journal.get_data(as_text=True)


# ---- CSRF on consent ------------------------------------------------------------------------------------


def test_a_consent_form_only_works_with_the_mock_that_signed_it_and_only_for_its_request(
    mock: ServedMock,
) -> None:
    raw = mock.raw()
    page = raw.request("GET", "/oauth/authorize?response_type=token&client_id=cudis-wellness&state=s1", b"")
    fields = consent_form(page.body.decode())
    token_field = next(k for k in fields if "csrf" in k)
    # The signed part says which client and redirect URI it is for; tampering with it breaks the signature.
    body, _, signature = fields[token_field].rpartition(".")
    forged = body.replace("e", "f", 1) + "." + signature
    refused = post_decision(
        mock,
        {**fields, token_field: forged, "decision": "approve", "user": "typical", "grant": "daily"},
        cookies_of(page),
    )
    assert refused.status == 403 and refused.header("Location") is None
    approved = post_decision(
        mock, {**fields, "decision": "approve", "user": "typical", "grant": "daily"}, cookies_of(page)
    )
    assert approved.status == 302 and "access_token=" in (approved.header("Location") or "")


def test_a_consent_form_signed_before_a_reset_is_refused_after_it(mock: ServedMock) -> None:
    page = mock.raw().request("GET", "/oauth/authorize?response_type=token&client_id=cudis-wellness&state=s1", b"")
    fields = {**consent_form(page.body.decode()), "decision": "approve", "user": "typical", "grant": "daily"}
    mock.reset()  # and a new token, so that the fixture's last query still has one
    refused = post_decision(mock, fields, cookies_of(page))
    assert refused.status == 403 and refused.header("Location") is None
