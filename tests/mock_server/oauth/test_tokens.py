"""Access tokens: the scopes a grant reads, and why a query's credentials are refused."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from mock_server.http.envelope import SessionExpired
from mock_server.oauth.tokens import DAILY, TokenRecord, check_access, mask, mint, parse_scopes

NOW = 1795089600.0
HEART = "/partner/v1/query/heart_beat"
RANGE = {"startTime": 1726358400, "endTime": 1726704000}


@pytest.mark.parametrize(
    ("text", "scopes"),
    [
        (None, (DAILY,)),
        ("", ()),
        ("daily+daily", (DAILY,)),
        ("b a,b  c", ("b", "a", "c")),
        (" daily , other ", (DAILY, "other")),
    ],
)
def test_scopes_are_read_in_order_without_duplicates(text: str | None, scopes: tuple[str, ...]) -> None:
    assert parse_scopes(text) == scopes


def record(lifetime: int = 60, scopes: tuple[str, ...] = (DAILY,)) -> TokenRecord:
    return mint("cudis-wellness", "typical", scopes, NOW, lifetime)[1]


@pytest.mark.parametrize(
    ("given", "client_id", "now", "reason"),
    [
        (None, "cudis-wellness", NOW, "unknown, revoked or missing access token"),
        (record(), "", NOW, "missing Cudis-Client-Id header"),
        (record(), "other-app", NOW, "token was issued to another client than 'other-app'"),
        (record(), "cudis-wellness", NOW + 60, "token expired 0 s ago"),
        (record(scopes=()), "cudis-wellness", NOW, "token lacks the 'daily' scope"),
    ],
)
def test_each_refusal_says_why(given: TokenRecord | None, client_id: str, now: float, reason: str) -> None:
    with pytest.raises(SessionExpired) as caught:
        check_access(given, client_id, now)
    assert caught.value.reason == reason and caught.value.detail == ""


def test_a_token_holds_until_the_last_second_of_its_lifetime() -> None:
    kept = record(lifetime=60)
    assert check_access(kept, "cudis-wellness", NOW + 59.999) is kept


def test_a_long_client_id_is_cut_in_the_reason() -> None:
    with pytest.raises(SessionExpired) as caught:
        check_access(record(), "x" * 500, NOW)
    assert caught.value.reason == f"token was issued to another client than {'x' * 64!r}"


def test_the_hint_of_no_token_is_empty() -> None:
    assert (mask(""), mask("AB"), mask("PHCW3OVM")) == ("", "AB…", "PHCW…")


def test_a_client_sees_only_20007_and_the_reason_header_says_why(client: FlaskClient, mint: object) -> None:
    token = mint(scope="")  # type: ignore[operator]
    response = client.get(HEART, json=RANGE, headers={"Authorization": f"Bearer {token}", "Cudis-Client-Id": "other"})
    assert response.json == {"code": 20007, "msg": "Session expired. Please sign in again", "data": None}
    assert response.headers["X-Cudis-Mock-Reason"] == "token was issued to another client than 'other'"
