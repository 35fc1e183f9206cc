"""POST /__mock__/tokens mints tokens without a browser."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient

from mock_server.context import mock_context


def test_defaults_give_a_working_token_like_the_documented_ones(client: FlaskClient) -> None:
    response = client.post("/__mock__/tokens")
    assert response.status_code == 201
    grant = response.json
    assert grant is not None
    assert re.fullmatch(r"[A-Z0-9]{32}", grant["access_token"])
    assert grant["scope"] == "daily" and grant["client_id"] == "cudis-wellness" and grant["user_id"] == "typical"
    assert grant["expires_in"] == 30 * 86400


def test_every_token_is_new(client: FlaskClient) -> None:
    tokens = {client.post("/__mock__/tokens", json={}).json["access_token"] for _ in range(50)}  # type: ignore[index]
    assert len(tokens) == 50


def test_a_short_lived_token(client: FlaskClient) -> None:
    grant = client.post("/__mock__/tokens", json={"expires_in": 60, "user_id": "athlete"}).json
    assert grant is not None and grant["expires_in"] == 60 and grant["user_id"] == "athlete"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"user_id": "nobody"}, "user_id"),
        ({"client_id": "evil"}, "client_id"),
        ({"expires_in": 0}, "expires_in"),
        ({"expires_in": "soon"}, "expires_in"),
        ({"scope": "daily;drop"}, "scope"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_requests_are_refused_naming_the_field(client: FlaskClient, body: dict[str, object], field: str) -> None:
    response = client.post("/__mock__/tokens", json=body)
    assert response.status_code == 400
    assert response.json is not None
    assert response.json["code"] == 40001 and response.json["data"] is None
    assert response.json["msg"].startswith(f"Invalid {field}:")


def test_a_body_that_is_not_json_is_refused(client: FlaskClient) -> None:
    response = client.post("/__mock__/tokens", data=b"{oops", headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json["code"] == 40000  # type: ignore[index]


# ---- the clock stays where the API can serve ------------------------------------------------------------

CENTURY = 3153600000


def _query_and_pages_answer(client: FlaskClient) -> None:
    mock = mock_context(client.application)
    now = mock.clock.now()
    token = client.post("/__mock__/tokens", json={}).json["access_token"]  # type: ignore[index]
    auth = {"Authorization": f"Bearer {token}", "Cudis-Client-Id": "cudis-wellness"}
    start = max(0, int(now) - 7 * 86400)
    query = client.get("/partner/v1/query/heart_beat", json={"startTime": start, "endTime": int(now)}, headers=auth)
    assert query.status_code == 200 and query.json["code"] == 200, query.data  # type: ignore[index]
    assert client.get("/__mock__/clock").status_code == 200
    assert client.get("/__mock__/explorer").status_code == 200
    assert mock.errors == [] and mock.violations == []


def test_advancing_past_the_last_timestamp_is_refused_and_nothing_breaks(client: FlaskClient) -> None:
    answers = [client.post("/__mock__/clock/advance", json={"seconds": CENTURY}) for _ in range(80)]
    statuses = [a.status_code for a in answers]
    assert 200 in statuses and statuses == sorted(statuses)  # accepted while the clock can go on, then refused
    refused = answers[-1]
    assert refused.status_code == 400 and refused.json["code"] == 40001  # type: ignore[index]
    assert "99999999999" in refused.json["msg"] and "seconds" in refused.json["msg"]  # type: ignore[index]
    assert client.get("/__mock__/clock").json["now"] <= 99999999999  # type: ignore[index]
    _query_and_pages_answer(client)


@pytest.mark.parametrize("now", [0, 86400, 99999999999, 99999999999 - 86400])
def test_every_instant_the_clock_can_be_set_to_serves_queries(client: FlaskClient, now: int) -> None:
    assert client.put("/__mock__/clock", json={"now": now}).status_code == 200
    _query_and_pages_answer(client)


def test_going_back_before_1970_is_refused(client: FlaskClient) -> None:
    client.put("/__mock__/clock", json={"now": 100})
    refused = client.post("/__mock__/clock/advance", json={"seconds": -101})
    assert refused.status_code == 400 and refused.json["code"] == 40001  # type: ignore[index]
    assert client.get("/__mock__/clock").json["now"] == 100  # type: ignore[index]
