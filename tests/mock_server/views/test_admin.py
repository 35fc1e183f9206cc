"""POST /__mock__/tokens mints tokens without a browser."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient


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
