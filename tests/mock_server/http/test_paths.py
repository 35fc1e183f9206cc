"""Paths as typed: a near miss of a real endpoint gets a 404 naming it; duplicate slashes are one slash."""

from __future__ import annotations

import pytest
import requests
from flask.testing import FlaskClient

from mock_server.http.paths import suggest

from ...conftest import LiveMock

HEART = "/partner/v1/query/heart_beat"
KNOWN = [HEART, "/partner/v1/query/step", "/partner/v1/query/sleep", "/oauth/authorize", "/__mock__/explorer"]


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("/partner/v1/query/heart_beat/", HEART),
        ("/partner/v1/query/heartbeat", HEART),
        ("/partner/v1/query/heart-beat", HEART),
        ("/partner/v1/query/steps", "/partner/v1/query/step"),
        ("/partner/V1/query/sleep", "/partner/v1/query/sleep"),
        ("/partner/v2/query/step", "/partner/v1/query/step"),
        ("/oauth/authorise", "/oauth/authorize"),
        ("/__mock__/explorer/", "/__mock__/explorer"),
    ],
)
def test_a_near_miss_is_answered_with_the_real_path(client: FlaskClient, typed: str, meant: str) -> None:
    assert suggest(typed, KNOWN) == meant
    answer = client.get(typed)
    assert answer.status_code == 404
    assert answer.json == {  # type: ignore[comparison-overlap]
        "code": 40400,
        "msg": f"No such endpoint: GET {typed}; did you mean {meant}?",
        "data": None,
    }


def test_a_path_far_from_any_points_to_the_index(client: FlaskClient) -> None:
    assert suggest("/metrics", KNOWN) is None
    assert client.get("/metrics").json["msg"] == "No such endpoint: GET /metrics; GET / lists the endpoints"  # type: ignore[index]


@pytest.mark.parametrize(
    "path", ["//partner/v1/query/heart_beat", "/partner//v1/query/heart_beat", "/partner/v1//query///heart_beat"]
)
def test_duplicate_slashes_anywhere_are_served_as_one(live_mock: LiveMock, path: str) -> None:
    """Over a real socket (the test client reads a leading `//` as a host): the same answer as the one-slash path."""
    token = live_mock.mint()
    headers = {"Authorization": f"Bearer {token}", "Cudis-Client-Id": "cudis-wellness"}
    query = "?startTime=1726358400&endTime=1726704000"
    session = requests.Session()
    prepared = session.prepare_request(requests.Request("GET", live_mock.base_url + HEART + query, headers=headers))
    prepared.url = live_mock.base_url + path + query
    answer = session.send(prepared, allow_redirects=False, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.json()["code"] == 200
