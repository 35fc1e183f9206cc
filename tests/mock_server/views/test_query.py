"""The three query endpoints over HTTP: credentials, ranges, envelopes, configuration."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from flask.testing import FlaskClient

from mock_server import MockConfig, create_app
from mock_server.state.store import ClockState

from ...conftest import FIXED_NOW

DAY = 86400
ENDPOINTS = ("heart_beat", "step", "sleep")
EXPIRED = {"code": 20007, "msg": "Session expired. Please sign in again", "data": None}
WEEK = {"startTime": int(FIXED_NOW) - 7 * DAY, "endTime": int(FIXED_NOW)}


def query(client: FlaskClient, endpoint: str, headers: dict[str, str], body: object = WEEK) -> dict[str, object]:
    response = client.get(f"/partner/v1/query/{endpoint}", json=body, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.json  # type: ignore[return-value]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_valid_query_gets_the_success_envelope(
    client: FlaskClient, auth: dict[str, str], freeze: Callable[[], float], endpoint: str
) -> None:
    freeze()
    answer = query(client, endpoint, auth)
    assert answer["code"] == 200 and answer["msg"] == "success"
    days = [item["date"] for item in answer["data"]["list"]]  # type: ignore[index]
    assert days and all(d < "2026-11-19" for d in days)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Cudis-Client-Id": "cudis-wellness"},
        {"Authorization": "Bearer NOTATOKENNOTATOKENNOTATOKEN12345", "Cudis-Client-Id": "cudis-wellness"},
        {"Authorization": "Basic dXNlcjpwYXNz", "Cudis-Client-Id": "cudis-wellness"},
        {"Authorization": "Bearer "},
    ],
    ids=["nothing", "no-token", "unknown-token", "not-bearer", "empty-bearer"],
)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_bad_credentials_get_the_documented_20007(client: FlaskClient, headers: dict[str, str], endpoint: str) -> None:
    assert query(client, endpoint, headers) == EXPIRED


def test_a_token_only_works_with_its_own_client(client: FlaskClient, mint: Callable[..., str]) -> None:
    token = mint(client_id="JDS734JSNDPW")
    assert query(client, "step", {"Authorization": f"Bearer {token}", "Cudis-Client-Id": "cudis-wellness"}) == EXPIRED
    assert query(client, "step", {"Authorization": f"Bearer {token}"}) == EXPIRED
    assert query(client, "step", {"Authorization": f"Bearer {token}", "Cudis-Client-Id": "JDS734JSNDPW"})["code"] == 200


def test_a_token_without_the_daily_scope_is_refused(client: FlaskClient, mint: Callable[..., str]) -> None:
    token = mint(scope="")
    response = client.get(
        "/partner/v1/query/sleep",
        json=WEEK,
        headers={"Authorization": f"Bearer {token}", "Cudis-Client-Id": "cudis-wellness"},
    )
    assert response.json == EXPIRED
    assert "scope" in response.headers["X-Cudis-Mock-Reason"]


def test_a_token_expires_after_30_days_by_the_mocks_clock(
    client: FlaskClient, app: object, mint: Callable[..., str], freeze: Callable[[float], float]
) -> None:
    freeze(FIXED_NOW)
    headers = {"Authorization": f"Bearer {mint()}", "Cudis-Client-Id": "cudis-wellness"}
    freeze(FIXED_NOW + 30 * DAY - 1)
    assert query(client, "heart_beat", headers)["code"] == 200
    freeze(FIXED_NOW + 30 * DAY)
    response = client.get("/partner/v1/query/heart_beat", json=WEEK, headers=headers)
    assert response.json == EXPIRED
    assert "expired" in response.headers["X-Cudis-Mock-Reason"]


def test_credentials_are_checked_before_the_input(client: FlaskClient) -> None:
    assert query(client, "step", {}, body={"startTime": "bad"}) == EXPIRED


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        ({"startTime": "x", "endTime": 1}, 40001, "Invalid startTime"),
        ({"startTime": 1726444800000, "endTime": 1726704000000}, 40001, "milliseconds"),
        ({"startTime": 1726704000, "endTime": 1726444800}, 40002, "after endTime"),
        ({"startTime": 1, "endTime": 1726444800}, 40002, "3660 days"),
        ([1, 2], 40000, "JSON object"),
    ],
)
def test_bad_input_gets_an_error_envelope_naming_the_problem(
    client: FlaskClient, auth: dict[str, str], body: object, code: int, words: str
) -> None:
    answer = query(client, "heart_beat", auth, body=body)
    assert answer["code"] == code and answer["data"] is None
    assert words in str(answer["msg"])


def test_no_body_and_invalid_json_are_refused(client: FlaskClient, auth: dict[str, str]) -> None:
    no_body = client.get("/partner/v1/query/step", headers=auth).json
    assert no_body["code"] == 40000 and "startTime" in no_body["msg"]  # type: ignore[index]
    broken = client.get(
        "/partner/v1/query/step", data=b'{"startTime": ', headers={**auth, "Content-Type": "application/json"}
    )
    assert broken.status_code == 200 and broken.json["code"] == 40000  # type: ignore[index]


def test_the_current_day_is_never_served(
    client: FlaskClient, auth: dict[str, str], freeze: Callable[[], float]
) -> None:
    now = freeze()
    answer = query(client, "step", auth, body={"startTime": int(now) - 3 * DAY, "endTime": int(now) + 5 * DAY})
    today_new_york = datetime.fromtimestamp(now, UTC).date()  # 12:00 UTC is the same date in New York
    assert all(date.fromisoformat(i["date"]) < today_new_york for i in answer["data"]["list"])  # type: ignore[index]


def test_the_range_from_the_query_string(client: FlaskClient, auth: dict[str, str]) -> None:
    response = client.get("/partner/v1/query/step?startTime=1726444800&endTime=1726704000", headers=auth)
    assert response.json["code"] == 200  # type: ignore[index]


def test_other_methods_get_405_with_allow(client: FlaskClient, auth: dict[str, str]) -> None:
    response = client.post("/partner/v1/query/step", json=WEEK, headers=auth)
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"
    assert response.json["code"] == 40500  # type: ignore[index]


def test_unknown_paths_get_a_404_envelope(client: FlaskClient) -> None:
    response = client.get("/partner/v1/query/calories")
    assert response.status_code == 404 and response.json["code"] == 40400  # type: ignore[index]


def test_a_large_body_gets_413(client: FlaskClient, auth: dict[str, str]) -> None:
    response = client.get(
        "/partner/v1/query/step", data=b" " * (65 * 1024), headers={**auth, "Content-Type": JSON_TYPE}
    )
    assert response.status_code == 413 and response.json["code"] == 41300  # type: ignore[index]


JSON_TYPE = "application/json"


def test_mapped_error_status_is_configurable() -> None:
    client = create_app(MockConfig(error_status="mapped", validate_responses=True)).test_client()
    assert client.get("/partner/v1/query/step", json=WEEK).status_code == 401
    token = client.post("/__mock__/tokens", json={}).json["access_token"]  # type: ignore[index]
    headers = {"Authorization": f"Bearer {token}", "Cudis-Client-Id": "cudis-wellness"}
    assert (
        client.get("/partner/v1/query/step", json={"startTime": "x", "endTime": 1}, headers=headers).status_code == 400
    )


def test_a_mapped_401_carries_the_bearer_challenge_and_other_answers_do_not() -> None:
    """RFC 6750 section 3: a 401 says `WWW-Authenticate: Bearer error="invalid_token"`."""
    mapped = create_app(MockConfig(error_status="mapped", validate_responses=True)).test_client()
    for headers in ({}, {"Authorization": "Bearer NOPE", "Cudis-Client-Id": "cudis-wellness"}):
        refused = mapped.get("/partner/v1/query/step", json=WEEK, headers=headers)
        assert refused.status_code == 401
        assert refused.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    bad_input = mapped.get("/partner/v1/query/step", json={"startTime": "x"}, headers={"Authorization": "Bearer X"})
    assert "WWW-Authenticate" not in mapped.get("/nope").headers
    assert bad_input.status_code == 401  # credentials first (assumption auth-before-input)
    plain = create_app(MockConfig(validate_responses=True)).test_client()
    assert "WWW-Authenticate" not in plain.get("/partner/v1/query/step", json=WEEK).headers  # HTTP 200: no challenge


def test_empty_days_can_be_listed_as_zeros() -> None:
    app = create_app(MockConfig(empty_days="zero", validate_responses=True))
    client = app.test_client()
    app.extensions["cudis_mock"].store.set_clock_state(ClockState(frozen_at=FIXED_NOW))
    token = client.post("/__mock__/tokens", json={"user_id": "no-data"}).json["access_token"]  # type: ignore[index]
    headers = {"Authorization": f"Bearer {token}", "Cudis-Client-Id": "cudis-wellness"}
    answer = client.get("/partner/v1/query/step", json=WEEK, headers=headers).json
    assert [item["y"] for item in answer["data"]["list"]] == [0.0] * 7  # type: ignore[index]


def test_responses_of_the_same_query_are_identical_across_apps(auth: dict[str, str]) -> None:
    """Two independent mocks with the same seed agree byte for byte."""
    bodies = []
    for _ in range(2):
        client = create_app(MockConfig()).test_client()
        token = client.post("/__mock__/tokens", json={"user_id": "athlete"}).json["access_token"]  # type: ignore[index]
        headers = {"Authorization": f"Bearer {token}", "Cudis-Client-Id": "cudis-wellness"}
        bodies.append(
            client.get(
                "/partner/v1/query/sleep", json={"startTime": 1726444800, "endTime": 1729123200}, headers=headers
            ).data
        )
    assert bodies[0] == bodies[1]


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("startTime=0&startTime=abc&endTime=1&endTime=[]", "startTime"),
        ("startTime=1726358400&endTime=1726704000&endTime=1726704000", "endTime"),
        ("startTime=1726358400&endTime=1726704000&x=1&x=2", "x"),
    ],
)
def test_a_repeated_query_parameter_is_refused_naming_it(
    client: FlaskClient, auth: dict[str, str], query: str, named: str
) -> None:
    response = client.get(f"/partner/v1/query/heart_beat?{query}", headers=auth)
    assert response.json["code"] == 40001, response.data  # type: ignore[index]
    assert response.json["msg"] == f"Invalid {named}: is given more than once in the query string; send it once"  # type: ignore[index]
